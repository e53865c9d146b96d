/**
 * The query parameters the documents list per operation (those the testkit reads or accepts),
 * and the media types a PATCH body may have.
 */

export type ParameterType = 'string' | 'boolean' | 'integer';

export interface QueryParameter {
  readonly name: string;
  readonly type: ParameterType;
  readonly description: string;
}

const query = (name: string, type: ParameterType, description: string): QueryParameter => ({
  name,
  type,
  description,
});

/** On every path, as on the real server. */
export const PRETTY = query('pretty', 'string', "If 'true', the output is pretty printed.");

export const FIELD_VALIDATION = query(
  'fieldValidation',
  'string',
  'How the server treats fields of the object it does not know or finds twice: Ignore, Warn or Strict.',
);

export const WRITE_PARAMETERS = [
  query('dryRun', 'string', 'All: run every stage of the request but do not persist the result.'),
  query('fieldManager', 'string', 'The name of the actor making the change.'),
  FIELD_VALIDATION,
];

export const LIST_PARAMETERS = [
  query('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events on a watch.'),
  query('continue', 'string', 'The continue token of the previous page of a paged list.'),
  query('fieldSelector', 'string', 'Restrict the objects returned by their fields.'),
  query('labelSelector', 'string', 'Restrict the objects returned by their labels.'),
  query('limit', 'integer', 'The most objects one page of a list returns.'),
  query('resourceVersion', 'string', 'The resourceVersion to list or watch from.'),
  query('resourceVersionMatch', 'string', 'How resourceVersion applies to a list.'),
  query('sendInitialEvents', 'boolean', 'Start a watch with ADDED events for the current state.'),
  query('timeoutSeconds', 'integer', 'End the list or watch after this many seconds.'),
  query('watch', 'boolean', 'Watch for changes instead of listing.'),
];

export const DELETE_PARAMETERS = [
  query('dryRun', 'string', 'All: run every stage of the request but do not persist the result.'),
  query('gracePeriodSeconds', 'integer', 'Seconds the object has to terminate gracefully.'),
  query('propagationPolicy', 'string', 'Orphan, Background or Foreground deletion of dependents.'),
];

/**
 * What a PATCH body may be. Strategic merge patches are accepted too, but not advertised: a
 * client that sees `application/strategic-merge-patch+json` here computes its patches from these
 * schemas, which carry no patch merge keys; without it kubectl falls back to its compiled-in
 * types, whose merge keys are the real ones (and which is what the testkit merges with).
 */
export const PATCH_CONSUMES = ['application/json-patch+json', 'application/merge-patch+json'];
