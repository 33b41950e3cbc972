// wire.ts reads and writes ONNX messages from the schema's tables, without protobufjs's generated code:
// for every model we have, every message of the schema filled at random, and the corner cases of the
// wire format, it must give protobufjs's objects (toObject with longs as numbers, arrays always) and
// protobufjs's bytes.
import protobuf from 'protobufjs/light';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ONNX_PROTO_DESCRIPTOR } from '../../../../shared/model/onnx/descriptor.generated';
import { decodeModelView, encodeModelView } from '../../../../shared/model/onnx/view';
import { decodeWire, encodeWire, messageSpecs, type FieldSpec, type MessageSpec } from '../../../../shared/model/onnx/wire';
import { ModelBuilder, attr } from '../../../../shared/model/onnx';

const root = protobuf.Root.fromJSON(ONNX_PROTO_DESCRIPTOR);

/** The view's schema for protobufjs, made as view.ts made it before wire.ts: the bulky fields as repeated bytes. */
const viewRoot = (() => {
  type Json = { nested: { onnx: { nested: Record<string, { fields: Record<string, { id: number; rule?: string; type: string }> }> } } };
  const d = structuredClone(ONNX_PROTO_DESCRIPTOR) as unknown as Json;
  const opaque: Record<string, string[]> = { ModelProto: ['training_info', 'functions'], GraphProto: ['initializer', 'sparse_initializer'], NodeProto: ['attribute'] };
  for (const [m, fields] of Object.entries(opaque)) for (const f of fields) d.nested.onnx.nested[m]!.fields[f] = { rule: 'repeated', type: 'bytes', id: d.nested.onnx.nested[m]!.fields[f]!.id };
  return protobuf.Root.fromJSON(d as unknown as protobuf.INamespace);
})();
const specs = messageSpecs(ONNX_PROTO_DESCRIPTOR);
const MESSAGES = [...specs.keys()];

/** protobufjs's decode and toObject, as proto.ts calls them. */
function pbDecode(name: string, bytes: Uint8Array): unknown {
  const t = root.lookupType(name);
  return t.toObject(t.decode(bytes), { longs: Number, arrays: true });
}

/** protobufjs's verify, fromObject and encode, as proto.ts calls them. */
function pbEncode(name: string, object: object): Uint8Array {
  const t = root.lookupType(name);
  const problem = t.verify(object as Record<string, unknown>);
  if (problem) throw new Error(problem);
  return t.encode(t.fromObject(object as Record<string, unknown>)).finish();
}

/** Buffers as plain Uint8Arrays, so that objects from the two decoders compare by content. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Uint8Array.from(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function models(): { name: string; bytes: Uint8Array<ArrayBufferLike> }[] {
  const dir = join(__dirname, '../../../fixtures/models');
  const out: { name: string; bytes: Uint8Array<ArrayBufferLike> }[] = readdirSync(dir)
    .filter((f) => f.endsWith('.onnx') && f !== 'corrupt.onnx')
    .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) }));
  const m = new ModelBuilder({ graphName: 'g', opsets: { '': 17, 'ai.onnx.ml': 3 }, producerVersion: '0.0.1' });
  m.graph.addInput('c', 'string', ['N']);
  m.graph.addInput('x', 'float', ['N', 3]);
  m.graph.addFloatInitializer('w', [0.5, -2, 1e-30], [3, 1]);
  m.graph.addInt64Initializer('axes', [-1, 2 ** 40], [2]);
  m.graph.addNode('OneHotEncoder', ['c'], ['oh'], { cats_strings: attr.strings(['a', 'é', '日本']), zeros: attr.int(1) }, { domain: 'ai.onnx.ml' });
  m.graph.addNode('MatMul', ['x', 'w'], ['score']);
  m.graph.addOutput('score', 'float', ['N', 1]);
  m.graph.addOutput('oh', 'float', ['N', 3]);
  m.setMetadata('mlops.target', 'y');
  out.push({ name: 'built', bytes: m.encodeModel() });
  return out;
}

/** A seeded random message of `spec`: any subset of its fields (one of each oneof), nested to depth 3. */
function randomMessage(spec: MessageSpec, rnd: () => number, depth = 0): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of spec.fields) {
    if (rnd() < 0.4) continue;
    if (f.kind === 'message' && depth >= 3) continue;
    if (f.repeated) o[f.name] = Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(f, rnd, depth));
    else o[f.name] = randomValue(f, rnd, depth);
  }
  for (const oneof of root.lookupType(spec.name).oneofsArray) {
    const set = oneof.oneof.filter((n) => n in o);
    for (const n of set.slice(1)) delete o[n];
  }
  return o;
}

function randomValue(f: FieldSpec, rnd: () => number, depth: number): unknown {
  const int = (bits: number) => Math.floor(rnd() * 2 ** bits);
  switch (f.kind) {
    case 'double':
      return [0, -0.5, 1e300, -1e-300, Math.PI, rnd()][int(3) % 6];
    case 'float':
      return Math.fround([0, -0.5, 3.4e38, 1e-40, Math.E, rnd()][int(3) % 6]!);
    case 'enum':
      return int(1); // 0 and 1 are values of every enum of the schema (protobufjs's verify wants one)
    case 'int32':
      return [0, 1, 127, 128, -1, -2147483648, 2147483647, int(20)][int(3)];
    case 'int64':
      return [0, 1, -1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 40 + 3, -300, int(30)][int(3)];
    case 'uint64':
      return [0, 1, 2 ** 53 - 1, 2 ** 32, 2 ** 32 - 1, int(40)][int(3) % 6];
    case 'string':
      return ['', 'a', 'café', '日本語', '\ufeffbom', 'x'.repeat(200), '🙂'][int(3) % 7];
    case 'bytes':
      return Uint8Array.from({ length: [0, 1, 5, 300][int(2)]! }, (_, i) => (i * 37 + 11) & 0xff);
    case 'message':
      return randomMessage(f.message!, rnd, depth + 1);
  }
}

describe('wire.ts against protobufjs', () => {
  it('decodes every model as protobufjs does, and its view encodes back to the same bytes', () => {
    const all = models();
    expect(all.length).toBeGreaterThan(10);
    for (const { name, bytes } of all) {
      expect(plain(decodeWire(specs.get('onnx.ModelProto')!, bytes)), name).toEqual(plain(pbDecode('onnx.ModelProto', bytes)));
      const pb = pbEncode('onnx.ModelProto', pbDecode('onnx.ModelProto', bytes) as object);
      expect(Buffer.from(encodeWire(specs.get('onnx.ModelProto')!, pbDecode('onnx.ModelProto', bytes) as object)).equals(Buffer.from(pb)), name).toBe(true);
      const view = decodeModelView(bytes);
      const vt = viewRoot.lookupType('onnx.ModelProto');
      expect(plain(view), name).toEqual(plain(vt.toObject(vt.decode(bytes), { longs: Number, arrays: true })));
      expect(Buffer.from(encodeModelView(view)).equals(Buffer.from(pb)), name).toBe(true);
    }
  });

  it('every message of the schema, filled at random: the same bytes, and the same objects back', () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    let checked = 0;
    for (let round = 0; round < 40; round++) {
      for (const name of MESSAGES) {
        const o = randomMessage(specs.get(name)!, rnd);
        const ours = encodeWire(specs.get(name)!, o);
        expect(Buffer.from(ours).equals(Buffer.from(pbEncode(name, o))), `${name} round ${round}`).toBe(true);
        expect(plain(decodeWire(specs.get(name)!, ours)), name).toEqual(plain(pbDecode(name, ours)));
        checked++;
      }
    }
    expect(checked).toBe(40 * MESSAGES.length);
    expect(MESSAGES).toContain('onnx.TypeProto.Tensor');
  });

  it('reads what protobufjs reads at the edges of the wire format', () => {
    const tensor = specs.get('onnx.TensorProto')!;
    const dims = tensor.fields.find((f) => f.name === 'dims')!;
    const floats = tensor.fields.find((f) => f.name === 'float_data')!;
    expect([dims.packed, floats.packed]).toEqual([false, true]);
    const cases: [string, number[]][] = [
      // dims (int64, not packed in the schema) sent packed; float_data (packed) sent unpacked.
      ['packed dims', [0x0a, 0x03, 0x01, 0x7f, 0x02]],
      ['unpacked floats', [0x25, 0, 0, 0x80, 0x3f, 0x25, 0, 0, 0, 0xc0]],
      // An unknown field of each wire type (5 varint, 6 fixed64, 7 length, 99 fixed32), between known ones.
      ['unknown fields', [0x08, 0x02, 0xd8, 0x06, 0x96, 0x01, 0xe1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0xea, 0x06, 0x02, 0x61, 0x62, 0x9d, 0x06, 9, 9, 9, 9, 0x08, 0x05]],
      // name twice: the last one wins; a 10-byte negative int64 dim; data_type as a 10-byte negative int32.
      ['repeats and negatives', [0x42, 0x01, 0x61, 0x42, 0x01, 0x62, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x10, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
      ['empty', []],
    ];
    for (const [what, bytes] of cases) {
      const b = Uint8Array.from(bytes);
      expect(plain(decodeWire(tensor, b)), what).toEqual(plain(pbDecode('onnx.TensorProto', b)));
    }
    for (const bad of [[0x0a, 0x05, 0x01], [0x08], [0x42, 0x80], [0x0f]]) {
      const b = Uint8Array.from(bad);
      expect(() => pbDecode('onnx.TensorProto', b), JSON.stringify(bad)).toThrow();
      expect(() => decodeWire(tensor, b), JSON.stringify(bad)).toThrow(/index out of range|invalid wire type/);
    }
  });

  it('refuses an object that does not fit the schema, naming the field', () => {
    const model = specs.get('onnx.ModelProto')!;
    expect(() => encodeWire(model, { ir_version: 'seven' })).toThrow(/ModelProto\.ir_version: integer expected/);
    expect(() => encodeWire(model, { graph: { node: [{ input: 'x' }] } })).toThrow(/NodeProto\.input: array expected/);
    expect(() => encodeWire(model, { graph: { name: 3 } })).toThrow(/GraphProto\.name: string expected/);
  });
});
