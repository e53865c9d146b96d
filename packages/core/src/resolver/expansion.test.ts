import { describe, expect, it } from 'vitest';
import { expand } from './expansion.ts';

const vars: Record<string, string> = { VAR_A: 'A', VAR_B: 'B', EMPTY: '', 'odd name': 'odd' };
const lookup = (name: string): string | undefined => vars[name];

describe(expand, () => {
  it.each([
    ['plain text', 'plain text'],
    ['$(VAR_A)', 'A'],
    ['___$(VAR_B)___', '___B___'],
    ['$(VAR_A)-$(VAR_B)', 'A-B'],
    ['$(VAR_A)$(VAR_A)', 'AA'],
    ['$(EMPTY)x', 'x'],
    ['$(odd name)', 'odd'],
    ['$(UNKNOWN)', '$(UNKNOWN)'],
    ['x$(UNKNOWN)y$(VAR_A)', 'x$(UNKNOWN)yA'],
    ['$$(VAR_A)', '$(VAR_A)'],
    ['$$$(VAR_A)', '$A'],
    ['$$$$(VAR_A)', '$$(VAR_A)'],
    ['$$', '$'],
    ['$$$$', '$$'],
    ['$', '$'],
    ['foo$', 'foo$'],
    ['$VAR_A', '$VAR_A'],
    ['$)', '$)'],
    ['$(VAR_A', '$(VAR_A'],
    ['$(', '$('],
    ['$()', '$()'],
    ['$($(VAR_A))', '$($(VAR_A))'],
    ['$(VAR_A$(VAR_B))', '$(VAR_A$(VAR_B))'],
    ['€$(VAR_A)€', '€A€'],
    ['$😀', '$😀'],
  ])('%j expands to %j', (input, expected) => {
    expect(expand(input, lookup)).toBe(expected);
  });

  it('never expands the result of an expansion again', () => {
    const actual = expand('$(X)', name => (name === 'X' ? '$(VAR_A)' : vars[name]));
    expect(actual).toBe('$(VAR_A)');
  });
});
