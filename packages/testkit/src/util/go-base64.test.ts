import { describe, expect, it } from 'vitest';
import { goBase64ErrorOffset } from './go-base64.ts';

describe('goBase64ErrorOffset', () => {
  it.each(['', 'YQ==', 'YWI=', 'YWJj', 'YWJj\nZGVm', 'YR==', 'YWJj\r\n', '\nYQ==\n'])(
    'decodes %j',
    text => {
      expect(goBase64ErrorOffset(text)).toBeUndefined();
    },
  );

  it.each([
    ['not base64!', 3],
    ['YWJ', 0],
    ['YWJjZ', 4],
    ['YQ=', 3],
    ['YQ=x', 2],
    ['Y===', 1],
    ['=', 0],
    ['YQ==YQ==', 4],
    ['YWJj-_', 4],
    ['YWJjZGVmZ2hp!', 12],
    ['é', 0],
  ])('%j fails at byte %i', (text, offset) => {
    expect(goBase64ErrorOffset(text)).toBe(offset);
  });
});
