import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import { LabelSelector, labelSelectorFromObject, parseLabelSelector } from './label-selector.ts';

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const parseError = (text: string): string => {
  const err = errorOf(() => parseLabelSelector(text));
  expect(err.code).toBe(400);
  expect(err.reason).toBe('BadRequest');
  return err.message;
};

const NAME_PART_REGEX =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_REGEX =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe(parseLabelSelector, () => {
  const labels = { app: 'web', tier: 'front', n: '5' };

  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (db,web)', true],
    ['app in (db)', false],
    ['missing in (x)', false],
    ['app notin (db)', true],
    ['app notin (web,db)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['n>4', true],
    ['n>5', false],
    ['n<6', true],
    ['app>1', false],
    ['missing<9', false],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['  app  =  web  ,  tier in ( front , back )  ', true],
    ['app=web,!missing,tier', true],
  ])('%j matches {app:web,tier:front,n:5}: %s', (text, expected) => {
    expect(parseLabelSelector(text).matches(labels)).toBe(expected);
  });

  it('treats absent labels as an empty set', () => {
    expect(parseLabelSelector('!a').matches(undefined)).toBe(true);
    expect(parseLabelSelector('a').matches(undefined)).toBe(false);
  });

  it('reads in and notin as values and keys where the grammar expects identifiers', () => {
    expect(parseLabelSelector('in in (in,notin)').matches({ in: 'notin' })).toBe(true);
    expect(parseLabelSelector('x=in').matches({ x: 'in' })).toBe(true);
  });

  it('lets empty entries in a set and a missing exact value mean the empty value', () => {
    expect(parseLabelSelector('a in (,x)').requirements[0]?.values).toEqual(['', 'x']);
    expect(parseLabelSelector('a in ()').requirements[0]?.values).toEqual(['']);
    expect(parseLabelSelector('a in (x,,y)').requirements[0]?.values).toEqual(['', 'x', 'y']);
    expect(parseLabelSelector('a=').matches({ a: '' })).toBe(true);
    expect(parseLabelSelector('a=,b').matches({ a: '', b: 'x' })).toBe(true);
  });

  it('sorts requirements by key and values within a set, as String() shows', () => {
    const selector = parseLabelSelector('z=1,a in (y,x,x),!m,k,n>3,o<2,p!=q,r==s');
    expect(selector.toString()).toBe('a in (x,y),k,!m,n>3,o<2,p!=q,r==s,z=1');
  });

  it('accepts prefixed keys', () => {
    expect(
      parseLabelSelector('app.kubernetes.io/name=web').matches({
        'app.kubernetes.io/name': 'web',
      }),
    ).toBe(true);
  });

  it('reports exact matches the store can index on', () => {
    const selector = parseLabelSelector('a=1,b in (2),c in (3,4),d!=5');
    expect(selector.exactMatch('a')).toBe('1');
    expect(selector.exactMatch('b')).toBe('2');
    expect(selector.exactMatch('c')).toBeUndefined();
    expect(selector.exactMatch('d')).toBeUndefined();
  });

  it.each([
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
    ['a in (b,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['!=a', "found '!=', expected: !, identifier, or 'end of string'"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a=b,,c', "found ',', expected: identifier after ','"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
  ])('rejects %j with the apiserver message', (text, message) => {
    expect(parseError(text)).toBe(message);
  });

  it('validates keys against the parser field path, which Go prints as <nil>', () => {
    expect(parseError('-a=b')).toBe(
      `unable to parse requirement: <nil>: Invalid value: "-a": ${NAME_PART_REGEX}`,
    );
    expect(parseError('k'.repeat(64))).toBe(
      `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`,
    );
    expect(parseError('/a')).toBe(
      'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty',
    );
    expect(parseError('Example.com/a')).toBe(
      `unable to parse requirement: <nil>: Invalid value: "Example.com/a": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
    expect(parseError('a/b/c')).toBe(
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    );
    expect(parseError('x.io/')).toBe(
      `unable to parse requirement: <nil>: Invalid value: "x.io/": name part must be non-empty; ${NAME_PART_REGEX}`,
    );
  });

  it('quotes invalid keys the way Go %q does', () => {
    expect(parseError('a"\u00e9\u00ad')).toBe(
      `unable to parse requirement: <nil>: Invalid value: "a\\"\u00e9\\u00ad": ${NAME_PART_REGEX}`,
    );
  });

  it('validates values with the values[i][key] path', () => {
    expect(parseError('a=b/c')).toBe(
      `unable to parse requirement: values[0][a]: Invalid value: "b/c": ${VALUE_REGEX}`,
    );
    expect(parseError(`a=${'v'.repeat(64)}`)).toBe(
      `unable to parse requirement: values[0][a]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`,
    );
    // Set values are sorted before validation, so the index is the sorted position.
    expect(parseError('a in (z,-b)')).toBe(
      `unable to parse requirement: values[0][a]: Invalid value: "-b": ${VALUE_REGEX}`,
    );
    expect(parseError('a in (-x,-y)')).toBe(
      `unable to parse requirement: [values[0][a]: Invalid value: "-x": ${VALUE_REGEX}, values[1][a]: Invalid value: "-y": ${VALUE_REGEX}]`,
    );
  });

  it('requires integers for > and <', () => {
    expect(parseError('a>x')).toBe(
      `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`,
    );
    expect(parseError('a<')).toBe(
      `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`,
    );
    expect(parseError('a>99999999999999999999')).toContain('the value must be an integer');
  });

  it('treats a NUL byte as the end of input, like the Go lexer', () => {
    expect(parseLabelSelector('a=b \0 c').toString()).toBe('a=b');
  });
});

describe(labelSelectorFromObject, () => {
  it('matches nothing for a null selector and everything for an empty one', () => {
    expect(labelSelectorFromObject(null).matches({})).toBe(false);
    expect(labelSelectorFromObject(undefined).matches({ a: 'b' })).toBe(false);
    expect(labelSelectorFromObject({}).matches({ a: 'b' })).toBe(true);
    expect(labelSelectorFromObject({}).isEmpty()).toBe(true);
    expect(LabelSelector.nothing().isEmpty()).toBe(false);
  });

  it('ANDs matchLabels and matchExpressions', () => {
    const selector = labelSelectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(selector.matches({ app: 'web', tier: 'edge', team: 'x' })).toBe(true);
    expect(selector.matches({ app: 'web', tier: 'edge', team: 'x', env: 'prod' })).toBe(false);
    expect(selector.matches({ app: 'web', tier: 'edge', team: 'x', legacy: '' })).toBe(false);
    expect(selector.matches({ app: 'web', tier: 'back', team: 'x' })).toBe(false);
    expect(selector.toString()).toBe('app=web,env notin (prod),!legacy,team,tier in (edge,front)');
  });

  it('rejects bad operators and value counts with the apimachinery messages', () => {
    expect(
      errorOf(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Gt' }] }))
        .message,
    ).toBe('"Gt" is not a valid label selector operator');
    expect(
      errorOf(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In' }] }))
        .message,
    ).toBe(
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    );
    expect(
      errorOf(() =>
        labelSelectorFromObject({
          matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x', 'y'] }],
        }),
      ).message,
    ).toBe(
      'values: Invalid value: []string{"x", "y"}: values set must be empty for exists and does not exist',
    );
    expect(errorOf(() => labelSelectorFromObject({ matchLabels: { '-a': 'b' } })).message).toBe(
      `key: Invalid value: "-a": ${NAME_PART_REGEX}`,
    );
  });
});
