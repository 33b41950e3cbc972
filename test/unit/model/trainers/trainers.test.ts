/**
 * The built-in trainers end to end: train in JS, run the ONNX model in onnxruntime, check the graph's
 * signature and metadata, and that onnxruntime computes what the JS model computes.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../../shared/errors';
import { decodeModel, readInitializer, readModelInfo } from '../../../../shared/model/onnx';
import { parseParams, train, trainLogistic, trainRidge, transform } from '../../../../shared/model/trainers';
import type { FeatureTable, TrainingTable } from '../../../../shared/model/trainers';
import { categorical, maxAbsDiff, maxRelDiff, normal, numeric, rng, runOnnx } from './helpers';

/** y = 3 + 2·a − 1·b + noise, plus a categorical shift. */
function regressionTable(n: number, seed = 1): TrainingTable {
  const rand = rng(seed);
  const gauss = normal(rand);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = 10 + 5 * gauss();
    b[i] = -2 + 0.5 * gauss();
    y[i] = 3 + 2 * (a[i] as number) - (b[i] as number) + 0.1 * gauss();
  }
  return { columns: [numeric('a', a), numeric('b', b)], target: { name: 'y', values: y } };
}

function classTable(n: number, classes: string[], seed = 2): TrainingTable {
  const rand = rng(seed);
  const gauss = normal(rand);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % classes.length;
    x1[i] = c * 1.5 + gauss();
    x2[i] = (c % 2) * 2 - 1 + gauss();
    y.push(classes[c] as string);
  }
  return { columns: [numeric('x1', x1), numeric('x2', x2)], target: { name: 'species', values: y } };
}

describe('ridge', () => {
  const table = regressionTable(500);
  const model = trainRidge(table);

  it('model signature: one float [N,1] input per column, output `variable` float [N,1]', () => {
    const info = readModelInfo(model.onnx);
    expect(info.producerName).toBe('mlops-actions');
    expect(info.irVersion).toBe(8);
    expect(info.opsets).toEqual({ '': 17 });
    expect(info.inputs).toEqual([
      { name: 'a', elemType: 'float', shape: ['N', 1] },
      { name: 'b', elemType: 'float', shape: ['N', 1] },
    ]);
    expect(info.outputs).toEqual([{ name: 'variable', elemType: 'float', shape: ['N', 1] }]);
  });

  it('metadata_props', () => {
    const md = readModelInfo(model.onnx).metadata;
    expect(md).toEqual({
      'mlops.task': 'regression',
      'mlops.target': 'y',
      'mlops.features': '[{"name":"a","kind":"numeric"},{"name":"b","kind":"numeric"}]',
      'mlops.trainer': 'ridge',
      'mlops.params': '{"alpha":1}',
    });
    expect(model.metadata).toEqual(md);
  });

  it('recovers the generating coefficients (in raw units) and the intercept', () => {
    const [sa, sb] = model.preprocessing.numeric;
    const raw = [(model.coefficients[0] as number) / sa!.std, (model.coefficients[1] as number) / sb!.std];
    expect(raw[0]).toBeCloseTo(2, 2);
    expect(raw[1]).toBeCloseTo(-1, 1);
    const rawIntercept = model.intercept - raw[0]! * sa!.mean - raw[1]! * sb!.mean;
    expect(rawIntercept).toBeCloseTo(3, 0);
  });

  it('onnxruntime output = JS predictions (float32 precision)', async () => {
    const out = await runOnnx(model.onnx, table);
    const v = out.variable!;
    expect(v.type).toBe('float32');
    expect(v.dims).toEqual([500, 1]);
    expect(maxRelDiff(v.data as Float32Array, model.predict(table))).toBeLessThan(1e-5);
  });

  it('alpha = 0 is ordinary least squares; larger alpha shrinks', () => {
    const ols = trainRidge(table, { alpha: 0 });
    const heavy = trainRidge(table, { alpha: 1000 });
    const norm = (c: Float64Array) => Math.hypot(...c);
    expect(norm(heavy.coefficients)).toBeLessThan(norm(model.coefficients));
    expect(norm(model.coefficients)).toBeLessThan(norm(ols.coefficients));
  });

  it('collinear features with alpha = 0: a clear error', () => {
    const a = (table.columns[0] as { values: Float64Array }).values;
    const t: TrainingTable = { columns: [numeric('a', a), numeric('a2', a.map((v) => 2 * v))], target: table.target };
    expect(() => trainRidge(t, { alpha: 0 })).toThrow(/linearly dependent/);
    expect(() => trainRidge(t, { alpha: 1 })).not.toThrow();
  });
});

describe('logistic', () => {
  it('binary: outputs `label` string [N] and `probabilities` float [N, 2], ORT = JS', async () => {
    const table = classTable(400, ['yes', 'no']);
    const model = trainLogistic(table);
    expect(model.classes).toEqual(['no', 'yes']);
    expect(model.fit.converged).toBe(true);
    expect(model.coefficients.length).toBe(2);
    expect(model.intercepts.length).toBe(1);
    const info = readModelInfo(model.onnx);
    expect(info.outputs).toEqual([
      { name: 'label', elemType: 'string', shape: ['N'] },
      { name: 'probabilities', elemType: 'float', shape: ['N', 2] },
    ]);
    expect(info.metadata['mlops.classes']).toBe('["no","yes"]');
    expect(info.metadata['mlops.task']).toBe('classification');
    expect(info.metadata['mlops.trainer']).toBe('logistic');
    expect(info.metadata['mlops.params']).toBe('{"C":1,"max_iter":100,"tol":1e-8}');

    const out = await runOnnx(model.onnx, table);
    expect(out.label!.type).toBe('string');
    expect(out.label!.dims).toEqual([400]);
    expect(out.probabilities!.type).toBe('float32');
    expect(out.probabilities!.dims).toEqual([400, 2]);
    const js = model.predict(table);
    expect(maxAbsDiff(out.probabilities!.data as Float32Array, js.probabilities)).toBeLessThan(1e-5);
    expect(out.label!.data).toEqual(js.labels);
    // Sanity: separable-ish data is mostly classified right.
    const truth = table.target.values as string[];
    expect(js.labels.filter((l, i) => l === truth[i]).length / 400).toBeGreaterThan(0.8);
  });

  it('multinomial (4 classes): probabilities [N, 4] in sorted class order, rows sum to 1, ORT = JS', async () => {
    const table = classTable(600, ['d', 'b', 'a', 'c']);
    const model = trainLogistic(table, { C: 0.5 });
    expect(model.classes).toEqual(['a', 'b', 'c', 'd']);
    expect(model.coefficients.length).toBe(4 * 2);
    const out = await runOnnx(model.onnx, table);
    const prob = out.probabilities!.data as Float32Array;
    expect(out.probabilities!.dims).toEqual([600, 4]);
    for (let i = 0; i < 600; i++) expect(prob[i * 4]! + prob[i * 4 + 1]! + prob[i * 4 + 2]! + prob[i * 4 + 3]!).toBeCloseTo(1, 5);
    const js = model.predict(table);
    expect(maxAbsDiff(prob, js.probabilities)).toBeLessThan(1e-5);
    expect(out.label!.data).toEqual(js.labels);
  });

  it('numeric class values: labels are their strings, classes in numeric order', async () => {
    const t = classTable(300, ['0', '1', '2']);
    const values = Float64Array.from(t.target.values as string[], (s) => (s === '0' ? 10 : s === '1' ? 2 : 1));
    const model = trainLogistic({ columns: t.columns, target: { name: 'grade', values } });
    expect(model.classes).toEqual(['1', '2', '10']);
    expect(JSON.parse(readModelInfo(model.onnx).metadata['mlops.classes']!)).toEqual(['1', '2', '10']);
    const out = await runOnnx(model.onnx, t);
    expect(new Set(out.label!.data as string[])).toEqual(new Set(['1', '2', '10']));
  });

  it("the objective is sklearn's: the gradient of C·Σloss + ½‖w‖² vanishes at the solution", () => {
    const table = classTable(200, ['p', 'q']);
    const C = 2;
    const m = trainLogistic(table, { C, tol: 1e-12 });
    const prob = m.predict(table).probabilities;
    const y = (table.target.values as string[]).map((v) => (v === 'q' ? 1 : 0));
    const design = transform(m.preprocessing, table);
    for (let j = 0; j < design.d; j++) {
      let g = m.coefficients[j]!;
      for (let i = 0; i < 200; i++) g += C * design.x[i * design.d + j]! * (prob[i * 2 + 1]! - y[i]!);
      expect(Math.abs(g)).toBeLessThan(1e-8);
    }
    let gb = 0;
    for (let i = 0; i < 200; i++) gb += C * (prob[i * 2 + 1]! - y[i]!);
    expect(Math.abs(gb)).toBeLessThan(1e-8);
  });

  it('max_iter bounds the iterations and is reported as not converged', () => {
    const m = trainLogistic(classTable(300, ['a', 'b', 'c']), { max_iter: 1 });
    expect(m.fit.iterations).toBe(1);
    expect(m.fit.converged).toBe(false);
  });
});

describe('categorical features, unknown categories and missing values', () => {
  // price depends on a numeric size (with missing values) and a colour (with missing values).
  const colours = ['red', 'green', 'blue'];
  const effect: Record<string, number> = { red: 10, green: -5, blue: 0 };
  function table(n: number, seed: number): TrainingTable {
    const rand = rng(seed);
    const gauss = normal(rand);
    const size = new Float64Array(n);
    const colour: (string | null)[] = [];
    const price = new Float64Array(n);
    const label: string[] = [];
    for (let i = 0; i < n; i++) {
      const s = 50 + 10 * gauss();
      const c = colours[i % 3] as string;
      price[i] = 2 * s + (effect[c] as number) + gauss();
      label.push((effect[c] as number) + (s - 50) / 5 > 0 ? 'dear' : 'cheap');
      size[i] = i % 17 === 0 ? NaN : s;
      colour.push(i % 13 === 0 ? (i % 2 ? null : '') : c);
    }
    return { columns: [categorical('colour', colour), numeric('size', size)], target: { name: 'price', values: price } };
  }
  const train = table(600, 7);
  const scoring: FeatureTable = {
    columns: [
      categorical('colour', ['red', 'purple', '', null, 'blue', 'green']),
      numeric('size', [50, 50, 50, 50, NaN, 60]),
    ],
  };

  it('preprocessing: sorted categories, mean imputation, std over imputed column', () => {
    const m = trainRidge(train);
    expect(m.preprocessing.categorical).toEqual([{ name: 'colour', categories: ['blue', 'green', 'red'], missing: 47 }]);
    expect(m.designColumns).toEqual(['size', 'colour=blue', 'colour=green', 'colour=red']);
    const sizes = (train.columns[1]!.values as Float64Array).filter((v) => !Number.isNaN(v));
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(m.preprocessing.numeric[0]!.mean).toBeCloseTo(mean, 10);
    expect(m.preprocessing.numeric[0]!.missing).toBe(600 - sizes.length);
  });

  it('ridge: inputs string/float [N,1], ai.onnx.ml opset 3, ORT = JS incl. unknown and missing', async () => {
    const m = trainRidge(train, { alpha: 0.1 });
    const info = readModelInfo(m.onnx);
    expect(info.inputs).toEqual([
      { name: 'colour', elemType: 'string', shape: ['N', 1] },
      { name: 'size', elemType: 'float', shape: ['N', 1] },
    ]);
    expect(info.opsets).toEqual({ '': 17, 'ai.onnx.ml': 3 });
    expect(JSON.parse(info.metadata['mlops.features']!)).toEqual([
      { name: 'colour', kind: 'categorical' },
      { name: 'size', kind: 'numeric' },
    ]);
    const out = (await runOnnx(m.onnx, scoring)).variable!.data as Float32Array;
    const js = m.predict(scoring);
    expect(maxRelDiff(out, js)).toBeLessThan(1e-5);
    // Unknown ('purple'), '' and null all mean "no category": the same prediction.
    expect(js[1]).toBe(js[2]);
    expect(js[2]).toBe(js[3]);
    // A missing size is imputed with the training mean.
    const imputed = m.predict({ columns: [categorical('colour', ['blue']), numeric('size', [m.preprocessing.numeric[0]!.mean])] });
    expect(js[4]).toBeCloseTo(imputed[0]!, 10);
    // The colour effects are learned: red − green ≈ 15 at the same size.
    const rg = m.predict({ columns: [categorical('colour', ['red', 'green']), numeric('size', [50, 50])] });
    expect(rg[0]! - rg[1]!).toBeCloseTo(15, 0);
  });

  it('logistic with a categorical column: ORT = JS on unknown and missing values', async () => {
    const t = table(600, 8);
    const clf = trainLogistic({
      columns: t.columns,
      target: { name: 'band', values: Array.from(t.target.values as Float64Array, (p) => (p > 100 ? 'dear' : 'cheap')) },
    });
    const out = await runOnnx(clf.onnx, scoring);
    const js = clf.predict(scoring);
    expect(maxAbsDiff(out.probabilities!.data as Float32Array, js.probabilities)).toBeLessThan(1e-5);
    expect(out.label!.data).toEqual(js.labels);
  });

  it('scoring columns can come in any order and with extra columns', () => {
    const m = trainRidge(train);
    const reordered: FeatureTable = { columns: [scoring.columns[1]!, numeric('extra', [1, 2, 3, 4, 5, 6]), scoring.columns[0]!] };
    expect(m.predict(reordered)).toEqual(m.predict(scoring));
  });
});

describe('determinism', () => {
  it('same data and seed → byte-identical models (both trainers)', () => {
    const r = regressionTable(300);
    expect(Buffer.from(trainRidge(r, {}, { seed: 1 }).onnx).equals(Buffer.from(trainRidge(regressionTable(300), {}, { seed: 1 }).onnx))).toBe(true);
    const c = classTable(300, ['a', 'b', 'c']);
    const a = trainLogistic(c, { C: 0.3 }, { seed: 42 }).onnx;
    const b = trainLogistic(classTable(300, ['a', 'b', 'c']), { C: 0.3 }, { seed: 42 }).onnx;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('params key order does not change the bytes (metadata JSON has sorted keys)', () => {
    const c = classTable(100, ['a', 'b']);
    const a = trainLogistic(c, { tol: 1e-9, C: 2 }).onnx;
    const b = trainLogistic(c, { C: 2, tol: 1e-9 }).onnx;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

describe('params', () => {
  it('defaults', () => {
    expect(parseParams('ridge', undefined)).toEqual({ alpha: 1 });
    expect(parseParams('logistic', {})).toEqual({ C: 1, max_iter: 100, tol: 1e-8 });
  });

  it('an unknown parameter is named, with the valid ones listed', () => {
    let err: unknown;
    try {
      parseParams('ridge', { alpah: 2 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe("unknown parameter 'alpah' for trainer ridge");
    expect((err as UserError).hint).toBe('valid parameters of ridge: alpha');
    expect(() => trainLogistic(classTable(10, ['a', 'b']), { c: 1, maxIter: 3 })).toThrow(/unknown parameters 'c', 'maxIter' for trainer logistic/);
    expect(() => parseParams('logistic', { c: 1 })).toThrow(expect.objectContaining({ hint: 'valid parameters of logistic: C, max_iter, tol' }));
  });

  it('bad values', () => {
    expect(() => parseParams('ridge', { alpha: -1 })).toThrow(/alpha/);
    expect(() => parseParams('ridge', { alpha: '1' })).toThrow(/alpha/);
    expect(() => parseParams('logistic', { C: 0 })).toThrow(/C/);
    expect(() => parseParams('logistic', { max_iter: 1.5 })).toThrow(/max_iter/);
    expect(() => parseParams('logistic', [])).toThrow(/must be an object/);
  });

  it('train() dispatches by name and rejects unknown trainers', () => {
    expect(train('ridge', regressionTable(50)).task).toBe('regression');
    expect(train('logistic', classTable(50, ['a', 'b'])).task).toBe('classification');
    expect(() => train('forest' as 'ridge', regressionTable(50))).toThrow(/unknown trainer 'forest'/);
  });
});

describe('data problems are clear errors', () => {
  const base = regressionTable(20);
  it.each([
    ['target listed as feature', { ...base, columns: [...base.columns, numeric('y', new Float64Array(20))] }, /target 'y' is also listed/],
    ['length mismatch', { ...base, columns: [numeric('a', [1, 2])] }, /has 2 values but the target 'y' has 20/],
    ['duplicate column', { ...base, columns: [base.columns[0]!, base.columns[0]!] }, /appears twice/],
    ['output name clash', { ...base, columns: [{ ...base.columns[0]!, name: 'variable' }] }, /name of a model output/],
    ['reserved prefix', { ...base, columns: [{ ...base.columns[0]!, name: 'mlops/x' }] }, /reserved/],
    ['no features', { ...base, columns: [] }, /no feature columns/],
    ['missing target', { ...base, target: { name: 'y', values: Float64Array.from({ length: 20 }, (_, i) => (i === 3 ? NaN : i)) } }, /row 4 is missing/],
    ['infinite feature', { ...base, columns: [numeric('a', Float64Array.from({ length: 20 }, (_, i) => (i === 0 ? Infinity : i)))] }, /row 1 is Infinity/],
    ['string regression target', { ...base, target: { name: 'y', values: Array(20).fill('a') } }, /must be numeric/],
  ] as [string, TrainingTable, RegExp][])('%s', (_name, t, re) => {
    expect(() => trainRidge(t)).toThrow(re);
  });

  it('one class', () => {
    expect(() => trainLogistic({ columns: base.columns, target: { name: 'k', values: Array(20).fill('x') } })).toThrow(/has 1 class \('x'\)/);
  });

  it('all-missing categorical column', () => {
    expect(() => trainRidge({ columns: [categorical('c', Array(20).fill(null))], target: base.target })).toThrow(/all missing/);
  });

  it('scoring rows without a trained feature', () => {
    const m = trainRidge(base);
    expect(() => m.predict({ columns: [base.columns[0]!] })).toThrow(/'b' is missing/);
  });
});

describe('the model file', () => {
  it('decodes back: initializers hold the coefficients as float32', () => {
    const m = trainRidge(regressionTable(100));
    const proto = decodeModel(m.onnx);
    const coef = readInitializer(proto, 'mlops/coef');
    expect(coef.dims).toEqual([2, 1]);
    expect(maxRelDiff(coef.values as number[], m.coefficients)).toBeLessThan(1e-6);
    expect(proto.graph!.node!.map((n) => n.op_type)).toEqual(['Concat', 'IsNaN', 'Where', 'Sub', 'Div', 'MatMul', 'Add']);
  });

  it('batch dimension is dynamic: 1 row and 0 rows run', async () => {
    const m = trainLogistic(classTable(100, ['a', 'b', 'c']));
    const one = await runOnnx(m.onnx, { columns: [numeric('x1', [0]), numeric('x2', [1])] });
    expect(one.probabilities!.dims).toEqual([1, 3]);
    const session = await ort.InferenceSession.create(m.onnx);
    expect(session.inputNames).toEqual(['x1', 'x2']);
    expect(session.outputNames).toEqual(['label', 'probabilities']);
    const empty = await session.run({
      x1: new ort.Tensor('float32', new Float32Array(0), [0, 1]),
      x2: new ort.Tensor('float32', new Float32Array(0), [0, 1]),
    });
    expect(empty.probabilities!.dims).toEqual([0, 3]);
    await session.release();
  });
});
