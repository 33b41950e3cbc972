import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { decodeOutputs } from '../../../../shared/model/infer/outputs';
import { createScorer, planOutputs, runBatch, scoreBatches, type ClassificationBatch, type RegressionBatch } from '../../../../shared/model/infer';
import { EXPECTED, batchOf, collect, expectClose, fixtureModel, flatten, tableBatches, typedTable, userError } from './helpers';

async function scoreTable(name: string, options = {}): Promise<ReturnType<typeof flatten> & { first: ClassificationBatch | RegressionBatch }> {
  const m = await fixtureModel(name);
  const batches = await collect(scoreBatches(m, tableBatches(5), options));
  return { ...flatten(batches), first: batches[0]! };
}

describe('classifiers', () => {
  test('label (string) + probability tensor, classes from mlops.classes', async () => {
    const want = EXPECTED['per_column_classifier']!;
    const out = await scoreTable('per_column_classifier');
    expect(out.first).toMatchObject({ task: 'classification', classes: ['bird', 'cat', 'dog'] });
    expect(out.predicted).toEqual(want.predicted);
    expectClose(out.probabilities, want.probabilities!.flat());
  });

  test('ZipMap with string classes in a non-sorted order: the ZipMap’s order is the column order', async () => {
    const want = EXPECTED['zipmap_classifier']!;
    const out = await scoreTable('zipmap_classifier');
    expect(out.first).toMatchObject({ task: 'classification', classes: ['versicolor', 'setosa', 'virginica'] });
    expect(out.predicted).toEqual(want.predicted);
    expectClose(out.probabilities, want.probabilities!.flat());
    const m = await fixtureModel('zipmap_classifier');
    expect(createScorer(m).outputs).toMatchObject({ label: 'output_label', score: 'output_probability', classesSource: "the ZipMap of output 'output_probability'" });
  });

  test('ZipMap with integer classes', async () => {
    const want = EXPECTED['zipmap_int_classifier']!;
    const out = await scoreTable('zipmap_int_classifier');
    expect(out.first).toMatchObject({ classes: ['10', '20', '30'] });
    expect(out.predicted).toEqual(want.predicted);
    expectClose(out.probabilities, want.probabilities!.flat());
  });

  test('label + probabilities without a ZipMap: classes from the classifier node (skl2onnx zipmap=False)', async () => {
    const out = await scoreTable('linear_classifier');
    expect(out.first).toMatchObject({ classes: ['versicolor', 'setosa', 'virginica'] });
    expect(out.predicted).toEqual(EXPECTED['linear_classifier']!.predicted);
    const m = await fixtureModel('linear_classifier');
    expect(createScorer(m).outputs.classesSource).toBe('the class labels of the LinearClassifier node');
  });

  test('integer labels + probabilities and no class list: the classes are the indices', async () => {
    const out = await scoreTable('label_probs_int');
    expect(out.first).toMatchObject({ classes: ['0', '1'] });
    expect(out.predicted).toEqual(EXPECTED['label_probs_int']!.predicted);
    expectClose(out.probabilities, EXPECTED['label_probs_int']!.probabilities!.flat());
  });

  test('logits [N,3]: softmax, argmax; the `classes` option names them', async () => {
    const want = EXPECTED['logits']!;
    const out = await scoreTable('logits');
    expect(out.first).toMatchObject({ classes: ['0', '1', '2'] });
    expect(out.predicted).toEqual(want.predicted);
    expectClose(out.probabilities, want.probabilities!.flat());
    const named = await scoreTable('logits', { classes: ['a', 'b', 'c'] });
    expect(named.first).toMatchObject({ classes: ['a', 'b', 'c'] });
    expect(named.probabilities).toEqual(out.probabilities);
    // Forcing the reading: 'logits' is what auto chose; 'probabilities' takes the raw scores.
    expect((await scoreTable('logits', { scores: 'logits' })).probabilities).toEqual(out.probabilities);
    const raw = await scoreTable('logits', { scores: 'probabilities' });
    expectClose(raw.probabilities, want.logits!.flat());
  });

  test('auto: a scores row in [0,1] summing to 1 is kept, any other row is softmaxed; a Softmax output is kept', async () => {
    const m = await fixtureModel('logits');
    const plan = planOutputs(m);
    expect(plan).toMatchObject({ task: 'classification', score: 'logits', scoreKind: 'scores', scoreProducer: 'Add', width: 3 });
    const scores = new ort.Tensor('float32', Float32Array.from([0.25, 0.25, 0.5, 2, 1, 0, 0.5, 0.5, 0.5]), [3, 3]);
    const into = { predicted: new Int32Array(3), probabilities: new Float64Array(9) };
    decodeOutputs(plan, m, { logits: scores }, 3, 3, 0, into, new Map());
    const e = [Math.exp(2), Math.exp(1), 1];
    const z = e[0]! + e[1]! + e[2]!;
    expectClose(into.probabilities, [0.25, 0.25, 0.5, e[0]! / z, e[1]! / z, e[2]! / z, 1 / 3, 1 / 3, 1 / 3], 1e-7);
    expect([...into.predicted]).toEqual([2, 0, 0]);
    // The per-column classifier's probabilities come from a Softmax node.
    const s = createScorer(await fixtureModel('per_column_classifier'));
    expect(s.outputs).toMatchObject({ label: 'label', score: 'probabilities', scoreKind: 'probabilities', scoreProducer: 'Softmax' });
  });

  test('binary score [N,1]: sigmoid; probabilities [1-p, p]; class 1 when p > 0.5', async () => {
    const want = EXPECTED['binary_scores']!;
    const out = await scoreTable('binary_scores');
    expect(out.first).toMatchObject({ task: 'classification', classes: ['no', 'yes'] });
    expect(out.predicted).toEqual(want.predicted);
    expectClose(out.probabilities, want.probabilities!.flat());
  });

  test('binary probability [N] from a Sigmoid node is taken as is', async () => {
    const want = EXPECTED['binary_probability']!;
    const out = await scoreTable('binary_probability');
    expect(out.first).toMatchObject({ classes: ['0', '1'] });
    expect(out.predicted).toEqual(want.predicted);
    expectClose(out.probabilities, want.probabilities!.flat());
    // Forced to read it as a logit, it would be squashed again.
    const forced = await scoreTable('binary_probability', { scores: 'logits' });
    expect(forced.probabilities[1]).toBeCloseTo(1 / (1 + Math.exp(-want.probabilities![0]![1]!)), 6);
  });
});

describe('NaN scores', () => {
  test('a row whose scores are NaN has no predicted class (-1)', async () => {
    const logits = await fixtureModel('logits');
    const b = await runBatch(logits, batchOf({ f_a: [1, null], f_b: [0, 0], f_c: [0, 0] }));
    expect(b.task === 'classification' && [...b.predicted]).toEqual([0, -1]);
    expect(b.task === 'classification' && Number.isNaN(b.probabilities![3])).toBe(true);
    const binary = await fixtureModel('binary_scores');
    const c = await runBatch(binary, batchOf({ f_a: [NaN, 5], f_b: [0, 0], f_c: [0, 0] }));
    expect(c.task === 'classification' && [...c.predicted]).toEqual([-1, 1]);
  });
});

describe('regression', () => {
  test('[N,1] float', async () => {
    const out = await scoreTable('no_feature_metadata', { features: ['f_a', 'f_b', 'f_c'] });
    expect(out.first.task).toBe('regression');
    expectClose(out.values, EXPECTED['no_feature_metadata']!.values!);
  });

  test('[N] double', async () => {
    const out = await scoreTable('regression_1d');
    expect(out.first.task).toBe('regression');
    expectClose(out.values, EXPECTED['regression_1d']!.values!, 1e-12);
  });
});

describe('task detection and overrides', () => {
  test('detected from metadata, else from the outputs', async () => {
    const task = async (name: string, options = {}) => createScorer(await fixtureModel(name), options).outputs.task;
    expect(await task('binary_scores')).toBe('classification'); // [N,1] float, but mlops.task says so
    expect(await task('no_feature_metadata')).toBe('regression'); // [N,1] float
    expect(await task('logits')).toBe('classification'); // [N,3] float
    expect(await task('zipmap_classifier')).toBe('classification'); // label + ZipMap
    expect(await task('label_probs_int')).toBe('classification'); // int label
    // The same, on the loaded model (no options).
    expect((await fixtureModel('logits')).task).toBe('classification');
    expect((await fixtureModel('no_feature_metadata')).task).toBe('regression');
    expect((await fixtureModel('zipmap_classifier')).task).toBe('classification');
    expect((await fixtureModel('image_input')).task).toBe('regression');
  });

  test('the caller overrides: binary scores read as a regression, a regression read as binary scores', async () => {
    const asRegression = await scoreTable('binary_scores', { task: 'regression' });
    expect(asRegression.first.task).toBe('regression');
    expectClose(asRegression.values, EXPECTED['binary_scores']!.scores!);
    const asBinary = await scoreTable('no_feature_metadata', { features: ['f_a', 'f_b', 'f_c'], task: 'classification' });
    expect(asBinary.first).toMatchObject({ task: 'classification', classes: ['0', '1'] });
    const v = EXPECTED['no_feature_metadata']!.values!;
    expect(asBinary.predicted).toEqual(v.map((x) => (x > 0 ? 1 : 0)));
    expectClose(
      asBinary.probabilities.filter((_, i) => i % 2 === 1),
      v.map((x) => 1 / (1 + Math.exp(-x))),
    );
  });

  test('regression asked of a classifier is an error', async () => {
    const m = await fixtureModel('per_column_classifier');
    const e = await userError(() => createScorer(m, { task: 'regression' }));
    expect(e.message).toBe(`the task is regression, but model '${m.source}' is a classifier: it outputs the label 'label'`);
    expect(e.location).toEqual({ input: 'task' });
    const l = await fixtureModel('logits');
    const e2 = await userError(() => createScorer(l, { task: 'regression' }));
    expect(e2.message).toBe("the task is regression, but model output 'logits' gives 3 values per row");
  });
});

describe('class list problems', () => {
  test('a `classes` option of the wrong length', async () => {
    const m = await fixtureModel('logits');
    const e = await userError(() => createScorer(m, { classes: ['a', 'b'] }));
    expect(e.message).toBe(`model '${m.source}' gives 3 class probabilities per row (output 'logits'), but the \`classes\` input names 2 classes: a, b`);
    expect(e.location).toEqual({ input: 'classes' });
  });

  test('string labels with no class list anywhere', async () => {
    const m = await fixtureModel('per_column_classifier');
    const bare = { ...m, mlops: { ...m.mlops, classes: undefined } };
    const e = await userError(() => createScorer(bare));
    expect(e.message).toBe(`model '${m.source}' predicts string labels (output 'label') but does not say which column of 'probabilities' belongs to which class`);
    expect(e.hint).toMatch(/mlops\.classes/);
  });

  test('a predicted label that is not in the class list', async () => {
    const m = await fixtureModel('per_column_classifier');
    const e = await userError(runBatch(m, typedTable(), { classes: ['bird', 'cat', 'fish'] }));
    expect(e.message).toMatch(/predicted the label 'dog', which is not one of its classes \(bird, cat, fish, from the `classes` input\)/);
  });
});

describe('targets', () => {
  test('classification: the target column’s class indices (-1 when missing or unknown), from mlops.target', async () => {
    const m = await fixtureModel('per_column_classifier');
    const out = flatten(await collect(scoreBatches(m, tableBatches(5))));
    const labels = ['cat', 'dog', 'bird', 'bird', 'dog', 'dog', 'cat', 'bird', 'cat', 'bird', 'dog', 'bird'];
    expect(out.targetIndex).toEqual(labels.map((l) => ['bird', 'cat', 'dog'].indexOf(l)));
    // Two of the table's labels differ from the predictions.
    expect(out.targetIndex.filter((t, i) => t !== out.predicted[i]).length).toBe(2);
    const b = await runBatch(m, batchOf({ x1: [1, 1, 1], x2: [0, 0, 0], color: ['red', 'red', 'red'], label: ['cat', null, 'fish'] }));
    expect(b.target).toEqual(['cat', null, 'fish']);
    expect(b.task === 'classification' && [...b.targetIndex!]).toEqual([1, -1, -1]);
  });

  test('numeric targets match numeric class names ("1.0", 1, true → class "1")', async () => {
    const m = await fixtureModel('label_probs_int');
    const b = await runBatch(m, batchOf({ f_a: [0, 0, 0, 0, 0], f_b: [0, 0, 0, 0, 0], f_c: [0, 0, 0, 0, 0], y: ['1.0', 1, true, '0', 2] }), { target: 'y' });
    expect(b.task === 'classification' && [...b.targetIndex!]).toEqual([1, 1, 1, 0, -1]);
  });

  test('regression: the target as numbers, NaN when missing; text is an error with its line', async () => {
    const m = await fixtureModel('regression_1d');
    const out = await runBatch(m, batchOf({ x1: [1, 2], n: [1, 2], y: ['3.5', null] }));
    expect(out.task === 'regression' && [...out.targetValues!]).toEqual([3.5, NaN]);
    const e = await userError(runBatch(m, batchOf({ x1: [1, 2], n: [1, 2], y: ['3.5', 'n/a'] })));
    expect(e.message).toBe("column 'y' row 2 (line 3): \"n/a\" is not a number, and the target of a regression must be one");
  });

  test('an explicit target missing from the data is an error; a metadata target missing is skipped', async () => {
    const m = await fixtureModel('zipmap_classifier');
    const e = await userError(runBatch(m, typedTable(), { target: 'species' }));
    expect(e.message).toBe("target column 'species' is not in the data 'table.parquet', which has 'id', 'x1', 'x2', 'color', 'f_a', 'f_b', 'f_c', 'n', 'label', 'y'");
    expect(e.location).toEqual({ file: 'table.parquet', input: 'target' });
    const r = await fixtureModel('regression_1d');
    const b = await runBatch(r, batchOf({ x1: [1], n: [1] }));
    expect(b.target).toBeUndefined();
  });
});

describe('scored batches', () => {
  test('carry the batch’s file, first row and lines', async () => {
    const m = await fixtureModel('regression_1d');
    const batches = await collect(scoreBatches(m, tableBatches(5)));
    expect(batches.map((b) => [b.firstRow, b.length, [...b.lines!]])).toEqual([
      [0, 5, [2, 3, 4, 5, 6]],
      [5, 5, [7, 8, 9, 10, 11]],
      [10, 2, [12, 13]],
    ]);
    expect(batches[0]!.file).toMatch(/table\.csv$/);
  });

  test('an empty batch gives empty predictions', async () => {
    const m = await fixtureModel('logits');
    const b = await runBatch(m, batchOf({ f_a: [], f_b: [], f_c: [] }));
    expect(b).toMatchObject({ task: 'classification', length: 0, classes: ['0', '1', '2'] });
    expect(b.task === 'classification' && b.predicted.length + b.probabilities!.length).toBe(0);
  });

  test('a fixed batch dimension ([2, 3]) is run two rows at a time, padding the last chunk', async () => {
    const m = await fixtureModel('fixed_batch');
    expect(createScorer(m).inputPlan(typedTable())).toMatchObject({ kind: 'matrix', fixedRows: 2 });
    for (const size of [1, 5, 12]) {
      expectClose(flatten(await collect(scoreBatches(m, tableBatches(size)))).values, EXPECTED['fixed_batch']!.values!);
    }
  });
});
