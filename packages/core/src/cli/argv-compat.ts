/**
 * Rewrites the parts of an upstream (Go pflag) command line that commander does not speak:
 * `--bool-flag=false` (pflag booleans take a value after `=`), and upstream's `--klog.<name>`
 * flags, which are accepted and dropped with a warning so an operator's existing manifest still
 * starts. Everything after `--` is left alone.
 */
import { at, CliUsageError } from './errors.ts';
import { boolean } from './values.ts';

/** klog's flags, which upstream exposes as `--klog.<name>`; the booleans take no separate value. */
const KLOG_BOOLEANS = new Set([
  'add_dir_header',
  'alsologtostderr',
  'legacy_stderr_threshold_behavior',
  'logtostderr',
  'one_output',
  'skip_headers',
  'skip_log_headers',
]);
const KLOG_VALUES = new Set([
  'log_backtrace_at',
  'log_dir',
  'log_file',
  'log_file_max_size',
  'stderrthreshold',
  'v',
  'vmodule',
]);

export interface NormalizedArgv {
  readonly argv: string[];
  readonly warnings: string[];
}

export function normalizeArgv(
  argv: readonly string[],
  booleanFlags: ReadonlySet<string>,
): NormalizedArgv {
  const out: string[] = [];
  const warnings: string[] = [];
  const rest = [...argv];
  for (let arg = rest.shift(); arg !== undefined; arg = rest.shift()) {
    if (arg === '--') {
      out.push(arg, ...rest);
      break;
    }
    const klog = /^--klog\.([^=]+)(=.*)?$/.exec(arg);
    if (klog !== null) {
      const name = klog[1] ?? '';
      const flag = `--klog.${name}`;
      if (KLOG_VALUES.has(name)) {
        if (klog[2] === undefined && rest.shift() === undefined) {
          throw new CliUsageError(`${flag}: missing value`);
        }
      } else if (!KLOG_BOOLEANS.has(name)) {
        throw new CliUsageError(`unknown option '${flag}'`);
      }
      warnings.push(`${flag} is accepted for compatibility and ignored (see --log-level)`);
      continue;
    }
    const assignment = /^--([^=]+)=(.*)$/.exec(arg);
    const name = assignment?.[1];
    if (name !== undefined && booleanFlags.has(name)) {
      let value: boolean;
      try {
        value = boolean(assignment?.[2]);
      } catch (err) {
        throw at(`--${name}`, err);
      }
      out.push(value ? `--${name}` : `--no-${name}`);
      continue;
    }
    out.push(arg);
  }
  return { argv: out, warnings };
}
