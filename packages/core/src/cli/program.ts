/**
 * The command line as commander sees it: options generated from the settings table (grouped
 * for help), the `version` and `providers [name]` subcommands, and `help`. Commander only
 * splits the command line here; values are validated by the settings' parsers afterwards, so
 * a flag, the environment and the config file report problems the same way. Commander's
 * output and exits are captured: nothing is printed, nothing exits.
 */
import { Command, CommanderError, Option } from 'commander';
import { CliUsageError } from './errors.ts';
import { helpEpilogue } from './help-text.ts';
import {
  DEFAULT_TRUE,
  SETTING_KEYS,
  settingOf,
  type HelpGroup,
  type Setting,
  type SettingKey,
} from './settings.ts';
import type { AppInfo } from './types.ts';

export type ArgvResult =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version'; readonly text: string }
  | { readonly kind: 'providers'; readonly name: string | undefined }
  | {
      readonly kind: 'run';
      /** Raw values of the flags given: a string, a list of strings, or a boolean. */
      readonly flags: ReadonlyMap<SettingKey, unknown>;
      readonly configPath: string | undefined;
    };

const HELP_WIDTH = 100;

export const GROUP_HEADINGS: Readonly<Record<HelpGroup, string>> = {
  node: 'Node:',
  api: 'Kubernetes API client:',
  kubelet: 'Kubelet API:',
  operations: 'Operations:',
  tracing: 'Tracing:',
  compat: 'Accepted for compatibility and ignored:',
};

export function versionText(app: AppInfo): string {
  return `${app.name} ${app.version} (provider ${app.provider})`;
}

/** Flags that take `--flag=true|false` (see argv-compat). */
export const BOOLEAN_FLAGS: ReadonlySet<string> = new Set(
  SETTING_KEYS.map(settingOf)
    .filter(s => s.shape === 'bool')
    .map(s => s.flag),
);

function description(s: Setting<unknown>, app: AppInfo): string {
  const extra: string[] = s.shape === 'repeatable' ? ['repeatable'] : [];
  if (s.deprecated !== undefined) extra.push(`deprecated: ${s.deprecated}`);
  if (s.env !== undefined) extra.push(`env: ${s.env}`);
  const fallback = typeof s.defaultHelp === 'function' ? s.defaultHelp(app) : s.defaultHelp;
  if (fallback !== undefined) extra.push(`default: ${fallback}`);
  return extra.length === 0 ? s.help : `${s.help} (${extra.join(', ')})`;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The commander options for one setting; a boolean has a `--no-` twin, one of them hidden. */
function optionsFor(key: SettingKey, app: AppInfo): Option[] {
  const s = settingOf(key);
  const heading = GROUP_HEADINGS[s.group];
  const text = description(s, app);
  if (s.shape === 'bool') {
    const negatedShown = DEFAULT_TRUE.has(key);
    return [
      new Option(`--${s.flag}`, text).helpGroup(heading).hideHelp(negatedShown),
      new Option(`--no-${s.flag}`, text).helpGroup(heading).hideHelp(!negatedShown),
    ];
  }
  const option = new Option(`--${s.flag} <${s.valueName ?? 'value'}>`, text).helpGroup(heading);
  return [s.shape === 'repeatable' ? option.argParser(collect) : option];
}

interface Built {
  readonly root: Command;
  readonly output: string[];
  result: ArgvResult | undefined;
}

function build(app: AppInfo): Built {
  const output: string[] = [];
  const built: Built = { root: new Command(app.name), output, result: undefined };
  const root = built.root
    .description(
      `${app.name} is a Virtual Kubelet for the ${app.provider} provider: it registers with ` +
        'Kubernetes as a node and runs the pods bound to that node on the provider.',
    )
    .usage('[options] [command]')
    .exitOverride()
    .configureOutput({
      writeOut: s => output.push(s),
      writeErr: s => output.push(s),
      outputError: () => undefined,
      getOutHelpWidth: () => HELP_WIDTH,
      getErrHelpWidth: () => HELP_WIDTH,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .optionsGroup('General:')
    .addOption(
      new Option(
        '--config <path>',
        'YAML or JSON file with any of these settings in camelCase (see below); flags override it',
      ),
    )
    .version(versionText(app), '--version', 'Print the version and exit')
    .helpOption('-h, --help', 'Show this help and exit')
    .helpCommand('help [command]', 'Show help for a command')
    .allowExcessArguments(true);
  const options = new Map<SettingKey, Option>();
  for (const key of SETTING_KEYS) {
    for (const option of optionsFor(key, app)) {
      root.addOption(option);
      options.set(key, option);
    }
  }
  root.addHelpText('after', `\n${helpEpilogue(app)}`);

  root.action((_options: unknown, command: Command) => {
    const [extra] = command.args;
    if (extra !== undefined) {
      throw new CliUsageError(
        `unexpected argument ${JSON.stringify(extra)} (commands: providers, version, help)`,
      );
    }
    const flags = new Map<SettingKey, unknown>();
    for (const [key, option] of options) {
      const value: unknown = command.getOptionValue(option.attributeName());
      if (value !== undefined) flags.set(key, value);
    }
    const configPath: unknown = command.getOptionValue('config');
    built.result = {
      kind: 'run',
      flags,
      configPath: typeof configPath === 'string' ? configPath : undefined,
    };
  });
  root
    .command('version')
    .description('Print the version and exit')
    .allowExcessArguments(false) // the root allows them (to word its own error); not inherited here
    .action(() => {
      built.result = { kind: 'version', text: versionText(app) };
    });
  root
    .command('providers')
    .description(
      `List the providers this binary runs (${app.provider}); exit 1 if [name] is not one`,
    )
    .argument('[name]', 'a provider to look for')
    .allowExcessArguments(false)
    .action((name: string | undefined) => {
      built.result = { kind: 'providers', name };
    });
  return built;
}

/** Parses a command line (without the node and script paths, i.e. `process.argv.slice(2)`). */
export function parseArgv(argv: readonly string[], app: AppInfo): ArgvResult {
  const built = build(app);
  try {
    built.root.parse(argv, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    const text = built.output.join('').trimEnd();
    if (err.exitCode === 0) {
      return err.code === 'commander.version' ? { kind: 'version', text } : { kind: 'help', text };
    }
    if (err.code === 'commander.help') {
      // `help <name>` for a command that does not exist: commander shows the root help as an error.
      const name = argv[argv.indexOf('help') + 1] ?? '';
      throw new CliUsageError(
        `help: unknown command ${JSON.stringify(name)} (commands: providers, version, help)`,
        { cause: err },
      );
    }
    throw new CliUsageError(err.message.replace(/^error: /, '').replace(/\n/g, ' '), {
      cause: err,
    });
  }
  if (built.result === undefined) throw new Error('commander ran no action'); // unreachable
  return built.result;
}

/** The help text, as `--help` prints it. */
export function helpText(app: AppInfo): string {
  const result = parseArgv(['--help'], app);
  return result.kind === 'help' ? result.text : '';
}
