import { describe, expect, it } from 'vitest';
import { negotiate, parseAccept } from './negotiate.ts';

const OFFERS = [
  { type: 'application', subtype: 'json', name: 'json' },
  { type: 'application', subtype: 'com.github.proto-openapi.spec.v2@v1.0+protobuf', name: 'pb' },
];

const pick = (accept: string | undefined): string | undefined => negotiate(accept, OFFERS)?.name;

describe('negotiate', () => {
  it('a missing or empty Accept, or a wildcard, gets the first offer', () => {
    expect(pick(undefined)).toBe('json');
    expect(pick('')).toBe('json');
    expect(pick('*/*')).toBe('json');
    expect(pick('*')).toBe('json');
    expect(pick('application/*')).toBe('json');
  });

  it('client-go’s protobuf Accept gets protobuf; kubectl get --raw gets JSON', () => {
    expect(pick('application/com.github.proto-openapi.spec.v2@v1.0+protobuf')).toBe('pb');
    expect(pick('application/json, */*')).toBe('json');
  });

  it('quality first, then specific types before wildcards, then the client’s order', () => {
    expect(
      pick('application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf'),
    ).toBe('pb');
    expect(pick('*/*, application/com.github.proto-openapi.spec.v2@v1.0+protobuf')).toBe('pb');
    expect(parseAccept('text/plain, application/*;q=0.9, */*;q=0.1').map(c => c.type)).toEqual([
      'text',
      'application',
      '*',
    ]);
  });

  it('nothing acceptable is undefined (406); malformed clauses are skipped', () => {
    expect(pick('text/html')).toBeUndefined();
    expect(pick('application')).toBeUndefined();
    expect(pick('bogus, application/json')).toBe('json');
  });
});
