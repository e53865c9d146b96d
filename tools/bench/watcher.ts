/**
 * The independent watcher: one watch on the benchmark's pods (by run label), timestamping each
 * pod's ADDED, its first Running with every container started, the first sight of its
 * deletionTimestamp, and its DELETED, with this process's monotonic clock. It reconnects from the
 * last resourceVersion if its stream ends, and samples counts every second for the timeline and
 * KWOK's "gap" (seen but not Running).
 */
import { isRunning, type KubeHttp, type WatchEvent, type WatchHandle } from './kube.ts';

export interface PodTimes {
  added?: number;
  running?: number;
  deleteSeen?: number;
  gone?: number;
  /** Reason of the last non-Running status seen (e.g. a Pending reason under a provider limit). */
  pendingReason?: string;
  /** Status changes seen after the pod was Running (restart churn). */
  changesAfterRunning: number;
}

export interface Sample {
  /** ms since the watcher started. */
  readonly t: number;
  readonly added: number;
  readonly running: number;
  readonly deleteSeen: number;
  readonly gone: number;
  readonly gap: number;
}

export class PodWatcher {
  readonly pods = new Map<string, PodTimes>();
  readonly samples: Sample[] = [];
  readonly t0 = performance.now();
  added = 0;
  running = 0;
  deleteSeen = 0;
  gone = 0;
  /** How many times the stream ended and was reopened. */
  reconnects = 0;
  /** ERROR events (e.g. 410 Gone) the watch answered. */
  errors = 0;
  /** MODIFIED events seen (every write that changed a pod; no-op writes make none). */
  modified = 0;
  private goneNotRunning = 0;
  private handle: WatchHandle | undefined;
  private stopped = false;
  private rv = '';
  private readonly timer: NodeJS.Timeout;
  private readonly listeners = new Set<() => void>();

  private readonly kube: KubeHttp;
  private readonly namespace: string;
  private readonly runLabel: string;

  private constructor(kube: KubeHttp, namespace: string, runLabel: string) {
    this.kube = kube;
    this.namespace = namespace;
    this.runLabel = runLabel;
    this.timer = setInterval(() => {
      this.sample();
    }, 1000);
  }

  static async start(kube: KubeHttp, namespace: string, runLabel: string): Promise<PodWatcher> {
    const w = new PodWatcher(kube, namespace, runLabel);
    const list = await kube.json<{ metadata: { resourceVersion: string } }>(
      'GET',
      `/api/v1/namespaces/${namespace}/pods?${w.selector()}&limit=1`,
    );
    w.rv = list.metadata.resourceVersion;
    void w.loop();
    return w;
  }

  private selector(): string {
    return `labelSelector=${encodeURIComponent(`vkubelet.bench/run=${this.runLabel}`)}`;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.handle = this.kube.watch(
        `/api/v1/namespaces/${this.namespace}/pods?watch=true&allowWatchBookmarks=true&${this.selector()}${this.rv === '' ? '' : `&resourceVersion=${this.rv}`}`,
        (e, at) => {
          this.onEvent(e, at);
        },
      );
      await this.handle.ended;
      if (!this.isStopped()) {
        this.reconnects += 1;
        await new Promise(r => setTimeout(r, 200));
      }
    }
  }

  private onEvent(e: WatchEvent, at: number): void {
    if (e.type === 'ERROR') {
      // 410 or similar: the next connection starts from "now" (events in between are lost).
      this.errors += 1;
      this.rv = '';
      this.handle?.stop();
      return;
    }
    const meta = e.object.metadata;
    if (meta?.resourceVersion !== undefined) this.rv = meta.resourceVersion;
    if (e.type === 'BOOKMARK' || meta?.name === undefined) return;
    let p = this.pods.get(meta.name);
    if (p === undefined) {
      p = { changesAfterRunning: 0 };
      this.pods.set(meta.name, p);
    }
    if (e.type === 'MODIFIED') this.modified += 1;
    if (p.added === undefined) {
      p.added = at;
      this.added += 1;
    }
    if (e.type === 'DELETED') {
      if (p.gone === undefined) {
        p.gone = at;
        this.gone += 1;
        if (p.running === undefined) this.goneNotRunning += 1;
      }
    } else if (meta.deletionTimestamp !== undefined) {
      if (p.deleteSeen === undefined) {
        p.deleteSeen = at;
        this.deleteSeen += 1;
      }
    } else if (isRunning(e.object)) {
      if (p.running === undefined) {
        p.running = at;
        this.running += 1;
      } else if (e.type === 'MODIFIED') p.changesAfterRunning += 1;
    } else {
      const cond = e.object.status?.conditions?.find(c => c.reason !== undefined);
      p.pendingReason = e.object.status?.reason ?? cond?.reason ?? e.object.status?.phase ?? '';
    }
    for (const l of this.listeners) l();
  }

  private sample(): void {
    this.samples.push({
      t: performance.now() - this.t0,
      added: this.added,
      running: this.running,
      deleteSeen: this.deleteSeen,
      gone: this.gone,
      // Seen but not (yet) Running, as KWOK's benchmark samples it.
      gap: this.added - this.running - this.goneNotRunning,
    });
  }

  /** Resolves when `predicate` holds (checked on every event and every 250 ms), or at timeout. */
  until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    return new Promise(resolve => {
      const check = (): void => {
        if (predicate()) finish(true);
      };
      const timer = setInterval(check, 250);
      const deadline = setTimeout(() => {
        finish(false);
      }, timeoutMs);
      const finish = (ok: boolean): void => {
        clearInterval(timer);
        clearTimeout(deadline);
        this.listeners.delete(check);
        resolve(ok);
      };
      this.listeners.add(check);
    });
  }

  /** Forget the pods seen so far (a new phase of the same run). */
  reset(): void {
    this.pods.clear();
    this.samples.length = 0;
    this.added = this.running = this.deleteSeen = this.gone = this.modified = 0;
    this.goneNotRunning = 0;
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.handle?.stop();
  }
}
