/**
 * Dispatch of resource requests to the REST logic, reviews, subresources and the kubelet proxy,
 * with kube-apiserver's query parameters and content negotiation (JSON, YAML bodies; Table
 * output for kubectl).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api-error.ts';
import type { KubeObject } from '../kube-object.ts';
import { isPatchContentType, type PatchContentType } from '../patch/index.ts';
import { apiVersionOf, findResource, type ResourceDescriptor } from '../resources/registry.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { parseIncludeObject, toTable } from '../tables/index.ts';
import type { UserInfo } from './auth.ts';
import type { Faults, RequestAttributes } from './faults.ts';
import { parseJson } from '../util/go-json-errors.ts';
import { mediaType, readBody, readObjectBody, sendJson } from './http-io.ts';
import {
  kubeletAddress,
  podSubresourcePath,
  proxyHttp,
  type KubeletClientCredentials,
} from './proxy.ts';
import type { ResourceRequest } from './request-info.ts';
import type { DeleteOptions, Rest } from './rest.ts';
import { bindPod, requestToken, review, type ReviewDeps } from './reviews.ts';
import { serveWatch } from './watch.ts';

export interface HandlerContext extends ReviewDeps {
  readonly store: ObjectStore;
  readonly rest: Rest;
  readonly faults: Faults;
  readonly bookmarkIntervalMs: number;
  readonly kubeletClient: KubeletClientCredentials;
  readonly now: () => Date;
}

const NODES = findResource('', 'v1', 'nodes') as ResourceDescriptor;
const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

type TableMode = { includeObject: 'None' | 'Metadata' | 'Object' } | undefined;

/** Whether the client asked for a server-side Table (kubectl get does). */
function tableMode(req: IncomingMessage, query: URLSearchParams): TableMode {
  const accept = req.headers.accept ?? '';
  const wantsTable = accept
    .split(',')
    .some(
      part =>
        /as=Table/.test(part) && /g=meta\.k8s\.io/.test(part) && /v=v1(;|$|\s)/.test(part + ';'),
    );
  if (!wantsTable) return undefined;
  return { includeObject: parseIncludeObject(query.get('includeObject')) };
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw ApiError.badRequest(
      `invalid value for ${name}: ${raw}: strconv.ParseInt: parsing "${raw}": invalid syntax`,
    );
  }
  return value;
}

function dryRunOf(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All') throw ApiError.badRequest(`Invalid dryRun value: ${v}; supported values: All`);
  }
  return values.length > 0;
}

export async function handleResource(
  ctx: HandlerContext,
  info: ResourceRequest,
  user: UserInfo,
  attributes: RequestAttributes,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const d = info.descriptor;
  const { namespace, name, subresource, query } = info;
  if (d.namespaced && name !== undefined && namespace === undefined) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (!d.namespaced && namespace !== undefined) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (!d.verbs.includes(info.verb) && subresource === undefined) {
    throw ApiError.methodNotAllowed(
      `the server does not allow this method on the requested resource`,
    );
  }

  if (d.virtual) {
    if (info.verb !== 'create')
      throw ApiError.methodNotAllowed(
        'the server does not allow this method on the requested resource',
      );
    sendJson(res, 201, await review(ctx, d, await readObjectBody(req, undefined, d.kind), user));
    return;
  }

  if (subresource !== undefined && name !== undefined) {
    const handled = await handleSubresource(ctx, info, name, subresource, req, res);
    if (handled) return;
  }

  const table = tableMode(req, query);
  const dryRun = dryRunOf(query);
  const render = (object: KubeObject): unknown =>
    table
      ? toTable(d.resource, [object], {
          includeObject: table.includeObject,
          now: ctx.now(),
          listMeta: { resourceVersion: object.metadata.resourceVersion ?? '' },
        })
      : object;

  switch (info.verb) {
    case 'get': {
      sendJson(res, 200, render(ctx.rest.present(d, ctx.rest.get(d, namespace, name ?? ''))));
      return;
    }
    case 'list': {
      const limit = intParam(query, 'limit');
      const result = ctx.rest.list(d, namespace, {
        labelSelector: query.get('labelSelector'),
        fieldSelector: query.get('fieldSelector'),
        ...(limit !== undefined ? { limit } : {}),
        continueToken: query.get('continue'),
      });
      const metadata: Record<string, unknown> = { resourceVersion: result.resourceVersion };
      if (result.continueToken !== undefined) metadata.continue = result.continueToken;
      if (result.remainingItemCount !== undefined)
        metadata.remainingItemCount = result.remainingItemCount;
      if (table) {
        sendJson(
          res,
          200,
          toTable(d.resource, result.items, {
            includeObject: table.includeObject,
            now: ctx.now(),
            listMeta: {
              resourceVersion: result.resourceVersion,
              ...(result.continueToken !== undefined ? { continue: result.continueToken } : {}),
            },
          }),
        );
      } else {
        sendJson(res, 200, {
          kind: d.listKind,
          apiVersion: apiVersionOf(d),
          metadata,
          items: result.items,
        });
      }
      return;
    }
    case 'watch': {
      const timeoutSeconds = intParam(query, 'timeoutSeconds');
      serveWatch(
        ctx,
        {
          descriptor: d,
          filter: ctx.rest.compileFilter(d, namespace, {
            labelSelector: query.get('labelSelector'),
            fieldSelector:
              query.get('fieldSelector') ?? (name !== undefined ? `metadata.name=${name}` : null),
          }),
          resourceVersion: query.get('resourceVersion') ?? undefined,
          timeoutSeconds,
          allowBookmarks: query.get('allowWatchBookmarks') === 'true',
          sendInitialEvents: query.get('sendInitialEvents') === 'true',
          attributes,
          render: (object: KubeObject, first: boolean) => {
            if (!table) return object;
            // Column definitions travel with the first event only.
            return toTable(d.resource, [object], {
              includeObject: table.includeObject,
              now: ctx.now(),
              listMeta: { resourceVersion: object.metadata.resourceVersion ?? '' },
              noHeaders: !first,
            });
          },
        },
        req,
        res,
      );
      return;
    }
    case 'create': {
      const body = await readObjectBody(req, undefined, d.kind);
      const created = ctx.rest.create(d, namespace, body, { dryRun, user });
      sendJson(res, 201, render(created));
      return;
    }
    case 'update': {
      const body = await readObjectBody(req, undefined, d.kind);
      const updated = ctx.rest.update(d, namespace, name ?? '', body, { dryRun, subresource });
      sendJson(res, 200, render(updated));
      return;
    }
    case 'patch': {
      const type = mediaType(req);
      if (type === 'application/apply-patch+yaml') {
        throw ApiError.unsupportedMediaType(
          `${type} (server-side apply is not supported by the testkit)`,
        );
      }
      if (!isPatchContentType(type)) throw ApiError.unsupportedMediaType(type);
      const parsed = parseJson(await readBody(req));
      if (!parsed.ok) throw patchSyntaxError(type, query.get('fieldValidation'), parsed.error);
      const body = parsed.value;
      const patched = ctx.rest.patch(d, namespace, name ?? '', type, body, { dryRun, subresource });
      sendJson(res, 200, render(patched));
      return;
    }
    case 'delete': {
      const options = await deleteOptions(req, query);
      if (d.resource === 'namespaces' && PROTECTED_NAMESPACES.has(name ?? '')) {
        throw ApiError.forbidden(
          `namespaces "${name ?? ''}" is forbidden: this namespace may not be deleted`,
        );
      }
      const result = ctx.rest.delete(d, namespace, name ?? '', options);
      if (result.kind === 'pending') {
        sendJson(res, 200, render(result.object));
      } else if (d.resource === 'pods' || d.resource === 'namespaces') {
        // Pods and namespaces answer with the deleted object; most others with a Status.
        sendJson(res, 200, render(result.object));
      } else {
        sendJson(res, 200, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: {
            name,
            ...(d.group ? { group: d.group } : {}),
            kind: d.resource,
            uid: result.object.metadata.uid,
          },
        });
      }
      return;
    }
    case 'deletecollection': {
      const options = await deleteOptions(req, query);
      const victims = ctx.rest.list(d, namespace, {
        labelSelector: query.get('labelSelector'),
        fieldSelector: query.get('fieldSelector'),
      });
      const items: KubeObject[] = [];
      for (const object of victims.items) {
        try {
          items.push(
            ctx.rest.delete(d, object.metadata.namespace, object.metadata.name ?? '', options)
              .object,
          );
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
      sendJson(res, 200, {
        kind: d.listKind,
        apiVersion: apiVersionOf(d),
        metadata: { resourceVersion: String(ctx.store.resourceVersion) },
        items,
      });
      return;
    }
  }
}

/**
 * A patch body that is not JSON. With field validation (Warn, the default, or Strict) the
 * json and merge patchers decode the body strictly first and prefix the error; with Ignore
 * the merge patcher only says "Invalid JSON Patch". The strategic patcher never prefixes.
 */
function patchSyntaxError(
  type: PatchContentType,
  fieldValidation: string | null,
  error: string,
): ApiError {
  if (type === 'application/strategic-merge-patch+json') return ApiError.badRequest(error);
  if (fieldValidation !== 'Ignore') return ApiError.badRequest(`error decoding patch: ${error}`);
  if (type === 'application/merge-patch+json') return ApiError.badRequest('Invalid JSON Patch');
  return ApiError.badRequest(error);
}

async function deleteOptions(req: IncomingMessage, query: URLSearchParams): Promise<DeleteOptions> {
  const options: DeleteOptions = {};
  const hasBody =
    (req.headers['content-length'] ?? '0') !== '0' ||
    req.headers['transfer-encoding'] !== undefined;
  if (hasBody) {
    const body = await readObjectBody(req);
    if (body !== null && body !== undefined) {
      if (typeof body !== 'object' || Array.isArray(body))
        throw ApiError.badRequest('DeleteOptions must be an object');
      const b = body as Record<string, unknown>;
      if (b.gracePeriodSeconds !== undefined && b.gracePeriodSeconds !== null)
        options.gracePeriodSeconds = Number(b.gracePeriodSeconds);
      if (typeof b.propagationPolicy === 'string') options.propagationPolicy = b.propagationPolicy;
      if (Array.isArray(b.dryRun)) options.dryRun = b.dryRun.map(String);
      if (
        b.preconditions !== undefined &&
        b.preconditions !== null &&
        typeof b.preconditions === 'object'
      ) {
        const p = b.preconditions as Record<string, unknown>;
        options.preconditions = {
          ...(typeof p.uid === 'string' ? { uid: p.uid } : {}),
          ...(typeof p.resourceVersion === 'string' ? { resourceVersion: p.resourceVersion } : {}),
        };
      }
      if (b.orphanDependents === true && options.propagationPolicy === undefined)
        options.propagationPolicy = 'Orphan';
    }
  }
  const grace = intParam(query, 'gracePeriodSeconds');
  if (grace !== undefined) options.gracePeriodSeconds = grace;
  const policy = query.get('propagationPolicy');
  if (policy !== null) options.propagationPolicy = policy;
  if (query.getAll('dryRun').length > 0) options.dryRun = query.getAll('dryRun');
  return options;
}

/** Subresources with their own behaviour; returns false for status/approval (generic path). */
async function handleSubresource(
  ctx: HandlerContext,
  info: ResourceRequest,
  name: string,
  subresource: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const d = info.descriptor;
  const namespace = info.namespace ?? '';
  if (d.resource === 'pods') {
    switch (subresource) {
      case 'binding': {
        if (info.verb !== 'create') throw ApiError.methodNotAllowed('binding accepts only POST');
        const body = await readObjectBody(req, undefined, 'Binding');
        sendJson(res, 201, bindPod(ctx.rest, namespace, name, body));
        return true;
      }
      case 'eviction': {
        if (info.verb !== 'create') throw ApiError.methodNotAllowed('eviction accepts only POST');
        const body = (await readObjectBody(req, undefined, 'Eviction')) as {
          deleteOptions?: DeleteOptions;
        } | null;
        ctx.rest.delete(d, namespace, name, body?.deleteOptions ?? {});
        sendJson(res, 201, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          code: 201,
        });
        return true;
      }
      case 'log':
      case 'exec':
      case 'attach':
      case 'portforward': {
        const pod = ctx.rest.get(d, namespace, name);
        const path = podSubresourcePath(pod, subresource, info.query);
        const node = ctx.rest.get(
          NODES,
          undefined,
          String((pod.spec as { nodeName?: string }).nodeName),
        );
        proxyHttp(req, res, { ...kubeletAddress(node), path }, ctx.kubeletClient);
        return true;
      }
      case 'ephemeralcontainers':
        return false;
      default:
        break;
    }
  }
  if (d.resource === 'nodes' && subresource === 'proxy') {
    const node = ctx.rest.get(d, undefined, name);
    const search = info.query.toString();
    proxyHttp(
      req,
      res,
      { ...kubeletAddress(node), path: `/${info.rest}${search ? `?${search}` : ''}` },
      ctx.kubeletClient,
    );
    return true;
  }
  if (d.resource === 'serviceaccounts' && subresource === 'token') {
    if (info.verb !== 'create') throw ApiError.methodNotAllowed('token accepts only POST');
    const body = await readObjectBody(req, undefined, 'TokenRequest');
    sendJson(res, 201, await requestToken(ctx, namespace, name, body));
    return true;
  }
  if (subresource === 'status' || subresource === 'approval') {
    if (!['get', 'update', 'patch'].includes(info.verb)) {
      throw ApiError.methodNotAllowed(
        'the server does not allow this method on the requested resource',
      );
    }
    return false;
  }
  throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}
