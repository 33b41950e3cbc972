/**
 * Training time on 100k rows × 20 features. Skipped unless MLOPS_BENCH=1:
 *   MLOPS_BENCH=1 npx vitest run test/unit/model/trainers/bench.test.ts
 * Prints wall times (median of 3) for both trainers, all-numeric and with categorical columns.
 */
import { describe, expect, it } from 'vitest';
import { trainLogistic, trainRidge } from '../../../../shared/model/trainers';
import type { FeatureColumn, TrainingTable } from '../../../../shared/model/trainers';
import { normal, rng } from './helpers';

const ROWS = 100_000;
const FEATURES = 20;

/** `categoricalCount` of the 20 features are categorical with 10 levels each. */
function table(categoricalCount: number, target: 'regression' | 'binary' | 'multiclass'): TrainingTable {
  const rand = rng(123);
  const gauss = normal(rand);
  const columns: FeatureColumn[] = [];
  const score = new Float64Array(ROWS);
  const score2 = new Float64Array(ROWS);
  for (let f = 0; f < FEATURES; f++) {
    const w = gauss();
    const w2 = gauss();
    if (f < FEATURES - categoricalCount) {
      const v = new Float64Array(ROWS);
      for (let i = 0; i < ROWS; i++) {
        v[i] = rand() < 0.01 ? NaN : gauss() * (f + 1) + f;
        if (v[i] === v[i]) {
          score[i] = (score[i] as number) + (w * ((v[i] as number) - f)) / (f + 1);
          score2[i] = (score2[i] as number) + (w2 * ((v[i] as number) - f)) / (f + 1);
        }
      }
      columns.push({ name: `n${f}`, kind: 'numeric', values: v });
    } else {
      const levels = Array.from({ length: 10 }, (_, k) => `L${k}`);
      const v: string[] = [];
      for (let i = 0; i < ROWS; i++) {
        const k = Math.floor(rand() * 10);
        v.push(levels[k] as string);
        score[i] = (score[i] as number) + (w * (k - 4.5)) / 5;
      }
      columns.push({ name: `c${f}`, kind: 'categorical', values: v });
    }
  }
  const values =
    target === 'regression'
      ? score.map((s) => s + gauss())
      : Array.from(score, (s, i) => {
          const noisy = s + gauss();
          if (target === 'binary') return noisy > 0 ? 'pos' : 'neg';
          return noisy > 1 ? 'high' : (score2[i] as number) > 0 ? 'mid' : 'low';
        });
  return { columns, target: { name: 'y', values } };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(fn: () => unknown): number {
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    fn();
    runs.push(performance.now() - t0);
  }
  return median(runs);
}

describe.skipIf(process.env.MLOPS_BENCH !== '1')('training speed, 100k rows × 20 features', () => {
  it.each([0, 5])('%i categorical columns', (categorical) => {
    const reg = table(categorical, 'regression');
    const bin = table(categorical, 'binary');
    const multi = table(categorical, 'multiclass');
    const ridgeMs = time(() => trainRidge(reg));
    const binModel = trainLogistic(bin);
    const binMs = time(() => trainLogistic(bin));
    const multiModel = trainLogistic(multi);
    const multiMs = time(() => trainLogistic(multi));
    console.log(
      `${ROWS} rows × ${FEATURES} features (${categorical} categorical, design width ${binModel.designColumns.length}): ` +
        `ridge ${ridgeMs.toFixed(0)} ms; logistic binary ${binMs.toFixed(0)} ms (${binModel.fit.iterations} Newton iterations); ` +
        `logistic 3 classes ${multiMs.toFixed(0)} ms (${multiModel.fit.iterations} iterations)`,
    );
    expect(binModel.fit.converged).toBe(true);
    expect(multiModel.fit.converged).toBe(true);
  }, 600_000);
});
