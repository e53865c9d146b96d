/** The Kubernetes protobuf envelope: the bytes `k8s\0`, then a runtime.Unknown message. */
import protobuf from 'protobufjs';
import { ApiError } from '../api-error.ts';
import { messageType } from './schema.ts';

const MAGIC = Buffer.from('k8s\0', 'latin1');

export interface Envelope {
  readonly apiVersion: string;
  readonly kind: string;
  /** The serialized object, a message of the type apiVersion and kind name. */
  readonly raw: Uint8Array;
}

export function readEnvelope(body: Buffer): Envelope {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw ApiError.badRequest('protobuf body does not start with the Kubernetes prefix "k8s\\x00"');
  }
  let unknown: Record<string, unknown>;
  try {
    const type = messageType('k8s.io.apimachinery.pkg.runtime.Unknown');
    unknown = type.toObject(type.decode(body.subarray(MAGIC.length)), { defaults: false });
  } catch (err) {
    throw ApiError.badRequest(`malformed protobuf envelope: ${describe(err)}`, err);
  }
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: unknown; kind?: unknown };
  const { apiVersion, kind } = typeMeta;
  if (
    typeof apiVersion !== 'string' ||
    apiVersion === '' ||
    typeof kind !== 'string' ||
    kind === ''
  ) {
    throw ApiError.badRequest(
      'protobuf envelope does not name the apiVersion and kind of its object',
    );
  }
  const raw = unknown.raw instanceof Uint8Array ? unknown.raw : new Uint8Array(0);
  return { apiVersion, kind, raw };
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A reader that keeps unknown fields, so they can be refused rather than dropped. */
export function strictReader(bytes: Uint8Array): protobuf.Reader {
  const reader = protobuf.Reader.create(bytes);
  reader.discardUnknown = false;
  return reader;
}
