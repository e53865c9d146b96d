/**
 * The mock's `--provider-config` file: upstream's format (JSON keyed by node name with `cpu`,
 * `memory`, `pods`, `others` and `providerID`), extended with the mock's behaviour options and
 * `stateFile`, where the mock keeps its pods across restarts.
 */
import { InvalidInputError, type Logger } from '@vkubelet/core';
import type { MockProviderOptions } from '@vkubelet/provider-mock';
import { parse } from 'yaml';

type Entry = Record<string, unknown>;

/** The mock's options for one node, and the state file the app opens for it. */
export type MockNodeConfig = MockProviderOptions & { readonly stateFile?: string };

const BEHAVIOUR_KEYS = [
  'startLatencyMs',
  'deleteLatencyMs',
  'failures',
  'rateLimit',
  'pushStatus',
  'podIPBase',
  'logIntervalMs',
  'labels',
  'capacity',
] as const;

/** The options for `nodeName` from the file's text (JSON or YAML); undefined text means defaults. */
export function mockOptionsFromConfig(
  text: string | undefined,
  nodeName: string,
  logger: Logger,
): MockNodeConfig {
  if (text === undefined) return {};
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new InvalidInputError(
      `--provider-config: not valid JSON or YAML: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new InvalidInputError('--provider-config: expected an object keyed by node name');
  }
  const entry = (doc as Record<string, unknown>)[nodeName];
  if (entry === undefined) {
    logger.warn({ node: nodeName }, 'provider config has no entry for this node: using defaults');
    return {};
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new InvalidInputError(`--provider-config: the entry for "${nodeName}" must be an object`);
  }
  const e = entry as Entry;
  const capacity: Record<string, string> = {};
  for (const key of ['cpu', 'memory', 'pods'] as const) {
    const value = e[key];
    if (typeof value === 'string' || typeof value === 'number') capacity[key] = String(value);
    else if (value !== undefined)
      throw new InvalidInputError(`--provider-config: "${nodeName}.${key}" must be a quantity`);
  }
  if (e.others !== undefined) {
    if (typeof e.others !== 'object' || e.others === null)
      throw new InvalidInputError(`--provider-config: "${nodeName}.others" must be an object`);
    for (const [k, v] of Object.entries(e.others)) capacity[k] = String(v as string | number);
  }
  const options: Record<string, unknown> = {};
  for (const key of BEHAVIOUR_KEYS) if (e[key] !== undefined) options[key] = e[key];
  if (Object.keys(capacity).length > 0)
    options.capacity = { ...(options.capacity as Record<string, string> | undefined), ...capacity };
  if (typeof e.providerID === 'string') options.providerID = e.providerID;
  if (e.stateFile !== undefined) {
    if (typeof e.stateFile !== 'string' || e.stateFile === '')
      throw new InvalidInputError(`--provider-config: "${nodeName}.stateFile" must be a file path`);
    options.stateFile = e.stateFile;
  }
  const unknown = Object.keys(e).filter(
    k =>
      !['cpu', 'memory', 'pods', 'others', 'providerID', 'stateFile', ...BEHAVIOUR_KEYS].includes(
        k,
      ),
  );
  if (unknown.length > 0)
    throw new InvalidInputError(
      `--provider-config: unknown key(s) for "${nodeName}": ${unknown.join(', ')}`,
    );
  // The mock validates every option itself (createMockProvider throws InvalidInputError).
  return options;
}
