/** Counts requests by user agent, verb and resource, so benchmarks can report API economy. */

export interface RequestCount {
  readonly userAgent: string;
  readonly verb: string;
  /** `pods`, `pods/status`, or the path for non-resource requests. */
  readonly resource: string;
  /** The HTTP status class answered: '2xx', '4xx', '409', '429', '5xx'. */
  readonly outcome: string;
  readonly count: number;
}

export class RequestCounter {
  private readonly counts = new Map<string, number>();

  record(userAgent: string, verb: string, resource: string, status: number): void {
    const outcome =
      status === 409 || status === 429 ? String(status) : `${Math.floor(status / 100)}xx`;
    const key = JSON.stringify([userAgent, verb, resource, outcome]);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  snapshot(filter: { userAgent?: string } = {}): RequestCount[] {
    const out: RequestCount[] = [];
    for (const [key, count] of this.counts) {
      const [userAgent, verb, resource, outcome] = JSON.parse(key) as [
        string,
        string,
        string,
        string,
      ];
      if (filter.userAgent !== undefined && !userAgent.includes(filter.userAgent)) continue;
      out.push({ userAgent, verb, resource, outcome, count });
    }
    return out.sort((a, b) => b.count - a.count);
  }

  /** Total matching requests; each filter field is optional. */
  total(
    filter: { userAgent?: string; verb?: string; resource?: string; outcome?: string } = {},
  ): number {
    return this.snapshot(filter)
      .filter(
        c =>
          (filter.verb === undefined || c.verb === filter.verb) &&
          (filter.resource === undefined || c.resource === filter.resource) &&
          (filter.outcome === undefined || c.outcome === filter.outcome),
      )
      .reduce((sum, c) => sum + c.count, 0);
  }

  reset(): void {
    this.counts.clear();
  }
}
