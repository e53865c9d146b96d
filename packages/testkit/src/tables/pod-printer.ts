/**
 * The pod printer: READY, STATUS and RESTARTS computed the way kube's printPod does, which is
 * what `kubectl get pods` shows (Pending, ContainerCreating, Init:0/1, Running, NotReady,
 * Completed, Error, CrashLoopBackOff, Terminating, ...).
 */
import type { KubeObject } from '../kube-object.ts';
import { at, int, list, str } from '../selectors/object-access.ts';
import { AGE_COLUMN, NAME_COLUMN, column, type Printer, type RowCondition } from './columns.ts';
import { humanDuration, parseTimestamp, timestampSince } from './duration.ts';

const COLUMNS = [
  NAME_COLUMN,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column(
    'Restarts',
    'string',
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  ),
  AGE_COLUMN,
  column('IP', 'string', "The pod's primary IP address; empty until one is allocated.", {
    priority: 1,
  }),
  column('Node', 'string', 'The node the pod is bound to, once scheduled.', { priority: 1 }),
  column(
    'Nominated Node',
    'string',
    'The node the scheduler expects the pod to run on once preemption frees room there.',
    { priority: 1 },
  ),
  column(
    'Readiness Gates',
    'string',
    'How many of the extra conditions the pod must meet to count as ready are True.',
    { priority: 1 },
  ),
];

const SUCCEEDED: readonly RowCondition[] = [
  {
    type: 'Completed',
    status: 'True',
    reason: 'Succeeded',
    message: 'The pod has completed successfully.',
  },
];
const FAILED: readonly RowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];

// node.NodeUnreachablePodReason: the node controller's reason for pods on a lost node.
const NODE_LOST = 'NodeLost';

function conditionStatus(pod: KubeObject, type: string): string | undefined {
  const condition = list(at(pod, 'status', 'conditions')).find(c => str(at(c, 'type')) === type);
  return condition === undefined ? undefined : str(at(condition, 'status'));
}

/** Later of a restart time seen so far and a container's last termination. */
function laterFinish(current: number | undefined, status: unknown): number | undefined {
  const finished = parseTimestamp(at(status, 'lastState', 'terminated', 'finishedAt'));
  if (finished === undefined) return current;
  return current === undefined || current < finished ? finished : current;
}

function terminationReason(terminated: unknown, prefix: string): string {
  const reason = str(at(terminated, 'reason'));
  if (reason !== '') return prefix + reason;
  const signal = int(at(terminated, 'signal'));
  return signal !== 0
    ? `${prefix}Signal:${signal}`
    : `${prefix}ExitCode:${int(at(terminated, 'exitCode'))}`;
}

interface PodStatusSummary {
  readonly ready: string;
  readonly status: string;
  readonly restarts: string;
}

/** READY, STATUS and RESTARTS for one pod at `now`. */
export function summarizePod(pod: KubeObject, now: Date): PodStatusSummary {
  const phase = str(at(pod, 'status', 'phase')) || 'Pending';
  let reason = str(at(pod, 'status', 'reason')) || phase;
  for (const c of list(at(pod, 'status', 'conditions'))) {
    if (str(at(c, 'type')) === 'PodScheduled' && str(at(c, 'reason')) === 'SchedulingGated') {
      reason = 'SchedulingGated';
    }
  }

  const initSpecs = list(at(pod, 'spec', 'initContainers'));
  // Sidecars are init containers with restartPolicy Always: they count as regular containers.
  const sidecars = new Set(
    initSpecs.filter(c => str(at(c, 'restartPolicy')) === 'Always').map(c => str(at(c, 'name'))),
  );
  const total = list(at(pod, 'spec', 'containers')).length + sidecars.size;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  let initializing = false;
  const initStatuses = list(at(pod, 'status', 'initContainerStatuses'));
  for (const [i, cs] of initStatuses.entries()) {
    restarts += int(at(cs, 'restartCount'));
    lastRestart = laterFinish(lastRestart, cs);
    const isSidecar = sidecars.has(str(at(cs, 'name')));
    if (isSidecar) {
      sidecarRestarts += int(at(cs, 'restartCount'));
      lastSidecarRestart = laterFinish(lastSidecarRestart, cs);
    }
    const terminated = at(cs, 'state', 'terminated');
    const waitingReason = str(at(cs, 'state', 'waiting', 'reason'));
    if (terminated !== undefined && terminated !== null && int(at(terminated, 'exitCode')) === 0) {
      continue;
    }
    if (isSidecar && at(cs, 'started') === true) {
      if (at(cs, 'ready') === true) ready++;
      continue;
    }
    if (terminated !== undefined && terminated !== null) {
      reason = terminationReason(terminated, 'Init:');
    } else if (waitingReason !== '' && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionStatus(pod, 'Initialized') === 'True') {
    // Regular init containers' restarts stop counting once the pod is initialized.
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = list(at(pod, 'status', 'containerStatuses'));
    // Walked backwards so the first container's state has the last word.
    for (const cs of [...statuses].reverse()) {
      restarts += int(at(cs, 'restartCount'));
      lastRestart = laterFinish(lastRestart, cs);
      const waitingReason = str(at(cs, 'state', 'waiting', 'reason'));
      const terminated = at(cs, 'state', 'terminated');
      const hasTerminated = terminated !== undefined && terminated !== null;
      const running = at(cs, 'state', 'running');
      if (waitingReason !== '') {
        reason = waitingReason;
      } else if (hasTerminated) {
        reason = terminationReason(terminated, '');
      } else if (at(cs, 'ready') === true && running !== undefined && running !== null) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = conditionStatus(pod, 'Ready') === 'True' ? 'Running' : 'NotReady';
    }
  }

  const deleting = parseTimestamp(pod.metadata.deletionTimestamp) !== undefined;
  if (deleting && str(at(pod, 'status', 'reason')) === NODE_LOST) {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  const restartsText =
    restarts !== 0 && lastRestart !== undefined
      ? `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`
      : String(restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsText };
}

function readinessGates(pod: KubeObject): string {
  const gates = list(at(pod, 'spec', 'readinessGates'));
  if (gates.length === 0) return '<none>';
  const conditions = list(at(pod, 'status', 'conditions'));
  const met = gates.filter(gate => {
    const type = str(at(gate, 'conditionType'));
    const condition = conditions.find(c => str(at(c, 'type')) === type);
    return condition !== undefined && str(at(condition, 'status')) === 'True';
  }).length;
  return `${met}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: COLUMNS,
  row(pod, now) {
    const summary = summarizePod(pod, now);
    const phase = str(at(pod, 'status', 'phase'));
    const podIP =
      str(at(pod, 'status', 'podIP')) || str(at(pod, 'status', 'podIPs', 0, 'ip')) || '<none>';
    return {
      cells: [
        pod.metadata.name ?? '',
        summary.ready,
        summary.status,
        summary.restarts,
        timestampSince(pod.metadata.creationTimestamp, now),
        podIP,
        str(at(pod, 'spec', 'nodeName')) || '<none>',
        str(at(pod, 'status', 'nominatedNodeName')) || '<none>',
        readinessGates(pod),
      ],
      ...(phase === 'Succeeded' ? { conditions: SUCCEEDED } : {}),
      ...(phase === 'Failed' ? { conditions: FAILED } : {}),
    };
  },
};
