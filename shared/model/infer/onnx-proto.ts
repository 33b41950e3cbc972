/**
 * A minimal reader (and one rewrite) of the ONNX protobuf, for what onnxruntime-node does not expose:
 * the model's metadata props, the graph's nodes (which op produces an output, a classifier's class
 * labels) and the types of non-tensor outputs (a ZipMap's sequence of maps).
 *
 * Only the fields used here are decoded; everything else is skipped by its length, so a model with
 * large initializers is walked in time proportional to its number of fields, not its bytes. Field
 * numbers are those of onnx/onnx.proto3 (ModelProto, GraphProto, NodeProto, AttributeProto,
 * ValueInfoProto, TypeProto, TensorShapeProto).
 */

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const TWO_32 = 4294967296;

/** Raised for bytes that are not a well-formed protobuf message. */
export class ProtoError extends Error {}

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a number: exact below 2^53; a negative int64 (10 bytes, two's complement) is negated. */
  varint(): number {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    const buf = this.buf;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoError('truncated varint');
      const b = buf[this.pos++]!;
      if (shift < 28) {
        lo |= (b & 0x7f) << shift;
      } else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else {
        hi |= (b & 0x7f) << (shift - 32);
      }
      shift += 7;
      if ((b & 0x80) === 0) {
        if (hi & 0x80000000) return -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
        return (hi >>> 0) * TWO_32 + (lo >>> 0);
      }
    }
    throw new ProtoError('varint longer than 10 bytes');
  }

  /** A tag: [field number, wire type]. */
  tag(): [number, number] {
    const t = this.varint();
    return [Math.floor(t / 8), t & 7];
  }

  /** The [start, end) of a length-delimited field's bytes; advances past them. */
  bytes(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (len < 0 || start + len > this.end) throw new ProtoError('length-delimited field runs past its message');
    this.pos = start + len;
    return [start, start + len];
  }

  string(): string {
    const [s, e] = this.bytes();
    return DECODER.decode(this.buf.subarray(s, e));
  }

  float32(): number {
    if (this.pos + 4 > this.end) throw new ProtoError('truncated fixed32');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.pos += 8;
        break;
      case WIRE_LEN:
        this.bytes();
        return;
      case WIRE_I32:
        this.pos += 4;
        break;
      default:
        throw new ProtoError(`unsupported wire type ${wire}`);
    }
    if (this.pos > this.end) throw new ProtoError('truncated field');
  }

  sub(range: [number, number]): Reader {
    return new Reader(this.buf, range[0], range[1]);
  }
}

const DECODER = new TextDecoder('utf-8', { fatal: false });
const ENCODER = new TextEncoder();

/** ONNX TensorProto.DataType numbers and the names onnxruntime-common gives them. */
export const ELEM_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

export function elemTypeName(t: number): string {
  return ELEM_TYPE_NAMES[t] ?? `type#${t}`;
}

/** A dimension: a fixed size, a symbolic name, or -1 for an unnamed dynamic dimension. */
export type Dim = number | string;

export type TypeDesc =
  | { kind: 'tensor'; elemType: number; shape: Dim[] | undefined }
  | { kind: 'sequence'; elem: TypeDesc | undefined }
  | { kind: 'map'; keyType: number; value: TypeDesc | undefined }
  | { kind: 'optional'; elem: TypeDesc | undefined }
  | { kind: 'other' };

export interface ValueInfo {
  name: string;
  type: TypeDesc | undefined;
}

/** Attribute values this reader decodes (others are skipped). */
export interface AttributeValue {
  i?: number;
  f?: number;
  s?: string;
  ints?: number[];
  floats?: number[];
  strings?: string[];
}

export interface NodeInfo {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
  /** Byte range of this node within the model (for the ZipMap rewrite). */
  range: [number, number];
}

export interface OnnxModelInfo {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  opsets: { domain: string; version: number }[];
  /** metadata_props, in file order (a repeated key keeps its last value). */
  metadata: Record<string, string>;
  graphName: string;
  nodes: NodeInfo[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

/** Attributes decoded on every node; the rest are skipped by length. */
const WANTED_ATTRIBUTES = new Set([
  'classlabels_strings',
  'classlabels_int64s',
  'classlabels_ints',
  'post_transform',
  'axis',
  'to',
]);

function readDim(r: Reader): Dim {
  let dim: Dim = -1;
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_VARINT) dim = r.varint();
    else if (f === 2 && w === WIRE_LEN) {
      const p = r.string();
      dim = p === '' ? -1 : p;
    } else r.skip(w);
  }
  return dim;
}

function readShape(r: Reader): Dim[] {
  const dims: Dim[] = [];
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) dims.push(readDim(r.sub(r.bytes())));
    else r.skip(w);
  }
  return dims;
}

function readType(r: Reader, depth = 0): TypeDesc {
  if (depth > 32) throw new ProtoError('type nested too deeply');
  let t: TypeDesc = { kind: 'other' };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (w !== WIRE_LEN) {
      r.skip(w);
      continue;
    }
    const sub = r.sub(r.bytes());
    if (f === 1) {
      let elemType = 0;
      let shape: Dim[] | undefined;
      while (!sub.done()) {
        const [g, v] = sub.tag();
        if (g === 1 && v === WIRE_VARINT) elemType = sub.varint();
        else if (g === 2 && v === WIRE_LEN) shape = readShape(sub.sub(sub.bytes()));
        else sub.skip(v);
      }
      t = { kind: 'tensor', elemType, shape };
    } else if (f === 4 || f === 9) {
      let elem: TypeDesc | undefined;
      while (!sub.done()) {
        const [g, v] = sub.tag();
        if (g === 1 && v === WIRE_LEN) elem = readType(sub.sub(sub.bytes()), depth + 1);
        else sub.skip(v);
      }
      t = f === 4 ? { kind: 'sequence', elem } : { kind: 'optional', elem };
    } else if (f === 5) {
      let keyType = 0;
      let value: TypeDesc | undefined;
      while (!sub.done()) {
        const [g, v] = sub.tag();
        if (g === 1 && v === WIRE_VARINT) keyType = sub.varint();
        else if (g === 2 && v === WIRE_LEN) value = readType(sub.sub(sub.bytes()), depth + 1);
        else sub.skip(v);
      }
      t = { kind: 'map', keyType, value };
    }
  }
  return t;
}

function readValueInfo(r: Reader): ValueInfo {
  let name = '';
  let type: TypeDesc | undefined;
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) name = r.string();
    else if (f === 2 && w === WIRE_LEN) type = readType(r.sub(r.bytes()));
    else r.skip(w);
  }
  return { name, type };
}

function readPackedOrOne(r: Reader, w: number, out: number[], float: boolean): void {
  if (w === WIRE_LEN) {
    const sub = r.sub(r.bytes());
    while (!sub.done()) out.push(float ? sub.float32() : sub.varint());
  } else if (w === WIRE_I32 && float) out.push(r.float32());
  else if (w === WIRE_VARINT && !float) out.push(r.varint());
  else r.skip(w);
}

function readAttribute(r: Reader): [string, AttributeValue] | undefined {
  // The name may come after the values in the bytes: decode into locals, keep them if wanted.
  const start = r.pos;
  let name = '';
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_LEN) name = r.string();
    else r.skip(w);
  }
  if (!WANTED_ATTRIBUTES.has(name)) return undefined;
  r.pos = start;
  const a: AttributeValue = {};
  while (!r.done()) {
    const [f, w] = r.tag();
    switch (f) {
      case 2:
        if (w === WIRE_I32) a.f = r.float32();
        else r.skip(w);
        break;
      case 3:
        if (w === WIRE_VARINT) a.i = r.varint();
        else r.skip(w);
        break;
      case 4:
        if (w === WIRE_LEN) a.s = r.string();
        else r.skip(w);
        break;
      case 7:
        readPackedOrOne(r, w, (a.floats ??= []), true);
        break;
      case 8:
        readPackedOrOne(r, w, (a.ints ??= []), false);
        break;
      case 9:
        if (w === WIRE_LEN) (a.strings ??= []).push(r.string());
        else r.skip(w);
        break;
      default:
        r.skip(w);
    }
  }
  return [name, a];
}

function readNode(r: Reader, range: [number, number]): NodeInfo {
  const node: NodeInfo = { opType: '', domain: '', name: '', inputs: [], outputs: [], attributes: {}, range };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (w !== WIRE_LEN) {
      r.skip(w);
      continue;
    }
    switch (f) {
      case 1:
        node.inputs.push(r.string());
        break;
      case 2:
        node.outputs.push(r.string());
        break;
      case 3:
        node.name = r.string();
        break;
      case 4:
        node.opType = r.string();
        break;
      case 7:
        node.domain = r.string();
        break;
      case 5: {
        const attr = readAttribute(r.sub(r.bytes()));
        if (attr) node.attributes[attr[0]] = attr[1];
        break;
      }
      default:
        r.skip(w);
    }
  }
  return node;
}

interface GraphParts {
  name: string;
  nodes: NodeInfo[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

function readGraph(r: Reader): GraphParts {
  const g: GraphParts = { name: '', nodes: [], inputs: [], outputs: [] };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (w !== WIRE_LEN) {
      r.skip(w);
      continue;
    }
    const range = r.bytes();
    if (f === 1) g.nodes.push(readNode(r.sub(range), range));
    else if (f === 2) g.name = DECODER.decode(r.buf.subarray(range[0], range[1]));
    else if (f === 11) g.inputs.push(readValueInfo(r.sub(range)));
    else if (f === 12) g.outputs.push(readValueInfo(r.sub(range)));
  }
  return g;
}

/** Decodes the parts of an ONNX ModelProto described above. Throws ProtoError on malformed bytes. */
export function readOnnxModel(bytes: Uint8Array): OnnxModelInfo {
  const r = new Reader(bytes);
  const info: OnnxModelInfo = {
    irVersion: 0,
    producerName: '',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    opsets: [],
    metadata: {},
    graphName: '',
    nodes: [],
    inputs: [],
    outputs: [],
  };
  while (!r.done()) {
    const [f, w] = r.tag();
    if (f === 1 && w === WIRE_VARINT) info.irVersion = r.varint();
    else if (f === 5 && w === WIRE_VARINT) info.modelVersion = r.varint();
    else if (w !== WIRE_LEN) r.skip(w);
    else if (f === 2) info.producerName = r.string();
    else if (f === 3) info.producerVersion = r.string();
    else if (f === 4) info.domain = r.string();
    else if (f === 6) info.docString = r.string();
    else if (f === 7) {
      const g = readGraph(r.sub(r.bytes()));
      info.graphName = g.name;
      info.nodes = g.nodes;
      info.inputs = g.inputs;
      info.outputs = g.outputs;
    } else if (f === 8) {
      const sub = r.sub(r.bytes());
      let domain = '';
      let version = 0;
      while (!sub.done()) {
        const [g, v] = sub.tag();
        if (g === 1 && v === WIRE_LEN) domain = sub.string();
        else if (g === 2 && v === WIRE_VARINT) version = sub.varint();
        else sub.skip(v);
      }
      info.opsets.push({ domain, version });
    } else if (f === 14) {
      const sub = r.sub(r.bytes());
      let key = '';
      let value = '';
      while (!sub.done()) {
        const [g, v] = sub.tag();
        if (g === 1 && v === WIRE_LEN) key = sub.string();
        else if (g === 2 && v === WIRE_LEN) value = sub.string();
        else sub.skip(v);
      }
      info.metadata[key] = value;
    } else r.skip(w);
  }
  return info;
}

/** A readable type: `float32[N,3]`, `seq(map(string,float32))`. */
export function typeText(t: TypeDesc | undefined): string {
  if (t === undefined) return '?';
  switch (t.kind) {
    case 'tensor':
      return `${elemTypeName(t.elemType)}${t.shape ? `[${t.shape.map((d) => (d === -1 ? '?' : String(d))).join(',')}]` : ''}`;
    case 'sequence':
      return `seq(${typeText(t.elem)})`;
    case 'map':
      return `map(${elemTypeName(t.keyType)},${typeText(t.value)})`;
    case 'optional':
      return `optional(${typeText(t.elem)})`;
    default:
      return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------------
// Writing (for the ZipMap rewrite).

function varintBytes(v: number): number[] {
  const out: number[] = [];
  if (v < 0) throw new Error('negative varint not written here');
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function lenField(field: number, payload: Uint8Array): Uint8Array {
  const head = [...varintBytes(field * 8 + WIRE_LEN), ...varintBytes(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

function varintField(field: number, v: number): Uint8Array {
  return Uint8Array.from([...varintBytes(field * 8 + WIRE_VARINT), ...varintBytes(v)]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function strField(field: number, s: string): Uint8Array {
  return lenField(field, ENCODER.encode(s));
}

/** What a ZipMap rewrite did: the output now holds the ZipMap's input tensor, [N, classes]. */
export interface ZipMapRewrite {
  output: string;
  classes: string[];
}

/**
 * onnxruntime-node cannot return non-tensor outputs ("Non tensor type is temporarily not supported"),
 * so a ZipMap (ai.onnx.ml, a sequence of {class: probability} maps, which skl2onnx adds to classifiers)
 * cannot be fetched. This rewrites each ZipMap whose output is a graph output into an Identity of its
 * input (the [N, C] float probability tensor) and declares that output as float [?, C]; the output keeps
 * its name. Returns undefined when the model has no such ZipMap.
 */
export function rewriteZipMaps(bytes: Uint8Array, info: OnnxModelInfo): { bytes: Uint8Array; rewrites: ZipMapRewrite[] } | undefined {
  const outputNames = new Set(info.outputs.map((o) => o.name));
  const zipmaps = info.nodes.filter(
    (n) => n.opType === 'ZipMap' && n.domain === 'ai.onnx.ml' && n.inputs.length === 1 && n.outputs.length === 1 && outputNames.has(n.outputs[0]!),
  );
  if (zipmaps.length === 0) return undefined;
  const replace = new Map<number, Uint8Array>(); // node start offset -> new NodeProto bytes
  const rewrites: ZipMapRewrite[] = [];
  const byOutput = new Map<string, number>();
  for (const z of zipmaps) {
    const a = z.attributes;
    const classes = a['classlabels_strings']?.strings ?? a['classlabels_int64s']?.ints?.map(String) ?? [];
    const node = concat([strField(1, z.inputs[0]!), strField(2, z.outputs[0]!), strField(3, z.name || `zipmap_${z.outputs[0]}`), strField(4, 'Identity')]);
    replace.set(z.range[0], node);
    rewrites.push({ output: z.outputs[0]!, classes });
    byOutput.set(z.outputs[0]!, classes.length);
  }

  const r = new Reader(bytes);
  const modelParts: Uint8Array[] = [];
  let hasDefaultOpset = false;
  while (!r.done()) {
    const fieldStart = r.pos;
    const [f, w] = r.tag();
    if (f === 7 && w === WIRE_LEN) {
      const graphRange = r.bytes();
      const g = r.sub(graphRange);
      const graphParts: Uint8Array[] = [];
      while (!g.done()) {
        const start = g.pos;
        const [gf, gw] = g.tag();
        if (gw !== WIRE_LEN) {
          g.skip(gw);
          graphParts.push(bytes.subarray(start, g.pos));
          continue;
        }
        const range = g.bytes();
        if (gf === 1 && replace.has(range[0])) {
          graphParts.push(lenField(1, replace.get(range[0])!));
        } else if (gf === 12 || gf === 13) {
          const vi = readValueInfo(g.sub(range));
          const c = byOutput.get(vi.name);
          if (c === undefined) graphParts.push(bytes.subarray(start, g.pos));
          else if (gf === 12) {
            // ValueInfoProto{name, type: TypeProto{tensor_type: {elem_type: FLOAT, shape: [?, C]}}}
            const shape = lenField(2, concat([lenField(1, new Uint8Array(0)), lenField(1, varintField(1, c))]));
            const tensor = concat([varintField(1, 1), ...(c > 0 ? [shape] : [])]);
            graphParts.push(lenField(12, concat([strField(1, vi.name), lenField(2, lenField(1, tensor))])));
          }
          // a value_info entry for the ZipMap output is dropped (its map type no longer holds)
        } else {
          graphParts.push(bytes.subarray(start, g.pos));
        }
      }
      modelParts.push(lenField(7, concat(graphParts)));
      continue;
    }
    if (f === 8 && w === WIRE_LEN) {
      const range = r.bytes();
      const sub = r.sub(range);
      let domain = '';
      while (!sub.done()) {
        const [g, v] = sub.tag();
        if (g === 1 && v === WIRE_LEN) domain = sub.string();
        else sub.skip(v);
      }
      if (domain === '' || domain === 'ai.onnx') hasDefaultOpset = true;
    } else {
      r.skip(w);
    }
    modelParts.push(bytes.subarray(fieldStart, r.pos));
  }
  // Identity needs the default domain; a model of ai.onnx.ml ops alone may not import it.
  if (!hasDefaultOpset) modelParts.push(lenField(8, concat([strField(1, ''), varintField(2, 13)])));
  return { bytes: concat(modelParts), rewrites };
}
