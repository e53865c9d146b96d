/**
 * The /openapi/* endpoints, served as kube-apiserver's OpenAPI handlers serve them.
 *
 * - /openapi/v2: JSON (`application/json`) or gnostic protobuf
 *   (`application/com.github.proto-openapi.spec.v2.v1.0+protobuf`, also asked for under its old
 *   `...spec.v2@v1.0+protobuf` name, which is what client-go sends), chosen by Accept; 406 with no
 *   body when neither is acceptable (client-go then tries the pre-1.10 `/swagger-2.0.0.pb-v1`,
 *   which is not served, as on a current server).
 * - /openapi/v3: the discovery document, JSON.
 * - /openapi/v3/{api/v1 | apis/{group}/{version}}: JSON. With `?hash=` equal to the document's
 *   ETag it may be cached for good (`Cache-Control: public, immutable`); another hash is
 *   redirected (301) to the current URL.
 *
 * Every answer carries a quoted ETag and Last-Modified and honours If-None-Match and
 * If-Modified-Since with 304, and HEAD. Unknown paths throw NotFound. Not done: gzip, ranges.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api-error.ts';
import {
  openApiV2Bodies,
  openApiV3GroupVersion,
  openApiV3Root,
  openApiV3Url,
  type ServedDocument,
} from '../openapi/documents.ts';
import { negotiate } from '../openapi/negotiate.ts';

const JSON_TYPE = 'application/json';
const V2_PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** The real server's default for responses that set no Cache-Control of their own. */
const NO_CACHE = 'no-cache, private';

interface Representation {
  readonly type: string;
  readonly subtype: string;
  readonly contentType: string;
  readonly format: 'json' | 'protobuf';
}

const V2_OFFERS: readonly Representation[] = [
  { type: 'application', subtype: 'json', contentType: JSON_TYPE, format: 'json' },
  {
    type: 'application',
    subtype: 'com.github.proto-openapi.spec.v2@v1.0+protobuf',
    contentType: V2_PROTOBUF_TYPE,
    format: 'protobuf',
  },
  {
    type: 'application',
    subtype: 'com.github.proto-openapi.spec.v2.v1.0+protobuf',
    contentType: V2_PROTOBUF_TYPE,
    format: 'protobuf',
  },
];

const V3_OFFERS: readonly Representation[] = [
  { type: 'application', subtype: 'json', contentType: JSON_TYPE, format: 'json' },
];

function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some(candidate => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === `"${etag}"`;
  });
}

function notModified(req: IncomingMessage, doc: ServedDocument): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, doc.etag);
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && doc.lastModified.getTime() <= since;
}

/** Writes a document as http.ServeContent does: conditional requests, HEAD, validators. */
function sendDocument(
  req: IncomingMessage,
  res: ServerResponse,
  doc: ServedDocument,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  res.setHeader('Etag', `"${doc.etag}"`);
  res.setHeader('Cache-Control', NO_CACHE);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (notModified(req, doc)) {
    res.writeHead(304);
    res.end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': contentType,
    'Content-Length': doc.body.length,
    'Last-Modified': doc.lastModified.toUTCString(),
  });
  res.end(req.method === 'HEAD' ? undefined : doc.body);
}

function notAcceptable(res: ServerResponse): void {
  res.writeHead(406, { 'Content-Length': 0 });
  res.end();
}

function serveV2(req: IncomingMessage, res: ServerResponse, version: string): void {
  res.setHeader('Vary', 'Accept');
  const chosen = negotiate(req.headers.accept, V2_OFFERS);
  if (chosen === undefined) {
    notAcceptable(res);
    return;
  }
  const bodies = openApiV2Bodies(version);
  sendDocument(
    req,
    res,
    chosen.format === 'json' ? bodies.json : bodies.protobuf,
    chosen.contentType,
  );
}

function serveV3GroupVersion(
  req: IncomingMessage,
  res: ServerResponse,
  gvPath: string,
  version: string,
): void {
  const doc = openApiV3GroupVersion(gvPath, version);
  if (doc === undefined) throw notFound();
  res.setHeader('Vary', 'Accept');
  if (negotiate(req.headers.accept, V3_OFFERS) === undefined) {
    notAcceptable(res);
    return;
  }
  const hash = new URL(req.url ?? '/', 'https://localhost').searchParams.get('hash');
  if (hash === null || hash === '') {
    sendDocument(req, res, doc, JSON_TYPE);
    return;
  }
  if (hash !== doc.etag) {
    res.writeHead(301, {
      Location: openApiV3Url(gvPath, doc.etag),
      'Cache-Control': NO_CACHE,
      'Content-Length': 0,
    });
    res.end();
    return;
  }
  const expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
  sendDocument(req, res, doc, JSON_TYPE, {
    'Cache-Control': 'public, immutable',
    Expires: expires,
  });
}

function notFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

/**
 * Answers a GET or HEAD of `path` (no query, no trailing slash) under /openapi/; `version` is the
 * server's git version, which the documents carry as info.version.
 */
export function serveOpenApi(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  version: string,
): void {
  if (path === '/openapi/v2') {
    serveV2(req, res, version);
  } else if (path === '/openapi/v3') {
    sendDocument(req, res, openApiV3Root(version), JSON_TYPE);
  } else if (path.startsWith('/openapi/v3/')) {
    serveV3GroupVersion(req, res, path.slice('/openapi/v3/'.length), version);
  } else {
    throw notFound();
  }
}
