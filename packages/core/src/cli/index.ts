/**
 * The CLI kit every app shares: upstream virtual-kubelet's flags and environment variables
 * (so operators can switch binaries), a config file with the same settings, several nodes per
 * process, and help and version text. Parsing is pure; the app prints and exits.
 */
export { parseCommandLine, nodeIo } from './parse-command-line.ts';
export { CliUsageError } from './errors.ts';
export { CLI_DEFAULTS } from './resolve.ts';
export { DEFAULT_TAINT_KEY } from './taints.ts';
export { helpText, versionText } from './program.ts';
export { parseGoDuration } from './duration.ts';
export type * from './types.ts';
