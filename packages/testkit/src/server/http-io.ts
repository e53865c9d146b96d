/** Reading request bodies and writing JSON and Status responses the way kube-apiserver does. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../api-error.ts';
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF } from '../protobuf/index.ts';
import { parseJson } from '../util/go-json-errors.ts';

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

/**
 * kube-apiserver's words for a body that is not JSON at all, decoded into `into` (the kind
 * the endpoint takes): the serializer fails reading apiVersion and kind, and
 * transformDecodeError adds the first 30 bytes, as text when they start an object, else hex.
 */
export function unrecognizedBody(into: string, jsonError: string, raw: Buffer): ApiError {
  const head = raw.subarray(0, 30);
  const more = raw.length > 30 ? ' ...' : '';
  let summary: string;
  if (raw.length === 0) summary = '<empty>';
  else if (raw[0] === 0x7b) summary = head.toString('utf8') + more;
  else summary = head.toString('hex') + more;
  return ApiError.badRequest(
    `the object provided is unrecognized (must be of type ${into}): couldn't get version/kind; json parse error: ${jsonError} (${summary})`,
  );
}

/**
 * Parses a JSON or YAML body; anything else is 415, unparseable input is 400. `into` names
 * the kind the endpoint decodes (the real server's message names it); without it the
 * message is plainer.
 */
export async function readObjectBody(
  req: IncomingMessage,
  type = mediaType(req),
  into?: string,
): Promise<unknown> {
  const raw = await readBody(req);
  if (type === 'application/json' || type.endsWith('+json')) {
    const parsed = parseJson(raw);
    if (parsed.ok) return parsed.value;
    if (into !== undefined) throw unrecognizedBody(into, parsed.error, raw);
    throw ApiError.badRequest(`the body of the request was not valid JSON: ${parsed.error}`);
  }
  if (type === 'application/yaml' || type.endsWith('+yaml')) {
    try {
      return parseYaml(raw.toString('utf8')) as unknown;
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
