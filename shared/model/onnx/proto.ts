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
  /** One of tensor_type, sequence_type, map_type, optional_type, sparse_tensor_type (a oneof). */
  tensor_type?: { elem_type?: number; shape?: TensorShapeProto };
  sequence_type?: { elem_type?: TypeProto };
  map_type?: { key_type?: number; value_type?: TypeProto };
  optional_type?: { elem_type?: TypeProto };
  sparse_tensor_type?: { elem_type?: number; shape?: TensorShapeProto };
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

/** Bytes protobufjs cannot decode with the schema. `reason` is protobufjs's own message. */
export class OnnxDecodeError extends Error {
  constructor(readonly reason: string) {
    super(`not an ONNX model (protobuf decode failed: ${reason})`);
  }
}

/** `descriptor` (ONNX_PROTO_DESCRIPTOR or a variant of it, see view.ts) loaded as a protobufjs root. */
export function onnxRoot(descriptor: protobuf.INamespace = ONNX_PROTO_DESCRIPTOR): protobuf.Root {
  return protobuf.Root.fromJSON(descriptor);
}

let modelType: protobuf.Type | undefined;

/** The reflected `onnx.ModelProto` type (the schema is loaded once, on first use). */
export function onnxModelType(): protobuf.Type {
  modelType ??= onnxRoot().lookupType('onnx.ModelProto');
  return modelType;
}

/** Serialize a message of `type` given as a plain object. Throws if the object does not fit the schema. */
export function encodeMessage(type: protobuf.Type, object: object): Uint8Array {
  const problem = type.verify(object as Record<string, unknown>);
  if (problem) throw new Error(`invalid ONNX ${type.name}: ${problem}`);
  const bytes = type.encode(type.fromObject(object as Record<string, unknown>)).finish();
  // A plain Uint8Array (protobufjs hands back a Buffer, under Node often a slice of a shared pool):
  // a view when the Buffer has its memory to itself (a large model: no second copy), else a copy.
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return new Uint8Array(bytes.buffer);
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/**
 * Parse a message of `type` into a plain object (repeated fields always present, int64 as numbers,
 * bytes as views into `bytes`). Throws OnnxDecodeError on bytes that do not decode.
 */
export function decodeMessage<T>(type: protobuf.Type, bytes: Uint8Array): T {
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    throw new OnnxDecodeError((e as Error).message);
  }
  return type.toObject(message, { longs: Number, arrays: true }) as T;
}

/** Serialize a ModelProto. Throws if the object does not fit the schema. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  return encodeMessage(onnxModelType(), model);
}

/** Parse serialized ONNX model bytes (repeated fields always present, int64 as numbers). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return decodeMessage<ModelProto>(onnxModelType(), bytes);
}
