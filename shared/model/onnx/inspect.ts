/**
 * Read what a model says about itself without running it: metadata_props, the input and output
 * signatures, opsets, producer. Works on any ONNX model (not only ours), e.g. for a model card or
 * to check a model's inputs against a dataset's columns before scoring.
 */
import { DataType, decodeModel } from './proto';
import type { ModelProto, TensorProto, ValueInfoProto } from './proto';

export interface TensorSignature {
  name: string;
  /** ONNX element type in lower case ('float', 'int64', 'string', …); 'non-tensor' for maps/sequences. */
  elemType: string;
  /** One entry per dimension: a size, a symbolic name ('N'), or null when unknown. Null when the rank is unknown. */
  shape: (number | string | null)[] | null;
}

export interface ModelInfo {
  irVersion: number | undefined;
  producerName: string | undefined;
  producerVersion: string | undefined;
  /** Domain ('' = ai.onnx) → opset version. */
  opsets: Record<string, number>;
  metadata: Record<string, string>;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

const ELEM_TYPE_NAMES = new Map<number, string>(Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]));

export function elemTypeName(code: number | undefined): string {
  if (code === undefined) return 'undefined';
  return ELEM_TYPE_NAMES.get(code) ?? `type#${code}`;
}

function signature(v: ValueInfoProto): TensorSignature {
  const tensor = v.type?.tensor_type;
  if (!tensor) return { name: v.name, elemType: 'non-tensor', shape: null };
  const shape = tensor.shape
    ? (tensor.shape.dim ?? []).map((d) => (d.dim_value !== undefined ? d.dim_value : d.dim_param !== undefined ? d.dim_param : null))
    : null;
  return { name: v.name, elemType: elemTypeName(tensor.elem_type), shape };
}

export function modelInfo(model: ModelProto): ModelInfo {
  const graph = model.graph ?? {};
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const opsets: Record<string, number> = {};
  for (const o of model.opset_import ?? []) opsets[o.domain ?? ''] = o.version;
  const metadata: Record<string, string> = {};
  for (const p of model.metadata_props ?? []) metadata[p.key] = p.value;
  return {
    irVersion: model.ir_version,
    producerName: model.producer_name,
    producerVersion: model.producer_version,
    opsets,
    metadata,
    // Before IR 4 initializers were also listed as inputs; they are not inputs a caller feeds.
    inputs: (graph.input ?? []).filter((i) => !initializers.has(i.name)).map(signature),
    outputs: (graph.output ?? []).map(signature),
  };
}

/** Decode model bytes and read their metadata and signatures. */
export function readModelInfo(bytes: Uint8Array): ModelInfo {
  return modelInfo(decodeModel(bytes));
}

const utf8 = new TextDecoder();

/** The values of a (decoded) tensor: numbers for numeric types, strings for string tensors. */
export function tensorValues(t: TensorProto): number[] | string[] {
  const raw = t.raw_data;
  const view = raw && raw.length ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  switch (t.data_type) {
    case DataType.FLOAT:
      if (view) return Array.from({ length: view.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
      return t.float_data ?? [];
    case DataType.DOUBLE:
      if (view) return Array.from({ length: view.byteLength / 8 }, (_, i) => view.getFloat64(i * 8, true));
      return t.double_data ?? [];
    case DataType.INT64:
      if (view) return Array.from({ length: view.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
      return t.int64_data ?? [];
    case DataType.INT32:
      if (view) return Array.from({ length: view.byteLength / 4 }, (_, i) => view.getInt32(i * 4, true));
      return t.int32_data ?? [];
    case DataType.STRING:
      return (t.string_data ?? []).map((b) => utf8.decode(b));
    default:
      throw new Error(`tensor ${t.name ?? ''}: element type ${elemTypeName(t.data_type)} is not supported here`);
  }
}

/** Find an initializer by name in a decoded model and return its values and dims. */
export function readInitializer(model: ModelProto, name: string): { dims: number[]; values: number[] | string[] } {
  const t = (model.graph?.initializer ?? []).find((i) => i.name === name);
  if (!t) throw new Error(`model has no initializer '${name}'`);
  return { dims: t.dims ?? [], values: tensorValues(t) };
}
