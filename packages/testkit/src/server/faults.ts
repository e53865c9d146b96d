/**
 * Fault injection for tests and benchmarks: canned error responses, added latency, and control
 * over open watch streams (drop, stall, force 410), all matched by request attributes.
 */
import type { ApiError } from '../api-error.ts';

export interface RequestMatch {
  /** kube verbs: get, list, watch, create, update, patch, delete, deletecollection. */
  readonly verbs?: readonly string[];
  readonly resource?: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Substring of the User-Agent header. */
  readonly userAgent?: string;
}

export interface RequestAttributes {
  readonly verb: string;
  readonly resource: string | undefined;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly userAgent: string;
}

export interface InjectedError {
  readonly code: 409 | 429 | 500 | 503 | 504 | 404 | 410 | 400 | 403;
  readonly retryAfterSeconds?: number;
  readonly message?: string;
}

export function requestMatches(match: RequestMatch, a: RequestAttributes): boolean {
  return (
    (match.verbs === undefined || match.verbs.includes(a.verb)) &&
    (match.resource === undefined || match.resource === a.resource) &&
    (match.subresource === undefined || match.subresource === (a.subresource ?? '')) &&
    (match.namespace === undefined || match.namespace === a.namespace) &&
    (match.name === undefined || match.name === a.name) &&
    (match.userAgent === undefined || a.userAgent.includes(match.userAgent))
  );
}

interface Counted<T> {
  readonly match: RequestMatch;
  readonly value: T;
  remaining: number;
}

/** An open watch stream, as the server tracks it for fault injection. */
export interface WatchStream {
  readonly attributes: RequestAttributes;
  /** Ends the stream abruptly, as a broken connection would. */
  drop(): void;
  /** Stops sending anything (events, bookmarks) while keeping the connection open. */
  stall(): void;
  resume(): void;
}

export class Faults {
  private readonly errors: Counted<InjectedError>[] = [];
  private readonly latencies: Counted<number>[] = [];
  private readonly expiries: Counted<true>[] = [];
  readonly watches = new Set<WatchStream>();
  private stallNew: RequestMatch | undefined;

  /** Answers the next `times` matching requests with an error (Infinity for all). */
  injectError(match: RequestMatch, error: InjectedError, times = 1): void {
    this.errors.push({ match, value: error, remaining: times });
  }

  /** Delays matching requests by `ms` before they are handled. */
  addLatency(match: RequestMatch, ms: number, times = Infinity): void {
    this.latencies.push({ match, value: ms, remaining: times });
  }

  /** The next matching watch request gets a 410 Gone (as an ERROR event, like the watch cache). */
  expireNextWatch(match: RequestMatch = {}, times = 1): void {
    this.expiries.push({ match, value: true, remaining: times });
  }

  /** Drops every open watch that matches; returns how many. */
  dropWatches(match: RequestMatch = {}): number {
    let n = 0;
    for (const w of [...this.watches]) {
      if (requestMatches(match, w.attributes)) {
        w.drop();
        n += 1;
      }
    }
    return n;
  }

  /** Silences open matching watches, and new ones too until `resumeWatches()`. */
  stallWatches(match: RequestMatch = {}): number {
    this.stallNew = match;
    let n = 0;
    for (const w of this.watches) {
      if (requestMatches(match, w.attributes)) {
        w.stall();
        n += 1;
      }
    }
    return n;
  }

  resumeWatches(): void {
    this.stallNew = undefined;
    for (const w of this.watches) w.resume();
  }

  shouldStallNewWatch(a: RequestAttributes): boolean {
    return this.stallNew !== undefined && requestMatches(this.stallNew, a);
  }

  clear(): void {
    this.errors.length = 0;
    this.latencies.length = 0;
    this.expiries.length = 0;
    this.resumeWatches();
  }

  takeError(a: RequestAttributes): InjectedError | undefined {
    return take(this.errors, a);
  }

  takeLatency(a: RequestAttributes): number {
    return take(this.latencies, a) ?? 0;
  }

  takeExpiry(a: RequestAttributes): boolean {
    return take(this.expiries, a) ?? false;
  }
}

function take<T>(list: Counted<T>[], a: RequestAttributes): T | undefined {
  const index = list.findIndex(e => requestMatches(e.match, a));
  if (index < 0) return undefined;
  const entry = list[index] as Counted<T>;
  entry.remaining -= 1;
  if (entry.remaining <= 0) list.splice(index, 1);
  return entry.value;
}

export type { ApiError };
