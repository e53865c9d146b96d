/**
 * Service account tokens for projected volumes, requested through TokenRequest and bound to the
 * pod. Within one resolution a token is requested once per (audience, lifetime), as the
 * kubelet's token manager shares them. The refresh time follows the kubelet: when 80% of the
 * token's lifetime has passed, and never later than 24 hours after it was issued.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { describeError, errorKind, TransientError } from '../errors/errors.ts';
import type { ObjectSource } from './types.ts';

/** The API default and minimum of `serviceAccountToken.expirationSeconds`. */
export const DEFAULT_TOKEN_SECONDS = 3600;
export const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_AGE_MS = 24 * 60 * 60 * 1000;

export interface IssuedToken {
  readonly token: string;
  readonly refreshAt: Date;
}

/** When the kubelet would replace a token of `expirationSeconds` that expires at `expiresAt`. */
export function tokenRefreshAt(expiresAt: Date, expirationSeconds: number): Date {
  const expiry = expiresAt.getTime();
  const issuedAt = expiry - expirationSeconds * 1000;
  // 20% of the lifetime in whole seconds, as the kubelet computes it.
  const beforeExpiry = expiry - Math.floor((expirationSeconds * 20) / 100) * 1000;
  return new Date(Math.min(beforeExpiry, issuedAt + MAX_TOKEN_AGE_MS));
}

export class TokenCache {
  private readonly source: ObjectSource;
  private readonly pod: Pod;
  private readonly signal: AbortSignal;
  private readonly now: () => number;
  private readonly issued = new Map<string, Promise<IssuedToken>>();

  constructor(source: ObjectSource, pod: Pod, signal: AbortSignal, now: () => number = Date.now) {
    this.source = source;
    this.pod = pod;
    this.signal = signal;
    this.now = now;
  }

  /** A token for `audience` (the API server's default audiences when empty). */
  token(audience: string | undefined, expirationSeconds: number): Promise<IssuedToken> {
    const key = `${audience ?? ''}\n${expirationSeconds}`;
    let pending = this.issued.get(key);
    if (!pending) {
      pending = this.request(audience, expirationSeconds);
      this.issued.set(key, pending);
    }
    return pending;
  }

  /** The earliest refresh time of every token handed out, if any. */
  async earliestRefresh(): Promise<Date | undefined> {
    let earliest: Date | undefined;
    for (const pending of this.issued.values()) {
      const { refreshAt } = await pending;
      if (!earliest || refreshAt < earliest) earliest = refreshAt;
    }
    return earliest;
  }

  private async request(
    audience: string | undefined,
    expirationSeconds: number,
  ): Promise<IssuedToken> {
    const metadata = this.pod.metadata ?? {};
    const spec = this.pod.spec;
    let response: { token: string; expirationTimestamp: string };
    try {
      response = await this.source.requestServiceAccountToken(
        {
          namespace: metadata.namespace ?? 'default',
          // Admission sets this; a pod built by hand runs as `default`, like the API would.
          serviceAccountName: spec?.serviceAccountName || spec?.serviceAccount || 'default',
          audiences: audience ? [audience] : [],
          expirationSeconds,
          pod: { name: metadata.name ?? '', uid: metadata.uid ?? '' },
        },
        this.signal,
      );
    } catch (err) {
      if (this.signal.aborted) throw this.signal.reason;
      const message = `failed to fetch token: ${describeError(err)}`;
      throw errorKind(err) !== undefined
        ? new Error(message, { cause: err })
        : new TransientError(message, { cause: err });
    }
    const parsed = Date.parse(response.expirationTimestamp);
    // A response without a usable expiry is trusted for the lifetime we asked for.
    const expiresAt = new Date(
      Number.isNaN(parsed) ? this.now() + expirationSeconds * 1000 : parsed,
    );
    return { token: response.token, refreshAt: tokenRefreshAt(expiresAt, expirationSeconds) };
  }
}
