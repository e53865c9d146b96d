/**
 * Resources are named like kubectl names them: the plural, qualified by the API group unless
 * it is the core group ("pods", "events", "events.events.k8s.io", "leases.coordination.k8s.io").
 * A bare plural also finds a grouped entry when exactly one group has that plural.
 */
export function resolveResourceKey(resource: string, known: Iterable<string>): string | undefined {
  const keys = [...known];
  if (keys.includes(resource)) return resource;
  if (resource.includes('.')) return undefined;
  const grouped = keys.filter(k => k.startsWith(`${resource}.`));
  return grouped.length === 1 ? grouped[0] : undefined;
}
