/** Reading request bodies and writing JSON and Status responses the way kube-apiserver does. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../api-error.ts';
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF } from '../protobuf/index.ts';

/** kube-apiserver's default request body limit (3 MiB plus slack). */
const MAX_BODY_BYTES = 3 * 1024 * 1024 + 64 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new ApiError(
        413,
        'RequestEntityTooLarge',
        'Request entity too large: limit is 3145728',
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The media type without parameters, lower-cased; JSON when the client sent none. */
export function mediaType(req: IncomingMessage): string {
  const header = req.headers['content-type'];
  if (!header) return 'application/json';
  return (header.split(';')[0] ?? '').trim().toLowerCase();
}

/** Parses a JSON or YAML body; anything else is 415, unparseable input is 400. */
export async function readObjectBody(
  req: IncomingMessage,
  type = mediaType(req),
): Promise<unknown> {
  const raw = await readBody(req);
  const text = type === KUBERNETES_PROTOBUF ? '' : raw.toString('utf8');
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw ApiError.badRequest(
        `the body of the request was not valid JSON: ${(err as Error).message}`,
        err,
      );
    }
  }
  if (type === 'application/yaml' || type.endsWith('+yaml')) {
    try {
      return parseYaml(text) as unknown;
    } catch (err) {
      throw ApiError.badRequest(`error converting YAML to JSON: ${(err as Error).message}`, err);
    }
  }
  if (type === KUBERNETES_PROTOBUF) return decodeKubernetesProtobuf(raw);
  throw ApiError.unsupportedMediaType(type);
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  const retry = err.details?.retryAfterSeconds;
  if (retry !== undefined) res.setHeader('Retry-After', String(retry));
  sendJson(res, err.code, err.toStatus());
}

/** Raw status line + Status body on a socket (for errors before an upgrade completes). */
export function writeSocketError(
  socket: { write(data: string): unknown; end(): unknown },
  err: ApiError,
): void {
  const body = JSON.stringify(err.toStatus());
  socket.write(
    `HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.end();
}
