/**
 * What a bin's `#!/usr/bin/env -S [NAME=value …] node [flags…]` line gives it: the environment
 * assignments `env` makes and the node flags, so tools that start the bin with
 * `process.execPath` run it exactly as an operator's shell does.
 */
import { readFileSync } from 'node:fs';

export interface ShebangLaunch {
  /** `NAME=value` assignments before `node`. */
  readonly env: Readonly<Record<string, string>>;
  /** Flags after `node`. */
  readonly nodeArgs: readonly string[];
}

export function shebangLaunch(bin: string): ShebangLaunch {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\S*\benv\s+-S\s+(.*?)\bnode\b(.*)$/.exec(first);
  const words = (text: string | undefined): string[] =>
    (text ?? '').split(/\s+/).filter(word => word !== '');
  const env: Record<string, string> = {};
  for (const word of words(match?.[1])) {
    const eq = word.indexOf('=');
    if (eq > 0) env[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return { env, nodeArgs: words(match?.[2]) };
}
