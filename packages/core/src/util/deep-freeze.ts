/**
 * Freezes JSON-shaped data all the way down. Subtrees already frozen are not walked again (an
 * object is frozen only after its children), so handing the same pod over twice costs one check.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
