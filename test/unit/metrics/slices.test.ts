/** Per-slice metrics: each slice equals an accumulator fed only that slice's rows. */
import { describe, expect, it } from 'vitest';
import {
  ClassificationAccumulator,
  ClassificationSlices,
  ClassificationSliceSchema,
  RegressionAccumulator,
  RegressionSlices,
  SlicesSchema,
  type SliceKey,
} from '../../../shared/metrics';
import { batches, classificationRows, loadCases, regressionRows, type ClassificationCase, type RegressionCase } from './fixtures';

const cases = loadCases();
const multi = cases.find((c) => c.name === 'multiclass_3') as ClassificationCase;
const reg = cases.find((c) => c.name === 'regression_basic') as RegressionCase;

/** Deterministic keys: 9 values with skewed frequencies plus some missing. */
function keyOf(i: number): SliceKey {
  if (i % 37 === 0) return null;
  return `k${(i * 7919) % 97 < 40 ? 0 : ((i * 31) % 9) + 1}`;
}

function filterRows<T extends Int32Array | Float64Array>(src: T, rows: number[], width = 1): T {
  const out = new (src.constructor as { new (n: number): T })(rows.length * width);
  rows.forEach((r, i) => {
    for (let j = 0; j < width; j++) out[i * width + j] = src[r * width + j]!;
  });
  return out;
}

describe('ClassificationSlices', () => {
  const { yTrue, yPred, proba } = classificationRows(multi);
  const n = yTrue.length;
  const k = multi.classes.length;
  const keys = Array.from({ length: n }, (_, i) => keyOf(i));

  function run(batch: number, maxSlices?: number) {
    const s = new ClassificationSlices(multi.classes, maxSlices === undefined ? {} : { maxSlices });
    for (const [a, b] of batches(n, batch)) s.add(keys.slice(a, b), yTrue.subarray(a, b), yPred.subarray(a, b), proba!.subarray(a * k, b * k));
    return s;
  }

  it('gives every slice the metrics of its own rows, largest slice first', () => {
    const result = run(1000).finish();
    const distinct = new Set(keys.map((x) => x ?? '(missing)'));
    expect(result.map((r) => r.key).sort()).toEqual([...distinct].sort());
    expect(result.reduce((s, r) => s + r.count, 0)).toBe(n);
    for (let i = 1; i < result.length; i++) expect(result[i - 1]!.count).toBeGreaterThanOrEqual(result[i]!.count);
    for (const slice of result) {
      const rows = keys.flatMap((key, i) => ((key ?? '(missing)') === slice.key ? [i] : []));
      const acc = new ClassificationAccumulator(multi.classes);
      acc.add(filterRows(yTrue, rows), filterRows(yPred, rows), filterRows(proba!, rows, k));
      expect(slice.count).toBe(rows.length);
      expect(slice.metrics).toEqual(acc.finish());
      ClassificationSliceSchema.parse(JSON.parse(JSON.stringify(slice)));
    }
    SlicesSchema.parse(JSON.parse(JSON.stringify(result)));
  });

  it('does not depend on batching', () => {
    const ref = run(Infinity).finish();
    for (const b of [1, 13, 65_536]) expect(run(b).finish()).toEqual(ref);
    for (const b of [1, 13]) expect(run(b, 3).finish()).toEqual(run(Infinity, 3).finish());
  });

  it('caps the number of slices; later keys go to (other)', () => {
    const result = run(500, 3).finish();
    expect(result).toHaveLength(4);
    const order: string[] = [];
    for (const key of keys) {
      const kk = key ?? '(missing)';
      if (!order.includes(kk)) order.push(kk);
    }
    const named = order.slice(0, 3);
    expect(result.slice(0, 3).map((r) => r.key).sort()).toEqual([...named].sort());
    const other = result[3]!;
    expect(other.key).toBe('(other)');
    expect(other.other_keys).toBe(order.length - 3);
    const rows = keys.flatMap((key, i) => (named.includes(key ?? '(missing)') ? [] : [i]));
    const acc = new ClassificationAccumulator(multi.classes);
    acc.add(filterRows(yTrue, rows), filterRows(yPred, rows), filterRows(proba!, rows, k));
    expect(other.metrics).toEqual(acc.finish());
  });

  it('exposes each slice accumulator (e.g. for bootstrap per slice)', () => {
    const s = run(4096);
    expect(s.accumulator('k0')?.count).toBeGreaterThan(0);
    expect(s.accumulator('nope')).toBeUndefined();
  });

  it('validates the whole batch before routing', () => {
    const s = new ClassificationSlices(['a', 'b']);
    s.add(['x', 'y'], [0, 1], [0, 1]);
    expect(() => s.add(['x', 'z'], [0, 2], [0, 1])).toThrow(/yTrue of row 3 is 2/);
    expect(() => s.add(['x'], [0, 1], [0, 1])).toThrow(/slice keys have 1 rows/);
    expect(() => s.add(['x'], [0], [0], [0.5, 0.5])).toThrow(/every batch or none/);
    const r = s.finish();
    expect(r.map((x) => [x.key, x.count])).toEqual([
      ['x', 1],
      ['y', 1],
    ]);
  });
});

describe('RegressionSlices', () => {
  it('matches per-slice accumulators, with a cap of 0 everything is (other)', () => {
    const { yTrue, yPred } = regressionRows(reg);
    const n = yTrue.length;
    const keys = Array.from({ length: n }, (_, i) => keyOf(i));
    const s = new RegressionSlices();
    const all = new RegressionSlices({ maxSlices: 0, otherKey: 'rest' });
    for (const [a, b] of batches(n, 700)) {
      s.add(keys.slice(a, b), yTrue.subarray(a, b), yPred.subarray(a, b));
      all.add(keys.slice(a, b), yTrue.subarray(a, b), yPred.subarray(a, b));
    }
    for (const slice of s.finish()) {
      const rows = keys.flatMap((key, i) => ((key ?? '(missing)') === slice.key ? [i] : []));
      const acc = new RegressionAccumulator();
      acc.add(filterRows(yTrue, rows), filterRows(yPred, rows));
      expect(slice.metrics).toEqual(acc.finish());
    }
    const whole = new RegressionAccumulator();
    whole.add(yTrue, yPred);
    const only = all.finish();
    expect(only).toHaveLength(1);
    expect(only[0]!.key).toBe('rest');
    expect(only[0]!.metrics).toEqual(whole.finish());
  });
});
