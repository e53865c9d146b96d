/**
 * The part of gnostic's OpenAPI v2 protobuf schema (package `openapi.v2`, which client-go decodes
 * /openapi/v2 into as `openapi_v2.Document`) that this server writes. Message and field names and
 * numbers are upstream's; fields this server never sets are left out, which changes nothing on
 * the wire. Field names are kept as written (snake_case), so the objects handed to protobufjs use
 * them too.
 */
import protobuf from 'protobufjs';

const OPENAPI_V2_PROTO = `
syntax = "proto3";
package openapi.v2;

message Document {
  string swagger = 1;
  Info info = 2;
  Paths paths = 8;
  Definitions definitions = 9;
}

message Info {
  string title = 1;
  string version = 2;
}

message Paths {
  repeated NamedPathItem path = 2;
}

message NamedPathItem {
  string name = 1;
  PathItem value = 2;
}

message PathItem {
  Operation get = 2;
  Operation put = 3;
  Operation post = 4;
  Operation delete = 5;
  Operation patch = 8;
  repeated ParametersItem parameters = 9;
}

message Operation {
  repeated string tags = 1;
  string description = 3;
  string operation_id = 5;
  repeated string produces = 6;
  repeated string consumes = 7;
  repeated ParametersItem parameters = 8;
  Responses responses = 9;
  repeated string schemes = 10;
  repeated NamedAny vendor_extension = 13;
}

message ParametersItem {
  oneof oneof {
    Parameter parameter = 1;
  }
}

message Parameter {
  oneof oneof {
    BodyParameter body_parameter = 1;
    NonBodyParameter non_body_parameter = 2;
  }
}

message BodyParameter {
  string description = 1;
  string name = 2;
  string in = 3;
  bool required = 4;
  Schema schema = 5;
}

message NonBodyParameter {
  oneof oneof {
    QueryParameterSubSchema query_parameter_sub_schema = 3;
    PathParameterSubSchema path_parameter_sub_schema = 4;
  }
}

message QueryParameterSubSchema {
  bool required = 1;
  string in = 2;
  string description = 3;
  string name = 4;
  string type = 6;
  bool unique_items = 20;
}

message PathParameterSubSchema {
  bool required = 1;
  string in = 2;
  string description = 3;
  string name = 4;
  string type = 5;
  bool unique_items = 19;
}

message Responses {
  repeated NamedResponseValue response_code = 1;
}

message NamedResponseValue {
  string name = 1;
  ResponseValue value = 2;
}

message ResponseValue {
  oneof oneof {
    Response response = 1;
  }
}

message Response {
  string description = 1;
  SchemaItem schema = 2;
}

message SchemaItem {
  oneof oneof {
    Schema schema = 1;
  }
}

message Definitions {
  repeated NamedSchema additional_properties = 1;
}

message NamedSchema {
  string name = 1;
  Schema value = 2;
}

message Schema {
  string _ref = 1;
  string description = 4;
  AdditionalPropertiesItem additional_properties = 21;
  TypeItem type = 22;
  repeated NamedAny vendor_extension = 31;
}

message AdditionalPropertiesItem {
  oneof oneof {
    Schema schema = 1;
  }
}

message TypeItem {
  repeated string value = 1;
}

message NamedAny {
  string name = 1;
  Any value = 2;
}

// Upstream's field 1 (a google.protobuf.Any) is never set for values parsed from JSON.
message Any {
  string yaml = 2;
}
`;

let documentType: protobuf.Type | undefined;

/** The `openapi.v2.Document` message type. */
export function openApiV2DocumentType(): protobuf.Type {
  if (documentType === undefined) {
    const root = protobuf.parse(OPENAPI_V2_PROTO, new protobuf.Root(), { keepCase: true }).root;
    root.resolveAll();
    documentType = root.lookupType('openapi.v2.Document');
  }
  return documentType;
}
