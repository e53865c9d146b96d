/**
 * What the tests do to the cluster, as upstream's e2e framework does it: create and delete pods,
 * wait on a list-then-watch for a pod or an event to reach a condition (client-go's
 * `UntilWithSync`), and read the kubelet API through the API server's node proxy.
 */
import http from 'node:http';
import https from 'node:https';
import {
  HttpKubeClient,
  isStatus,
  KubeApiError,
  loadKubeconfig,
  Resources,
  type Credentials,
  type KubeClient,
  type KubeList,
  type KubeObject,
  type ResourceRef,
  type WatchEventType,
} from '@vkubelet/core';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { isRunningAndReady, podKey } from './pods.ts';
import type { StatsSummary } from './stats.ts';

/** How an observed object reached a condition. */
export type Observed<T> = { readonly type: WatchEventType; readonly object: T };

/** Decides on each object seen; throwing ends the wait with that error (upstream's `error` return). */
export type Condition<T> = (type: WatchEventType, object: T) => boolean;

/** A wait whose watch is already open: nothing that happens from now on is missed. */
export interface ArmedWait<T> {
  readonly done: Promise<Observed<T>>;
}

export interface FrameworkOptions {
  readonly kubeconfig?: string;
  readonly namespace: string;
  readonly nodeName: string;
  readonly watchTimeoutMs: number;
}

export class Framework {
  readonly namespace: string;
  readonly nodeName: string;
  readonly watchTimeoutMs: number;
  private readonly client: KubeClient;
  private readonly server: string;
  private readonly credentials: Credentials;
  /** Pods created by the current test, deleted after it. */
  private readonly created: Pod[] = [];
  private readonly stop = new AbortController();

  private constructor(
    options: FrameworkOptions,
    client: KubeClient,
    server: string,
    credentials: Credentials,
  ) {
    this.namespace = options.namespace;
    this.nodeName = options.nodeName;
    this.watchTimeoutMs = options.watchTimeoutMs;
    this.client = client;
    this.server = server;
    this.credentials = credentials;
  }

  static async connect(options: FrameworkOptions): Promise<Framework> {
    const source = options.kubeconfig !== undefined ? { path: options.kubeconfig } : {};
    const { server, credentials } = await loadKubeconfig(source);
    // Generous limits: the suite's traffic is small, and a throttled test only looks slow.
    const client = HttpKubeClient.create({
      server,
      credentials,
      userAgent: 'vkubelet-conformance',
      qps: 50,
      burst: 100,
    });
    return new Framework(options, client, server, credentials);
  }

  close(): void {
    this.stop.abort(new Error('the conformance suite is done'));
    this.client.close();
  }

  private get signal(): AbortSignal {
    return this.stop.signal;
  }

  private podsRef(namespace = this.namespace): ResourceRef {
    return { ...Resources.pods, namespace };
  }

  async createPod(pod: Pod): Promise<Pod> {
    const namespace = pod.metadata?.namespace ?? this.namespace;
    const created = await this.client.create<Pod>(this.podsRef(namespace), pod, {
      signal: this.signal,
    });
    this.created.push(created);
    return created;
  }

  /** Upstream's DeletePod: the default grace period. */
  async deletePod(pod: Pod): Promise<void> {
    await this.client.delete(this.refOf(pod), { signal: this.signal });
  }

  /** Upstream's DeletePodImmediately: grace 0, background propagation (`kubectl delete --force`). */
  async deletePodImmediately(pod: Pod): Promise<void> {
    await this.client.delete(this.refOf(pod), {
      signal: this.signal,
      gracePeriodSeconds: 0,
      propagationPolicy: 'Background',
    });
  }

  /** Deletes, immediately, every pod the test created that still exists. */
  async deleteCreatedPods(): Promise<void> {
    const pods = this.created.splice(0);
    const failures: unknown[] = [];
    for (const pod of pods) {
      try {
        await this.deletePodImmediately(pod);
      } catch (err) {
        if (!(err instanceof KubeApiError && err.kind === 'NotFound')) failures.push(err);
      }
    }
    if (failures.length > 0) {
      throw new AggregateError(failures, `deleting ${failures.length} test pod(s) failed`);
    }
  }

  async getPod(pod: Pod): Promise<Pod | undefined> {
    try {
      return await this.client.get<Pod>(this.refOf(pod), { signal: this.signal });
    } catch (err) {
      if (err instanceof KubeApiError && err.kind === 'NotFound') return undefined;
      throw err;
    }
  }

  private refOf(pod: Pod): ResourceRef {
    const name = pod.metadata?.name;
    if (name === undefined) throw new Error('the pod has no name (was it created?)');
    return { ...this.podsRef(pod.metadata?.namespace ?? this.namespace), name };
  }

  /** Waits on a list-then-watch of `ref`'s collection filtered by `fieldSelector`. */
  async arm<T extends KubeObject>(
    ref: ResourceRef,
    fieldSelector: string,
    condition: Condition<T>,
    what: string,
  ): Promise<ArmedWait<T>> {
    return armWait(this.client, {
      ref,
      fieldSelector,
      condition,
      what,
      timeoutMs: this.watchTimeoutMs,
      signal: this.signal,
    });
  }

  private armPod(pod: Pod, condition: Condition<Pod>, what: string): Promise<ArmedWait<Pod>> {
    const namespace = pod.metadata?.namespace ?? this.namespace;
    const name = pod.metadata?.name ?? '';
    return this.arm(
      this.podsRef(namespace),
      `metadata.namespace=${namespace},metadata.name=${name}`,
      condition,
      `pod ${podKey(pod)} ${what}`,
    );
  }

  /** Upstream's WaitUntilPodCondition. */
  async waitUntilPod(pod: Pod, condition: Condition<Pod>, what: string): Promise<Pod> {
    return (await (await this.armPod(pod, condition, what)).done).object;
  }

  /** Upstream's WaitUntilPodReady: Running, Ready and with a pod IP. */
  waitUntilPodReady(pod: Pod): Promise<Pod> {
    return this.waitUntilPod(pod, (_, p) => isRunningAndReady(p), 'to be running and ready');
  }

  /**
   * Upstream's WaitUntilPodDeleted, opened before the delete is sent: done with the last object
   * seen once it has a deletionTimestamp or a DELETED event arrives.
   */
  async armPodDeleted(pod: Pod): Promise<ArmedWait<Pod>> {
    return this.armPod(
      pod,
      (type, p) => type === 'DELETED' || p.metadata?.deletionTimestamp !== undefined,
      'to be deleted',
    );
  }

  /** Waits until the pod is gone from the API server (a DELETED event, or already absent). */
  async waitUntilPodGone(pod: Pod): Promise<void> {
    const wait = await this.armPod(pod, type => type === 'DELETED', 'to be removed from the API');
    // The watch is open: a delete from now on is seen there, one before it shows here.
    if ((await this.getPod(pod)) === undefined) return;
    await wait.done;
  }

  /** Upstream's WaitUntilPodEventWithReason; a DELETED or ERROR event on the way fails it. */
  async waitUntilPodEventWithReason(pod: Pod, reason: string): Promise<Event> {
    const namespace = pod.metadata?.namespace ?? this.namespace;
    const wait = await this.arm<Event>(
      { ...Resources.events, namespace },
      `involvedObject.kind=Pod,involvedObject.uid=${pod.metadata?.uid ?? ''}`,
      (type, event) => {
        if (type === 'DELETED' || type === 'ERROR') {
          throw new Error(`got an event of unexpected type ${type} while waiting for ${reason}`);
        }
        return event.reason === reason;
      },
      `an event with reason ${reason} about pod ${podKey(pod)}`,
    );
    return (await wait.done).object;
  }

  /** Upstream's suite setup: the node's Ready condition becomes True. */
  async waitUntilNodeReady(): Promise<Node> {
    const wait = await this.arm<Node>(
      Resources.nodes,
      `metadata.name=${this.nodeName}`,
      (_, node) =>
        node.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True') ?? false,
      `node ${this.nodeName} to be Ready`,
    );
    return (await wait.done).object;
  }

  private proxyPath(suffix: string): string {
    return `/api/v1/nodes/${encodeURIComponent(this.nodeName)}/proxy/${suffix}`;
  }

  /** The kubelet API's `/runningpods/`: the pods the provider runs (upstream's GetRunningPodsFromProvider). */
  async runningPodsFromProvider(): Promise<Pod[]> {
    return (await this.proxyJson<KubeList<Pod>>('runningpods/')).items;
  }

  /** The kubelet API's `/pods` (upstream's GetRunningPodsFromKubernetes). */
  async podsFromKubelet(): Promise<Pod[]> {
    return (await this.proxyJson<KubeList<Pod>>('pods')).items;
  }

  statsSummary(): Promise<StatsSummary> {
    return this.proxyJson<StatsSummary>('stats/summary');
  }

  /** The Prometheus text of `/metrics/resource`. */
  metricsResource(): Promise<string> {
    return this.getText(this.proxyPath('metrics/resource'));
  }

  private async proxyJson<T>(suffix: string): Promise<T> {
    const body = await this.client.request<T | undefined>({
      method: 'GET',
      path: this.proxyPath(suffix),
      signal: this.signal,
    });
    if (body === undefined || isStatus(body)) {
      throw new Error(`GET ${this.proxyPath(suffix)}: no object in the answer`);
    }
    return body;
  }

  /**
   * A GET answered with text: the kube client parses every answer as JSON, so this goes over
   * node:http(s) with the kubeconfig's own TLS material and headers.
   */
  async getText(path: string): Promise<string> {
    const url = new URL(this.server);
    const prefix = url.pathname.replace(/\/+$/, '');
    const headers = await this.credentials.headers(this.signal);
    const tls = this.credentials.tls;
    const signal = AbortSignal.any([this.signal, AbortSignal.timeout(30_000)]);
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise<string>((resolve, reject) => {
      const req = transport.request(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: prefix + path,
          method: 'GET',
          headers: { ...headers, Accept: 'text/plain;version=0.0.4, */*;q=0.1' },
          ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
          ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
          ...(tls.key !== undefined ? { key: tls.key } : {}),
          ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
          rejectUnauthorized: tls.rejectUnauthorized ?? true,
          signal,
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) resolve(body);
            else reject(new Error(`GET ${path}: HTTP ${code}: ${body.slice(0, 500)}`));
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }
}

export interface WaitSpec<T> {
  readonly ref: ResourceRef;
  readonly fieldSelector: string;
  readonly condition: Condition<T>;
  /** For the timeout message. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

const uidOf = (o: KubeObject): string =>
  o.metadata?.uid ?? `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/**
 * client-go's `UntilWithSync` over a `KubeClient`: the current objects are checked as ADDED,
 * then a watch from the list's resourceVersion. When the watch ends (server timeout, ERROR
 * event) the collection is listed again and objects that vanished count as DELETED, as an
 * informer reports them. Resolves once the watch is open, so the caller can act without racing it.
 */
export async function armWait<T extends KubeObject>(
  client: KubeClient,
  spec: WaitSpec<T>,
): Promise<ArmedWait<T>> {
  const deadline = AbortSignal.timeout(spec.timeoutMs);
  const signal = AbortSignal.any([spec.signal, deadline]);
  const known = new Map<string, T>();
  let last: T | undefined;
  const timedOut = (err: unknown): unknown =>
    deadline.aborted
      ? new Error(
          `timed out after ${spec.timeoutMs} ms waiting for ${spec.what}; last seen: ${
            last === undefined ? 'nothing' : JSON.stringify(last).slice(0, 2000)
          }`,
          { cause: err },
        )
      : err;

  /** Lists and checks; returns the match, or the resourceVersion to watch from. */
  const sync = async (): Promise<Observed<T> | string> => {
    const list = await client.list<T>(spec.ref, { signal, fieldSelector: spec.fieldSelector });
    const present = new Set<string>();
    for (const object of list.items) {
      const type = known.has(uidOf(object)) ? 'MODIFIED' : 'ADDED';
      present.add(uidOf(object));
      known.set(uidOf(object), object);
      last = object;
      if (spec.condition(type, object)) return { type, object };
    }
    for (const [uid, object] of [...known]) {
      if (present.has(uid)) continue;
      known.delete(uid);
      if (spec.condition('DELETED', object)) return { type: 'DELETED', object };
    }
    return list.metadata?.resourceVersion ?? '';
  };

  const open = (resourceVersion: string) =>
    client.watch<T>(spec.ref, {
      signal,
      fieldSelector: spec.fieldSelector,
      ...(resourceVersion !== '' ? { resourceVersion } : {}),
      allowWatchBookmarks: true,
    });

  let stream;
  try {
    const first = await sync();
    if (typeof first !== 'string') return { done: Promise.resolve(first) };
    stream = await open(first);
  } catch (err) {
    throw timedOut(err);
  }

  const run = async (): Promise<Observed<T>> => {
    let current = stream;
    // The client's stream ends on the signal by itself; closing it here does not depend on that.
    const onAbort = (): void => {
      current.close();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        for await (const event of current) {
          if (event.type === 'BOOKMARK') continue;
          if (event.type === 'ERROR') {
            // 410 Gone and friends: list again, as an informer would. The condition still sees it.
            if (spec.condition('ERROR', event.object as T)) {
              return { type: 'ERROR', object: event.object as T };
            }
            break;
          }
          const object = event.object;
          if (event.type === 'DELETED') known.delete(uidOf(object));
          else known.set(uidOf(object), object);
          last = object;
          if (spec.condition(event.type, object)) return { type: event.type, object };
        }
        current.close();
        signal.throwIfAborted();
        const next = await sync();
        if (typeof next !== 'string') return next;
        current = await open(next);
      }
    } catch (err) {
      throw timedOut(err);
    } finally {
      signal.removeEventListener('abort', onAbort);
      current.close();
    }
  };
  const done = run();
  // Marked handled so a test that fails before awaiting it leaves no unhandled rejection.
  done.catch(() => undefined);
  return { done };
}
