/** Builds the protobufjs reflection root for every message this module decodes, once. */
import protobuf from 'protobufjs';
import {
  AUTHENTICATION_V1_PROTO,
  AUTHORIZATION_V1_PROTO,
  CERTIFICATES_V1_PROTO,
  POLICY_V1_PROTO,
} from './schema-apis.ts';
import { CORE_V1_PROTO } from './schema-core.ts';
import { APIMACHINERY_PROTO, META_PROTO, META_V1_PROTO, RESOURCE_PROTO } from './schema-meta.ts';
import { POD_V1_PROTO } from './schema-pod.ts';

const SOURCES = [
  META_PROTO,
  APIMACHINERY_PROTO,
  RESOURCE_PROTO,
  META_V1_PROTO,
  CORE_V1_PROTO,
  POD_V1_PROTO,
  AUTHENTICATION_V1_PROTO,
  AUTHORIZATION_V1_PROTO,
  CERTIFICATES_V1_PROTO,
  POLICY_V1_PROTO,
];

let root: protobuf.Root | undefined;

/** The shared root; field names are kept as written, since they are the JSON names. */
export function schemaRoot(): protobuf.Root {
  if (root === undefined) {
    const built = new protobuf.Root();
    for (const source of SOURCES) protobuf.parse(source, built, { keepCase: true });
    built.resolveAll();
    root = built;
  }
  return root;
}

/** A message type by its full name, e.g. `k8s.io.api.core.v1.Secret`. */
export function messageType(fullName: string): protobuf.Type {
  return schemaRoot().lookupType(fullName);
}
