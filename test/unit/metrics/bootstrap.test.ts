/** Bootstrap intervals, tested by their properties (no reference values). */
import { describe, expect, it } from 'vitest';
import {
  BootstrapIntervalsSchema,
  CLASSIFICATION_METRICS,
  ClassificationAccumulator,
  MetricsRng,
  REGRESSION_METRICS,
  RegressionAccumulator,
  bootstrapIntervals,
  quantile,
} from '../../../shared/metrics';
import { classificationRows, expectClose, generateBinary, generateRegression, loadCases, type ClassificationCase } from './fixtures';

function binaryAcc(n: number, seed = 7): ClassificationAccumulator {
  const { yTrue, yPred, proba } = generateBinary(seed, n);
  const acc = new ClassificationAccumulator(['0', '1']);
  acc.add(yTrue, yPred, proba);
  return acc;
}

const width = (i: { low: number; high: number }) => i.high - i.low;
const METRICS = ['accuracy', 'f1', 'roc_auc', 'average_precision', 'log_loss', 'brier'];

describe('bootstrapIntervals', () => {
  const acc = binaryAcc(3000);
  const point = acc.finish();

  it('contains the point estimate and is ordered', () => {
    const ci = bootstrapIntervals(acc, METRICS, { resamples: 400, seed: 1 });
    expect(Object.keys(ci).sort()).toEqual([...METRICS].sort());
    for (const m of METRICS) {
      const v = point[m as keyof typeof point] as number;
      expect(ci[m]!.low, m).toBeLessThan(v);
      expect(ci[m]!.high, m).toBeGreaterThan(v);
    }
    expect(BootstrapIntervalsSchema.parse(JSON.parse(JSON.stringify(ci)))).toEqual(ci);
  });

  it('is deterministic per seed and changes with the seed', () => {
    const a = bootstrapIntervals(acc, ['accuracy', 'roc_auc'], { resamples: 200, seed: 42 });
    const b = bootstrapIntervals(acc, ['accuracy', 'roc_auc'], { resamples: 200, seed: 42 });
    const c = bootstrapIntervals(acc, ['accuracy', 'roc_auc'], { resamples: 200, seed: 43 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('narrows with more rows (about 1/√n)', () => {
    const small = bootstrapIntervals(binaryAcc(2000, 3), ['accuracy', 'roc_auc'], { resamples: 300, seed: 5 });
    const large = bootstrapIntervals(binaryAcc(50_000, 3), ['accuracy', 'roc_auc'], { resamples: 300, seed: 5 });
    for (const m of ['accuracy', 'roc_auc']) {
      const ratio = width(small[m]!) / width(large[m]!);
      expect(ratio, m).toBeGreaterThan(3); // √25 = 5
      expect(ratio, m).toBeLessThan(8);
    }
  });

  it('maxRows bootstraps a subsample: as wide as for that many rows', () => {
    const big = binaryAcc(50_000, 3);
    const full = bootstrapIntervals(big, ['accuracy'], { resamples: 300, seed: 5 });
    const sub = bootstrapIntervals(big, ['accuracy'], { resamples: 300, seed: 5, maxRows: 2000 });
    const ratio = width(sub.accuracy!) / width(full.accuracy!);
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(8);
  });

  it('the confidence level sets the width', () => {
    const ci90 = bootstrapIntervals(acc, ['accuracy'], { resamples: 500, seed: 2, confidence: 0.9 });
    const ci99 = bootstrapIntervals(acc, ['accuracy'], { resamples: 500, seed: 2, confidence: 0.99 });
    expect(width(ci99.accuracy!)).toBeGreaterThan(width(ci90.accuracy!));
  });

  it('a resample equals the metrics of the resampled rows (weights = repeated rows)', () => {
    for (const c of loadCases()) {
      if (c.task !== 'classification' || c.generator) continue;
      const { yTrue, yPred, proba } = classificationRows(c as ClassificationCase);
      const k = c.classes.length;
      const a = new ClassificationAccumulator(c.classes);
      a.add(yTrue, yPred, proba);
      const rng = new MetricsRng(9);
      const n = yTrue.length;
      const w = new Int32Array(n);
      for (let j = 0; j < n; j++) w[rng.nextInt(n)]!++;
      const weighted = a.data().compute(w);
      const rep = new ClassificationAccumulator(c.classes);
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < w[i]!; t++) rep.add([yTrue[i]!], [yPred[i]!], proba?.subarray(i * k, i * k + k));
      }
      const direct = rep.finish();
      expect(weighted.confusion_matrix).toEqual(direct.confusion_matrix);
      for (const m of CLASSIFICATION_METRICS) {
        const d = direct[m];
        if (d === undefined) expect(weighted[m], `${c.name}.${m}`).toBeUndefined();
        else expectClose(weighted[m], d, `${c.name}.${m}`, 1e-12);
      }
    }
    const { yTrue, yPred } = generateRegression(3, 2000);
    const r = new RegressionAccumulator();
    r.add(yTrue, yPred);
    const w = new Int32Array(2000);
    const rng = new MetricsRng(4);
    for (let j = 0; j < 2000; j++) w[rng.nextInt(2000)]!++;
    const rep = new RegressionAccumulator();
    for (let i = 0; i < 2000; i++) for (let t = 0; t < w[i]!; t++) rep.add([yTrue[i]!], [yPred[i]!]);
    const weighted = r.data().compute(w);
    const direct = rep.finish();
    for (const m of REGRESSION_METRICS) expectClose(weighted[m], direct[m]!, `regression.${m}`, 1e-12);
  });

  it('regression: rmse, r2 and mae intervals contain the estimate', () => {
    const { yTrue, yPred } = generateRegression(11, 5000);
    const r = new RegressionAccumulator();
    r.add(yTrue, yPred);
    const p = r.finish();
    const ci = bootstrapIntervals(r, ['rmse', 'r2', 'mae', 'count'], { resamples: 300, seed: 3 });
    for (const m of ['rmse', 'r2', 'mae'] as const) {
      expect(ci[m]!.low).toBeLessThan(p[m]!);
      expect(ci[m]!.high).toBeGreaterThan(p[m]!);
    }
    expect(ci.count).toEqual({ low: 5000, high: 5000 });
  });

  it('multiclass: one-vs-rest AUC intervals', () => {
    const c = loadCases().find((x) => x.name === 'multiclass_5_ties') as ClassificationCase;
    const { yTrue, yPred, proba } = classificationRows(c);
    const a = new ClassificationAccumulator(c.classes);
    a.add(yTrue, yPred, proba);
    const p = a.finish();
    const ci = bootstrapIntervals(a, ['roc_auc', 'roc_auc_ovr_weighted', 'f1_macro', 'average_precision'], { resamples: 200, seed: 8 });
    for (const m of ['roc_auc', 'roc_auc_ovr_weighted', 'f1_macro', 'average_precision'] as const) {
      expect(ci[m]!.low).toBeLessThan(p[m]!);
      expect(ci[m]!.high).toBeGreaterThan(p[m]!);
    }
  });

  it('leaves out metrics undefined in every resample; rejects unknown names and bad options', () => {
    const a = new ClassificationAccumulator(['0', '1']);
    a.add([0, 0, 0, 0], [0, 1, 0, 0], [0.9, 0.1, 0.4, 0.6, 0.8, 0.2, 0.7, 0.3]);
    const ci = bootstrapIntervals(a, ['roc_auc', 'accuracy'], { resamples: 50 });
    expect(ci.roc_auc).toBeUndefined();
    expect(ci.accuracy).toBeDefined();
    expect(() => bootstrapIntervals(a, ['rmse'])).toThrow(/not a scalar classification metric/);
    expect(() => bootstrapIntervals(a, ['accuracy'], { resamples: 0 })).toThrow(/resamples/);
    expect(() => bootstrapIntervals(a, ['accuracy'], { confidence: 1 })).toThrow(/confidence/);
    expect(bootstrapIntervals(new RegressionAccumulator(), ['mae'])).toEqual({});
  });

  it('quantile is numpy linear interpolation', () => {
    const s = new Float64Array([1, 2, 3, 4]);
    expect(quantile(s, 0)).toBe(1);
    expect(quantile(s, 0.25)).toBe(1.75);
    expect(quantile(s, 0.5)).toBe(2.5);
    expect(quantile(s, 1)).toBe(4);
  });

  it('point estimate unchanged by bootstrapping (finish after bootstrap)', () => {
    expect(acc.finish()).toEqual(point);
  });
});
