/**
 * core/v1 and events.k8s.io/v1 Events are one stored type in kube-apiserver, and both its field
 * selectors and its printer work on that internal shape. This reads either wire shape into it.
 */
import { at, int, str } from './object-access.ts';

export interface EventView {
  readonly involvedObject: {
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    readonly uid: string;
    readonly apiVersion: string;
    readonly resourceVersion: string;
    readonly fieldPath: string;
  };
  readonly reason: string;
  readonly message: string;
  readonly type: string;
  readonly sourceComponent: string;
  readonly sourceHost: string;
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly firstTimestamp: unknown;
  readonly lastTimestamp: unknown;
  readonly eventTime: unknown;
  readonly count: number;
  /** Present when the event has a series. */
  readonly series: { readonly count: number; readonly lastObservedTime: unknown } | undefined;
}

function isEventsV1(event: unknown): boolean {
  return (
    str(at(event, 'apiVersion')).startsWith('events.k8s.io/') ||
    (at(event, 'involvedObject') === undefined && at(event, 'regarding') !== undefined)
  );
}

export function eventView(event: unknown): EventView {
  const v1 = isEventsV1(event);
  const ref = at(event, v1 ? 'regarding' : 'involvedObject');
  const source = at(event, v1 ? 'deprecatedSource' : 'source');
  const series = at(event, 'series');
  return {
    involvedObject: {
      kind: str(at(ref, 'kind')),
      namespace: str(at(ref, 'namespace')),
      name: str(at(ref, 'name')),
      uid: str(at(ref, 'uid')),
      apiVersion: str(at(ref, 'apiVersion')),
      resourceVersion: str(at(ref, 'resourceVersion')),
      fieldPath: str(at(ref, 'fieldPath')),
    },
    reason: str(at(event, 'reason')),
    message: str(at(event, v1 ? 'note' : 'message')),
    type: str(at(event, 'type')),
    sourceComponent: str(at(source, 'component')),
    sourceHost: str(at(source, 'host')),
    reportingController: str(at(event, v1 ? 'reportingController' : 'reportingComponent')),
    reportingInstance: str(at(event, 'reportingInstance')),
    firstTimestamp: at(event, v1 ? 'deprecatedFirstTimestamp' : 'firstTimestamp'),
    lastTimestamp: at(event, v1 ? 'deprecatedLastTimestamp' : 'lastTimestamp'),
    eventTime: at(event, 'eventTime'),
    count: int(at(event, v1 ? 'deprecatedCount' : 'count')),
    series:
      series === undefined || series === null
        ? undefined
        : { count: int(at(series, 'count')), lastObservedTime: at(series, 'lastObservedTime') },
  };
}
