import { describe, expect, it } from 'vitest';
import {
  describeError,
  errorKind,
  InvalidInputError,
  isNotFound,
  isThrottled,
  isTransient,
  NotFoundError,
  retryAfterMs,
  ThrottledError,
} from './errors.ts';

describe(errorKind, () => {
  it('finds the kind through any depth of cause', () => {
    const root = new NotFoundError('pod default/web not found');
    const wrapped = new Error('delete failed', { cause: new Error('backend', { cause: root }) });
    expect(isNotFound(wrapped)).toBe(true);
    expect(isTransient(wrapped)).toBe(false);
    expect(errorKind(wrapped)).toBe('NotFound');
  });

  it('recognises errors from another bundled copy by their marker, not their class', () => {
    const foreign = Object.assign(new Error('throttled elsewhere'), {
      [Symbol.for('vkubelet.errorKind')]: 'Throttled',
      retryAfterMs: 1500,
    });
    const wrapped = new Error('create', { cause: foreign });
    expect(isThrottled(wrapped)).toBe(true);
    expect(retryAfterMs(wrapped)).toBe(1500);
  });

  it('looks inside AggregateError and survives cause cycles', () => {
    const cyclic: { message: string; cause?: unknown } = new Error('a');
    cyclic.cause = cyclic;
    expect(errorKind(cyclic)).toBeUndefined();
    const agg = new AggregateError([new Error('x'), new InvalidInputError('bad pod')], 'many');
    expect(errorKind(agg)).toBe('InvalidInput');
  });

  it('carries Retry-After and names itself', () => {
    const err = new ThrottledError('slow down', { retryAfterMs: 2000 });
    expect(err.name).toBe('ThrottledError');
    expect(err.retryAfterMs).toBe(2000);
    expect(describeError(new Error('create pod', { cause: err }))).toBe('create pod: slow down');
  });
});
