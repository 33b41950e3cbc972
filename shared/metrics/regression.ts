/**
 * Regression metrics, computed like scikit-learn 1.2.1:
 *
 * - mae, mse: means of |e| and e² with e = y_pred − y_true; rmse = √mse (`mean_squared_error(squared=False)`).
 * - r2 (`r2_score`, force_finite=True): 1 − SS_res / SS_tot with SS_tot = Σ (y − ȳ)². If SS_res = 0 the
 *   score is 1 (perfect predictions, even for a constant y_true); if SS_res ≠ 0 and y_true is constant
 *   (SS_tot = 0) the score is 0. With fewer than two rows sklearn returns NaN: we leave r2 out with a note.
 *   "Constant" is decided exactly (min = max), so a constant column never gets a tiny rounding SS_tot.
 * - mape (`mean_absolute_percentage_error`): mean of |e| / max(|y_true|, ε), ε = float64 machine
 *   epsilon (2.22e-16). A zero y_true therefore contributes |e|·4.5e15: we add a note when that happens.
 * - max_error: max |e|. mean_label, mean_prediction: means of y_true and y_pred.
 *
 * All sums are compensated (Neumaier), SS_tot is computed in a second pass around the mean, so results
 * match sklearn to ~1e-15 relative at 10^6 rows and do not depend on batching.
 */
import { CompensatedSum, GrowableFloat64 } from './buffers';
import type { RegressionMetrics } from './types';

/** numpy.finfo(numpy.float64).eps, the epsilon of sklearn's MAPE. */
export const MAPE_EPS = 2.220446049250313e-16;

/** Streams (yTrue, yPred) batches; stores 16 bytes per row (needed by the bootstrap and the two-pass R²). */
export class RegressionAccumulator {
  private readonly yTrue = new GrowableFloat64();
  private readonly yPred = new GrowableFloat64();
  private snapshot: RegressionData | undefined;

  get count(): number {
    return this.yTrue.length;
  }

  /** Adds a batch of labels and predictions (finite numbers, same length). */
  add(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
    const n = yTrue.length;
    const base = this.yTrue.length;
    checkRegressionBatch(yTrue, yPred, base);
    this.snapshot = undefined;
    const yt = this.yTrue.reserve(n);
    const yp = this.yPred.reserve(n);
    for (let i = 0; i < n; i++) {
      yt[base + i] = yTrue[i]!;
      yp[base + i] = yPred[i]!;
    }
    this.yTrue.length += n;
    this.yPred.length += n;
  }

  data(): RegressionData {
    if (!this.snapshot) this.snapshot = new RegressionData(this.yTrue.view(), this.yPred.view());
    return this.snapshot;
  }

  finish(): RegressionMetrics {
    return this.data().compute(null, true);
  }
}

/** Throws on a malformed batch (lengths, non-finite values); `base` numbers the rows in messages. */
export function checkRegressionBatch(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, base = 0): void {
  const n = yTrue.length;
  if (yPred.length !== n) throw new Error(`yPred has ${yPred.length} rows but yTrue has ${n}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(yTrue[i])) throw new Error(`yTrue of row ${base + i} is ${yTrue[i]}: labels must be finite numbers`);
    if (!Number.isFinite(yPred[i])) throw new Error(`yPred of row ${base + i} is ${yPred[i]}: predictions must be finite numbers`);
  }
}

export class RegressionData {
  readonly n: number;
  constructor(
    readonly yTrue: Float64Array,
    readonly yPred: Float64Array,
  ) {
    this.n = yTrue.length;
  }

  subset(rows: Int32Array): RegressionData {
    const yt = new Float64Array(rows.length);
    const yp = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      yt[i] = this.yTrue[rows[i]!]!;
      yp[i] = this.yPred[rows[i]!]!;
    }
    return new RegressionData(yt, yp);
  }

  /** The metrics over all rows (`weights` null) or a resample given as per-row integer multiplicities. */
  compute(weights: Int32Array | null, withNotes = true): RegressionMetrics {
    const { n, yTrue, yPred } = this;
    const notes: string[] = [];
    const sAbs = new CompensatedSum();
    const sSq = new CompensatedSum();
    const sApe = new CompensatedSum();
    const sY = new CompensatedSum();
    const sP = new CompensatedSum();
    let total = 0;
    let maxErr = 0;
    let minY = Infinity;
    let maxY = -Infinity;
    let zeros = 0;
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i]! : 1;
      if (w === 0) continue;
      const y = yTrue[i]!;
      const p = yPred[i]!;
      const e = Math.abs(p - y);
      const ay = Math.abs(y);
      total += w;
      sAbs.add(w * e);
      sSq.add(w * e * e);
      sApe.add((w * e) / (ay > MAPE_EPS ? ay : MAPE_EPS));
      sY.add(w * y);
      sP.add(w * p);
      if (e > maxErr) maxErr = e;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      if (ay < MAPE_EPS) zeros += w;
    }
    const out: RegressionMetrics = { task: 'regression', count: total, notes };
    if (total === 0) {
      if (withNotes) notes.push('no rows: every metric except count is undefined');
      return out;
    }
    const mse = sSq.value / total;
    const meanY = sY.value / total;
    out.mae = sAbs.value / total;
    out.mse = mse;
    out.rmse = Math.sqrt(mse);
    out.mape = sApe.value / total;
    out.max_error = maxErr;
    out.mean_label = meanY;
    out.mean_prediction = sP.value / total;
    if (withNotes && zeros > 0) {
      notes.push(`mape: ${zeros} row(s) have y_true = 0 (|y_true| < 2.2e-16); like sklearn, their absolute error is divided by machine epsilon, so they dominate mape`);
    }
    if (total < 2) {
      if (withNotes) notes.push('r2 undefined: fewer than two rows (sklearn returns NaN)');
      return out;
    }
    const ssRes = sSq.value;
    let ssTot = 0;
    if (minY !== maxY) {
      const s = new CompensatedSum();
      for (let i = 0; i < n; i++) {
        const w = weights ? weights[i]! : 1;
        if (w === 0) continue;
        const d = yTrue[i]! - meanY;
        s.add(w * d * d);
      }
      ssTot = s.value;
    }
    if (ssRes === 0) out.r2 = 1;
    else if (ssTot === 0) {
      out.r2 = 0;
      if (withNotes) notes.push('r2 is 0: y_true is constant and predictions are not perfect (sklearn force_finite convention)');
    } else out.r2 = 1 - ssRes / ssTot;
    return out;
  }
}
