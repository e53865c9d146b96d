/**
 * The node flags a bin's `#!/usr/bin/env -S node …` line gives it, so tools that start the bin
 * with `process.execPath` run it exactly as an operator's shell does.
 */
import { readFileSync } from 'node:fs';

export function shebangNodeArgs(bin: string): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!.*\bnode\b(.*)$/.exec(first);
  return (match?.[1] ?? '').split(/\s+/).filter(arg => arg !== '');
}
