/**
 * What the built-in controllers share: they react to store events after the write that caused
 * them has been fanned out (never re-entrantly), and report their own failures without crashing.
 */
import type { ObjectStore, StoreEvent } from '../store/object-store.ts';

export type Report = (controller: string, err: unknown) => void;

/** Subscribes `handle` to a resource's events, deferred to a microtask. */
export function react(
  store: ObjectStore,
  resource: string,
  name: string,
  report: Report,
  handle: (event: StoreEvent) => void | Promise<void>,
): () => void {
  return store.watch({
    resource,
    onEvent: event => {
      queueMicrotask(() => {
        try {
          const result = handle(event);
          if (result instanceof Promise) {
            result.catch((err: unknown) => {
              report(name, err);
            });
          }
        } catch (err) {
          report(name, err);
        }
      });
    },
  });
}
