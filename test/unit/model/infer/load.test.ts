import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadModel, readMlopsMetadata, readOnnxModel, rewriteZipMaps } from '../../../../shared/model/infer';
import { attr, decodeModel, encodeModelProto, ModelBuilder } from '../../../../shared/model/onnx';
import { fixtureModel, modelPath, tempDir, userError, writeTemp } from './helpers';

describe('loadModel', () => {
  test('reads the signature, the metadata and the sha256 of a model file', async () => {
    const m = await fixtureModel('per_column_classifier');
    const bytes = readFileSync(modelPath('per_column_classifier'));
    expect(m.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(m.size).toBe(bytes.length);
    expect(m.source).toMatch(/per_column_classifier\.onnx$/);
    expect(m.signature.inputs).toEqual([
      { name: 'x1', isTensor: true, type: 'float32', shape: ['N', 1], text: 'float32[N,1]' },
      { name: 'x2', isTensor: true, type: 'float32', shape: ['N', 1], text: 'float32[N,1]' },
      { name: 'color', isTensor: true, type: 'string', shape: ['N', 1], text: 'string[N,1]' },
    ]);
    expect(m.signature.outputs.map((o) => [o.name, o.type, o.shape])).toEqual([
      ['label', 'string', ['N']],
      ['probabilities', 'float32', ['N', 3]],
    ]);
    expect(m.metadata).toEqual({ 'mlops.task': 'classification', 'mlops.classes': '["bird", "cat", "dog"]', 'mlops.target': 'label' });
    expect(m.mlops).toEqual({ task: 'classification', classes: ['bird', 'cat', 'dog'], target: 'label' });
    expect(m.task).toBe('classification');
    expect(m.info.producerName).toBe('mlops-actions-fixtures');
    expect(m.info.opsets).toEqual([
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ]);
    expect(m.info.nodes.map((n) => n.opType)).toEqual(['OneHotEncoder', 'Cast', 'Reshape', 'Concat', 'MatMul', 'Add', 'Softmax', 'ArgMax', 'Gather']);
  });

  test('an unnamed dynamic dimension is -1', async () => {
    const m = await fixtureModel('zipmap_classifier');
    expect(m.signature.inputs[0]).toMatchObject({ name: 'float_input', type: 'float32', shape: [-1, 3], text: 'float32[?,3]' });
  });

  test('a ZipMap output is a sequence of maps in the signature and runs as its probability tensor', async () => {
    const m = await fixtureModel('zipmap_classifier');
    expect(m.signature.outputs[1]).toEqual({ name: 'output_probability', isTensor: false, type: undefined, shape: undefined, text: 'seq(map(string,float32))' });
    expect([...m.zipmaps]).toEqual([['output_probability', ['versicolor', 'setosa', 'virginica']]]);
    // The session itself now returns a tensor for it.
    expect(m.session.outputMetadata[1]).toMatchObject({ name: 'output_probability', isTensor: true, type: 'float32', shape: ['', 3] });
    const mi = await fixtureModel('zipmap_int_classifier');
    expect(mi.signature.outputs[1]!.text).toBe('seq(map(int64,float32))');
    expect(mi.zipmaps.get('output_probability')).toEqual(['10', '20', '30']);
  });

  test('onnxruntime-node itself cannot return a ZipMap (why the rewrite exists)', async () => {
    const ort = await import('onnxruntime-node');
    const s = await ort.InferenceSession.create(modelPath('zipmap_classifier'));
    const x = new ort.Tensor('float32', new Float32Array([1, 2, 3]), [1, 3]);
    await expect(s.run({ float_input: x })).rejects.toThrow(/Non tensor type/);
    await s.release();
  });

  test('loads from bytes, with the same hash', async () => {
    const bytes = readFileSync(modelPath('logits'));
    const m = await loadModel(new Uint8Array(bytes), { name: 'logits (bytes)', intraOpNumThreads: 2 });
    expect(m.source).toBe('logits (bytes)');
    expect(m.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(m.mlops.features).toEqual(['f_a', 'f_b', 'f_c']);
    await m.release();
  });

  test('a truncated file is a UserError naming the file and onnxruntime’s reason', async () => {
    const e = await userError(loadModel(modelPath('corrupt')));
    expect(e.message).toMatch(/^'.*corrupt\.onnx' is not a valid ONNX model \(446 bytes\): onnxruntime says: .+/);
    expect(e.message).toMatch(/onnxruntime says: Protobuf parsing failed\.$/);
    expect(e.location.file).toMatch(/corrupt\.onnx$/);
    expect(e.location.input).toBe('model');
    expect(e.hint).toMatch(/Git LFS/);
  });

  test('a file that is not ONNX at all, a Git LFS pointer, and bytes that are not ONNX', async () => {
    const dir = await tempDir();
    const p = await writeTemp(dir, 'model.onnx', '{"not": "a model"}\n');
    const e = await userError(loadModel(p));
    expect(e.message).toContain("model.onnx' is not a valid ONNX model (19 bytes)");
    const lfs = await writeTemp(dir, 'lfs.onnx', 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n');
    const l = await userError(loadModel(lfs));
    expect(l.message).toMatch(/lfs\.onnx' is a Git LFS pointer, not the model itself$/);
    expect(l.hint).toMatch(/lfs: true/);
    const b = await userError(loadModel(new Uint8Array([1, 2, 3, 4]), { name: 'upload' }));
    expect(b.message).toMatch(/^'upload' is not a valid ONNX model/);
  });

  test('a missing file', async () => {
    const e = await userError(loadModel('no/such/model.onnx'));
    expect(e.message).toBe("model file 'no/such/model.onnx' does not exist");
    expect(e.location).toEqual({ file: 'no/such/model.onnx', input: 'model' });
  });
});

describe('mlops metadata', () => {
  test('features as names or {name}, classes as strings or numbers, task synonyms', () => {
    expect(readMlopsMetadata({ 'mlops.features': '["a","b"]' }, 'm')).toEqual({ features: ['a', 'b'], featureSpecs: [{ name: 'a' }, { name: 'b' }] });
    expect(readMlopsMetadata({ 'mlops.features': '[{"name":"a","kind":"numeric"},{"name":"b"}]' }, 'm')).toEqual({
      features: ['a', 'b'],
      featureSpecs: [{ name: 'a', kind: 'numeric' }, { name: 'b' }],
    });
    expect(readMlopsMetadata({ 'mlops.classes': '[0, 1]', 'mlops.task': 'Binary' }, 'm')).toEqual({ classes: ['0', '1'], task: 'classification' });
    expect(readMlopsMetadata({ 'mlops.task': 'regressor', 'mlops.target': 'price' }, 'm')).toEqual({ task: 'regression', target: 'price' });
    expect(readMlopsMetadata({ other: 'x', 'mlops.task': ' ' }, 'm')).toEqual({});
  });

  test('malformed values are UserErrors naming the key', () => {
    expect(() => readMlopsMetadata({ 'mlops.features': 'a,b' }, 'model.onnx')).toThrow(
      `model 'model.onnx' has metadata mlops.features = "a,b", which is not a JSON array of column names (or of {"name": ...} objects)`,
    );
    expect(() => readMlopsMetadata({ 'mlops.features': '[1,2]' }, 'm')).toThrow(/mlops.features/);
    expect(() => readMlopsMetadata({ 'mlops.classes': '{"a":1}' }, 'm')).toThrow(/mlops.classes .* not a JSON array of class labels/);
    expect(() => readMlopsMetadata({ 'mlops.task': 'ranking' }, 'm')).toThrow(/mlops.task = "ranking", which is not "classification" or "regression"/);
  });

  test('a model with malformed metadata does not load', async () => {
    // Append a metadata_props entry (ModelProto field 14) to a valid model.
    const bytes = readFileSync(modelPath('logits'));
    const enc = new TextEncoder();
    const key = enc.encode('mlops.task');
    const value = enc.encode('ranking');
    const entry = Uint8Array.from([0x0a, key.length, ...key, 0x12, value.length, ...value]);
    const model = Uint8Array.from([...bytes, 0x72, entry.length, ...entry]);
    const e = await userError(loadModel(model, { name: 'm.onnx' }));
    expect(e.message).toContain("model 'm.onnx' has metadata mlops.task");
  });
});

describe('ONNX protobuf reader', () => {
  test('reads graph inputs/outputs with their declared types, and node attributes', () => {
    const info = readOnnxModel(readFileSync(modelPath('zipmap_int_classifier')));
    expect(info.irVersion).toBe(8);
    expect(info.inputs).toEqual([{ name: 'float_input', type: { kind: 'tensor', elemType: 1, shape: [-1, 3] } }]);
    expect(info.outputs[1]).toEqual({
      name: 'output_probability',
      type: { kind: 'sequence', elem: { kind: 'map', keyType: 7, value: { kind: 'tensor', elemType: 1, shape: undefined } } },
    });
    const lc = info.nodes[0]!;
    expect(lc).toMatchObject({ opType: 'LinearClassifier', domain: 'ai.onnx.ml', inputs: ['float_input'], outputs: ['output_label', 'probability_tensor'] });
    expect(lc.attributes['classlabels_ints']).toEqual({ ints: [10, 20, 30] });
    expect(lc.attributes['post_transform']).toEqual({ s: 'SOFTMAX' });
    // Attributes not needed are skipped.
    expect(lc.attributes['coefficients']).toBeUndefined();
  });

  test('int attributes, and negative int64 varints (10 bytes, two’s complement)', () => {
    expect(readOnnxModel(Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).irVersion).toBe(-1);
    expect(readOnnxModel(Uint8Array.from([0x08, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).irVersion).toBe(-2);
    expect(readOnnxModel(Uint8Array.from([0x08, 0x80, 0x80, 0x80, 0x80, 0x10])).irVersion).toBe(2 ** 32);
    const info = readOnnxModel(readFileSync(modelPath('per_column_classifier')));
    expect(info.nodes.find((n) => n.opType === 'ArgMax')!.attributes['axis']).toEqual({ i: 1 });
    expect(info.nodes.find((n) => n.opType === 'Cast')!.attributes['to']).toEqual({ i: 1 });
  });

  test('the ZipMap rewrite keeps every other byte and declares a [?, C] float output', () => {
    const bytes = readFileSync(modelPath('zipmap_classifier'));
    const info = readOnnxModel(bytes);
    const r = rewriteZipMaps(bytes, info)!;
    expect(r.rewrites).toEqual([{ output: 'output_probability', classes: ['versicolor', 'setosa', 'virginica'] }]);
    const after = readOnnxModel(r.bytes);
    expect(after.nodes.map((n) => n.opType)).toEqual(['LinearClassifier', 'Identity']);
    expect(after.outputs[1]).toEqual({ name: 'output_probability', type: { kind: 'tensor', elemType: 1, shape: [-1, 3] } });
    expect(after.metadata).toEqual(info.metadata);
    expect(after.opsets).toEqual(info.opsets);
    expect(rewriteZipMaps(readFileSync(modelPath('logits')), readOnnxModel(readFileSync(modelPath('logits'))))).toBeUndefined();
  });

  test('the ZipMap rewrite of a model of ai.onnx.ml ops alone imports the default domain for Identity', async () => {
    const m = new ModelBuilder({ graphName: 'g', opsets: { 'ai.onnx.ml': 3 } });
    m.graph.addInput('x', 'float', ['N', 2]);
    const labels = attr.strings(['no', 'yes']);
    m.graph.addNode('LinearClassifier', ['x'], ['label', 'proba'], { classlabels_strings: labels, coefficients: attr.floats([1, -1, -1, 1]), intercepts: attr.floats([0, 0]), post_transform: attr.string('SOFTMAX') }, { domain: 'ai.onnx.ml' });
    m.graph.addNode('ZipMap', ['proba'], ['probs'], { classlabels_strings: labels }, { domain: 'ai.onnx.ml' });
    m.graph.addOutput('label', 'string', ['N']);
    m.graph.addOutput('probs', 'float', ['N']);
    const model = m.toProto();
    model.graph!.output![1]!.type = { sequence_type: { elem_type: { map_type: { key_type: 8, value_type: { tensor_type: { elem_type: 1 } } } } } };
    model.graph!.value_info = [{ name: 'probs', type: model.graph!.output![1]!.type }];
    const bytes = encodeModelProto(model);
    const info = readOnnxModel(bytes);
    expect(info.opsets).toEqual([{ domain: 'ai.onnx.ml', version: 3 }]);
    const r = rewriteZipMaps(bytes, info)!;
    expect(r.rewrites).toEqual([{ output: 'probs', classes: ['no', 'yes'] }]);
    const after = decodeModel(r.bytes);
    expect(after.opset_import).toEqual([{ domain: 'ai.onnx.ml', version: 3 }, { domain: '', version: 13 }]);
    expect(after.graph!.value_info).toEqual([]);
    expect(after.graph!.node![0]!.attribute).toEqual(decodeModel(bytes).graph!.node![0]!.attribute);
    const loaded = await loadModel(bytes, { name: 'ml-only' });
    expect([...loaded.zipmaps]).toEqual([['probs', ['no', 'yes']]]);
    expect(loaded.signature.outputs[1]!.text).toBe('seq(map(string,float32))');
    await loaded.release();
  });

  test('malformed bytes throw', () => {
    expect(() => readOnnxModel(Uint8Array.from([0x3a, 0x05, 0x01]))).toThrow(/runs past/);
  });
});
