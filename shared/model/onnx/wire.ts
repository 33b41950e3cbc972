/**
 * Protobuf wire format for ONNX messages, driven by the schema's JSON descriptor (descriptor.generated.ts)
 * read as tables: no code generated at run time. protobufjs builds a decoder, a converter and an
 * encoder per message type with `new Function` on first use, which is most of the time a small
 * model takes to load (a 3 KB model: ~20 ms for the first decode, ~0.3 ms for the next); this takes
 * well under a millisecond from the start.
 *
 * The objects are protobufjs's `toObject(message, { longs: Number, arrays: true })`, and the bytes its
 * encoder's, so view.ts can use either (a test holds the two to each other on every model we have):
 *   - every repeated field is an array (empty when absent); any other field is there only when it was
 *     on the wire (the last one wins), nested messages as objects;
 *   - int64/uint64 as numbers, int32 and enums as numbers, bytes as views into the input;
 *   - unknown fields, and known ones sent with another wire type, are skipped (as protobuf does);
 *   - encoding writes fields by number, a field only when it is neither undefined nor null, repeated
 *     numbers packed when the schema says so (else one tag per value).
 */
import type { INamespace } from 'protobufjs/light';

type Scalar = 'double' | 'float' | 'int32' | 'int64' | 'uint64' | 'string' | 'bytes' | 'enum';

export interface FieldSpec {
  name: string;
  id: number;
  kind: Scalar | 'message';
  repeated: boolean;
  packed: boolean;
  /** For kind 'message'. */
  message?: MessageSpec;
}

export interface MessageSpec {
  name: string;
  /** By field number. */
  fields: FieldSpec[];
  byId: Map<number, FieldSpec>;
}

interface FieldJson {
  type: string;
  id: number;
  rule?: string;
  options?: { packed?: boolean };
}
interface NamespaceJson {
  nested?: Record<string, NamespaceJson & { fields?: Record<string, FieldJson>; values?: Record<string, number> }>;
}

const SCALARS = new Set<string>(['double', 'float', 'int32', 'int64', 'uint64', 'string', 'bytes']);

/** The message types of a descriptor (package-qualified names, e.g. 'onnx.ModelProto'), linked. */
export function messageSpecs(descriptor: INamespace): Map<string, MessageSpec> {
  const specs = new Map<string, MessageSpec>();
  const enums = new Set<string>();
  const pending: { spec: MessageSpec; scope: string; json: Record<string, FieldJson> }[] = [];
  const walk = (ns: NamespaceJson, scope: string): void => {
    for (const [name, v] of Object.entries(ns.nested ?? {})) {
      const full = scope ? `${scope}.${name}` : name;
      if (v.fields) {
        const spec: MessageSpec = { name: full, fields: [], byId: new Map() };
        specs.set(full, spec);
        pending.push({ spec, scope: full, json: v.fields });
      } else if (v.values) enums.add(full);
      walk(v, full);
    }
  };
  walk(descriptor as NamespaceJson, '');
  // A type name resolves from the innermost scope outwards, as in .proto files.
  const resolve = (type: string, scope: string): string | undefined => {
    for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
      const full = s ? `${s}.${type}` : type;
      if (specs.has(full) || enums.has(full)) return full;
      if (!s) return undefined;
    }
  };
  for (const { spec, scope, json } of pending) {
    for (const [name, f] of Object.entries(json)) {
      let kind: FieldSpec['kind'];
      let message: MessageSpec | undefined;
      if (SCALARS.has(f.type)) kind = f.type as Scalar;
      else {
        const full = resolve(f.type, scope);
        if (!full) throw new Error(`${spec.name}.${name}: unknown type ${f.type}`);
        if (enums.has(full)) kind = 'enum';
        else {
          kind = 'message';
          message = specs.get(full)!;
        }
      }
      const repeated = f.rule === 'repeated';
      const packed = repeated && f.options?.packed === true && kind !== 'string' && kind !== 'bytes' && kind !== 'message';
      spec.fields.push({ name, id: f.id, kind, repeated, packed, ...(message ? { message } : {}) });
    }
    spec.fields.sort((a, b) => a.id - b.id);
    for (const f of spec.fields) spec.byId.set(f.id, f);
  }
  return specs;
}

/** Bytes that are not a message of the schema; `message` is the reason (protobufjs's wording). */
export class WireError extends Error {}

const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });
const ENCODER = new TextEncoder();

/** The wire type a field's values travel with (2 for a packed run). */
function wireType(kind: FieldSpec['kind']): number {
  switch (kind) {
    case 'double':
      return 1;
    case 'float':
      return 5;
    case 'string':
    case 'bytes':
    case 'message':
      return 2;
    default:
      return 0;
  }
}

class Reader {
  pos: number;
  private view: DataView | undefined;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new WireError(`index out of range: ${this.pos} + ${n} > ${this.end}`);
  }

  /** A varint as its low and high 32 bits (hi in `this.hi`). */
  hi = 0;
  varint(): number {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError(`index out of range: ${this.pos} + 1 > ${this.end}`);
      const b = this.buf[this.pos++]!;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) {
        this.hi = hi >>> 0;
        return lo >>> 0;
      }
      shift += 7;
    }
    throw new WireError('invalid varint encoding');
  }

  length(): number {
    const n = this.varint();
    if (this.hi !== 0 || n > 0x7fffffff) throw new WireError(`index out of range: ${this.pos} + ${n} > ${this.end}`);
    this.need(n);
    return n;
  }

  private dv(): DataView {
    this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    return this.view;
  }

  float(): number {
    this.need(4);
    const v = this.dv().getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.dv().getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  skip(wt: number): void {
    switch (wt) {
      case 0:
        this.varint();
        return;
      case 1:
        this.need(8);
        this.pos += 8;
        return;
      case 2: {
        const n = this.length(); // before `this.pos +=`, which would read pos ahead of the length
        this.pos += n;
        return;
      }
      case 3:
        for (;;) {
          const t = this.varint() & 7;
          if (t === 4) return;
          this.skip(t);
        }
      case 5:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new WireError(`invalid wire type ${wt} at offset ${this.pos}`);
    }
  }
}

/** A varint's 64 bits (lo, hi) as a number: signed for int64, as protobufjs's LongBits.toNumber. */
function longToNumber(lo: number, hi: number, unsigned: boolean): number {
  if (!unsigned && hi >>> 31) {
    let l = (~lo + 1) >>> 0;
    let h = ~hi >>> 0;
    if (!l) h = (h + 1) >>> 0;
    return -(l + h * 4294967296);
  }
  return lo + hi * 4294967296;
}

function readValue(r: Reader, f: FieldSpec): unknown {
  switch (f.kind) {
    case 'double':
      return r.double();
    case 'float':
      return r.float();
    case 'int32':
    case 'enum':
      return r.varint() | 0;
    case 'int64':
    case 'uint64': {
      const lo = r.varint();
      return longToNumber(lo, r.hi, f.kind === 'uint64');
    }
    case 'string': {
      const n = r.length();
      const s = UTF8.decode(r.buf.subarray(r.pos, r.pos + n));
      r.pos += n;
      return s;
    }
    case 'bytes': {
      const n = r.length();
      const b = r.buf.subarray(r.pos, r.pos + n);
      r.pos += n;
      return b;
    }
    case 'message': {
      const n = r.length();
      const end = r.pos + n;
      const v = readMessage(new Reader(r.buf, r.pos, end), f.message!);
      r.pos = end;
      return v;
    }
  }
}

function readMessage(r: Reader, spec: MessageSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of spec.fields) if (f.repeated) out[f.name] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    const wt = tag & 7;
    const f = spec.byId.get(tag >>> 3);
    if (wt === 4) throw new WireError(`invalid wire type 4 at offset ${r.pos}`);
    if (!f) {
      r.skip(wt);
      continue;
    }
    const expected = wireType(f.kind);
    if (f.repeated && wt === 2 && expected !== 2) {
      // A packed run of numbers (accepted whether or not the schema packs the field).
      const n = r.length();
      const end = r.pos + n;
      const sub = new Reader(r.buf, r.pos, end);
      const list = out[f.name] as unknown[];
      while (sub.pos < end) list.push(readValue(sub, f));
      r.pos = end;
      continue;
    }
    if (wt !== expected) {
      r.skip(wt);
      continue;
    }
    const v = readValue(r, f);
    if (f.repeated) (out[f.name] as unknown[]).push(v);
    else out[f.name] = v;
  }
  if (r.pos > r.end) throw new WireError(`index out of range: ${r.pos} > ${r.end}`);
  return out;
}

/** Decodes `bytes` as a message of `spec`. Throws WireError. */
export function decodeWire<T>(spec: MessageSpec, bytes: Uint8Array): T {
  return readMessage(new Reader(bytes, 0, bytes.length), spec) as T;
}

/** Bytes of an unsigned 32-bit varint. */
function varintSize32(v: number): number {
  v >>>= 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Bytes of a 64-bit varint. */
function varintSize64(lo: number, hi: number): number {
  if (hi === 0) return varintSize32(lo);
  let n = 5;
  for (let h = hi >>> 3; h !== 0; h >>>= 7) n++;
  return n;
}

/** A number's 64-bit two's complement (truncated toward zero, NaN as 0, as long.js's fromNumber). */
function numberToLong(v: number, unsigned: boolean): [number, number] {
  if (!Number.isFinite(v)) {
    if (Number.isNaN(v)) return [0, 0];
    return unsigned ? (v > 0 ? [0xffffffff, 0xffffffff] : [0, 0]) : v > 0 ? [0xffffffff, 0x7fffffff] : [0, 0x80000000];
  }
  let x = Math.trunc(v);
  const neg = x < 0;
  if (neg) x = -x;
  let lo = x % 4294967296 >>> 0;
  let hi = Math.floor(x / 4294967296) >>> 0;
  if (neg) {
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  return [lo, hi];
}

function fail(spec: MessageSpec, f: FieldSpec, what: string): never {
  throw new WireError(`${spec.name.replace(/^onnx\./, '')}.${f.name}: ${what}`);
}

/**
 * Encoding in two passes, so that every byte is written once into one buffer of the exact size: the
 * first checks the values, measures each nested message and packed run (in the order the second
 * meets them) and UTF-8-encodes the strings; the second writes.
 */
class Plan {
  sizes: number[] = [];
  strings: Uint8Array[] = [];

  value(spec: MessageSpec, f: FieldSpec, v: unknown): number {
    switch (f.kind) {
      case 'double':
      case 'float':
        if (typeof v !== 'number') fail(spec, f, 'number expected');
        return f.kind === 'float' ? 4 : 8;
      case 'int32':
      case 'enum':
        if (typeof v !== 'number' || !Number.isInteger(v)) fail(spec, f, 'integer expected');
        return v < 0 ? 10 : varintSize32(v);
      case 'int64':
      case 'uint64': {
        if (typeof v !== 'number' || !Number.isInteger(v)) fail(spec, f, 'integer expected');
        const [lo, hi] = numberToLong(v, f.kind === 'uint64');
        return varintSize64(lo, hi);
      }
      case 'string': {
        if (typeof v !== 'string') fail(spec, f, 'string expected');
        const b = ENCODER.encode(v);
        this.strings.push(b);
        return varintSize32(b.length) + b.length;
      }
      case 'bytes':
        if (!(v instanceof Uint8Array)) fail(spec, f, 'buffer expected');
        return varintSize32(v.length) + v.length;
      case 'message': {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(spec, f, 'object expected');
        const n = this.message(f.message!, v as Record<string, unknown>);
        return varintSize32(n) + n;
      }
    }
  }

  /** The size of a message's body; records it (pre-order) for the writer. */
  message(spec: MessageSpec, obj: Record<string, unknown>): number {
    const slot = this.sizes.length;
    this.sizes.push(0);
    let n = 0;
    for (const f of spec.fields) {
      const v = obj[f.name];
      if (v === undefined || v === null) continue;
      const tag = varintSize32((f.id << 3) >>> 0);
      if (!f.repeated) {
        n += tag + this.value(spec, f, v);
        continue;
      }
      if (!Array.isArray(v)) fail(spec, f, 'array expected');
      if (v.length === 0) continue;
      if (f.packed) {
        // the run's length, recorded (pre-order, like a message's) for the writer
        const run = this.sizes.length;
        this.sizes.push(0);
        let body = 0;
        for (const x of v) body += this.value(spec, f, x);
        this.sizes[run] = body;
        n += tag + varintSize32(body) + body;
      } else for (const x of v) n += tag + this.value(spec, f, x);
    }
    this.sizes[slot] = n;
    return n;
  }
}

class Writer {
  pos = 0;
  private size = 0;
  private string = 0;
  private readonly view: DataView;
  constructor(
    readonly buf: Uint8Array,
    private readonly plan: Plan,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  uint32(v: number): void {
    v >>>= 0;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  varint64(lo: number, hi: number): void {
    lo >>>= 0;
    hi >>>= 0;
    while (hi !== 0 || lo > 0x7f) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo;
  }

  bytes(b: Uint8Array): void {
    this.uint32(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  value(f: FieldSpec, v: unknown): void {
    switch (f.kind) {
      case 'double':
        this.view.setFloat64(this.pos, v as number, true);
        this.pos += 8;
        return;
      case 'float':
        this.view.setFloat32(this.pos, v as number, true);
        this.pos += 4;
        return;
      case 'int32':
      case 'enum': {
        const x = v as number;
        if (x < 0) this.varint64(x | 0, 0xffffffff);
        else this.uint32(x);
        return;
      }
      case 'int64':
      case 'uint64': {
        const [lo, hi] = numberToLong(v as number, f.kind === 'uint64');
        this.varint64(lo, hi);
        return;
      }
      case 'string':
        this.bytes(this.plan.strings[this.string++]!);
        return;
      case 'bytes':
        this.bytes(v as Uint8Array);
        return;
      case 'message':
        this.uint32(this.plan.sizes[this.size]!);
        this.message(f.message!, v as Record<string, unknown>);
        return;
    }
  }

  message(spec: MessageSpec, obj: Record<string, unknown>): void {
    this.size++;
    for (const f of spec.fields) {
      const v = obj[f.name];
      if (v === undefined || v === null) continue;
      if (!f.repeated) {
        this.uint32(((f.id << 3) | wireType(f.kind)) >>> 0);
        this.value(f, v);
        continue;
      }
      const list = v as unknown[];
      if (list.length === 0) continue;
      if (f.packed) {
        this.uint32(((f.id << 3) | 2) >>> 0);
        this.uint32(this.plan.sizes[this.size++]!);
        for (const x of list) this.value(f, x);
        continue;
      }
      const tag = ((f.id << 3) | wireType(f.kind)) >>> 0;
      for (const x of list) {
        this.uint32(tag);
        this.value(f, x);
      }
    }
  }
}

/** Encodes a plain object as a message of `spec`. Throws WireError when a field has the wrong type. */
export function encodeWire(spec: MessageSpec, obj: object): Uint8Array {
  const plan = new Plan();
  const n = plan.message(spec, obj as Record<string, unknown>);
  const w = new Writer(new Uint8Array(n), plan);
  w.message(spec, obj as Record<string, unknown>);
  if (w.pos !== n) throw new Error(`internal: encoded ${w.pos} bytes, measured ${n}`);
  return w.buf;
}
