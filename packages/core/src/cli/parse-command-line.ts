/**
 * `parseCommandLine`: the whole CLI in one pure call. The app passes `process.argv.slice(2)` and
 * `process.env`, prints what comes back and exits. Nothing here prints or exits; the only I/O,
 * through `io`, is reading the `--config` file and checking that the provider config, an
 * explicit kubeconfig and `~/.kube/config` exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { normalizeArgv } from './argv-compat.ts';
import { loadConfigFile } from './config-file.ts';
import { CliUsageError } from './errors.ts';
import { envLayer, flagLayer } from './layer.ts';
import { BOOLEAN_FLAGS, parseArgv } from './program.ts';
import { resolveConfig } from './resolve.ts';
import type { AppInfo, CliIo, CommandLineResult } from './types.ts';

export const nodeIo: CliIo = {
  readFile: path => readFileSync(path, 'utf8'),
  exists: path => existsSync(path),
};

/**
 * Parses the command line, environment and optional `--config` file into what the app should
 * do. Throws a CliUsageError, whose message names the flag, variable or file key at fault, for
 * any input that cannot work.
 */
export function parseCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  app: AppInfo,
  io: CliIo = nodeIo,
): CommandLineResult {
  const normalized = normalizeArgv(argv, BOOLEAN_FLAGS);
  const parsed = parseArgv(normalized.argv, app);
  switch (parsed.kind) {
    case 'help':
    case 'version':
      return parsed;
    case 'providers':
      return parsed.name === undefined || parsed.name === app.provider
        ? { kind: 'providers', text: app.provider, exitCode: 0 }
        : {
            kind: 'providers',
            text: `no such provider ${parsed.name} (${app.name} has: ${app.provider})`,
            exitCode: 1,
          };
    case 'run': {
      if (parsed.configPath === '') throw new CliUsageError('--config: must not be empty');
      const flags = flagLayer(parsed.flags);
      const file =
        parsed.configPath === undefined ? undefined : loadConfigFile(parsed.configPath, io);
      const { config, warnings } = resolveConfig({
        app,
        env,
        io,
        flags,
        file,
        envLayer: envLayer(env, file === undefined ? [flags] : [flags, file.top]),
      });
      return { kind: 'run', config, warnings: [...normalized.warnings, ...warnings] };
    }
  }
}
