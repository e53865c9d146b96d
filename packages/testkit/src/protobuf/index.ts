/**
 * Decodes Kubernetes protobuf request bodies (what client-go's typed clients, and so kubectl,
 * send) into the JSON object the server would have received had the client sent JSON.
 */
import { ApiError } from '../api-error.ts';
import { describe, readEnvelope, strictReader } from './envelope.ts';
import { messageTypeFor } from './kinds.ts';
import { messageType } from './schema.ts';
import { messageToJson, UnknownFieldError } from './to-json.ts';

export const KUBERNETES_PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** Decodes a protobuf request body into its JSON form; throws ApiError (415 for kinds it cannot decode, 400 for malformed bytes). */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  const { apiVersion, kind, raw } = readEnvelope(body);
  const typeName = messageTypeFor(apiVersion, kind);
  if (typeName === undefined) {
    throw ApiError.unsupportedMediaType(
      `${KUBERNETES_PROTOBUF} for kind ${kind} of ${apiVersion}, which this server reads only as JSON`,
    );
  }
  const type = messageType(typeName);
  let json: unknown;
  try {
    json = messageToJson(type, type.decode(strictReader(raw)));
  } catch (err) {
    if (err instanceof UnknownFieldError) {
      throw ApiError.unsupportedMediaType(
        `${KUBERNETES_PROTOBUF} for kind ${kind} of ${apiVersion} with ${err.message}`,
      );
    }
    throw ApiError.badRequest(`malformed protobuf ${kind}: ${describe(err)}`, err);
  }
  return { kind, apiVersion, ...(json as Record<string, unknown>) };
}
