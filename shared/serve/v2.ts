/**
 * The Open Inference Protocol (KServe v2 / Triton) in JSON: tensor datatypes, model metadata from the
 * ONNX signature, reading an inference request into onnxruntime tensors (every problem a 400 that
 * names the input and what is wrong), and writing outputs back.
 * https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/
 *
 * Deviations, on purpose: a FP16/FP32/FP64 element may be null (a missing value: NaN, which a model
 * that imputes expects); INT64/UINT64 elements may be decimal strings (JSON numbers lose precision past
 * 2^53). The binary tensor extension is not supported (refused with a 400).
 */
import type * as Ort from 'onnxruntime-node';
import { ort } from '../model/infer/ort';
import { halfToFloat } from '../model/infer/outputs';
import type { Dim, ValueSignature } from '../model/infer';
import { badRequest, isPlainObject, kindOf } from './http';

export type V2Datatype = 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64' | 'BYTES';

const TO_V2: Partial<Record<Ort.Tensor.Type, V2Datatype>> = {
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float16: 'FP16',
  float32: 'FP32',
  float64: 'FP64',
  string: 'BYTES',
};

export function v2Datatype(type: Ort.Tensor.Type | undefined): V2Datatype | undefined {
  return type === undefined ? undefined : TO_V2[type];
}

/** A declared dimension as the protocol shows it: the size, or -1 when dynamic (symbolic or unnamed). */
export function v2Dim(d: Dim): number {
  return typeof d === 'number' && d >= 0 ? d : -1;
}

export interface TensorMetadata {
  name: string;
  datatype: V2Datatype | string;
  shape: number[];
}

/** An input or output as the metadata endpoint lists it. */
export function tensorMetadata(name: string, type: Ort.Tensor.Type | undefined, shape: readonly Dim[] | undefined): TensorMetadata {
  return { name, datatype: v2Datatype(type) ?? (type === undefined ? 'UNKNOWN' : String(type).toUpperCase()), shape: shape ? shape.map(v2Dim) : [-1] };
}

/** What an inference request asks for, ready to batch: one tensor per model input, the outputs wanted. */
export interface InferRequest {
  id?: string;
  /** Rows along the batch dimension (the first), or 1 for a model without one. */
  rows: number;
  feeds: Record<string, Ort.Tensor>;
  /** Each input's elements as sent (flattened, row-major): what the prediction log writes. */
  sent: Record<string, unknown[]>;
  /** Requested output names (in order); all the model's when the request does not say. */
  outputs: string[];
  /** Whether every input's first dimension is a dynamic batch dimension (so requests can be concatenated). */
  batchable: boolean;
}

type Typed = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;

const INT_RANGE: Partial<Record<Ort.Tensor.Type, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

/** Flattens nested lists (row-major), checking every level has the same length as the shape says. */
function flatten(data: unknown[], shape: readonly number[], input: string): unknown[] {
  // Flat already (the common case).
  let flat = true;
  for (let i = 0; i < data.length; i++) {
    if (Array.isArray(data[i])) {
      flat = false;
      break;
    }
  }
  if (flat) return data;
  const out: unknown[] = [];
  const walk = (v: unknown[], depth: number, path: string): void => {
    const want = shape[depth];
    if (want !== undefined && v.length !== want) {
      throw badRequest(`input '${input}': data${path} has ${v.length} elements, but shape [${shape.join(',')}] says ${want} at dimension ${depth}`);
    }
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (Array.isArray(x)) {
        if (depth + 1 >= shape.length) throw badRequest(`input '${input}': data${path}[${i}] is nested deeper than shape [${shape.join(',')}]`);
        walk(x, depth + 1, `${path}[${i}]`);
      } else {
        if (depth + 1 < shape.length) throw badRequest(`input '${input}': data${path}[${i}] is ${kindOf(x)}, but shape [${shape.join(',')}] needs a list there`);
        out.push(x);
      }
    }
  };
  walk(data, 0, '');
  return out;
}

function floatToHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = (mant | 0x800000) >> (1 - e);
    return sign | ((m + 0x1000) >> 13);
  }
  return sign | (e << 10) | ((mant + 0x1000) >> 13);
}

function elementError(input: string, i: number, v: unknown, datatype: string, what: string): never {
  const shown = typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : kindOf(v);
  throw badRequest(`input '${input}': data element ${i} is ${shown}, but datatype ${datatype} takes ${what}`);
}

/** The typed data of one input tensor. */
function tensorData(type: Ort.Tensor.Type, flat: unknown[], input: string, datatype: string): Typed | string[] {
  const n = flat.length;
  switch (type) {
    case 'float32':
    case 'float64': {
      const out = type === 'float32' ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v === 'number') out[i] = v;
        else if (v === null) out[i] = NaN;
        else elementError(input, i, v, datatype, 'numbers (or null for a missing value)');
      }
      return out;
    }
    case 'float16': {
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v === 'number') out[i] = floatToHalf(v);
        else if (v === null) out[i] = 0x7e00;
        else elementError(input, i, v, datatype, 'numbers (or null for a missing value)');
      }
      return out;
    }
    case 'int64':
    case 'uint64': {
      const out = type === 'int64' ? new BigInt64Array(n) : new BigUint64Array(n);
      const [lo, hi] = type === 'int64' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        let b: bigint | undefined;
        if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
        else if (typeof v === 'string' && /^[+-]?\d{1,20}$/.test(v)) b = BigInt(v);
        if (b === undefined || b < lo || b > hi) elementError(input, i, v, datatype, type === 'int64' ? 'integers (64-bit)' : 'non-negative integers (64-bit)');
        out[i] = b as bigint;
      }
      return out;
    }
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint8':
    case 'uint16':
    case 'uint32': {
      const Ctor = { int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array }[type];
      const out = new Ctor(n);
      const [lo, hi] = INT_RANGE[type]!;
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) elementError(input, i, v, datatype, `integers in [${lo}, ${hi}]`);
        out[i] = v as number;
      }
      return out;
    }
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (v === true || v === 1) out[i] = 1;
        else if (v === false || v === 0) out[i] = 0;
        else elementError(input, i, v, datatype, 'true or false');
      }
      return out;
    }
    case 'string': {
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v !== 'string') elementError(input, i, v, datatype, 'strings');
        out[i] = v as string;
      }
      return out;
    }
    default:
      throw badRequest(`input '${input}': the model takes ${type}, which this server cannot fill from JSON`);
  }
}

function shapeText(shape: readonly Dim[]): string {
  return `[${shape.map(v2Dim).join(',')}]`;
}

const MAX_ELEMENTS = 64 * 1024 * 1024;

/**
 * Reads `{inputs: [{name, shape, datatype, data}], outputs?: [{name}], id?, parameters?}` against the
 * model's inputs and outputs. Every input must be there once, with the model's datatype, a shape of the
 * model's rank that agrees with its fixed dimensions, and shape-many elements.
 */
export function readInferRequest(body: unknown, inputs: readonly ValueSignature[], outputNames: readonly string[]): InferRequest {
  if (!isPlainObject(body)) throw badRequest(`the body is ${kindOf(body)}; an inference request is an object {"inputs": [{"name", "shape", "datatype", "data"}, ...]}`);
  const { id, inputs: list, outputs, parameters } = body;
  if (id !== undefined && typeof id !== 'string') throw badRequest(`"id" must be a string, got ${kindOf(id)}`);
  if (parameters !== undefined && !isPlainObject(parameters)) throw badRequest(`"parameters" must be an object, got ${kindOf(parameters)}`);
  if (isPlainObject(parameters) && parameters.binary_data_output !== undefined && parameters.binary_data_output !== false) {
    throw badRequest('the binary tensor extension is not supported: outputs are JSON (drop "binary_data_output")');
  }
  if (!Array.isArray(list)) {
    throw badRequest(`"inputs" must be a list of tensors [{"name", "shape", "datatype", "data"}], got ${list === undefined ? 'nothing' : kindOf(list)}${isPlainObject(body) && ('columns' in body || 'records' in body || 'dataframe_split' in body || 'dataframe_records' in body) ? ' (rows go to /v2/models/{name}/predict)' : ''}`);
  }
  const byName = new Map(inputs.map((i) => [i.name, i]));
  const feeds: Record<string, Ort.Tensor> = {};
  const sent: Record<string, unknown[]> = {};
  let rows: number | undefined;
  let rowsFrom = '';
  let batchable = true;
  let elements = 0;
  list.forEach((t, k) => {
    if (!isPlainObject(t)) throw badRequest(`"inputs"[${k}] is ${kindOf(t)}; each input is an object {"name", "shape", "datatype", "data"}`);
    const { name, shape, datatype, data } = t;
    if (typeof name !== 'string') throw badRequest(`"inputs"[${k}].name must be a string, got ${kindOf(name)}`);
    const sig = byName.get(name);
    if (!sig) throw badRequest(`the model has no input '${name}'; its inputs are ${inputs.map((i) => `'${i.name}'`).join(', ')}`);
    if (feeds[name] !== undefined) throw badRequest(`input '${name}' is given twice`);
    if (isPlainObject(t.parameters) && t.parameters.binary_data_size !== undefined) throw badRequest(`input '${name}': the binary tensor extension is not supported; send the elements in "data"`);
    const want = v2Datatype(sig.type);
    if (!sig.isTensor || !want || !sig.type) throw badRequest(`input '${name}' (${sig.text}) cannot be sent as a JSON tensor`);
    if (typeof datatype !== 'string') throw badRequest(`input '${name}': "datatype" must be a string (${want}), got ${kindOf(datatype)}`);
    if (datatype.toUpperCase() !== want) throw badRequest(`input '${name}': datatype ${datatype} does not match the model's ${want}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
      throw badRequest(`input '${name}': "shape" must be a list of non-negative integers, got ${JSON.stringify(shape)?.slice(0, 60) ?? kindOf(shape)}`);
    }
    const dims = shape as number[];
    const declared = sig.shape;
    if (declared) {
      if (dims.length !== declared.length) throw badRequest(`input '${name}': shape [${dims.join(',')}] has rank ${dims.length}, but the model's is ${shapeText(declared)} (rank ${declared.length})`);
      declared.forEach((d, i) => {
        if (typeof d === 'number' && d >= 0 && dims[i] !== d) throw badRequest(`input '${name}': shape [${dims.join(',')}] has ${dims[i]} at dimension ${i}, where the model's ${shapeText(declared)} fixes ${d}`);
      });
      if (declared.length === 0 || (typeof declared[0] === 'number' && declared[0] >= 0)) batchable = false;
    } else batchable = false;
    const count = dims.reduce((a, b) => a * b, 1);
    elements += count;
    if (elements > MAX_ELEMENTS) throw badRequest(`the request has more than ${MAX_ELEMENTS} elements`);
    if (!Array.isArray(data)) throw badRequest(`input '${name}': "data" must be a list of elements, got ${data === undefined ? 'nothing' : kindOf(data)}`);
    const flat = flatten(data, dims, name);
    if (flat.length !== count) throw badRequest(`input '${name}': shape [${dims.join(',')}] needs ${count} elements, but "data" has ${flat.length}`);
    const r = dims.length === 0 ? 1 : dims[0]!;
    if (rows === undefined) {
      rows = r;
      rowsFrom = name;
    } else if (dims.length > 0 && r !== rows) {
      throw badRequest(`inputs disagree on the batch size: '${rowsFrom}' has ${rows} rows, '${name}' has ${r}`);
    }
    const values = tensorData(sig.type, flat, name, want);
    feeds[name] = new (ort().Tensor)(sig.type, values as Float32Array, dims);
    sent[name] = flat;
  });
  const missing = inputs.filter((i) => feeds[i.name] === undefined);
  if (missing.length) throw badRequest(`missing model input${missing.length > 1 ? 's' : ''} ${missing.map((i) => `'${i.name}' (${v2Datatype(i.type) ?? i.text} ${i.shape ? shapeText(i.shape) : ''})`).join(', ')}`);
  if (rows === 0) throw badRequest('the request has 0 rows');

  let wanted: string[] = [...outputNames];
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) throw badRequest(`"outputs" must be a list [{"name": ...}], got ${kindOf(outputs)}`);
    wanted = outputs.map((o, k) => {
      const n = isPlainObject(o) ? o.name : undefined;
      if (typeof n !== 'string') throw badRequest(`"outputs"[${k}] must be an object with a "name"`);
      if (!outputNames.includes(n)) throw badRequest(`the model has no output '${n}'; its outputs are ${outputNames.map((x) => `'${x}'`).join(', ')}`);
      if (isPlainObject(o) && isPlainObject(o.parameters) && o.parameters.binary_data !== undefined && o.parameters.binary_data !== false) {
        throw badRequest(`output '${n}': the binary tensor extension is not supported`);
      }
      return n;
    });
    if (wanted.length === 0) wanted = [...outputNames];
  }
  return { ...(typeof id === 'string' ? { id } : {}), rows: rows ?? 1, feeds, sent, outputs: [...new Set(wanted)], batchable };
}

/** Elements [start, end) of a tensor's data as JSON values (NaN and ±Infinity become null in JSON). */
export function jsonElements(t: Ort.Tensor, start: number, end: number): unknown[] {
  const d = t.data as unknown;
  if (Array.isArray(d)) return d.slice(start, end);
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    const out = new Array<number>(end - start);
    for (let i = start; i < end; i++) out[i - start] = Number(d[i]!);
    return out;
  }
  if (t.type === 'bool') {
    const u = d as Uint8Array;
    const out = new Array<boolean>(end - start);
    for (let i = start; i < end; i++) out[i - start] = u[i] !== 0;
    return out;
  }
  if (t.type === 'float16' && d instanceof Uint16Array) {
    const out = new Array<number>(end - start);
    for (let i = start; i < end; i++) out[i - start] = halfToFloat(d[i]!);
    return out;
  }
  const a = d as ArrayLike<number>;
  const out = new Array<number>(end - start);
  for (let i = start; i < end; i++) out[i - start] = a[i]!;
  return out;
}

export interface OutputTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

/** Rows [offset, offset + rows) of an output tensor of a batch (its first dimension), as a v2 output. */
export function outputSlice(name: string, t: Ort.Tensor, offset: number, rows: number, whole: boolean): OutputTensor {
  const datatype = v2Datatype(t.type) ?? String(t.type).toUpperCase();
  if (whole || t.dims.length === 0) {
    return { name, datatype, shape: [...t.dims], data: jsonElements(t, 0, t.size) };
  }
  const inner = t.dims.slice(1).reduce((a, b) => a * b, 1);
  return { name, datatype, shape: [rows, ...t.dims.slice(1)], data: jsonElements(t, offset * inner, (offset + rows) * inner) };
}
