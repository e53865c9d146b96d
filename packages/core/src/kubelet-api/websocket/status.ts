/**
 * What the remote command error channel carries when a session ends. v4 and v5 send a
 * `metav1.Status` as JSON (success included); v1-v3 send only failures, as plain text.
 */
import type { ExecResult } from '../../provider/contract.ts';

export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
}

/** The subset of `metav1.Status` the error channel uses, in Go's field order. */
export interface Status {
  readonly metadata: Record<string, never>;
  readonly status: 'Success' | 'Failure';
  readonly message?: string;
  readonly reason?: string;
  readonly details?: { readonly causes: readonly StatusCause[] };
  readonly code?: number;
}

export type StatusFormat = 'text' | 'json';

/** The status a session result maps to, as the kubelet writes it. */
export function statusFor(result: ExecResult | Error): Status {
  if (result instanceof Error) {
    const message = result.message || String(result);
    return {
      metadata: {},
      status: 'Failure',
      message: `Internal error occurred: ${message}`,
      reason: 'InternalError',
      details: { causes: [{ message }] },
      code: 500,
    };
  }
  const { exitCode } = result;
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** The error channel payload for a status, or undefined when nothing is sent (text success). */
export function encodeStatus(status: Status, format: StatusFormat): string | undefined {
  if (format === 'json') return JSON.stringify(status);
  if (status.status === 'Success') return undefined;
  return status.message ?? 'Failure';
}
