/**
 * Turns a request's method and path into what kube-apiserver calls RequestInfo: the verb, API
 * group/version, resource, subresource, namespace and name that routing and authorization use.
 */
import { ApiError } from '../api-error.ts';
import { findResource, type ResourceDescriptor } from '../resources/registry.ts';

export type Verb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequest {
  readonly isResourceRequest: true;
  readonly verb: Verb;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly group: string;
  readonly version: string;
  readonly descriptor: ResourceDescriptor;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  /** Path after the subresource, for `proxy` (`/api/v1/nodes/n/proxy/stats/summary` → `stats/summary`). */
  readonly rest: string;
}

export interface NonResourceRequest {
  readonly isResourceRequest: false;
  readonly verb: string;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

const METHOD_VERBS: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

export function parseRequestInfo(method: string, rawUrl: string): RequestInfo {
  const url = new URL(rawUrl, 'https://apiserver.invalid');
  const path = url.pathname;
  const query = url.searchParams;
  const parts = path
    .split('/')
    .filter(p => p !== '')
    .map(decodeURIComponent);
  const nonResource = (): NonResourceRequest => ({
    isResourceRequest: false,
    verb: (METHOD_VERBS[method] ?? method.toLowerCase()).replace('create', 'post'),
    method,
    path,
    query,
  });

  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1] as string;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] as string;
    version = parts[2] as string;
    rest = parts.slice(3);
  } else {
    return nonResource();
  }

  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }

  let namespace: string | undefined;
  // `namespaces/{ns}/{resource}...`; but `namespaces/{name}` and `namespaces/{name}/status`
  // address the Namespace object itself.
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    findResource(group, version, rest[2] as string)
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }

  const [resourceName, name, subresource, ...tail] = rest;
  if (resourceName === undefined) return nonResource();
  const descriptor = findResource(group, version, resourceName);
  if (!descriptor) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (subresource !== undefined && !descriptor.subresources.includes(subresource)) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (tail.length > 0 && subresource !== 'proxy') {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }

  const isWatch = watchPath || query.get('watch') === 'true' || query.get('watch') === '1';
  let verb: Verb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = isWatch ? 'watch' : name === undefined ? 'list' : 'get';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name === undefined ? 'deletecollection' : 'delete';
      break;
    default:
      throw ApiError.methodNotAllowed(`method ${method} is not allowed`);
  }

  return {
    isResourceRequest: true,
    verb,
    method,
    path,
    query,
    group,
    version,
    descriptor,
    namespace,
    name,
    subresource,
    rest: tail.join('/'),
  };
}
