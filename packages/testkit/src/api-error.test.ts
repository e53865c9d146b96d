import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';

describe(ApiError, () => {
  it('renders a NotFound Status the way kube-apiserver does', () => {
    const actual = ApiError.notFound('pods', 'web').toStatus();
    expect(actual).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "web" not found',
      reason: 'NotFound',
      details: { name: 'web', kind: 'pods' },
      code: 404,
    });
  });

  it('names the offending fields of an Invalid error', () => {
    const actual = ApiError.invalid('Pod', 'web', [
      { field: 'spec.containers', message: 'Required value', reason: 'FieldValueRequired' },
    ]).toStatus();
    expect(actual.code).toBe(422);
    expect(actual.message).toBe('Pod "web" is invalid: spec.containers: Required value');
    expect(actual.details?.causes).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.containers', message: 'Required value' },
    ]);
  });
});
