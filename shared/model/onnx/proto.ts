/**
 * ONNX protobuf messages, encoded and decoded by protobufjs from ONNX's own schema
 * (`onnx.proto`, ONNX v1.22.0, loaded from its JSON descriptor in `descriptor.generated.ts`).
 *
 * The interfaces below are the subset of the schema this project writes and reads, with the
 * .proto's own snake_case field names (the descriptor is built with `keepCase`). Anything else a
 * model carries survives a decode (protobufjs keeps every known field) but is not typed here.
 * int64 fields are plain numbers on both sides (decoded with `longs: Number`); ONNX never needs
 * more than 2^53 in the fields we touch (dims, opset versions, attribute ints).
 */
import protobuf from 'protobufjs/light';
import { ONNX_PROTO_DESCRIPTOR } from './descriptor.generated';

/** `onnx.TensorProto.DataType` values used here (checked against the schema in a test). */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  DOUBLE: 11,
} as const;

/** `onnx.AttributeProto.AttributeType` values (checked against the schema in a test). */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

export interface OperatorSetIdProto {
  /** '' (or absent) is the default domain `ai.onnx`. */
  domain?: string;
  version: number;
}

export interface StringStringEntryProto {
  key: string;
  value: string;
}

export interface TensorProto {
  name?: string;
  dims?: number[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  string_data?: Uint8Array[];
  raw_data?: Uint8Array;
  doc_string?: string;
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  doc_string?: string;
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute?: AttributeProto[];
  doc_string?: string;
}

export interface DimensionProto {
  dim_value?: number;
  dim_param?: string;
}

export interface TensorShapeProto {
  dim?: DimensionProto[];
}

export interface TypeProto {
  tensor_type?: { elem_type?: number; shape?: TensorShapeProto };
  denotation?: string;
}

export interface ValueInfoProto {
  name: string;
  type?: TypeProto;
  doc_string?: string;
}

export interface GraphProto {
  name?: string;
  node?: NodeProto[];
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
  doc_string?: string;
}

export interface ModelProto {
  ir_version?: number;
  opset_import?: OperatorSetIdProto[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: number;
  doc_string?: string;
  graph?: GraphProto;
  metadata_props?: StringStringEntryProto[];
}

let modelType: protobuf.Type | undefined;

/** The reflected `onnx.ModelProto` type (the schema is loaded once, on first use). */
export function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_PROTO_DESCRIPTOR).lookupType('onnx.ModelProto');
  return modelType;
}

/** Serialize a ModelProto. Throws if the object does not fit the schema. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  const type = onnxModelType();
  const problem = type.verify(model);
  if (problem) throw new Error(`invalid ONNX ModelProto: ${problem}`);
  const bytes = type.encode(type.fromObject(model as Record<string, unknown>)).finish();
  // A plain Uint8Array (protobufjs hands back a Buffer slice under Node).
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Parse serialized ONNX model bytes (repeated fields always present, int64 as numbers). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const type = onnxModelType();
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    throw new Error(`not an ONNX model (protobuf decode failed: ${(e as Error).message})`);
  }
  return type.toObject(message, { longs: Number, arrays: true }) as ModelProto;
}
