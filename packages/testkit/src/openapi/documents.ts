/**
 * The OpenAPI documents as the bytes the server sends, built once per server version. The ETag
 * of a document is, as on the real server, the upper-case hex SHA-512 of its JSON; the protobuf
 * form of /openapi/v2 shares the JSON's ETag (responses vary by Accept), and the hash in each
 * /openapi/v3 discovery URL is the ETag of the document it points to.
 */
import { createHash } from 'node:crypto';
import { openApiV3Document } from './openapi-v3.ts';
import { groupVersionPaths } from './served-kinds.ts';
import { swaggerDocument } from './swagger-v2.ts';
import { encodeSwaggerProtobuf } from './to-gnostic.ts';

export interface ServedDocument {
  readonly body: Buffer;
  /** Unquoted. */
  readonly etag: string;
  /** Whole seconds, as HTTP dates carry them. */
  readonly lastModified: Date;
}

export interface OpenApiV2Bodies {
  readonly json: ServedDocument;
  readonly protobuf: ServedDocument;
}

interface VersionDocuments {
  readonly v2: OpenApiV2Bodies;
  readonly v3: ReadonlyMap<string, ServedDocument>;
  readonly v3Root: ServedDocument;
}

export function contentEtag(body: Uint8Array): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

const built = new Map<string, VersionDocuments>();

function build(version: string): VersionDocuments {
  const lastModified = new Date(Math.floor(Date.now() / 1000) * 1000);
  const served = (body: Buffer, etag = contentEtag(body)): ServedDocument => ({
    body,
    etag,
    lastModified,
  });
  const swagger = swaggerDocument(version);
  const json = served(Buffer.from(JSON.stringify(swagger)));
  const protobuf = served(Buffer.from(encodeSwaggerProtobuf(swagger)), json.etag);
  const v3 = new Map<string, ServedDocument>();
  const rootPaths: Record<string, { serverRelativeURL: string }> = {};
  for (const gvPath of groupVersionPaths()) {
    const doc = served(Buffer.from(JSON.stringify(openApiV3Document(gvPath, version))));
    v3.set(gvPath, doc);
    rootPaths[gvPath] = { serverRelativeURL: openApiV3Url(gvPath, doc.etag) };
  }
  return {
    v2: { json, protobuf },
    v3,
    v3Root: served(Buffer.from(JSON.stringify({ paths: rootPaths }))),
  };
}

function documents(version: string): VersionDocuments {
  let docs = built.get(version);
  if (docs === undefined) {
    docs = build(version);
    built.set(version, docs);
  }
  return docs;
}

export function openApiV3Url(gvPath: string, hash: string): string {
  return `/openapi/v3/${gvPath}?hash=${hash}`;
}

/** /openapi/v2 as JSON and as gnostic protobuf. */
export function openApiV2Bodies(version: string): OpenApiV2Bodies {
  return documents(version).v2;
}

/** The /openapi/v3 discovery document: each group/version with the URL of its document. */
export function openApiV3Root(version: string): ServedDocument {
  return documents(version).v3Root;
}

/** The document of one group/version (`api/v1`, `apis/{group}/{version}`), if served. */
export function openApiV3GroupVersion(gvPath: string, version: string): ServedDocument | undefined {
  return documents(version).v3.get(gvPath);
}
