/**
 * The load generator: a process of its own (forked by the runner, driven over IPC) that creates
 * pods pre-bound to a node, as KWOK's benchmark does, at a fixed rate or all at once, and deletes
 * them the same way. It never waits for the virtual kubelet; it only reports how fast the API
 * server accepted its writes.
 */
import { KubeHttp, pool, sleep } from './kube.ts';

export interface LoadRequest {
  readonly type: 'create' | 'delete';
  readonly id: number;
  readonly prefix: string;
  readonly from: number;
  readonly count: number;
  /** Pods per second; 0 means all at once (as fast as `concurrency` requests in flight allow). */
  readonly rate: number;
  readonly concurrency: number;
  readonly nodeName: string;
  readonly namespace: string;
  readonly runLabel: string;
  /** DELETE with gracePeriodSeconds=0 (the pods' node does not exist, or cleanup). */
  readonly force?: boolean;
  /** False: `automountServiceAccountToken: false`, so no token volume. @default true */
  readonly serviceAccountToken?: boolean;
}

export interface LoadInit {
  readonly type: 'init';
  readonly kubeconfig: string;
}

export type LoadMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly id: number; readonly done: number }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly ok: number;
      readonly failed: number;
      /** Epoch ms (performance.timeOrigin based) of the first request sent and the last answer. */
      readonly startedAt: number;
      readonly endedAt: number;
      readonly firstError?: string;
    };

export function podManifest(r: LoadRequest, i: number): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${r.prefix}-${i}`,
      namespace: r.namespace,
      labels: { 'vkubelet.bench/run': r.runLabel, app: 'bench' },
    },
    spec: {
      nodeName: r.nodeName,
      containers: [{ name: 'app', image: 'registry.example/bench:1.0' }],
      tolerations: [
        { key: 'virtual-kubelet.io/provider', operator: 'Exists', effect: 'NoSchedule' },
      ],
      terminationGracePeriodSeconds: 30,
      ...(r.serviceAccountToken === false ? { automountServiceAccountToken: false } : {}),
    },
  };
}

const epochNow = (): number => performance.timeOrigin + performance.now();

async function run(kube: KubeHttp, r: LoadRequest): Promise<void> {
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const startedAt = epochNow();
  const one = async (i: number): Promise<void> => {
    const n = r.from + i;
    const res =
      r.type === 'create'
        ? await kube.request('POST', `/api/v1/namespaces/${r.namespace}/pods`, podManifest(r, n))
        : await kube.request(
            'DELETE',
            `/api/v1/namespaces/${r.namespace}/pods/${r.prefix}-${n}`,
            r.force === true ? { gracePeriodSeconds: 0 } : undefined,
          );
    if (res.status < 300 || (r.type === 'delete' && res.status === 404)) ok += 1;
    else {
      failed += 1;
      firstError ??= `${res.status} ${res.text.slice(0, 200)}`;
    }
  };
  const progress = setInterval(() => {
    process.send?.({ type: 'progress', id: r.id, done: ok + failed } satisfies LoadMessage);
  }, 500);
  try {
    if (r.rate <= 0) {
      await pool(r.count, r.concurrency, one);
    } else {
      // Open loop: request i is due at start + i/rate, whatever the answers' latency.
      const inFlight = new Set<Promise<void>>();
      const t0 = performance.now();
      for (let i = 0; i < r.count; i++) {
        const due = t0 + (i * 1000) / r.rate;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        const p: Promise<void> = one(i).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.all(inFlight);
    }
  } finally {
    clearInterval(progress);
  }
  process.send?.({
    type: 'done',
    id: r.id,
    ok,
    failed,
    startedAt,
    endedAt: epochNow(),
    ...(firstError !== undefined ? { firstError } : {}),
  } satisfies LoadMessage);
}

if (process.send !== undefined) {
  let kube: KubeHttp | undefined;
  process.on('message', (msg: LoadInit | LoadRequest) => {
    if (msg.type === 'init') {
      void KubeHttp.fromKubeconfig(msg.kubeconfig, 'vkubelet-bench-loadgen', 128).then(k => {
        kube = k;
        process.send?.({ type: 'ready' } satisfies LoadMessage);
      });
      return;
    }
    if (kube === undefined) throw new Error('loadgen: request before init');
    void run(kube, msg);
  });
  process.on('disconnect', () => {
    kube?.close();
    process.exit(0);
  });
}
