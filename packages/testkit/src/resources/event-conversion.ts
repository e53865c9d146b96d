/**
 * events.k8s.io/v1 and core/v1 Events are one resource in two shapes, stored once (as core/v1),
 * as kube-apiserver does. These convert between the shapes field by field.
 */
import { isPlainObject, type KubeObject } from '../kube-object.ts';

type Obj = Record<string, unknown>;

function pick(target: Obj, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

export function eventsV1ToCore(e: KubeObject): KubeObject {
  const source = isPlainObject(e.deprecatedSource) ? e.deprecatedSource : undefined;
  const core: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: e.metadata };
  pick(core, 'involvedObject', e.regarding ?? {});
  pick(core, 'related', e.related);
  pick(core, 'reason', e.reason);
  pick(core, 'message', e.note);
  pick(core, 'type', e.type);
  pick(core, 'action', e.action);
  pick(core, 'eventTime', e.eventTime);
  pick(core, 'series', e.series);
  pick(core, 'reportingComponent', e.reportingController ?? '');
  pick(core, 'reportingInstance', e.reportingInstance ?? '');
  pick(core, 'source', source ?? {});
  pick(core, 'firstTimestamp', e.deprecatedFirstTimestamp);
  pick(core, 'lastTimestamp', e.deprecatedLastTimestamp);
  pick(core, 'count', e.deprecatedCount);
  return core;
}

export function coreToEventsV1(e: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: e.metadata };
  pick(out, 'eventTime', e.eventTime ?? null);
  pick(out, 'series', e.series);
  pick(out, 'reportingController', e.reportingComponent);
  pick(out, 'reportingInstance', e.reportingInstance);
  pick(out, 'action', e.action);
  pick(out, 'reason', e.reason);
  pick(out, 'regarding', e.involvedObject);
  pick(out, 'related', e.related);
  pick(out, 'note', e.message);
  pick(out, 'type', e.type);
  if (isPlainObject(e.source) && Object.keys(e.source).length > 0) out.deprecatedSource = e.source;
  pick(out, 'deprecatedFirstTimestamp', e.firstTimestamp);
  pick(out, 'deprecatedLastTimestamp', e.lastTimestamp);
  pick(out, 'deprecatedCount', e.count);
  return out;
}
