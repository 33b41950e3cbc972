/** The ONNX graph builder (shared/model/onnx): encode, decode, inspect, run in onnxruntime, reject mistakes. */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  attr,
  attributeName,
  DataType,
  decodeAttribute,
  decodeModel,
  decodeModelView,
  encodeModelProto,
  encodeModelView,
  ModelBuilder,
  readInitializer,
  readModelInfo,
  tensorValues,
} from '../../../../shared/model/onnx';

function smallModel(): ModelBuilder {
  const m = new ModelBuilder({ graphName: 'g', opsets: { '': 17, 'ai.onnx.ml': 3 }, producerVersion: '0.0.1' });
  const g = m.graph;
  g.addInput('x', 'float', ['N', 2]);
  g.addInput('c', 'string', ['N', 1]);
  g.addFloatInitializer('w', [1, 2], [2, 1]);
  g.addInt64Initializer('axes', [1], [1]);
  g.addStringInitializer('names', ['neg', 'pos'], [2]);
  g.addNode('MatMul', ['x', 'w'], ['y']);
  g.addNode('OneHotEncoder', ['c'], ['oh3'], { cats_strings: attr.strings(['a', 'b']), zeros: attr.int(1) }, { domain: 'ai.onnx.ml' });
  g.addNode('Squeeze', ['oh3', 'axes'], ['onehot']);
  g.addNode('ArgMax', ['onehot'], ['idx'], { axis: attr.int(1), keepdims: attr.int(0) });
  g.addNode('Gather', ['names', 'idx'], ['name'], { axis: attr.int(0) });
  g.addOutput('y', 'float', ['N', 1]);
  g.addOutput('onehot', 'float', ['N', 2]);
  g.addOutput('name', 'string', ['N']);
  m.setMetadata('b', '2').setMetadata('a', '1').setMetadata('b', 'two');
  return m;
}

describe('ModelBuilder', () => {
  it('encodes a model onnxruntime runs', async () => {
    const session = await ort.InferenceSession.create(smallModel().encodeModel());
    const out = await session.run({
      x: new ort.Tensor('float32', new Float32Array([1, 2, 3, 4]), [2, 2]),
      c: new ort.Tensor('string', ['b', 'zz'], [2, 1]),
    });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([5, 11]);
    expect(Array.from(out.onehot!.data as Float32Array)).toEqual([0, 1, 0, 0]);
    expect(out.name!.data).toEqual(['pos', 'neg']);
    await session.release();
  });

  it('decodes back to the same message; readModelInfo reads metadata and signatures', () => {
    const m = smallModel();
    const bytes = m.encodeModel();
    const proto = decodeModel(bytes);
    expect(proto.producer_name).toBe('mlops-actions');
    expect(proto.producer_version).toBe('0.0.1');
    expect(proto.ir_version).toBe(8);
    expect(proto.graph!.node!.map((n) => n.op_type)).toEqual(['MatMul', 'OneHotEncoder', 'Squeeze', 'ArgMax', 'Gather']);
    expect(proto.graph!.node![1]!.domain).toBe('ai.onnx.ml');
    expect(readInitializer(proto, 'w')).toEqual({ dims: [2, 1], values: [1, 2] });
    expect(readInitializer(proto, 'axes')).toEqual({ dims: [1], values: [1] });
    expect(readInitializer(proto, 'names')).toEqual({ dims: [2], values: ['neg', 'pos'] });
    expect(proto.graph!.initializer!.map((t) => t.data_type)).toEqual([DataType.FLOAT, DataType.INT64, DataType.STRING]);

    const info = readModelInfo(bytes);
    expect(info).toEqual({
      irVersion: 8,
      producerName: 'mlops-actions',
      producerVersion: '0.0.1',
      opsets: { '': 17, 'ai.onnx.ml': 3 },
      // A key set twice keeps its first position, with the last value.
      metadata: { b: 'two', a: '1' },
      inputs: [
        { name: 'x', elemType: 'float', shape: ['N', 2] },
        { name: 'c', elemType: 'string', shape: ['N', 1] },
      ],
      outputs: [
        { name: 'y', elemType: 'float', shape: ['N', 1] },
        { name: 'onehot', elemType: 'float', shape: ['N', 2] },
        { name: 'name', elemType: 'string', shape: ['N'] },
      ],
    });
    expect(proto.metadata_props!.map((p) => p.key)).toEqual(['b', 'a']);
  });

  it('is deterministic and re-encodes a decoded model to the same bytes', () => {
    const a = smallModel().encodeModel();
    expect(Buffer.from(a).equals(Buffer.from(smallModel().encodeModel()))).toBe(true);
    expect(Buffer.from(encodeModelProto(decodeModel(a))).equals(Buffer.from(a))).toBe(true);
  });

  it('tensorValues reads float_data as well as raw_data', () => {
    expect(tensorValues({ data_type: DataType.FLOAT, float_data: [1.5, 2] })).toEqual([1.5, 2]);
    expect(tensorValues({ data_type: DataType.INT64, int64_data: [3] })).toEqual([3]);
  });

  it('rejects what onnxruntime would reject later, with the name of the problem', () => {
    const m = new ModelBuilder({ graphName: 'g', opsets: { '': 17 } });
    const g = m.graph;
    g.addInput('x', 'float', ['N', 1]);
    expect(() => g.addNode('Relu', ['nope'], ['y'])).toThrow(/input 'nope' is not defined/);
    expect(() => g.addInput('x', 'float', ['N', 1])).toThrow(/'x' is already defined/);
    expect(() => g.addFloatInitializer('w', [1, 2, 3], [2, 2])).toThrow(/3 values do not fill dims \[2, 2\]/);
    expect(() => g.addInt64Initializer('i', [1.5], [1])).toThrow(/not an integer/);
    g.addOutput('z', 'float', ['N', 1]);
    expect(() => m.encodeModel()).toThrow(/output 'z' is not produced/);
    g.addNode('OneHotEncoder', ['x'], ['z'], {}, { domain: 'ai.onnx.ml' });
    expect(() => m.encodeModel()).toThrow(/domain 'ai.onnx.ml' but the model imports no opset/);
  });

  it('a model view keeps attributes and initializers encoded, and encodes back to the same bytes', () => {
    const a = smallModel().encodeModel();
    const full = decodeModel(a);
    const view = decodeModelView(a);
    expect(view.graph!.node!.map((n) => n.op_type)).toEqual(full.graph!.node!.map((n) => n.op_type));
    expect(view.metadata_props).toEqual(full.metadata_props);
    expect(view.graph!.output).toEqual(full.graph!.output);
    const onehot = view.graph!.node![1]!;
    expect(onehot.attribute!.map(attributeName)).toEqual(['cats_strings', 'zeros']);
    expect(onehot.attribute!.map(decodeAttribute)).toEqual(full.graph!.node![1]!.attribute);
    expect(view.graph!.initializer).toHaveLength(3);
    expect(view.graph!.initializer!.every((t) => t instanceof Uint8Array)).toBe(true);
    expect(Buffer.from(encodeModelView(view)).equals(Buffer.from(a))).toBe(true);
    expect(() => decodeModelView(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(/not an ONNX model/);
  });

  it('decodeModel rejects bytes that are not a model', () => {
    expect(() => decodeModel(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(/not an ONNX model/);
  });
});
