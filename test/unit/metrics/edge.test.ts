/** Edge cases and input validation of the accumulators, the rank metrics and the metric table. */
import { describe, expect, it } from 'vitest';
import {
  CLASSIFICATION_METRICS,
  ClassificationAccumulator,
  LOG_LOSS_EPS,
  METRIC_DIRECTIONS,
  MetricsRng,
  REGRESSION_METRICS,
  RegressionAccumulator,
  classificationMetrics,
  greaterIsBetter,
  isMetricName,
  argsortDescending,
  rankColumn,
  RankKeys,
  rankMetrics,
  regressionMetrics,
  scalarMetrics,
  scoreGroups,
} from '../../../shared/metrics';
import { Rng } from '../../../shared/rng';

describe('classification edge cases', () => {
  it('no rows: count 0, nothing else, a note', () => {
    const m = new ClassificationAccumulator(['a', 'b']).finish();
    expect(m.count).toBe(0);
    expect(m.accuracy).toBeUndefined();
    expect(m.confusion_matrix).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(m.notes[0]).toContain('no rows');
  });

  it('without probabilities the probability metrics are absent and a note says why', () => {
    const m = classificationMetrics(['0', '1'], [0, 1, 1, 0], [0, 1, 0, 0]);
    expect(m.accuracy).toBe(0.75);
    for (const k of ['roc_auc', 'average_precision', 'log_loss', 'brier'] as const) expect(m[k]).toBeUndefined();
    expect(m.notes.join('\n')).toContain('no probabilities given');
  });

  it('zero division gives 0 (sklearn zero_division=0)', () => {
    // class 'b' never predicted and never true; class 'c' never predicted
    const m = classificationMetrics(['a', 'b', 'c'], [0, 0, 2, 2], [0, 0, 0, 0]);
    const [a, b, c] = m.per_class;
    expect(a).toEqual({ class: 'a', precision: 0.5, recall: 1, f1: 2 / 3, support: 2 });
    expect(b).toEqual({ class: 'b', precision: 0, recall: 0, f1: 0, support: 0 });
    expect(c).toEqual({ class: 'c', precision: 0, recall: 0, f1: 0, support: 2 });
    expect(m.precision_macro).toBeCloseTo(0.5 / 3, 15);
    expect(m.recall_weighted).toBe(0.5);
    expect(m.precision).toBeUndefined(); // multiclass: no plain precision
    expect(m.notes.join('\n')).toMatch(/never predicted: 'c'/);
    expect(m.notes.join('\n')).toMatch(/absent from y_true: 'b'/);
  });

  it('binary: positive class is classes[1]; all-negative y_true leaves AUC and AP out', () => {
    const m = classificationMetrics(['neg', 'pos'], [0, 0, 0], [0, 1, 0], [0.9, 0.1, 0.2, 0.8, 0.6, 0.4]);
    expect(m.positive_class).toBe('pos');
    expect(m.precision).toBe(0);
    expect(m.recall).toBe(0);
    expect(m.roc_auc).toBeUndefined();
    expect(m.average_precision).toBeUndefined();
    expect(m.log_loss).toBeDefined();
    expect(m.brier).toBeCloseTo((0.01 + 0.64 + 0.16) / 3, 15);
    expect(m.notes.join('\n')).toContain("roc_auc undefined: only one class ('neg') present in y_true");
  });

  it('binary: all-positive y_true has AP 1 but no AUC', () => {
    const m = classificationMetrics(['0', '1'], [1, 1], [1, 0], [0.2, 0.8, 0.7, 0.3]);
    expect(m.roc_auc).toBeUndefined();
    expect(m.average_precision).toBe(1);
  });

  it('ROC AUC counts ties as half (Mann–Whitney) and AP steps at distinct scores', () => {
    // scores: pos {0.8, 0.5}, neg {0.5, 0.2}: pairs (0.8>0.5)=1, (0.8>0.2)=1, (0.5=0.5)=½, (0.5>0.2)=1 → 3.5/4
    const m = classificationMetrics(['0', '1'], [1, 1, 0, 0], [1, 1, 1, 0], [0.2, 0.8, 0.5, 0.5, 0.5, 0.5, 0.8, 0.2]);
    expect(m.roc_auc).toBe(0.875);
    // thresholds 0.8: P=1/1, R=1/2; 0.5: P=2/3, R=1 → AP = 0.5·1 + 0.5·2/3
    expect(m.average_precision).toBeCloseTo(0.5 + 1 / 3, 15);
  });

  it('log loss clips to [eps, 1 − eps] with float64 eps (sklearn 1.2) and renormalises rows', () => {
    const m = classificationMetrics(['0', '1'], [1], [0], [1, 0]);
    expect(m.log_loss).toBeCloseTo(-Math.log(LOG_LOSS_EPS / (1 - LOG_LOSS_EPS + LOG_LOSS_EPS)), 12);
    const r = classificationMetrics(['0', '1', '2'], [2, 0], [2, 0], [0.2, 0.2, 0.4, 0.5, 0.25, 0.25]);
    expect(r.log_loss).toBeCloseTo((-Math.log(0.4 / 0.8) - Math.log(0.5)) / 2, 15);
    expect(r.notes.join('\n')).toContain('do not sum to 1');
  });

  it('multiclass Brier is the mean of Σ (p − onehot)², binary Brier the positive-class square', () => {
    const m = classificationMetrics(['a', 'b', 'c'], [0, 2], [0, 0], [0.7, 0.2, 0.1, 0.5, 0.3, 0.2]);
    expect(m.brier).toBeCloseTo((0.09 + 0.04 + 0.01 + (0.25 + 0.09 + 0.64)) / 2, 15);
    const b = classificationMetrics(['a', 'b'], [1, 0], [1, 0], [0.3, 0.7, 0.6, 0.4]);
    expect(b.brier).toBeCloseTo((0.09 + 0.16) / 2, 15);
  });

  it('accepts number[] and Float32Array inputs', () => {
    const f32 = new Float32Array([0.25, 0.75, 0.5, 0.5]);
    const m = classificationMetrics(['0', '1'], [1, 0], [1, 0], f32);
    expect(m.roc_auc).toBe(1);
  });

  it('rejects malformed batches and leaves the accumulator unchanged', () => {
    const acc = new ClassificationAccumulator(['a', 'b', 'c']);
    acc.add([0, 1], [1, 1], [0.5, 0.5, 0, 0, 1, 0]);
    expect(() => acc.add([0, 3], [0, 0], new Float64Array(6))).toThrow(/yTrue of row 3 is 3/);
    expect(() => acc.add([0, 1.5], [0, 0], new Float64Array(6))).toThrow(/class index/);
    expect(() => acc.add([0], [0, 1], new Float64Array(3))).toThrow(/yPred has 2 rows/);
    expect(() => acc.add([0], [0], new Float64Array(2))).toThrow(/expected rows × classes/);
    expect(() => acc.add([0], [0], [NaN, 0.5, 0.5])).toThrow(/probabilities must be numbers in \[0, 1\]/);
    expect(() => acc.add([0], [0], [1.5, 0, 0])).toThrow(/\[0, 1\]/);
    expect(() => acc.add([0], [0])).toThrow(/every batch or none/);
    expect(acc.count).toBe(2);
    expect(acc.finish().accuracy).toBe(0.5);
    expect(() => new ClassificationAccumulator(['x'])).toThrow(/at least two/);
    expect(() => new ClassificationAccumulator(['x', 'x'])).toThrow(/distinct/);
  });

  it('finish() can be called between batches', () => {
    const acc = new ClassificationAccumulator(['0', '1']);
    acc.add([0, 1], [0, 1], [0.9, 0.1, 0.3, 0.7]);
    expect(acc.finish().roc_auc).toBe(1);
    acc.add([1], [0], [0.95, 0.05]);
    const m = acc.finish();
    expect(m.count).toBe(3);
    expect(m.roc_auc).toBe(0.5);
  });
});

describe('regression edge cases', () => {
  it('r2 conventions: constant y_true, perfect predictions, a single row', () => {
    expect(regressionMetrics([1, 1, 1], [1, 1, 1]).r2).toBe(1);
    expect(regressionMetrics([0.1, 0.1, 0.1], [0.1, 0.2, 0.1]).r2).toBe(0);
    const one = regressionMetrics([2], [3]);
    expect(one.r2).toBeUndefined();
    expect(one.mae).toBe(1);
    expect(one.notes.join(' ')).toContain('r2 undefined');
  });

  it('mape divides by max(|y|, eps) and notes zeros', () => {
    const m = regressionMetrics([0, 2], [1, 1]);
    expect(m.mape).toBe((1 / 2.220446049250313e-16 + 0.5) / 2);
    expect(m.notes.join(' ')).toContain('1 row(s) have y_true = 0');
  });

  it('no rows, non-finite values, length mismatch', () => {
    expect(new RegressionAccumulator().finish()).toEqual({ task: 'regression', count: 0, notes: ['no rows: every metric except count is undefined'] });
    const acc = new RegressionAccumulator();
    expect(() => acc.add([1, NaN], [1, 2])).toThrow(/yTrue of row 1 is NaN/);
    expect(() => acc.add([1], [Infinity])).toThrow(/yPred of row 0/);
    expect(() => acc.add([1], [1, 2])).toThrow(/yPred has 2 rows/);
    expect(acc.count).toBe(0);
  });

  it('stays accurate at 10^6 rows with a large offset (compensated sums, two-pass SS_tot)', () => {
    const rng = new MetricsRng(5);
    const n = 1_000_000;
    const y = new Float64Array(n);
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const d = (rng.nextU32() >>> 11) / 2097152 - 0.5; // exact, mean ≈ 0
      y[i] = 1e8 + d;
      p[i] = 1e8 + d + ((i & 1) === 0 ? 0.25 : -0.25);
    }
    const m = regressionMetrics(y, p);
    expect(m.mae).toBe(0.25);
    expect(m.mse).toBe(0.0625);
    expect(m.mean_prediction! - m.mean_label!).toBeCloseTo(0, 7);
    // var of U(-0.5, 0.5) is 1/12: r2 ≈ 1 − 0.0625 · 12
    expect(m.r2!).toBeCloseTo(1 - 0.0625 * 12, 2);
  });
});

describe('rank metrics', () => {
  it('groups -0 and +0 together and sorts scores decreasingly', () => {
    const g = scoreGroups(new Float64Array([0, -0, 0.5, 1, 0.5]), 5);
    expect(g.groups).toBe(3);
    expect(Array.from(g.groupOf)).toEqual([2, 2, 1, 0, 1]);
    const r = rankMetrics(g, new Int32Array([0, 1, 1, 1, 0]), 1, null);
    expect(r.positives).toBe(3);
    expect(r.negatives).toBe(2);
  });

  it('radix argsort orders any doubles decreasingly', () => {
    const rng = new MetricsRng(3);
    const special = [0, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1, 0.5, 0.5];
    const n = 20_000;
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rng.nextU32();
      col[i] = i < special.length ? special[i]! : r % 3 === 0 ? (r % 1000) / 7 : (rng.nextFloat() - 0.5) * 10 ** ((r % 40) - 20);
    }
    const order = argsortDescending(col);
    expect(new Set(order).size).toBe(n);
    for (let i = 1; i < n; i++) expect(col[order[i - 1]!]! >= col[order[i]!]!).toBe(true);
    // stable for ties: equal values keep their row order
    for (let i = 1; i < n; i++) {
      if (Object.is(col[order[i - 1]!], col[order[i]!])) expect(order[i - 1]!).toBeLessThan(order[i]!);
    }
  });

  it('rankColumn gives the grouped path\'s numbers, and the pairwise AUC, for float32 and other scores', () => {
    const rng = new MetricsRng(11);
    /** AUC by counting pairs (a positive above a negative: 1, tied: 1/2), the Mann–Whitney definition. */
    const pairwise = (s: Float64Array, y: Int32Array, k: number, c: number): number => {
      let wins = 0;
      let pairs = 0;
      for (let i = 0; i < y.length; i++) {
        if (y[i] !== c) continue;
        for (let j = 0; j < y.length; j++) {
          if (y[j] === c) continue;
          const a = s[i * k + c]!;
          const b = s[j * k + c]!;
          wins += a > b ? 1 : a === b ? 0.5 : 0;
          pairs++;
        }
      }
      return wins / pairs;
    };
    const special = [0, -0, 1, -1, 0.5, Infinity, -Infinity, 1.401298464324817e-45, -1.401298464324817e-45, 3.4028234663852886e38];
    // Non-negative float32 scores (a model's probabilities) are the sort of 31-bit keys; the rest the general path.
    const nonNegative = special.filter((v) => v >= 0);
    for (const [k, kind] of [
      [2, 'float32'],
      [3, 'float32'],
      [2, 'float32-ties'],
      [2, 'float32-nonneg'],
      [3, 'float32-nonneg'],
      [2, 'float32-nonneg-ties'],
      [2, 'float64'],
      [4, 'float64-ties'],
    ] as const) {
      const n = 1500;
      const scores = new Float64Array(n * k);
      const labels = new Int32Array(n);
      const specials = kind.includes('nonneg') ? nonNegative : special;
      for (let i = 0; i < n; i++) {
        labels[i] = rng.nextU32() % k;
        for (let c = 0; c < k; c++) {
          const u = kind.includes('nonneg') ? rng.nextFloat() : rng.nextFloat() * 2 - 1;
          const v = kind.endsWith('ties') ? Math.round(u * 20) / 20 : u * 10 ** ((rng.nextU32() % 12) - 6);
          scores[i * k + c] = i < specials.length ? specials[(i + c) % specials.length]! : kind.startsWith('float32') ? Math.fround(v) : v;
        }
      }
      for (let c = 0; c < k; c++) {
        const fast = rankColumn(scores, n, k, c, labels, c);
        expect(fast).toEqual(rankMetrics(scoreGroups(scores, n, k, c), labels, c, null));
        expect(fast.rocAuc).toBeCloseTo(pairwise(scores, labels, k, c), 12);
      }
    }
    // one class only, and no rows
    expect(rankColumn(new Float64Array([0.5, 0.25]), 2, 1, 0, new Int32Array([1, 1]), 1)).toEqual({ positives: 2, negatives: 0, rocAuc: undefined, averagePrecision: 1 });
    expect(rankColumn(new Float64Array(0), 0, 1, 0, new Int32Array(0), 1)).toEqual({ positives: 0, negatives: 0, rocAuc: undefined, averagePrecision: undefined });
  });

  it('RankKeys made batch by batch, and the accumulator that uses them, give rankColumn\'s numbers', () => {
    const rng = new MetricsRng(5);
    const n = 4000;
    // Binary probabilities as a model returns them (float32), with ties, and 0 and 1 among them.
    const proba = new Float64Array(2 * n);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p1 = i < 3 ? [0, 1, 0.5][i]! : Math.fround(i % 5 === 0 ? Math.round(rng.nextFloat() * 10) / 10 : rng.nextFloat());
      proba[2 * i + 1] = p1;
      proba[2 * i] = Math.fround(1 - p1);
      y[i] = rng.nextFloat() < p1 ? 1 : 0;
    }
    const whole = rankColumn(proba, n, 2, 1, y, 1);
    const keys = new RankKeys();
    for (let b = 0; b < n; b += 333) keys.add(proba.subarray(2 * b), Math.min(333, n - b), 2, 1, y.subarray(b), 1);
    expect(keys.length).toBe(n);
    expect(keys.rank({ auc: true, ap: true })).toEqual(whole);
    // rank() leaves the keys as they were: again, and after more rows.
    expect(keys.rank({ auc: true, ap: true })).toEqual(whole);
    // Through the accumulator: the same AUC and AP as the general path over the same rows.
    const acc = new ClassificationAccumulator(['0', '1']);
    for (let b = 0; b < n; b += 1000) acc.add(y.subarray(b, b + 1000), y.subarray(b, b + 1000), proba.subarray(2 * b, 2 * (b + 1000)));
    const general = rankMetrics(scoreGroups(proba, n, 2, 1), y, 1, null);
    const m = acc.finish();
    expect([m.roc_auc, m.average_precision]).toEqual([general.rocAuc, general.averagePrecision]);
    // A snapshot taken before more rows keeps its own rows; then a score that is not a float32 (0.1):
    // the keys give up and the general path answers.
    const before = acc.data();
    acc.add(new Int32Array([1]), new Int32Array([1]), new Float64Array([0.9, 0.1]));
    expect(before.compute(null).roc_auc).toBe(m.roc_auc);
    const all = acc.finish();
    const yAll = Int32Array.from([...y, 1]);
    const pAll = Float64Array.from([...proba, 0.9, 0.1]);
    expect(all.roc_auc).toBe(rankMetrics(scoreGroups(pAll, n + 1, 2, 1), yAll, 1, null).rocAuc);
    const bad = new RankKeys();
    bad.add(new Float64Array([0.25, 0.1]), 2, 1, 0, new Int32Array([1, 0]), 1);
    expect([bad.valid, bad.rank({ auc: true, ap: true })]).toEqual([false, undefined]);
    // Keys that must keep any score (an accumulator without rows): the float32 rows so far come back
    // from their keys, exactly, and the general path ranks them with the rest.
    const kept = new RankKeys(16, true);
    for (let b = 0; b < n; b += 333) kept.add(proba.subarray(2 * b), Math.min(333, n - b), 2, 1, y.subarray(b), 1);
    kept.add(new Float64Array([0.9, 0.1]), 1, 2, 1, new Int32Array([1]), 1);
    expect(kept.valid).toBe(true);
    expect(kept.length).toBe(n + 1);
    const general2 = rankMetrics(scoreGroups(pAll, n + 1, 2, 1), yAll, 1, null);
    expect(kept.rank({ auc: true, ap: true })).toEqual(general2);
    // And the accumulator that stores no rows: the same metrics as the one that does, in every field.
    const lean = new ClassificationAccumulator(['0', '1'], { keepRows: false });
    for (let b = 0; b < n; b += 1000) lean.add(y.subarray(b, b + 1000), y.subarray(b, b + 1000), proba.subarray(2 * b, 2 * (b + 1000)));
    expect(lean.finish()).toEqual(m);
    lean.add(new Int32Array([1]), new Int32Array([1]), new Float64Array([0.9, 0.1]));
    expect(lean.finish()).toEqual(all);
    expect(lean.count).toBe(n + 1);
  });

  it('integer weights equal repeated rows', () => {
    const scores = new Float64Array([0.1, 0.4, 0.35, 0.8, 0.4]);
    const labels = new Int32Array([0, 0, 1, 1, 1]);
    const w = new Int32Array([2, 0, 3, 1, 2]);
    const weighted = rankMetrics(scoreGroups(scores, 5), labels, 1, w);
    const repS: number[] = [];
    const repL: number[] = [];
    w.forEach((c, i) => {
      for (let j = 0; j < c; j++) {
        repS.push(scores[i]!);
        repL.push(labels[i]!);
      }
    });
    const repeated = rankMetrics(scoreGroups(Float64Array.from(repS), repS.length), Int32Array.from(repL), 1, null);
    expect(weighted).toEqual(repeated);
  });
});

describe('metric names and directions', () => {
  it('every scalar metric has a direction', () => {
    for (const n of [...CLASSIFICATION_METRICS, ...REGRESSION_METRICS]) expect(METRIC_DIRECTIONS[n]).toMatch(/^(higher|lower|none)$/);
    expect(greaterIsBetter('accuracy')).toBe(true);
    expect(greaterIsBetter('log_loss')).toBe(false);
    expect(greaterIsBetter('rmse')).toBe(false);
    expect(greaterIsBetter('r2')).toBe(true);
    expect(greaterIsBetter('brier')).toBe(false);
    expect(greaterIsBetter('count')).toBeUndefined();
    expect(() => greaterIsBetter('nope')).toThrow(/unknown metric/);
    expect(isMetricName('f1_weighted')).toBe(true);
  });

  it('scalarMetrics flattens a result', () => {
    const m = classificationMetrics(['0', '1'], [0, 1], [0, 1], [0.8, 0.2, 0.1, 0.9]);
    const s = scalarMetrics(m);
    expect(s.accuracy).toBe(1);
    expect(s.roc_auc).toBe(1);
    expect(s.count).toBe(2);
    expect(Object.keys(s)).not.toContain('roc_auc_ovr_weighted');
    expect(scalarMetrics(regressionMetrics([1, 2], [1, 2]))).toMatchObject({ r2: 1, mae: 0, count: 2 });
  });

  it('MetricsRng matches the pinned xoshiro128** stream (the Python generator relies on it)', () => {
    // values from the Python port in scripts/fixtures/metrics_reference.py
    const r = new MetricsRng(20240611);
    expect([r.nextU32(), r.nextU32(), r.nextU32()]).toEqual([3238268948, 2364229819, 1376138887]);
    const z = new MetricsRng(0);
    expect([z.nextU32(), z.nextU32(), z.nextU32()]).toEqual([2069697080, 998401461, 1001187455]);
    const u = new MetricsRng(1);
    for (let i = 0; i < 1000; i++) {
      const x = u.nextInt(7);
      expect(x >= 0 && x < 7 && Number.isInteger(x)).toBe(true);
    }
  });

  it('MetricsRng is the shared generator (shared/rng.ts) with its own seeding (seed >>> 0) and nextInt (rejection up to 2^32)', () => {
    const draws = (r: Rng, n: number): number[] => Array.from({ length: n }, () => r.nextU32());
    for (const seed of [0, 1, 20240611, 0xffffffff]) expect(draws(new MetricsRng(seed), 20)).toEqual(draws(new Rng(seed), 20));
    // a non-integer or negative seed is truncated to uint32 (shared/rng.ts would fold it)
    expect(draws(new MetricsRng(7.9), 5)).toEqual(draws(new Rng(7), 5));
    expect(draws(new MetricsRng(-1), 5)).toEqual(draws(new Rng(0xffffffff), 5));
    expect(draws(new MetricsRng(7.9), 5)).not.toEqual(draws(new Rng(7.9), 5));
    // above 2^20, nextInt still rejects on 32 bits: one draw, unlike Rng's 53-bit path (two draws)
    const m = new MetricsRng(3);
    const r = new Rng(3);
    const n = 3_000_001;
    expect(m.nextInt(n)).toBe(r.nextU32Below(n));
    expect(m.nextU32()).toBe(r.nextU32());
    expect(new MetricsRng(5).nextFloat()).toBe(new Rng(5).nextU32() / 2 ** 32);
  });
});
