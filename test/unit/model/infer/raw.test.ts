// Raw CSV batches (readCsv with raw: true) are fed to models from their cell ranges, without building
// `values`: the tensors, targets, predictions and evaluate's metrics must be exactly those of the values.
import type * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadOrt } from '../../../../shared/model/infer/ort';
import { readCsv } from '../../../../shared/data/csv';
import type { RowBatch } from '../../../../shared/data/types';
import { scoreStream } from '../../../../shared/evaluate/score';
import { buildFeedsFor, createScorer, type InputPlan, type ScoredBatch, type ScoreOptions } from '../../../../shared/model/infer';
import { collect, fixtureModel, flatten, tempDir, userError, writeTemp } from './helpers';

// Every shape of number the typing knows, missing values (null markers, empty, blank) and quoted cells.
const FLOATS = [
  '12', '-0.5', '1e-3', '1.5E+3', '.5', '5.', '+3', '007', '-0', '123456789012345678901', '0.1000000000000000055511151231257827',
  '3.141592653589793238', '', 'NA', 'N/A', 'null', 'None', '<NA>', 'NaN', 'nan', '-inf', 'Infinity', 'true', 'FALSE', '"12.5"',
  '""', '   ', '1e400', '4.9e-324', '9007199254740993', '-1.25', '2.5e-5', '"-7"',
];
const STRINGS = ['red', '', 'NA', '"a,b"', '"say ""hi"""', 'café', '日本', '""', '  padded  ', '"multi\nline"', 'None', 'blue', '""""'];
const INT64S = ['7', '-3', '+5', '1.0', '9007199254740993', '"8"', '0', '1e3', '2.0'];
const INT32S = ['1', '-2', '+3', '4.0', '"5"', '2147483647'];
const BOOLS = ['true', 'false', '1', '0', 'TRUE', '"1"', '1.0', 'False'];
const LABELS = ['cat', 'dog', '', 'NA', 'fish', '"bird"', 'bird', '""', '"c""at"', 'cat'];
const YS = ['1.0', '1', 'true', '0', '2', '', 'NA', '3.5', '"0"', '"1"'];
const COLUMNS = ['x1', 'x2', 'color', 'f_a', 'f_b', 'f_c', 'n', 'k', 'b', 'label', 'y'];

async function trickyCsv(): Promise<string> {
  const N = FLOATS.length;
  const lines = [COLUMNS.join(',')];
  for (let i = 0; i < N * 2; i++) {
    const f = (o: number) => FLOATS[(i + o) % N]!;
    const at = (xs: string[]) => xs[i % xs.length]!;
    lines.push([f(0), f(7), at(STRINGS), f(3), f(11), f(19), at(INT64S), at(INT32S), at(BOOLS), at(LABELS), at(YS)].join(','));
  }
  return writeTemp(await tempDir(), 'tricky.csv', `${lines.join('\r\n')}\r\n`);
}

/** The same batch, its cells as `values` only (what a non-raw reader gives). */
function asValues(b: RowBatch): RowBatch {
  return { file: b.file, firstRow: b.firstRow, length: b.length, columns: b.columns, values: b.values, ...(b.lines ? { lines: b.lines } : {}) };
}

/** The raw batch with `values` that throw when read: proves a consumer used the ranges only. */
function rawOnly(b: RowBatch): RowBatch {
  expect(b.raw).toBeDefined();
  return Object.create(b, {
    values: {
      get() {
        throw new Error('values were built');
      },
    },
  }) as RowBatch;
}

/**
 * Raw batches of the file in small chunks (so quoted cells and records straddle chunk ends); with
 * `rawBytes`, the ASCII ones carry their bytes, which the scorer then reads instead of the text.
 */
function rawBatches(file: string, chunkSize = 97, rawBytes = false): AsyncGenerator<RowBatch> {
  return readCsv(file, { raw: true, chunkSize, rawBytes });
}

/** Bit-exact equality of two tensors (NaN payloads and -0 included). */
function expectSameTensor(a: ort.Tensor, b: ort.Tensor, what: string): void {
  expect(a.type, what).toBe(b.type);
  expect(a.dims, what).toEqual(b.dims);
  if (a.type === 'string') {
    expect(a.data, what).toEqual(b.data);
    return;
  }
  const bytes = (t: ort.Tensor) => {
    const d = t.data as ArrayBufferView;
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  };
  expect(bytes(a), what).toEqual(bytes(b));
}

function expectSameFeeds(a: Record<string, ort.Tensor>, b: Record<string, ort.Tensor>, what: string): void {
  expect(Object.keys(a), what).toEqual(Object.keys(b));
  for (const k of Object.keys(a)) expectSameTensor(a[k]!, b[k]!, `${what}, input ${k}`);
}

const col = (name: string) => COLUMNS.indexOf(name);
const COLUMN_PLAN: InputPlan = {
  kind: 'columns',
  feeds: [
    { input: 'x1', type: 'float32', column2d: true, column: col('x1'), columnName: 'x1' },
    { input: 'x2', type: 'float64', column2d: false, column: col('x2'), columnName: 'x2' },
    { input: 'color', type: 'string', column2d: true, column: col('color'), columnName: 'color' },
    { input: 'n', type: 'int64', column2d: true, column: col('n'), columnName: 'n' },
    { input: 'k', type: 'int32', column2d: false, column: col('k'), columnName: 'k' },
    { input: 'b', type: 'bool', column2d: false, column: col('b'), columnName: 'b' },
    { input: 'f_a', type: 'float32', column2d: false, column: col('f_a'), columnName: 'f_a' },
  ],
  fixedRows: undefined,
};
const MATRIX_PLAN = (type: 'float32' | 'float64'): InputPlan => ({
  kind: 'matrix',
  input: 'X',
  type,
  columns: ['f_c', 'x1', 'f_b', 'x2'].map(col),
  features: ['f_c', 'x1', 'f_b', 'x2'],
  featureSource: 'test',
  fixedRows: undefined,
});


// As in every caller, onnxruntime is loaded (by loadModel) before tensors are built.
beforeAll(() => loadOrt());
describe('raw CSV cells feed the same tensors as their values', () => {
  test.each([false, true])('numbers (NaN for empty, null markers and blanks), strings, quoted cells with doubled quotes, integers, booleans (rawBytes %s)', async (rawBytes) => {
    const file = await trickyCsv();
    const batches = await collect(rawBatches(file, 97, rawBytes));
    expect(batches.length).toBeGreaterThan(5);
    // With rawBytes both kinds of batch are there: ASCII ones (bytes) and those with 'café' or '日本' (text).
    const ascii = batches.filter((b) => b.raw!.bytes !== undefined).length;
    if (rawBytes) expect([ascii > 3, ascii < batches.length - 3]).toEqual([true, true]);
    else expect(ascii).toBe(0);
    for (const plan of [COLUMN_PLAN, MATRIX_PLAN('float32'), MATRIX_PLAN('float64')]) {
      for (const b of batches) {
        const fromRaw = buildFeedsFor(plan, rawOnly(b));
        expectSameFeeds(fromRaw, buildFeedsFor(plan, asValues(b)), `${plan.kind} batch at row ${b.firstRow}`);
        // Part of a batch, padded to a fixed batch size by repeating its last row.
        if (b.length >= 3) expectSameFeeds(buildFeedsFor(plan, rawOnly(b), 1, 2, 5), buildFeedsFor(plan, asValues(b), 1, 2, 5), `${plan.kind} rows 1–2 padded`);
      }
    }
    // And the same as the whole file read without raw, in one batch.
    const [whole] = await collect(readCsv(file));
    const one = buildFeedsFor(COLUMN_PLAN, whole!);
    const parts = batches.map((b) => buildFeedsFor(COLUMN_PLAN, rawOnly(b)));
    expect([...(one['x1']!.data as Float32Array)]).toEqual(parts.flatMap((p) => [...(p['x1']!.data as Float32Array)]));
    expect([...(one['x2']!.data as Float64Array)]).toEqual(parts.flatMap((p) => [...(p['x2']!.data as Float64Array)]));
    expect(one['color']!.data).toEqual(parts.flatMap((p) => p['color']!.data as string[]));
    // What the tricky cells become.
    const x1 = [...(one['x1']!.data as Float32Array)];
    expect(x1.slice(0, 12)).toEqual([12, -0.5, Math.fround(1e-3), 1500, 0.5, 5, 3, 7, -0, Math.fround(123456789012345678901), Math.fround(0.1), Math.fround(Math.PI)]);
    expect(x1.slice(12, 24)).toEqual([NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, -Infinity, Infinity, 1, 0]);
    expect(x1.slice(24, 33)).toEqual([12.5, NaN, NaN, Infinity, 0, 9007199254740992, -1.25, Math.fround(2.5e-5), -7]);
    expect((one['color']!.data as string[]).slice(0, 13)).toEqual(['red', '', '', 'a,b', 'say "hi"', 'café', '日本', '', '  padded  ', 'multi\nline', '', 'blue', '"']);
  });

  test.each([false, true])('plain decimals of up to 15 digits and beyond read as Number() reads them, bit for bit (rawBytes %s)', async (rawBytes) => {
    // rawToFloat reads [+-]digits[.digits] of at most 15 digits itself (one exact division); longer
    // ones take the general path. Either way a float64 input must hold Number()'s double.
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const texts: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const digits = 1 + Math.floor(rnd() * 18);
      let d = '';
      for (let j = 0; j < digits; j++) d += String(Math.floor(rnd() * 10));
      const point = Math.floor(rnd() * (digits + 2)) - 1; // -1: no point; digits: a trailing point
      const body = point < 0 ? d : `${d.slice(0, point)}.${d.slice(point)}`;
      texts.push(`${['', '-', '+'][Math.floor(rnd() * 3)]}${body}`);
    }
    const file = await writeTemp(await tempDir(), 'decimals.csv', `x\n${texts.join('\n')}\n`);
    const plan: InputPlan = { kind: 'columns', feeds: [{ input: 'x', type: 'float64', column2d: false, column: 0, columnName: 'x' }], fixedRows: undefined };
    const got: number[] = [];
    for (const b of await collect(readCsv(file, { raw: true, rawBytes }))) {
      expect(b.raw!.bytes !== undefined).toBe(rawBytes);
      got.push(...(buildFeedsFor(plan, rawOnly(b))['x']!.data as Float64Array));
    }
    expect(got.length).toBe(texts.length);
    const wrong = texts.filter((t, i) => !Object.is(got[i], Number(t)));
    expect(wrong).toEqual([]);
  });

  test('a cell that is not a number: the same error (value, row, line) from the ranges as from the values', async () => {
    const text = 'x1,x2,color\n1,2,red\n3,"4""5",blue\n6,abc,red\n';
    const file = await writeTemp(await tempDir(), 'bad.csv', text);
    const [raw] = await collect(readCsv(file, { raw: true }));
    for (const [plan, bad] of [
      [{ kind: 'columns', feeds: [{ input: 'x2', type: 'float32', column2d: false, column: 1, columnName: 'x2' }], fixedRows: undefined }, 1],
      [{ kind: 'matrix', input: 'X', type: 'float32', columns: [0, 1], features: ['x1', 'x2'], featureSource: 'test', fixedRows: undefined }, 1],
    ] as [InputPlan, number][]) {
      const fromRaw = await userError(() => buildFeedsFor(plan, rawOnly(raw!)));
      const fromValues = await userError(() => buildFeedsFor(plan, asValues(raw!)));
      expect(fromRaw.message).toBe(fromValues.message);
      expect(fromRaw.location).toEqual(fromValues.location);
      expect(fromRaw.message).toMatch(new RegExp(`^column 'x2' row ${bad + 1} \\(line 3\\): "4\\\\"5" is not a number`));
      // After the escaped cell, the plain one.
      const e = await userError(() => buildFeedsFor(plan, rawOnly(raw!), 2, 1));
      expect(e.message).toBe((await userError(() => buildFeedsFor(plan, asValues(raw!), 2, 1))).message);
      expect(e.message).toMatch(/^column 'x2' row 3 \(line 4\): "abc" is not a number/);
    }
  });
});

describe('raw CSV batches score as their values do', () => {
  /** The scored batch without its `target` (a getter that builds the values). */
  const strip = (b: ScoredBatch) => Object.fromEntries(Object.keys(b).filter((k) => k !== 'target').map((k) => [k, (b as unknown as Record<string, unknown>)[k]]));

  test.each<[string, ScoreOptions]>([
    ['per_column_classifier', {}],
    ['linear_classifier', {}],
    ['label_probs_int', { target: 'y' }],
    ['regression_1d', {}],
    ['fixed_batch', {}],
  ])('%s: predictions and targets', async (name, options) => {
    const file = await trickyCsv();
    const m = await fixtureModel(name);
    const rawScorer = createScorer(m, options);
    const valueScorer = createScorer(m, options);
    const raws: ScoredBatch[] = [];
    for await (const b of rawBatches(file)) {
      const r = await rawScorer.run(rawOnly(b));
      expect(strip(r)).toEqual(strip(await valueScorer.run(asValues(b))));
      raws.push(r);
    }
    // The same from the ASCII batches' bytes.
    const withBytes = await collect(rawBatches(file, 97, true));
    expect(withBytes.some((b) => b.raw!.bytes)).toBe(true);
    for (const [i, b] of withBytes.entries()) expect(strip(await rawScorer.run(rawOnly(b)))).toEqual(strip(raws[i]!));
    // Targets as a plain read of the whole file gives them.
    const plain = flatten(await collect(createScorerBatches(m, options, readCsv(file))));
    const fromRaw = flatten(raws);
    expect(fromRaw.rows).toEqual(plain.rows);
    expect(fromRaw.targetIndex).toEqual(plain.targetIndex);
    if (raws[0]!.task === 'regression') {
      const t = (bs: ScoredBatch[]) => bs.flatMap((b) => (b.task === 'regression' ? [...(b.targetValues ?? [])] : []));
      expect(t(raws)).toEqual(t(await collect(createScorerBatches(m, options, readCsv(file)))));
    }
    // The target cells are still there when asked for (made from the ranges then).
    const [first] = await collect(rawBatches(file, 1 << 20));
    const scored = await createScorer(m, options).run(first!);
    const targetName = options.target ?? m.mlops.target;
    if (targetName) expect(scored.target).toEqual(first!.values[first!.columns.indexOf(targetName)]);
    else expect(scored.target).toBeUndefined();
  });

  test.each([false, true])('label_probs_int: "1.0", "true", quoted "0" find their classes from the ranges (rawBytes %s)', async (rawBytes) => {
    const file = await writeTemp(await tempDir(), 'y.csv', 'f_a,f_b,f_c,y\n0,0,0,1.0\n0,0,0,true\n0,0,0,"0"\n0,0,0,2\n0,0,0,\n0,0,0,1\n0,0,0,1.0\n0,0,0,10\n0,0,0,1\n');
    const m = await fixtureModel('label_probs_int');
    const [b] = await collect(readCsv(file, { raw: true, rawBytes }));
    expect(b!.raw!.bytes !== undefined).toBe(rawBytes);
    const s = await createScorer(m, { target: 'y' }).run(rawOnly(b!));
    // "10" starts with class "1" and is not it; the last cell ends the file's text.
    expect(s.task === 'classification' && [...s.targetIndex!]).toEqual([1, 1, 0, -1, -1, 1, 1, -1, 1]);
  });

  test('evaluate: the same metrics, skipped rows and slices from raw batches as from values', async () => {
    // Features without missing values (this classifier gives NaN probabilities for them, which metrics refuse).
    const present = FLOATS.filter((f) => /\d/.test(f) && !f.includes('e400'));
    const lines = [COLUMNS.join(',')];
    for (let i = 0; i < FLOATS.length * 2; i++) {
      const f = (o: number) => present[(i + o) % present.length]!;
      const at = (xs: string[]) => xs[i % xs.length]!;
      lines.push([f(0), f(7), at(STRINGS), f(3), f(11), f(19), at(INT64S), at(INT32S), at(BOOLS), at(LABELS), at(YS)].join(','));
    }
    const file = await writeTemp(await tempDir(), 'present.csv', `${lines.join('\n')}\n`);
    for (const [name, target] of [
      ['per_column_classifier', 'label'],
      ['regression_1d', 'y'],
    ] as const) {
      const m = await fixtureModel(name);
      const raws = await collect(rawBatches(file));
      const fromRaw = await scoreStream(raws.map(rawOnly), { candidate: m, baseline: m }, { target, sliceBy: 'color', bootstrap: { resamples: 20, metrics: ['accuracy', 'rmse'] } });
      const fromValues = await scoreStream(raws.map(asValues), { candidate: m, baseline: m }, { target, sliceBy: 'color', bootstrap: { resamples: 20, metrics: ['accuracy', 'rmse'] } });
      expect(fromRaw).toEqual(fromValues);
      const withBytes = (await collect(rawBatches(file, 97, true))).map(rawOnly);
      expect(await scoreStream(withBytes, { candidate: m, baseline: m }, { target, sliceBy: 'color', bootstrap: { resamples: 20, metrics: ['accuracy', 'rmse'] } })).toEqual(fromValues);
      expect(fromRaw.rows).toBe(FLOATS.length * 2);
      if (name === 'per_column_classifier') {
        // '', NA and "" are missing labels; fish and c"at are unknown.
        expect(fromRaw.candidate.skipped.noLabel).toBe(countLabels(['', 'NA', '""']));
        expect(fromRaw.candidate.skipped.unknownLabel).toBe(countLabels(['fish', '"c""at"']));
        expect(fromRaw.candidate.slices!.length).toBeGreaterThan(5);
      }
    }
  });
});

function countLabels(which: string[]): number {
  let n = 0;
  for (let i = 0; i < FLOATS.length * 2; i++) if (which.includes(LABELS[i % LABELS.length]!)) n++;
  return n;
}

async function* createScorerBatches(m: Awaited<ReturnType<typeof fixtureModel>>, options: ScoreOptions, batches: AsyncIterable<RowBatch>): AsyncGenerator<ScoredBatch> {
  const s = createScorer(m, options);
  for await (const b of batches) yield await s.run(b);
}
