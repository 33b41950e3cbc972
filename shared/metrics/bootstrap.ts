/**
 * Percentile bootstrap confidence intervals for metrics of an accumulator.
 *
 * Each of B resamples draws n rows with replacement (seeded xoshiro128**, so the result is a pure
 * function of the data, the metric list and the options). A resample is represented by per-row integer
 * multiplicities (an Int32Array of counts, reused across resamples), never by copied rows: evaluating a
 * metric on it is a weighted pass over the stored typed arrays, identical to evaluating it on the
 * resampled rows.
 *
 * Cost per resample: n random draws plus one O(n) pass per metric group requested (confusion counts;
 * log loss; Brier; ranking). ROC AUC / average precision do NOT re-sort per resample: the rows are
 * grouped by distinct score once (radix argsort, O(n), per class for multiclass) and a resample only re-counts
 * positives and negatives per score group (O(n + distinct scores), see ranking.ts). Measured on one core
 * (test/unit/metrics/speed.test.ts), per resample at 10^6 rows: ~12 ms for accuracy/F1 (9 ms of it is
 * drawing the indices), ~18 ms for ROC AUC + AP, ~23 ms for the regression metrics. So B = 1000 costs
 * 12–25 s at 10^6 rows and a tenth of that at 10^5; use `maxRows` to bound it (B = 1000 of six binary
 * metrics with maxRows = 100 000: ~3 s). Memory: one Int32Array of n counts plus B doubles per metric.
 *
 * `maxRows`: when the data has more rows, the bootstrap runs on a seeded random subsample of `maxRows`
 * rows (without replacement) and each resample has `maxRows` rows. The intervals then describe a dataset
 * of `maxRows` rows: wider than the full data's (by about √(n / maxRows)), i.e. conservative.
 *
 * Percentiles are numpy's default ("linear") quantiles of the resampled values. A resample where a metric
 * is undefined (e.g. no positive row, so no AUC) is skipped for that metric; a metric undefined in every
 * resample is left out of the result.
 */
import { ClassificationAccumulator, type ClassificationData, type ClassificationWant } from './classification';
import { RegressionAccumulator, type RegressionData } from './regression';
import { MetricsRng } from './rng';
import { CLASSIFICATION_METRICS, REGRESSION_METRICS, type BootstrapIntervals } from './types';

export interface BootstrapOptions {
  /** number of resamples B (default 1000) */
  resamples?: number;
  /** two-sided confidence level (default 0.95) */
  confidence?: number;
  /** PRNG seed (default 0) */
  seed?: number;
  /** bootstrap a random subsample of at most this many rows (default: all rows) */
  maxRows?: number;
}

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_CONFIDENCE = 0.95;

type Source = ClassificationAccumulator | RegressionAccumulator | ClassificationData | RegressionData;

/** Bootstrap percentile intervals `{ metric: { low, high } }` for the given scalar metric names. */
export function bootstrapIntervals(source: Source, metrics: readonly string[], options: BootstrapOptions = {}): BootstrapIntervals {
  const B = options.resamples ?? DEFAULT_RESAMPLES;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  if (!(Number.isInteger(B) && B >= 1)) throw new Error(`resamples must be a positive integer, got ${B}`);
  if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be in (0, 1), got ${confidence}`);
  if (options.maxRows !== undefined && !(Number.isInteger(options.maxRows) && options.maxRows >= 1)) {
    throw new Error(`maxRows must be a positive integer, got ${options.maxRows}`);
  }
  let data: ClassificationData | RegressionData =
    source instanceof ClassificationAccumulator || source instanceof RegressionAccumulator ? source.data() : source;
  const isClassification = 'classes' in data;
  const known: readonly string[] = isClassification ? CLASSIFICATION_METRICS : REGRESSION_METRICS;
  for (const m of metrics) {
    if (!known.includes(m)) {
      throw new Error(`cannot bootstrap '${m}': not a scalar ${isClassification ? 'classification' : 'regression'} metric (${known.join(', ')})`);
    }
  }
  const rng = new MetricsRng(options.seed ?? 0);
  if (options.maxRows !== undefined && data.n > options.maxRows) data = data.subset(sampleRows(data.n, options.maxRows, rng));
  const n = data.n;
  const result: BootstrapIntervals = {};
  if (n === 0 || metrics.length === 0) return result;

  let evaluate: (w: Int32Array) => Record<string, unknown>;
  if ('classes' in data) {
    const cd = data;
    const want: ClassificationWant = {
      confusion: metrics.some((m) => m !== 'count' && m !== 'log_loss' && m !== 'brier' && !isRank(m)),
      logLoss: metrics.includes('log_loss'),
      brier: metrics.includes('brier'),
      auc: metrics.some((m) => m.startsWith('roc_auc')),
      ap: metrics.includes('average_precision'),
      notes: false,
    };
    evaluate = (w) => cd.compute(w, want) as unknown as Record<string, unknown>;
  } else {
    const rd = data;
    evaluate = (w) => rd.compute(w, false) as unknown as Record<string, unknown>;
  }

  const values = metrics.map(() => new Float64Array(B));
  const filled = new Int32Array(metrics.length);
  const weights = new Int32Array(n);
  // uniform index in [0, n): the top ⌈log2 n⌉ bits of a uint32, rejected when ≥ n (unbiased, < 2 draws
  // on average, no division)
  const shift = 32 - Math.max(1, Math.ceil(Math.log2(n)));
  for (let b = 0; b < B; b++) {
    weights.fill(0);
    for (let j = 0; j < n; j++) {
      let x = rng.nextU32() >>> shift;
      while (x >= n) x = rng.nextU32() >>> shift;
      weights[x]!++;
    }
    const r = evaluate(weights);
    for (let m = 0; m < metrics.length; m++) {
      const v = r[metrics[m]!];
      if (typeof v === 'number') values[m]![filled[m]!++] = v;
    }
  }
  const alpha = (1 - confidence) / 2;
  for (let m = 0; m < metrics.length; m++) {
    const count = filled[m]!;
    if (count === 0) continue;
    const sorted = values[m]!.subarray(0, count).sort();
    result[metrics[m]!] = { low: quantile(sorted, alpha), high: quantile(sorted, 1 - alpha) };
  }
  return result;
}

function isRank(m: string): boolean {
  return m.startsWith('roc_auc') || m === 'average_precision';
}

/** numpy.quantile(sorted, q) with the default linear method. */
export function quantile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return frac === 0 ? a : a + (b - a) * frac;
}

/** `m` distinct row indices out of n (partial Fisher–Yates), sorted for locality. */
function sampleRows(n: number, m: number, rng: MetricsRng): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + rng.nextInt(n - i);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, m).sort();
}
