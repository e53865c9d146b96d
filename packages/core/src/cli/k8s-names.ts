/**
 * The Kubernetes name rules the CLI checks up front (node names, label and taint keys and values),
 * so a typo fails at startup with the flag named instead of as a 422 from the API server later.
 * Each returns a problem description, or undefined when the value is valid.
 */

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A DNS-1123 subdomain: what Node names and label-key prefixes must be. */
export function subdomainProblem(value: string): string | undefined {
  if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    return `${JSON.stringify(value)} is not a valid DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters)`;
  }
  return undefined;
}

/** A label or taint key: `[prefix/]name`, name at most 63 characters. */
export function qualifiedNameProblem(value: string): string | undefined {
  const slash = value.indexOf('/');
  const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  if (prefix !== undefined && (prefix === '' || subdomainProblem(prefix) !== undefined)) {
    return `${JSON.stringify(value)} has an invalid prefix (it must be a DNS subdomain)`;
  }
  if (name.length > 63 || !QUALIFIED_NAME_PART.test(name)) {
    return `${JSON.stringify(value)} is not a valid key (letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters, with an optional DNS subdomain prefix and '/')`;
  }
  return undefined;
}

/** A label or taint value: empty, or like a key's name part. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !QUALIFIED_NAME_PART.test(value)) {
    return `${JSON.stringify(value)} is not a valid value (letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters)`;
  }
  return undefined;
}
