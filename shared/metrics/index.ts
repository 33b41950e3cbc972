/**
 * Model-evaluation metrics for the `evaluate` action: streaming accumulators (classification and
 * regression) that match scikit-learn 1.2.1, bootstrap confidence intervals, per-slice metrics, and
 * the direction of every metric for the gates. Result types are zod schemas (types.ts).
 */
export * from './types';
export { ClassificationAccumulator, ClassificationData, LOG_LOSS_EPS, checkClasses, checkClassificationBatch } from './classification';
export { RegressionAccumulator, RegressionData, MAPE_EPS, checkRegressionBatch } from './regression';
export { bootstrapIntervals, quantile, DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, type BootstrapOptions } from './bootstrap';
export { ClassificationSlices, RegressionSlices, DEFAULT_MAX_SLICES, OTHER_KEYS_CAP, type SliceKey, type SliceOptions } from './slices';
export { MetricsRng } from './rng';
export { argsortDescending, scoreGroups, rankMetrics, rankColumn, RankKeys, type ScoreGroups, type RankResult } from './ranking';

import { ClassificationAccumulator } from './classification';
import { RegressionAccumulator } from './regression';
import type { ClassificationMetrics, RegressionMetrics } from './types';

/** One-shot classification metrics (one batch). */
export function classificationMetrics(
  classes: readonly string[],
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  proba?: ArrayLike<number>,
): ClassificationMetrics {
  const acc = new ClassificationAccumulator(classes);
  acc.add(yTrue, yPred, proba);
  return acc.finish();
}

/** One-shot regression metrics (one batch). */
export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  const acc = new RegressionAccumulator();
  acc.add(yTrue, yPred);
  return acc.finish();
}
