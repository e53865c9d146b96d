/**
 * apimachinery messages: the runtime.Unknown envelope, meta/v1, intstr and resource.Quantity.
 *
 * Conventions for every schema module here (see to-json.ts, which reads them):
 * - Field names are the JSON names, so a decoded message already has the JSON keys.
 * - Field numbers and shapes follow the upstream generated.proto files.
 * - Go's protobuf marshaller always writes non-pointer scalars, even when zero, while its JSON
 *   drops them (omitempty). So a zero scalar is dropped unless the field is marked
 *   `[(emit_zero) = true]`: Go pointer fields (a zero there was set on purpose) and fields whose
 *   JSON tag has no omitempty.
 * - `[(inline) = true]` marks a Go struct embedded with `json:",inline"`: its fields are merged
 *   into the parent object.
 * - `option (json) = "..."` on a message gives it a non-object JSON form (time, quantity...).
 */
export const META_PROTO = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.runtime;

message TypeMeta {
  optional string apiVersion = 1;
  optional string kind = 2;
}

// The protobuf envelope: typeMeta names the object, raw holds its serialized message.
message Unknown {
  optional TypeMeta typeMeta = 1;
  optional bytes raw = 2;
  optional string contentEncoding = 3;
  optional string contentType = 4;
}
`;

export const APIMACHINERY_PROTO = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.util.intstr;

message IntOrString {
  option (json) = "int_or_string";
  optional int64 type = 1;
  optional int32 intVal = 2;
  optional string strVal = 3;
}
`;

export const RESOURCE_PROTO = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.api.resource;

message Quantity {
  option (json) = "quantity";
  optional string string = 1;
}
`;

export const META_V1_PROTO = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;

message Time {
  option (json) = "time";
  optional int64 seconds = 1;
  optional int32 nanos = 2;
}

message MicroTime {
  option (json) = "micro_time";
  optional int64 seconds = 1;
  optional int32 nanos = 2;
}

// FieldsV1 carries JSON bytes; its JSON form is that JSON.
message FieldsV1 {
  option (json) = "raw_json";
  optional bytes Raw = 1;
}

message ObjectMeta {
  optional string name = 1;
  optional string generateName = 2;
  optional string namespace = 3;
  optional string selfLink = 4;
  optional string uid = 5;
  optional string resourceVersion = 6;
  optional int64 generation = 7;
  optional Time creationTimestamp = 8;
  optional Time deletionTimestamp = 9;
  optional int64 deletionGracePeriodSeconds = 10 [(emit_zero) = true];
  map<string, string> labels = 11;
  map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13;
  repeated string finalizers = 14;
  repeated ManagedFieldsEntry managedFields = 17;
}

message ListMeta {
  optional string selfLink = 1;
  optional string resourceVersion = 2;
  optional string continue = 3;
  optional int64 remainingItemCount = 4 [(emit_zero) = true];
}

message OwnerReference {
  optional string apiVersion = 5 [(emit_zero) = true];
  optional string kind = 1 [(emit_zero) = true];
  optional string name = 3 [(emit_zero) = true];
  optional string uid = 4 [(emit_zero) = true];
  optional bool controller = 6 [(emit_zero) = true];
  optional bool blockOwnerDeletion = 7 [(emit_zero) = true];
}

message ManagedFieldsEntry {
  optional string manager = 1;
  optional string operation = 2;
  optional string apiVersion = 3;
  optional Time time = 4;
  optional string fieldsType = 6;
  optional FieldsV1 fieldsV1 = 7;
  optional string subresource = 8;
}

message Preconditions {
  optional string uid = 1 [(emit_zero) = true];
  optional string resourceVersion = 2 [(emit_zero) = true];
}

message DeleteOptions {
  optional int64 gracePeriodSeconds = 1 [(emit_zero) = true];
  optional Preconditions preconditions = 2;
  optional bool orphanDependents = 3 [(emit_zero) = true];
  optional string propagationPolicy = 4 [(emit_zero) = true];
  repeated string dryRun = 5;
  optional bool ignoreStoreReadErrorWithClusterBreakingPotential = 6 [(emit_zero) = true];
}

message LabelSelector {
  map<string, string> matchLabels = 1;
  repeated LabelSelectorRequirement matchExpressions = 2;
}

message LabelSelectorRequirement {
  optional string key = 1 [(emit_zero) = true];
  optional string operator = 2 [(emit_zero) = true];
  repeated string values = 3;
}

message Condition {
  optional string type = 1 [(emit_zero) = true];
  optional string status = 2 [(emit_zero) = true];
  optional int64 observedGeneration = 3;
  optional Time lastTransitionTime = 4;
  optional string reason = 5 [(emit_zero) = true];
  optional string message = 6 [(emit_zero) = true];
}
`;
