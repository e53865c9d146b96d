/**
 * The one error the CLI kit throws: the operator's input (flags, environment, config file) cannot
 * work. It is an InvalidInputError, so `isInvalidInput` recognises it across bundled copies; the
 * message always starts with where the bad value came from (`--flag`, `ENV_VAR`, `file: key`).
 */
import { InvalidInputError, type VkErrorOptions } from '../errors/errors.ts';

export class CliUsageError extends InvalidInputError {
  constructor(message: string, options?: VkErrorOptions) {
    super(message, options);
    this.name = 'CliUsageError';
  }
}

/** Prefixes a problem found in a value with where the value came from. */
export function at(where: string, err: unknown): unknown {
  return err instanceof CliUsageError
    ? new CliUsageError(`${where}: ${err.message}`, { cause: err })
    : err;
}
