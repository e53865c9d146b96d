/**
 * The watch wire protocol: a chunked JSON stream of `{"type": ..., "object": ...}` lines with
 * kube-apiserver's semantics: initial ADDED events when no resourceVersion is given, resume
 * from a resourceVersion (or an ERROR event with 410 when it is too old), selector transitions
 * turned into ADDED/DELETED, periodic BOOKMARKs, and `timeoutSeconds`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api-error.ts';
import type { KubeObject } from '../kube-object.ts';
import { storageResource, type ResourceDescriptor } from '../resources/registry.ts';
import type { ObjectStore, StoreEvent } from '../store/object-store.ts';
import type { Faults, RequestAttributes, WatchStream } from './faults.ts';
import type { ObjectFilter, Rest } from './rest.ts';

export interface WatchRequest {
  readonly descriptor: ResourceDescriptor;
  readonly filter: ObjectFilter;
  readonly resourceVersion: string | undefined;
  readonly timeoutSeconds: number | undefined;
  readonly allowBookmarks: boolean;
  readonly sendInitialEvents: boolean;
  readonly attributes: RequestAttributes;
  /** Renders each event's object (full object, or a one-row Table for kubectl). */
  readonly render: (object: KubeObject, first: boolean) => unknown;
}

export interface WatchContext {
  readonly store: ObjectStore;
  readonly rest: Rest;
  readonly faults: Faults;
  readonly bookmarkIntervalMs: number;
}

type WireType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export function serveWatch(
  ctx: WatchContext,
  w: WatchRequest,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const d = w.descriptor;
  let fromVersion: number | undefined;
  if (w.resourceVersion !== undefined && w.resourceVersion !== '' && w.resourceVersion !== '0') {
    fromVersion = Number(w.resourceVersion);
    if (!Number.isSafeInteger(fromVersion) || fromVersion < 0) {
      throw ApiError.badRequest(`invalid resource version: ${w.resourceVersion}`);
    }
  }

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  let stalled = ctx.faults.shouldStallNewWatch(w.attributes);
  let first = true;
  let closed = false;
  let unsubscribe: () => void = () => undefined;
  const timers: NodeJS.Timeout[] = [];

  // A stalled stream holds its events back, as a paused connection would, and delivers them on resume.
  const held: string[] = [];
  const write = (type: WireType, object: unknown): void => {
    if (closed) return;
    const line = `${JSON.stringify({ type, object })}\n`;
    if (stalled) held.push(line);
    else res.write(line);
  };
  const writeObject = (type: WireType, object: KubeObject): void => {
    if (closed) return;
    const rendered = w.render(ctx.rest.present(d, object), first);
    first = false;
    write(type, rendered);
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    ctx.faults.watches.delete(stream);
  };
  const stream: WatchStream = {
    attributes: w.attributes,
    drop: () => {
      close();
      res.destroy();
      req.socket.destroy();
    },
    stall: () => {
      stalled = true;
    },
    resume: () => {
      stalled = false;
      if (!closed) for (const line of held.splice(0)) res.write(line);
    },
  };
  ctx.faults.watches.add(stream);
  res.on('close', close);

  if (ctx.faults.takeExpiry(w.attributes)) {
    write(
      'ERROR',
      ApiError.gone(
        `too old resource version: ${w.resourceVersion ?? '0'} (${ctx.store.resourceVersion})`,
      ).toStatus(),
    );
    close();
    res.end();
    return;
  }

  const onEvent = (event: StoreEvent): void => {
    const now = w.filter.matches(event.object);
    const before = event.previous !== undefined && w.filter.matches(event.previous);
    if (event.type === 'ADDED') {
      if (now) writeObject('ADDED', event.object);
    } else if (event.type === 'DELETED') {
      if (before) writeObject('DELETED', event.object);
    } else if (now && before) {
      writeObject('MODIFIED', event.object);
    } else if (now) {
      writeObject('ADDED', event.object);
    } else if (before) {
      writeObject('DELETED', event.object);
    }
  };

  try {
    if (fromVersion === undefined) {
      // No resourceVersion (or "0"): the current state as ADDED events, then what follows.
      for (const [, object] of ctx.store.iterate(storageResource(d), w.filter.namespace)) {
        if (w.filter.matches(object)) writeObject('ADDED', object);
      }
      if (w.sendInitialEvents && w.allowBookmarks) {
        write('BOOKMARK', bookmark(d, ctx.store.resourceVersion, true));
      }
      unsubscribe = ctx.store.watch({ resource: storageResource(d), onEvent });
    } else {
      unsubscribe = ctx.store.watch({ resource: storageResource(d), onEvent }, fromVersion);
    }
  } catch (err) {
    if (err instanceof ApiError) {
      write('ERROR', err.toStatus());
      close();
      res.end();
      return;
    }
    throw err;
  }

  if (w.allowBookmarks) {
    const tick = (): void => {
      // No bookmarks while stalled: a later one must never skip events still held back.
      if (!stalled) write('BOOKMARK', bookmark(d, ctx.store.resourceVersion, false));
      timers[0] = setTimeout(tick, ctx.bookmarkIntervalMs);
    };
    timers[0] = setTimeout(tick, ctx.bookmarkIntervalMs);
  }
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) {
    timers[1] = setTimeout(() => {
      close();
      res.end();
    }, w.timeoutSeconds * 1000);
  }
}

function bookmark(d: ResourceDescriptor, version: number, initialEventsEnd: boolean): unknown {
  const metadata: Record<string, unknown> = { resourceVersion: String(version) };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return {
    kind: d.kind,
    apiVersion: d.group === '' ? d.version : `${d.group}/${d.version}`,
    metadata,
  };
}
