/**
 * The `--config` file: the same settings as the flags, named in camelCase, in YAML or JSON (JSON
 * is YAML). Schema:
 *
 * ```yaml
 * # any setting, named as its flag in camelCase (--pod-sync-workers: podSyncWorkers);
 * # the one exception is --nodename: nodeName
 * kubeconfig: /etc/vk/kubeconfig      # paths are relative to this file
 * kubeApiQps: 50
 * nodeStatusUpdateFrequency: 1m       # durations in Go syntax
 * nodeLabels: { topology.kubernetes.io/zone: west-1 }
 * registerWithTaints: ["dedicated=batch:NoSchedule"]   # or { key, value, effect } mappings
 * traceExporter: [otlp]
 * traceTag: { team: infra }
 * nodes:                              # optional: several virtual nodes in one process
 *   - nodeName: vk-west-1             # per-node settings override the top level
 *     providerConfig: west-1.toml
 *     kubeletPort: 10250              # default: consecutive ports from kubeletPort
 *   - nodeName: vk-west-2
 *     providerConfig: west-2.toml
 * ```
 *
 * Per-node settings: nodeName, providerConfig, os, nodeIp, nodeLabels, disableTaint, taint,
 * taintValue, taintEffect, registerWithTaints, kubeletPort. An unknown key is an error.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { CliUsageError } from './errors.ts';
import { parseInto, type Layer } from './layer.ts';
import { SETTING_KEYS, SETTINGS, settingOf, type SettingKey } from './settings.ts';
import type { CliIo } from './types.ts';
import { kindOf } from './values.ts';

export interface ConfigFile {
  /** As given to `--config`. */
  readonly path: string;
  readonly top: Layer;
  /** The `nodes` entries, if the file lists any. */
  readonly nodes: readonly Layer[] | undefined;
}

export const NODE_KEYS: readonly SettingKey[] = SETTING_KEYS.filter(
  key => SETTINGS[key].scope === 'node',
);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTINGS, key);
}

function read(path: string, io: CliIo): string {
  try {
    return io.readFile(path);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') throw new CliUsageError(`--config: ${path} does not exist`);
    const message = err instanceof Error ? err.message : String(err);
    throw new CliUsageError(`--config: cannot read ${path}: ${message}`, { cause: err });
  }
}

function parseDocument(path: string, source: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(source, { prettyErrors: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new CliUsageError(`--config: ${path} is not valid YAML or JSON: ${message}`, {
      cause: err,
    });
  }
  if (doc === null || doc === undefined) return {}; // an empty file sets nothing
  if (!isRecord(doc)) throw new CliUsageError(`${path}: must be a mapping, got ${kindOf(doc)}`);
  return doc;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function suggestion(key: string, known: readonly string[]): string {
  const camel = key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const best = known
    .map(k => ({ k, d: k.toLowerCase() === camel.toLowerCase() ? 0 : distance(camel, k) }))
    .sort((a, b) => a.d - b.d)[0];
  // Allow about one typo per four characters, so short keys do not attract wild guesses.
  const tolerance = Math.max(1, Math.floor(camel.length / 4));
  return best !== undefined && best.d <= tolerance
    ? ` (did you mean ${JSON.stringify(best.k)}?)`
    : '';
}

function readEntries(
  path: string,
  entries: Record<string, unknown>,
  prefix: string,
  allowed: readonly SettingKey[],
): Layer {
  const layer: Layer = {};
  for (const [key, raw] of Object.entries(entries)) {
    const name = `${prefix}${key}`;
    if (!isSettingKey(key)) {
      const known = prefix === '' ? [...allowed, 'nodes'] : allowed;
      throw new CliUsageError(
        `${path}: unknown key ${JSON.stringify(name)}${suggestion(key, known)}`,
      );
    }
    if (!allowed.includes(key)) {
      throw new CliUsageError(
        `${path}: ${name} is not a per-node setting; set it at the top level (per-node: ${NODE_KEYS.join(', ')})`,
      );
    }
    const value =
      settingOf(key).path === true && typeof raw === 'string' && raw !== '' && !isAbsolute(raw)
        ? join(dirname(path), raw)
        : raw;
    parseInto(layer, key, value, `${path}: ${name}`);
  }
  return layer;
}

function readNodes(path: string, raw: unknown): Layer[] {
  if (!Array.isArray(raw)) {
    throw new CliUsageError(`${path}: nodes must be a list of nodes, got ${kindOf(raw)}`);
  }
  if (raw.length === 0) throw new CliUsageError(`${path}: nodes must list at least one node`);
  return (raw as unknown[]).map((entry, i) => {
    if (!isRecord(entry)) {
      throw new CliUsageError(`${path}: nodes[${i}] must be a mapping, got ${kindOf(entry)}`);
    }
    return readEntries(path, entry, `nodes[${i}].`, NODE_KEYS);
  });
}

export function loadConfigFile(path: string, io: CliIo): ConfigFile {
  const { nodes, ...settings } = parseDocument(path, read(path, io));
  return {
    path,
    top: readEntries(path, settings, '', SETTING_KEYS),
    nodes: nodes === undefined ? undefined : readNodes(path, nodes),
  };
}
