import { describe, expect, test } from 'vitest';
import type { RowBatch } from '../../../../shared/data/types';
import { buildFeeds, createScorer, runBatch, scoreBatches } from '../../../../shared/model/infer';
import { EXPECTED, batchOf, collect, expectClose, fixtureModel, flatten, tableBatches, typedTable, userError } from './helpers';

/** The typed table with its columns in another order and an extra column. */
function shuffled(b: RowBatch): RowBatch {
  const order = [...b.columns.keys()].reverse();
  return { ...b, columns: ['extra', ...order.map((i) => b.columns[i]!)], values: [b.values[0]!.map(() => 'x'), ...order.map((i) => b.values[i]!)] };
}

describe('a. one input per column', () => {
  test('float and string inputs from CSV text and from typed cells give the expected predictions', async () => {
    const m = await fixtureModel('per_column_classifier');
    const want = EXPECTED['per_column_classifier']!;
    const fromCsv = flatten(await collect(scoreBatches(m, tableBatches())));
    expect(fromCsv.predicted).toEqual(want.predicted);
    expectClose(fromCsv.probabilities, want.probabilities!.flat());
    const typed = flatten([await runBatch(m, typedTable())]);
    expect(typed.predicted).toEqual(want.predicted);
    expect(typed.probabilities).toEqual(fromCsv.probabilities);
    // Column order in the data does not matter.
    expect(flatten([await runBatch(m, shuffled(typedTable()))]).probabilities).toEqual(fromCsv.probabilities);
  });

  test('double [N] and int64 [N,1] inputs', async () => {
    const m = await fixtureModel('regression_1d');
    const scorer = createScorer(m);
    const plan = scorer.inputPlan(typedTable());
    expect(plan).toMatchObject({
      kind: 'columns',
      feeds: [
        { input: 'x1', type: 'float64', column2d: false },
        { input: 'n', type: 'int64', column2d: true },
      ],
      fixedRows: undefined,
    });
    const out = flatten(await collect(scoreBatches(m, tableBatches(5))));
    expectClose(out.values, EXPECTED['regression_1d']!.values!, 1e-12);
    const feeds = scorer.buildFeeds(batchOf({ x1: ['1.5', null, 'NaN'], n: ['7', 8, 9n] }));
    expect(feeds['x1']!.dims).toEqual([3]);
    expect([...(feeds['x1']!.data as Float64Array)]).toEqual([1.5, NaN, NaN]);
    expect(feeds['n']!.dims).toEqual([3, 1]);
    expect([...(feeds['n']!.data as BigInt64Array)]).toEqual([7n, 8n, 9n]);
  });

  test('missing values: NaN in float inputs, the empty string in string inputs', async () => {
    const m = await fixtureModel('per_column_classifier');
    const feeds = buildFeeds(m, batchOf({ x1: [null, '', '2'], x2: [1, NaN, true], color: [null, 'red', 3] }));
    expect([...(feeds['x1']!.data as Float32Array)]).toEqual([NaN, NaN, 2]);
    expect([...(feeds['x2']!.data as Float32Array)]).toEqual([1, NaN, 1]);
    expect(feeds['color']!.data).toEqual(['', 'red', '3']);
    expect(feeds['color']!.dims).toEqual([3, 1]);
  });

  test('a missing column names the inputs, the missing columns and the columns the data has', async () => {
    const m = await fixtureModel('per_column_classifier');
    const e = await userError(runBatch(m, batchOf({ X1: [1], x2: [2], colour: ['red'] })));
    expect(e.message).toBe(
      "model '" + m.source + "' takes one input per column ('x1', 'x2', 'color'), but columns 'x1', 'color' are not in the data 'data.csv', which has 'X1', 'x2', 'colour' (did you mean 'X1'?)",
    );
    expect(e.location).toEqual({ file: 'data.csv', input: 'data' });
  });

  test('a non-numeric value in a numeric input names the column, the row, the line and the value', async () => {
    const m = await fixtureModel('per_column_classifier');
    const batch = batchOf({ x1: ['1', '2', 'abc'], x2: [1, 2, 3], color: ['red', 'red', 'red'] }, { firstRow: 10, lines: Int32Array.from([12, 13, 15]) });
    const e = await userError(runBatch(m, batch));
    expect(e.message).toBe("column 'x1' row 13 (line 15): \"abc\" is not a number, and model input 'x1' is float32");
    expect(e.location).toEqual({ file: 'data.csv', line: 15, input: 'data' });
    // Without lines (Parquet): the row only.
    const typed = typedTable();
    typed.values[typed.columns.indexOf('x2')]![4] = new Date('2024-01-02T00:00:00Z');
    const p = await userError(runBatch(m, typed));
    expect(p.message).toBe("column 'x2' row 5: 2024-01-02T00:00:00.000Z is not a number, and model input 'x2' is float32");
    expect(p.location).toEqual({ file: 'table.parquet', input: 'data' });
  });

  test('integer inputs refuse fractions and missing values', async () => {
    const m = await fixtureModel('regression_1d');
    const frac = await userError(runBatch(m, batchOf({ x1: [1, 2], n: ['3', '3.5'] })));
    expect(frac.message).toBe("column 'n' row 2 (line 3): \"3.5\" is not an integer, and model input 'n' is int64");
    const missing = await userError(runBatch(m, batchOf({ x1: [1, 2], n: [null, 1] })));
    expect(missing.message).toBe("column 'n' row 1 (line 2): missing value in model input 'n', which is int64 and cannot hold a missing value");
    expect(missing.hint).toMatch(/Fill the missing values/);
  });
});

describe('b. a single [N, F] float input', () => {
  test('feature order from the model metadata (names)', async () => {
    const m = await fixtureModel('zipmap_classifier');
    const plan = createScorer(m).inputPlan(typedTable());
    expect(plan).toMatchObject({ kind: 'matrix', input: 'float_input', type: 'float32', features: ['f_a', 'f_b', 'f_c'], featureSource: "the model's mlops.features metadata" });
    const out = flatten([await runBatch(m, shuffled(typedTable()))]);
    expect(out.predicted).toEqual(EXPECTED['zipmap_classifier']!.predicted);
  });

  test('feature order from metadata written as [{name}]', async () => {
    const m = await fixtureModel('logits');
    expect(m.mlops.features).toEqual(['f_a', 'f_b', 'f_c']);
    expect(flatten(await collect(scoreBatches(m, tableBatches()))).predicted).toEqual(EXPECTED['logits']!.predicted);
  });

  test('explicit features beat the metadata; a manifest list is the last resort', async () => {
    const zip = await fixtureModel('zipmap_classifier');
    const explicit = createScorer(zip, { features: ['f_c', 'f_b', 'f_a'], manifestFeatures: ['x1', 'x2', 'n'] }).inputPlan(typedTable());
    expect(explicit).toMatchObject({ features: ['f_c', 'f_b', 'f_a'], featureSource: 'the `features` input' });
    const meta = createScorer(zip, { manifestFeatures: ['x1', 'x2', 'n'] }).inputPlan(typedTable());
    expect(meta).toMatchObject({ features: ['f_a', 'f_b', 'f_c'] });
    const bare = await fixtureModel('no_feature_metadata');
    const manifest = createScorer(bare, { manifestFeatures: ['f_a', 'f_b', 'f_c'] });
    expect(manifest.inputPlan(typedTable())).toMatchObject({ featureSource: "the training manifest's feature list" });
    expectClose(flatten([await manifest.run(typedTable())]).values, EXPECTED['no_feature_metadata']!.values!);
    // The order matters: reversed features give other values.
    const reversed = flatten([await runBatch(bare, typedTable(), { features: ['f_c', 'f_b', 'f_a'] })]).values;
    expect(reversed).not.toEqual(flatten([await manifest.run(typedTable())]).values);
  });

  test('missing numeric values become NaN in the matrix', async () => {
    const m = await fixtureModel('logits');
    const feeds = buildFeeds(m, batchOf({ f_a: [1, null], f_b: ['2', 'nan'], f_c: ['', '-inf'] }));
    expect(feeds['X']!.dims).toEqual([2, 3]);
    expect([...(feeds['X']!.data as Float32Array)]).toEqual([1, 2, NaN, NaN, NaN, -Infinity]);
  });

  test('no feature order anywhere: says how to give one', async () => {
    const m = await fixtureModel('no_feature_metadata');
    const e = await userError(runBatch(m, typedTable()));
    expect(e.message).toBe(
      `model '${m.source}' takes a single matrix input 'input' (float32 [batch,3]), and nothing says which data column is which of its 3 features`,
    );
    expect(e.hint).toMatch(/set the `features` input/);
    expect(e.hint).toMatch(/mlops\.features/);
  });

  test('wrong width: the model’s F against the number of features given', async () => {
    const m = await fixtureModel('no_feature_metadata');
    const e = await userError(runBatch(m, typedTable(), { features: ['f_a', 'f_b'] }));
    expect(e.message).toBe(`model '${m.source}' input 'input' (float32 [batch,3]) takes 3 features per row, but the \`features\` input names 2: 'f_a', 'f_b'`);
    expect(e.location).toEqual({ input: 'features' });
  });

  test('a feature column missing from the data', async () => {
    const m = await fixtureModel('zipmap_classifier');
    const e = await userError(runBatch(m, batchOf({ f_a: [1], F_B: [2], x: [3] })));
    expect(e.message).toBe("feature columns 'f_b', 'f_c' are not in the data 'data.csv', which has 'f_a', 'F_B', 'x' (did you mean 'F_B'?)");
    expect(e.hint).toMatch(/mlops.features metadata/);
  });

  test('a text value in a feature column', async () => {
    const m = await fixtureModel('logits');
    const e = await userError(runBatch(m, batchOf({ f_a: [1, 2], f_b: [1, 'high'], f_c: [0, 0] })));
    expect(e.message).toBe("column 'f_b' row 2 (line 3): \"high\" is not a number, and feature 'f_b' of model input 'X' (float32) must be one");
    expect(e.location.line).toBe(3);
  });

  test('a feature listed twice', async () => {
    const m = await fixtureModel('logits');
    const e = await userError(runBatch(m, typedTable(), { features: ['f_a', 'f_a', 'f_c'] }));
    expect(e.message).toBe("feature 'f_a' appears twice in the `features` input");
  });
});

describe('c. other input layouts', () => {
  test('an image-like input is refused with the supported conventions', async () => {
    const m = await fixtureModel('image_input');
    const e = await userError(runBatch(m, batchOf({ pixels: [1] })));
    expect(e.message).toBe(
      "cannot feed model input 'pixels' (float32 [N,3,4,4]) from table columns: its shape [N,3,4,4] is neither one column ([N] or [N,1]) nor a feature matrix [N, F]",
    );
    expect(e.hint).toMatch(/one model input per data column/);
    expect(e.location.file).toMatch(/image_input\.onnx$/);
  });
});
