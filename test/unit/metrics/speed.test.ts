/**
 * Speed at 10^6 rows, printed, not asserted (machines differ). Skipped unless MLOPS_BENCH=1:
 *   MLOPS_BENCH=1 npx vitest run test/unit/metrics/speed.test.ts
 * (METRICS_SPEED_N overrides the row count.)
 */
import { describe, expect, it } from 'vitest';
import { ClassificationAccumulator, MetricsRng, RegressionAccumulator, bootstrapIntervals } from '../../../shared/metrics';
import { batches, generateBinary, generateRegression } from './fixtures';

const N = Number(process.env.METRICS_SPEED_N ?? 1_000_000);
const BATCH = 65_536;

function time<T>(label: string, fn: () => T): T {
  const t0 = performance.now();
  const r = fn();
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(6)} ms`);
  return r;
}

describe.skipIf(process.env.MLOPS_BENCH !== '1')(`speed on ${N} rows`, () => {
  it('binary classification', { timeout: 300_000 }, () => {
    const { yTrue, yPred, proba } = generateBinary(1, N);
    const acc = new ClassificationAccumulator(['0', '1']);
    time(`binary: add in batches of ${BATCH}`, () => {
      for (const [s, e] of batches(N, BATCH)) acc.add(yTrue.subarray(s, e), yPred.subarray(s, e), proba!.subarray(2 * s, 2 * e));
    });
    const m = time('binary: finish (incl. score grouping for AUC/AP)', () => acc.finish());
    time('binary: finish again (grouping cached)', () => acc.finish());
    expect(m.count).toBe(N);
    const B = 50;
    time(`binary: bootstrap accuracy+f1, B=${B}`, () => bootstrapIntervals(acc, ['accuracy', 'f1'], { resamples: B }));
    time(`binary: bootstrap roc_auc+average_precision, B=${B}`, () => bootstrapIntervals(acc, ['roc_auc', 'average_precision'], { resamples: B }));
    time(`binary: bootstrap 6 metrics, B=1000, maxRows=100000`, () =>
      bootstrapIntervals(acc, ['accuracy', 'f1', 'roc_auc', 'average_precision', 'log_loss', 'brier'], { maxRows: 100_000 }),
    );
  });

  it('multiclass (5 classes) and regression', { timeout: 300_000 }, () => {
    const k = 5;
    const rng = new MetricsRng(2);
    const yTrue = new Int32Array(N);
    const yPred = new Int32Array(N);
    const proba = new Float64Array(N * k);
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += proba[i * k + j] = 1 + (rng.nextU32() >>> 20);
      let best = 0;
      for (let j = 0; j < k; j++) {
        proba[i * k + j]! /= s;
        if (proba[i * k + j]! > proba[i * k + best]!) best = j;
      }
      yPred[i] = best;
      yTrue[i] = rng.nextFloat() < 0.6 ? best : rng.nextInt(k);
    }
    const acc = new ClassificationAccumulator(['a', 'b', 'c', 'd', 'e']);
    time(`multiclass k=5: add in batches of ${BATCH}`, () => {
      for (const [s, e] of batches(N, BATCH)) acc.add(yTrue.subarray(s, e), yPred.subarray(s, e), proba.subarray(k * s, k * e));
    });
    time('multiclass k=5: finish', () => acc.finish());

    const r = generateRegression(3, N);
    const racc = new RegressionAccumulator();
    time(`regression: add in batches of ${BATCH}`, () => {
      for (const [s, e] of batches(N, BATCH)) racc.add(r.yTrue.subarray(s, e), r.yPred.subarray(s, e));
    });
    time('regression: finish', () => racc.finish());
    time('regression: bootstrap rmse+r2+mae, B=50', () => bootstrapIntervals(racc, ['rmse', 'r2', 'mae'], { resamples: 50 }));
  });
});
