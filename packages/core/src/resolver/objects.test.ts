import { describe, expect, it } from 'vitest';
import { configMapEntries, secretEntries } from './objects.ts';

describe('decoded object keys', () => {
  it('decodes data, binaryData and stringData once per object and shares the bytes', () => {
    const configMap = { data: { 'ca.crt': 'PEM' }, binaryData: { raw: 'AQID' } };
    const first = configMapEntries(configMap);
    expect([...first].map(([k, v]) => [k, [...v]])).toEqual([
      ['ca.crt', [80, 69, 77]],
      ['raw', [1, 2, 3]],
    ]);
    expect(configMapEntries(configMap)).toBe(first);
    expect(configMapEntries({ ...configMap })).not.toBe(first);

    const secret = { data: { a: 'eA==' }, stringData: { a: 'y' } };
    expect([...secretEntries(secret)].map(([k, v]) => [k, [...v]])).toEqual([['a', [121]]]);
    expect(secretEntries(secret).get('a')).toBe(secretEntries(secret).get('a'));
  });
});
