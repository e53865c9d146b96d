/**
 * Helpers for the CLI tests: an in-memory file system and shorthands that return the config,
 * the warnings or the error message of one `parseCommandLine` call.
 */
import { CliUsageError } from '../errors.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import type { AppInfo, CliIo, CommandLineResult, VirtualKubeletConfig } from '../types.ts';

export const app: AppInfo = { name: 'vk-mock', provider: 'mock', version: '1.2.3' };

/** `files` can be read and exist; `existing` only exist. */
export function fakeIo(files: Record<string, string> = {}, existing: string[] = []): CliIo {
  return {
    readFile: path => {
      const content = files[path];
      if (content === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
          code: 'ENOENT',
        });
      }
      return content;
    },
    exists: path => path in files || existing.includes(path),
  };
}

export function parse(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  io: CliIo = fakeIo(),
): CommandLineResult {
  return parseCommandLine(argv, env, app, io);
}

function run(argv: string[], env: NodeJS.ProcessEnv, io: CliIo) {
  const result = parse(argv, env, io);
  if (result.kind !== 'run') throw new Error(`expected a run, got ${result.kind}`);
  return result;
}

export function config(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  io: CliIo = fakeIo(),
): VirtualKubeletConfig {
  return run(argv, env, io).config;
}

export function warnings(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  io: CliIo = fakeIo(),
): readonly string[] {
  return run(argv, env, io).warnings;
}

/** The message of the CliUsageError the call throws. */
export function failure(argv: string[], env: NodeJS.ProcessEnv = {}, io: CliIo = fakeIo()): string {
  try {
    parse(argv, env, io);
  } catch (err) {
    if (err instanceof CliUsageError) return err.message;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to fail`);
}
