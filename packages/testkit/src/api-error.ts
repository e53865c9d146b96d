/**
 * Errors the API server answers with. Every failure a client can see is one of these,
 * rendered as a `kind: Status` object exactly as kube-apiserver renders it.
 */

export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** The `reason` values kube-apiserver uses (metav1.StatusReason). */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Expired'
  | 'RequestEntityTooLarge';

export interface StatusObject {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(
    code: number,
    reason: StatusReason,
    message: string,
    details?: StatusDetails,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): StatusObject {
    const status: StatusObject = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details !== undefined) status.details = this.details;
    return status;
  }

  static badRequest(message: string, cause?: unknown): ApiError {
    return new ApiError(400, 'BadRequest', message, undefined, { cause });
  }

  static notFound(resource: string, name: string, group = ''): ApiError {
    const what = group ? `${resource}.${group}` : resource;
    return new ApiError(404, 'NotFound', `${what} "${name}" not found`, {
      name,
      ...(group ? { group } : {}),
      kind: resource,
    });
  }

  static alreadyExists(resource: string, name: string, group = ''): ApiError {
    const what = group ? `${resource}.${group}` : resource;
    return new ApiError(409, 'AlreadyExists', `${what} "${name}" already exists`, {
      name,
      ...(group ? { group } : {}),
      kind: resource,
    });
  }

  static conflict(resource: string, name: string, why: string, group = ''): ApiError {
    const what = group ? `${resource}.${group}` : resource;
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${what} "${name}": ${why}`,
      { name, ...(group ? { group } : {}), kind: resource },
    );
  }

  /** 422: the object failed validation; `causes` name the offending fields. */
  static invalid(kind: string, name: string, causes: readonly StatusCause[], group = ''): ApiError {
    const list = causes
      .map(c => (c.field ? `${c.field}: ${c.message ?? ''}` : (c.message ?? '')))
      .join(', ');
    const what = group ? `${kind}.${group}` : kind;
    return new ApiError(422, 'Invalid', `${what} "${name}" is invalid: ${list}`, {
      name,
      ...(group ? { group } : {}),
      kind,
      causes: causes.map(c => ({ reason: c.reason ?? 'FieldValueInvalid', ...c })),
    });
  }

  static gone(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  }

  static methodNotAllowed(message: string): ApiError {
    return new ApiError(405, 'MethodNotAllowed', message);
  }

  static unsupportedMediaType(contentType: string): ApiError {
    return new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`,
    );
  }

  static unauthorized(): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  }

  static forbidden(message: string, details?: StatusDetails): ApiError {
    return new ApiError(403, 'Forbidden', message, details);
  }

  static tooManyRequests(retryAfterSeconds: number): ApiError {
    return new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', {
      retryAfterSeconds,
    });
  }

  static internal(message: string, cause?: unknown): ApiError {
    return new ApiError(
      500,
      'InternalError',
      `Internal error occurred: ${message}`,
      { causes: [{ message }] },
      { cause },
    );
  }

  static serviceUnavailable(message: string): ApiError {
    return new ApiError(503, 'ServiceUnavailable', message);
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}
