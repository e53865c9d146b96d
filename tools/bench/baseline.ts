/**
 * The physical limit: a minimal "kubelet" with no virtual-kubelet logic, forked by the runner. It
 * watches the pods bound to its node and issues exactly the writes a perfect virtual kubelet
 * would (KWOK's two): one strategic-merge PATCH of pods/status to Running per new pod, and one
 * DELETE (grace 0, uid precondition) per pod marked for deletion. No cache, no provider, no
 * limiter, no events: what the API server can take for the same lifecycle on this machine.
 */
import { KubeHttp, isRunning, type PodLike, type WatchEvent } from './kube.ts';

export interface BaselineInit {
  readonly type: 'init';
  readonly kubeconfig: string;
  readonly nodeName: string;
  readonly namespace: string;
  readonly concurrency: number;
}

export type BaselineMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'counts'; readonly patches: number; readonly deletes: number };

function runningStatus(pod: PodLike, index: number): unknown {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const ip = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
  const ready = ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(type => ({
    type,
    status: 'True',
    lastTransitionTime: now,
  }));
  return {
    status: {
      phase: 'Running',
      conditions: ready,
      hostIP: '127.0.0.1',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: now,
      containerStatuses: (pod.spec?.containers ?? []).map(c => ({
        name: (c as { name: string }).name,
        image: (c as { image: string }).image,
        imageID: '',
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      })),
    },
  };
}

async function main(init: BaselineInit): Promise<void> {
  const kube = await KubeHttp.fromKubeconfig(
    init.kubeconfig,
    'vkubelet-bench-baseline',
    init.concurrency,
  );
  const queue: { kind: 'patch' | 'delete'; pod: PodLike }[] = [];
  const queued = new Set<string>();
  let inFlight = 0;
  let patches = 0;
  let deletes = 0;
  let podIndex = 0;
  const pump = (): void => {
    while (inFlight < init.concurrency && queue.length > 0) {
      const job = queue.shift();
      if (job === undefined) break;
      const name = job.pod.metadata?.name ?? '';
      const ns = job.pod.metadata?.namespace ?? init.namespace;
      inFlight += 1;
      const done = (): void => {
        inFlight -= 1;
        queued.delete(`${job.kind}/${name}`);
        pump();
      };
      if (job.kind === 'patch') {
        patches += 1;
        void kube
          .request(
            'PATCH',
            `/api/v1/namespaces/${ns}/pods/${name}/status`,
            runningStatus(job.pod, podIndex++),
            'application/strategic-merge-patch+json',
          )
          .finally(done);
      } else {
        deletes += 1;
        void kube
          .request('DELETE', `/api/v1/namespaces/${ns}/pods/${name}`, {
            gracePeriodSeconds: 0,
            preconditions: { uid: job.pod.metadata?.uid },
          })
          .finally(done);
      }
    }
  };
  const onEvent = (event: WatchEvent): void => {
    const pod = event.object;
    if (event.type === 'BOOKMARK' || event.type === 'ERROR' || event.type === 'DELETED') return;
    if (pod.metadata?.resourceVersion !== undefined) rv = pod.metadata.resourceVersion;
    const name = pod.metadata?.name ?? '';
    const kind = pod.metadata?.deletionTimestamp !== undefined ? 'delete' : 'patch';
    if (kind === 'patch' && isRunning(pod)) return;
    if (queued.has(`${kind}/${name}`)) return;
    queued.add(`${kind}/${name}`);
    queue.push({ kind, pod });
    pump();
  };
  const selector = `fieldSelector=${encodeURIComponent(`spec.nodeName=${init.nodeName}`)}`;
  const list = await kube.json<{ metadata: { resourceVersion: string } }>(
    'GET',
    `/api/v1/pods?${selector}&limit=1`,
  );
  let rv = list.metadata.resourceVersion;
  process.send?.({ type: 'ready' } satisfies BaselineMessage);
  setInterval(() => {
    process.send?.({ type: 'counts', patches, deletes } satisfies BaselineMessage);
  }, 1000).unref();
  for (;;) {
    const handle = kube.watch(
      `/api/v1/pods?watch=true&allowWatchBookmarks=true&${selector}&resourceVersion=${rv}`,
      onEvent,
    );
    await handle.ended;
  }
}

if (process.send !== undefined) {
  process.once('message', (msg: BaselineInit) => {
    void main(msg);
  });
  process.on('disconnect', () => {
    process.exit(0);
  });
}
