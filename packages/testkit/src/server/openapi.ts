/**
 * Just enough OpenAPI v3 for kubectl: per group/version, the resource paths with their
 * `x-kubernetes-group-version-kind` and the `fieldValidation` parameter, so kubectl sees that
 * validation happens on the server and needs no client-side schema.
 */
import { apiVersionOf, RESOURCES } from '../resources/registry.ts';

function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

export function openApiV3Root(): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const d of RESOURCES) {
    const gv = groupVersionPath(d.group, d.version);
    paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=testkit` };
  }
  return { paths };
}

export function openApiV3GroupVersion(gvPath: string): unknown {
  const served = RESOURCES.filter(d => groupVersionPath(d.group, d.version) === gvPath);
  if (served.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const params = [
    { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
    { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
    { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
  ];
  for (const d of served) {
    const gvk = { group: d.group, version: d.version, kind: d.kind };
    const ref = `io.testkit.${d.group || 'core'}.${d.version}.${d.kind}`;
    schemas[ref] = {
      type: 'object',
      'x-kubernetes-group-version-kind': [gvk],
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
      },
    };
    const op = (action: string): unknown => ({
      operationId: `${action}${d.kind}`,
      parameters: params,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      responses: {
        '200': {
          description: 'OK',
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
        },
      },
    });
    const prefix = `/${groupVersionPath(d.group, d.version)}`;
    const collection = d.namespaced
      ? `${prefix}/namespaces/{namespace}/${d.resource}`
      : `${prefix}/${d.resource}`;
    paths[collection] = { post: op('post'), get: op('list') };
    if (!d.virtual) {
      paths[`${collection}/{name}`] = {
        get: op('get'),
        put: op('put'),
        patch: op('patch'),
        delete: op('delete'),
      };
    }
  }
  return {
    openapi: '3.0.0',
    info: {
      title: 'Kubernetes (testkit)',
      version: apiVersionOf(served[0] ?? { group: '', version: 'v1' }),
    },
    paths,
    components: { schemas },
  };
}
