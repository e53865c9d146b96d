/**
 * The Status objects kube-apiserver answers a failed PATCH with
 * (k8s.io/apiserver/pkg/endpoints/handlers/patch.go and its error mapping).
 */

import { ApiError } from '../api-error.ts';
import { goQuote } from './go-format.ts';

/** Undecodable body or malformed directive: 400 with the decoder's text. */
export function badPatch(message: string): ApiError {
  return ApiError.badRequest(message);
}

/**
 * A JSON patch operation that does not apply, or a strategic list of lists. The apiserver
 * wraps these with NewGenericServerResponse(422, ...) without the underlying text, so the
 * wire Status says nothing specific; the reason travels as the error's `cause` for logs.
 */
export function patchNotApplied(reason: string): ApiError {
  return new ApiError(
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
    {},
    { cause: new Error(reason) },
  );
}

/**
 * The patched document does not decode into the object: NewInvalid(GroupKind{}, "",
 * patch: Invalid value), so kind and name are empty, exactly as the apiserver prints them.
 */
export function patchedObjectInvalid(value: string, detail: string): ApiError {
  const body = `Invalid value: ${goQuote(value)}: ${detail}`;
  return new ApiError(422, 'Invalid', ` "" is invalid: patch: ${body}`, {
    causes: [{ reason: 'FieldValueInvalid', message: body, field: 'patch' }],
  });
}

/** More than maxJSONPatchOperations operations. */
export function tooManyOperations(count: number): ApiError {
  return new ApiError(
    413,
    'RequestEntityTooLarge',
    `Request entity too large: The allowed maximum operations in a JSON patch is 10000, got ${count}`,
  );
}

/**
 * Strategic merge errors the apiserver does not classify reach the client as a 500 with the
 * raw Go error text (reason "Unknown" on the wire; the closest reason ApiError offers is
 * InternalError).
 */
export function unclassifiedPatchError(message: string): ApiError {
  return new ApiError(500, 'InternalError', message);
}

/** Inputs that make the Go implementation panic; the apiserver's recovery answers 500. */
export function patchPanic(reason: string): ApiError {
  return new ApiError(
    500,
    'InternalError',
    'This request caused apiserver to panic. Look in the logs for details.',
    undefined,
    { cause: new Error(reason) },
  );
}
