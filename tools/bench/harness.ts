/**
 * The runner's building blocks: the forked load generator and baseline client, the vk-mock
 * metrics sampler, API request counts (from the testkit's counters, or from vk-mock's own
 * metrics against another cluster), create/delete phases measured by the watcher, and the
 * progress line.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestkitControlClient } from '@vkubelet/testkit';
import type { BaselineInit, BaselineMessage } from './baseline.ts';
import type { KubeHttp } from './kube.ts';
import type { LoadMessage, LoadRequest } from './loadgen.ts';
import { percentile, type LatencyPoint } from './report.ts';
import { metricSum, VK_USER_AGENT, type Series, type VkProcess } from './vk.ts';
import type { PodWatcher } from './watcher.ts';

const execArgv = ['--conditions=source', '--disable-warning=ExperimentalWarning'];
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function forkChild(file: string): ChildProcess {
  const child = fork(join(import.meta.dirname, file), [], { execArgv, stdio: 'inherit' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export const toPerf = (epochMs: number): number => epochMs - performance.timeOrigin;

export class LoadGen {
  private readonly child = forkChild('loadgen.ts');
  private nextId = 1;
  private readonly waiting = new Map<number, (m: Extract<LoadMessage, { type: 'done' }>) => void>();
  /** Requests answered so far in the current job. */
  done = 0;

  static async start(kubeconfig: string): Promise<LoadGen> {
    const g = new LoadGen();
    await new Promise<void>((resolve, reject) => {
      g.child.once('exit', code => {
        reject(new Error(`loadgen exited (${String(code)})`));
      });
      g.child.on('message', (m: LoadMessage) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'progress') g.done = m.done;
        else {
          g.done = m.ok + m.failed;
          g.waiting.get(m.id)?.(m);
          g.waiting.delete(m.id);
        }
      });
      g.child.send({ type: 'init', kubeconfig });
    });
    return g;
  }

  run(r: Omit<LoadRequest, 'id'>): Promise<Extract<LoadMessage, { type: 'done' }>> {
    const id = this.nextId++;
    this.done = 0;
    return new Promise(resolve => {
      this.waiting.set(id, resolve);
      this.child.send({ ...r, id });
    });
  }

  stop(): void {
    this.child.removeAllListeners('exit');
    this.child.disconnect();
  }
}

export class Baseline {
  private readonly child = forkChild('baseline.ts');
  patches = 0;
  deletes = 0;

  static async start(init: Omit<BaselineInit, 'type'>): Promise<Baseline> {
    const b = new Baseline();
    await new Promise<void>(resolve => {
      b.child.on('message', (m: BaselineMessage) => {
        if (m.type === 'ready') resolve();
        else {
          b.patches = m.patches;
          b.deletes = m.deletes;
        }
      });
      b.child.send({ type: 'init', ...init });
    });
    return b;
  }

  stop(): void {
    this.child.disconnect();
    this.child.kill('SIGTERM');
  }
}

/** One scrape of vk-mock, reduced to what the report needs. */
export interface ResourceSample {
  readonly t: number;
  readonly rss: number;
  readonly heap: number;
  readonly cpu: number;
  readonly lagP99: number;
  readonly lagMax: number;
  /** Heap compactions so far, their pauses (s) and the RSS they gave back (bytes). */
  readonly compactions: number;
  readonly compactionPause: number;
  readonly compactionFreed: number;
  readonly series: readonly Series[];
}

export function reduce(t: number, s: readonly Series[]): ResourceSample {
  return {
    t,
    rss: metricSum(s, 'vkubelet_process_resident_memory_bytes'),
    heap: metricSum(s, 'vkubelet_nodejs_heap_size_used_bytes'),
    cpu: metricSum(s, 'vkubelet_process_cpu_seconds_total'),
    lagP99: metricSum(s, 'vkubelet_nodejs_eventloop_lag_p99_seconds'),
    lagMax: metricSum(s, 'vkubelet_nodejs_eventloop_lag_max_seconds'),
    compactions: metricSum(s, 'vkubelet_heap_compaction_pause_seconds_count'),
    compactionPause: metricSum(s, 'vkubelet_heap_compaction_pause_seconds_sum'),
    compactionFreed: metricSum(s, 'vkubelet_heap_compaction_freed_bytes_total'),
    series: s,
  };
}

/** Scrapes vk-mock every second while it runs. */
export class Sampler {
  readonly samples: ResourceSample[] = [];
  private readonly timer: NodeJS.Timeout;
  private busy = false;

  private vk: VkProcess;

  constructor(vk: VkProcess) {
    this.vk = vk;
    this.timer = setInterval(() => {
      void this.tick();
    }, 1000);
  }

  /** Follow a restarted process. */
  follow(vk: VkProcess): void {
    this.vk = vk;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const s = await this.vk.scrape();
      if (s !== undefined) this.samples.push(reduce(performance.now(), s));
    } finally {
      this.busy = false;
    }
  }

  /** A fresh scrape now (retrying while the endpoint is not up yet). */
  async now(timeoutMs = 10_000): Promise<ResourceSample> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const s = await this.vk.scrape();
      if (s !== undefined) {
        const r = reduce(performance.now(), s);
        this.samples.push(r);
        return r;
      }
      if (performance.now() > deadline) throw new Error('vk-mock metrics endpoint not answering');
      await new Promise(r => setTimeout(r, 200));
    }
  }

  /**
   * Waits (up to `timeoutMs`) until vk-mock has run `count` heap compactions in all (it runs one
   * once it goes quiet after start-up or a burst); the sample then, or the last one on timeout.
   */
  async afterCompactions(count: number, timeoutMs: number): Promise<ResourceSample> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const s = await this.now();
      if (s.compactions >= count || performance.now() > deadline) return s;
      await new Promise(r => setTimeout(r, 500));
    }
  }

  latest(): ResourceSample | undefined {
    return this.samples.at(-1);
  }

  /** Scrapes within [from, to]. */
  window(from: number, to: number): ResourceSample[] {
    return this.samples.filter(s => s.t >= from && s.t <= to);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export interface LeaseStats {
  readonly renewals: number;
  readonly meanMs: number;
  /** Upper bound of the histogram bucket holding the latest renewal (ms); NaN if none. */
  readonly maxBoundMs: number;
  readonly over1s: number;
}

/** Lease renew lateness between two scrapes of the same process (histogram deltas). */
export function leaseStats(a: readonly Series[], b: readonly Series[]): LeaseStats {
  const name = 'vkubelet_lease_renew_lateness_seconds';
  const count = metricSum(b, `${name}_count`) - metricSum(a, `${name}_count`);
  const sum = metricSum(b, `${name}_sum`) - metricSum(a, `${name}_sum`);
  const les = [
    ...new Set(b.filter(s => s.name === `${name}_bucket`).map(s => s.labels.le ?? '')),
  ].sort((x, y) => Number(x) - Number(y));
  let maxBound = NaN;
  for (const le of les) {
    const d = metricSum(b, `${name}_bucket`, { le }) - metricSum(a, `${name}_bucket`, { le });
    if (d >= count && count > 0) {
      maxBound = Number(le) * 1000;
      break;
    }
  }
  const at1 =
    metricSum(b, `${name}_bucket`, { le: '1' }) - metricSum(a, `${name}_bucket`, { le: '1' });
  return {
    renewals: count,
    meanMs: count > 0 ? (sum / count) * 1000 : NaN,
    maxBoundMs: maxBound,
    over1s: count - at1,
  };
}

/** Requests by "verb resource outcome". */
export type Counts = Map<string, number>;

/**
 * The virtual kubelet's requests as the API server counted them (testkit), or as vk-mock's own
 * metrics count them when the target is another cluster.
 */
export async function vkRequests(
  control: TestkitControlClient | undefined,
  vk: VkProcess | undefined,
  userAgent = VK_USER_AGENT,
): Promise<Counts> {
  const out: Counts = new Map();
  const add = (k: string, n: number): void => {
    out.set(k, (out.get(k) ?? 0) + n);
  };
  if (control !== undefined) {
    for (const c of await control.requests(userAgent)) {
      add(`${c.verb} ${c.resource} ${c.outcome}`, c.count);
    }
    return out;
  }
  const s = vk === undefined ? undefined : await vk.scrape();
  for (const x of s ?? []) {
    if (x.name !== 'vkubelet_api_request_duration_seconds_count') continue;
    const code = Number(x.labels.code ?? 0);
    const outcome = code === 409 || code === 429 ? String(code) : `${Math.floor(code / 100)}xx`;
    add(`${(x.labels.verb ?? '').toLowerCase()} ${x.labels.resource ?? ''} ${outcome}`, x.value);
  }
  return out;
}

/**
 * `vkRequests` once vk-mock's Event writes have stopped for `quietMs` (at most `capMs` on): with
 * its limiter off it writes a backlog's Events after the pods' statuses, so a phase's Events
 * trail the phase itself.
 */
export async function eventsDrained(
  control: TestkitControlClient | undefined,
  vk: VkProcess,
  quietMs = 2000,
  capMs = 60_000,
): Promise<Counts> {
  const end = performance.now() + capMs;
  let last = await vkRequests(control, vk);
  let since = performance.now();
  for (;;) {
    await new Promise(r => setTimeout(r, 250));
    const now = await vkRequests(control, vk);
    if (summarize(now).events !== summarize(last).events) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= quietMs || performance.now() > end) return now;
  }
}

export function diff(after: Counts, before: Counts): Counts {
  const out: Counts = new Map();
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0) out.set(k, d);
  }
  return out;
}

export function addCounts(a: Counts, b: Counts): Counts {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

const MUTATING = new Set([
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'post',
  'put',
]);

export interface CountSummary {
  /** Mutating requests on pods (incl. status) and events. */
  readonly podWrites: number;
  readonly statusWrites: number;
  readonly deletes: number;
  readonly events: number;
  readonly podReads: number;
  readonly conflicts: number;
  readonly throttled: number;
  readonly leaseAndNode: number;
  readonly allWrites: number;
  /** TokenRequests (create serviceaccounts/token). */
  readonly tokenRequests: number;
  /** "verb resource" → count, for the per-verb breakdown. */
  readonly byVerb: Record<string, number>;
}

export function summarize(c: Counts): CountSummary {
  let podWrites = 0;
  let statusWrites = 0;
  let deletes = 0;
  let events = 0;
  let podReads = 0;
  let conflicts = 0;
  let throttled = 0;
  let leaseAndNode = 0;
  let allWrites = 0;
  let tokenRequests = 0;
  const byVerb: Record<string, number> = {};
  for (const [k, n] of c) {
    const [verb = '', resource = '', outcome = ''] = k.split(' ');
    byVerb[`${verb} ${resource}`] = (byVerb[`${verb} ${resource}`] ?? 0) + n;
    if (outcome === '409') conflicts += n;
    if (outcome === '429') throttled += n;
    const mutating = MUTATING.has(verb);
    if (mutating) allWrites += n;
    if (mutating && resource === 'serviceaccounts/token') tokenRequests += n;
    if (resource.startsWith('pods')) {
      if (mutating) {
        podWrites += n;
        if (resource === 'pods/status') statusWrites += n;
        if (verb === 'delete') deletes += n;
      } else if (verb === 'get' || verb === 'list') podReads += n;
    } else if (resource === 'events' || resource.endsWith('/events')) {
      if (mutating) {
        events += n;
        podWrites += n;
      }
    } else if (resource.startsWith('leases') || resource.startsWith('nodes')) {
      if (mutating) leaseAndNode += n;
    }
  }
  return {
    podWrites,
    statusWrites,
    deletes,
    events,
    podReads,
    conflicts,
    throttled,
    leaseAndNode,
    allWrites,
    tokenRequests,
    byVerb,
  };
}

export interface PhaseResult {
  readonly count: number;
  readonly completed: number;
  /** Runner clock (performance.now) of the first request sent and of the last pod finished. */
  readonly start: number;
  readonly end: number;
  /** Pods per second from the first request to the last pod finished. */
  readonly perSecond: number;
  /** Writes the API server accepted per second (the load generator's view). */
  readonly acceptedPerSecond: number;
  /** Per-pod latencies, sorted (ms). */
  readonly latencies: number[];
  readonly failed: number;
  readonly firstError?: string;
}

export interface PhaseSpec {
  readonly prefix: string;
  readonly from?: number;
  readonly count: number;
  readonly rate: number;
  readonly nodeName: string;
  readonly namespace: string;
  readonly runLabel: string;
  readonly concurrency?: number;
  readonly force?: boolean;
  /** Pods get the default service-account token volume. @default true */
  readonly serviceAccountToken?: boolean;
}

function phaseResult(
  spec: PhaseSpec,
  done: Extract<LoadMessage, { type: 'done' }>,
  times: readonly { at: number; latency: number }[],
): PhaseResult {
  const start = toPerf(done.startedAt);
  const end = times.reduce((m, x) => Math.max(m, x.at), start);
  const latencies = times.map(x => x.latency).sort((a, b) => a - b);
  return {
    count: spec.count,
    completed: times.length,
    start,
    end,
    perSecond: times.length / Math.max(0.001, (end - start) / 1000),
    acceptedPerSecond: done.ok / Math.max(0.001, (done.endedAt - done.startedAt) / 1000),
    latencies,
    failed: done.failed,
    ...(done.firstError !== undefined ? { firstError: done.firstError } : {}),
  };
}

function names(spec: PhaseSpec): string[] {
  const from = spec.from ?? 0;
  return Array.from({ length: spec.count }, (_, i) => `${spec.prefix}-${from + i}`);
}

/** Creates pods and waits until the watcher saw every one Running (or the timeout). */
export async function createPhase(
  load: LoadGen,
  w: PodWatcher,
  spec: PhaseSpec,
  timeoutMs: number,
): Promise<PhaseResult> {
  const target = w.running + spec.count;
  const done = await load.run({
    type: 'create',
    from: spec.from ?? 0,
    concurrency: spec.concurrency ?? 64,
    ...spec,
  });
  await w.until(() => w.running >= target, timeoutMs);
  const times: { at: number; latency: number }[] = [];
  for (const n of names(spec)) {
    const p = w.pods.get(n);
    if (p?.running !== undefined && p.added !== undefined)
      times.push({ at: p.running, latency: p.running - p.added });
  }
  return phaseResult(spec, done, times);
}

/** Deletes pods (graceful, as a user would) and waits until the watcher saw every one gone. */
export async function deletePhase(
  load: LoadGen,
  w: PodWatcher,
  spec: PhaseSpec,
  timeoutMs: number,
): Promise<PhaseResult> {
  const target = w.gone + spec.count;
  const done = await load.run({
    type: 'delete',
    from: spec.from ?? 0,
    concurrency: spec.concurrency ?? 64,
    ...spec,
  });
  await w.until(() => w.gone >= target, timeoutMs);
  const times: { at: number; latency: number }[] = [];
  for (const n of names(spec)) {
    const p = w.pods.get(n);
    if (p?.gone !== undefined)
      times.push({ at: p.gone, latency: p.gone - (p.deleteSeen ?? p.gone) });
  }
  return phaseResult(spec, done, times);
}

/** create→Running latency percentiles per second of Running, for the chart. */
export function latencyBySecond(w: PodWatcher): LatencyPoint[] {
  const buckets = new Map<number, number[]>();
  for (const p of w.pods.values()) {
    if (p.running === undefined || p.added === undefined) continue;
    const s = Math.floor((p.running - w.t0) / 1000);
    let b = buckets.get(s);
    if (b === undefined) buckets.set(s, (b = []));
    b.push(p.running - p.added);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, xs]) => {
      xs.sort((a, b) => a - b);
      return { t: t + 1, p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs.at(-1) ?? NaN };
    });
}

/** The one-line progress display (rewritten in place on a terminal). */
export class Progress {
  private text = '';
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;
  private lastPrinted = 0;
  scenario = '';
  phase = '';
  watcher: PodWatcher | undefined;
  sampler: Sampler | undefined;
  load: LoadGen | undefined;

  constructor() {
    this.timer = setInterval(() => {
      this.render();
    }, 500);
  }

  private render(): void {
    const w = this.watcher;
    const s = this.sampler?.latest();
    const el = ((performance.now() - this.started) / 1000).toFixed(0);
    const line =
      `[${el}s] ${this.scenario}: ${this.phase}` +
      (this.load !== undefined ? ` | sent ${this.load.done}` : '') +
      (w !== undefined
        ? ` | added ${w.added} running ${w.running} deleting ${w.deleteSeen} gone ${w.gone}`
        : '') +
      (s !== undefined
        ? ` | vk rss ${(s.rss / 1e6).toFixed(0)} MB heap ${(s.heap / 1e6).toFixed(0)} MB`
        : '');
    if (process.stderr.isTTY) {
      process.stderr.write(
        `\r${line.slice(0, (process.stderr.columns || 120) - 1).padEnd(this.text.length)}`,
      );
      this.text = line;
    } else if (performance.now() - this.lastPrinted > 5000) {
      process.stderr.write(`${line}\n`);
      this.lastPrinted = performance.now();
    }
  }

  /** Prints a line of its own (above the progress line). */
  say(line: string): void {
    if (process.stderr.isTTY) process.stderr.write(`\r${' '.repeat(this.text.length)}\r`);
    process.stderr.write(`${line}\n`);
  }

  stop(): void {
    clearInterval(this.timer);
    if (process.stderr.isTTY) process.stderr.write(`\r${' '.repeat(this.text.length)}\r`);
  }
}

/** When the node's lease was last renewed (epoch ms), or undefined. */
export async function leaseRenewTime(kube: KubeHttp, node: string): Promise<number | undefined> {
  const res = await kube.request(
    'GET',
    `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`,
  );
  if (res.status !== 200) return undefined;
  const lease = JSON.parse(res.text) as { spec?: { renewTime?: string } };
  const t = lease.spec?.renewTime;
  return t === undefined ? undefined : Date.parse(t);
}

/** Whether the Node exists with condition Ready=True. */
export async function nodeReady(kube: KubeHttp, node: string): Promise<boolean> {
  const res = await kube.request('GET', `/api/v1/nodes/${node}`);
  if (res.status !== 200) return false;
  const n = JSON.parse(res.text) as {
    status?: { conditions?: { type?: string; status?: string }[] };
  };
  return n.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True') ?? false;
}
