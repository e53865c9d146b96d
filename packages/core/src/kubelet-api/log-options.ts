/**
 * The `/containerLogs` query, parsed as upstream Virtual Kubelet's `parseLogOptions` does
 * (`node/api/logs.go`), with its messages: Go's `strconv` and `time.Parse` wording after
 * `could not parse "<name>"`. Every problem is an InvalidInputError, answered with 400.
 */
import { InvalidInputError } from '../errors/errors.ts';
import type { ContainerLogOptions } from '../provider/contract.ts';

const INTEGER = /^[+-]?\d+$/;
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
/** RFC 3339 as Go's `time.RFC3339` layout accepts it (fractional seconds allowed). */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseInteger(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const value = Number(text);
  if (!INTEGER.test(text) || !Number.isSafeInteger(value)) {
    const why = INTEGER.test(text) ? 'value out of range' : 'invalid syntax';
    throw new InvalidInputError(
      `could not parse "${name}": strconv.Atoi: parsing ${JSON.stringify(text)}: ${why}`,
    );
  }
  return value;
}

function parseBoolean(query: URLSearchParams, name: string): boolean {
  const text = query.get(name);
  if (text === null || text === '') return false;
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  throw new InvalidInputError(
    `could not parse "${name}": strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`,
  );
}

function parseTime(query: URLSearchParams, name: string): Date | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const match = RFC3339.exec(text);
  const date = match === null ? undefined : new Date(text);
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new InvalidInputError(
      `could not parse "${name}": parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05Z07:00": not RFC 3339`,
    );
  }
  return date;
}

/** Reads `tailLines`, `follow`, `limitBytes`, `previous`, `sinceSeconds`, `sinceTime`, `timestamps`. */
export function parseLogOptions(query: URLSearchParams): ContainerLogOptions {
  const tailLines = parseInteger(query, 'tailLines');
  if (tailLines !== undefined && tailLines < 0) {
    throw new InvalidInputError(`"tailLines" is ${tailLines}`);
  }
  const follow = parseBoolean(query, 'follow');
  const limitBytes = parseInteger(query, 'limitBytes');
  if (limitBytes !== undefined && limitBytes < 1) {
    throw new InvalidInputError(`"limitBytes" is ${limitBytes}`);
  }
  const previous = parseBoolean(query, 'previous');
  const sinceSeconds = parseInteger(query, 'sinceSeconds');
  if (sinceSeconds !== undefined && sinceSeconds < 1) {
    throw new InvalidInputError(`"sinceSeconds" is ${sinceSeconds}`);
  }
  const sinceTime = parseTime(query, 'sinceTime');
  if (sinceTime !== undefined && sinceSeconds !== undefined) {
    throw new InvalidInputError('both "sinceSeconds" and "sinceTime" are set');
  }
  const timestamps = parseBoolean(query, 'timestamps');
  return {
    follow,
    previous,
    timestamps,
    ...(tailLines === undefined ? {} : { tailLines }),
    ...(limitBytes === undefined ? {} : { limitBytes }),
    ...(sinceSeconds === undefined ? {} : { sinceSeconds }),
    ...(sinceTime === undefined ? {} : { sinceTime }),
  };
}
