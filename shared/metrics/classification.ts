/**
 * Classification metrics, computed like scikit-learn 1.2.1 (the version the fixtures come from):
 *
 * - precision / recall / F1 use `zero_division=0`: a class never predicted has precision 0, a class
 *   never true has recall 0, and F1 = 2·P·R / (P + R) is 0 when P + R = 0. Binary metrics are those of
 *   the positive class `classes[1]` (sklearn `average='binary'`, pos_label = the second sorted label);
 *   macro = unweighted mean over ALL `classes` (like passing `labels=classes`), weighted = mean weighted
 *   by support. For multiclass, the plain `precision`/`recall`/`f1` are absent (sklearn raises for
 *   `average='binary'`): use the `_macro` / `_weighted` names.
 * - ROC AUC and average precision: see ranking.ts (ties grouped by distinct score, like sklearn).
 *   Binary: of the positive-class probability column. Multiclass: one-vs-rest on each class's
 *   probability column, `roc_auc` = macro, `roc_auc_ovr_weighted` = support-weighted mean
 *   (`roc_auc_score(multi_class='ovr', average=...)`), `average_precision` = macro AP over classes.
 *   Undefined (absent, with a note) when a class has no positive — or, for AUC, no negative — row, where
 *   sklearn raises ("Only one class present in y_true"). For AP sklearn 1.2.1 only warns and scores such
 *   a class 0; we leave the metric out instead.
 * - log loss: sklearn 1.2.1 `log_loss(eps='auto')`: every probability is clipped to [ε, 1 − ε] with
 *   ε = float64 machine epsilon (2.22e-16; it was 1e-15 before 1.2), each row is then divided by its sum,
 *   and the loss is the mean of −ln(p_true). Probabilities are treated as float64 whatever their source.
 * - Brier: binary = sklearn `brier_score_loss` of the positive class, mean (p₁ − y)² with y ∈ {0, 1};
 *   multiclass = the original (Brier 1950) multi-category score, mean over rows of Σₖ (pₖ − yₖ)² with y
 *   one-hot (sklearn 1.2.1 has no multiclass Brier; note the binary value is half of this sum for k = 2).
 * - sample weights are not supported (no sklearn `sample_weight`); bootstrap resamples are integer row
 *   multiplicities internally.
 *
 * Every sum over rows is compensated (Neumaier), so values agree with sklearn to ~1e-15 relative even at
 * millions of rows, and they do not depend on how the rows were split into batches.
 */
import { CompensatedSum, GrowableFloat64, GrowableInt32 } from './buffers';
import { rankColumn, rankMetrics, RankKeys, scoreGroups, type RankResult, type ScoreGroups } from './ranking';
import type { ClassificationMetrics, PerClass } from './types';

/** numpy.finfo(numpy.float64).eps: sklearn 1.2's `log_loss(eps='auto')` for float64 probabilities. */
export const LOG_LOSS_EPS = 2.220446049250313e-16;

/** Which groups of metrics to compute (the bootstrap skips the expensive ones it does not need). */
export interface ClassificationWant {
  confusion: boolean;
  logLoss: boolean;
  brier: boolean;
  auc: boolean;
  ap: boolean;
  notes: boolean;
}
export const ALL_CLASSIFICATION: ClassificationWant = { confusion: true, logLoss: true, brier: true, auc: true, ap: true, notes: true };

type IntLike = ArrayLike<number>;

/** What compute() over all rows takes from a ClassificationAccumulator instead of passes over the rows. */
export interface ClassificationTotals {
  rows: number;
  /** The confusion counts, row-major [true class][predicted class]. */
  confusion: Float64Array;
  /** Σ of the rows' log loss and Brier terms, in row order (the same doubles as a pass over the rows). */
  logLoss: number;
  brier: number;
}

/**
 * Streams (yTrue, yPred, proba) batches; `finish()` computes the metrics over all rows so far (it may be
 * called at any time, and again after more batches). Keeps running totals (confusion counts, the sums
 * of the log loss and Brier terms) and stores per row, in typed arrays that grow by doubling: the two
 * class indices (8 bytes), the k probabilities (8k bytes) and the row's log loss and Brier term (16
 * bytes) — e.g. ~40 MB for 10^6 binary rows (up to twice that in spare capacity). AUC and AP need
 * every score; the stored rows also let the bootstrap resample without copying. With `keepRows: false`
 * and two classes, nothing is stored per row but the ranking's keys (4 bytes; 12 once a score is not a
 * float32: see RankKeys' keepScores): finish() needs no more, data() (bootstrap, subsets) is not there.
 */
export class ClassificationAccumulator {
  readonly classes: readonly string[];
  readonly k: number;
  private readonly yTrue = new GrowableInt32();
  private readonly yPred = new GrowableInt32();
  private readonly proba = new GrowableFloat64();
  private readonly rowLogLoss = new GrowableFloat64();
  private readonly rowBrier = new GrowableFloat64();
  /** Two classes: the positive-class scores' sort keys, made batch by batch for finish (see RankKeys). */
  private readonly rankKeys: RankKeys | undefined;
  /** rows whose probabilities do not sum to 1 within numpy.allclose tolerance */
  private offUnitRows = 0;
  private hasProba: boolean | undefined;
  private snapshot: ClassificationData | undefined;
  private rows = 0;
  private readonly confusion: Float64Array;
  private readonly logLoss = new CompensatedSum();
  private readonly brier = new CompensatedSum();
  /** Whether the rows are stored (always with more than two classes: their AUCs sort each column). */
  readonly keepsRows: boolean;
  /** Without the rows: one batch's log loss and Brier terms, before they are summed. */
  private readonly scratchLogLoss = new GrowableFloat64(0);
  private readonly scratchBrier = new GrowableFloat64(0);

  constructor(classes: readonly string[], options: { keepRows?: boolean } = {}) {
    checkClasses(classes);
    this.classes = Object.freeze([...classes]);
    this.k = classes.length;
    this.keepsRows = options.keepRows !== false || this.k !== 2;
    // Without the rows, the keys are all the ranking has: they keep any score (RankKeys keepScores).
    this.rankKeys = this.k === 2 ? new RankKeys(1024, !this.keepsRows) : undefined;
    this.confusion = new Float64Array(this.k * this.k);
  }

  get count(): number {
    return this.rows;
  }

  /**
   * Adds a batch. `yTrue`, `yPred`: class indices into `classes`. `proba`: row-major n×k class
   * probabilities (column j = classes[j]), each in [0, 1]; give it for every batch or for none.
   */
  add(yTrue: IntLike, yPred: IntLike, proba?: ArrayLike<number>): void {
    const n = yTrue.length;
    const k = this.k;
    const withProba = proba !== undefined;
    if (this.hasProba !== undefined && this.hasProba !== withProba) {
      throw new Error(`probabilities were ${this.hasProba ? '' : 'not '}given for earlier batches: give them for every batch or none`);
    }
    // validate first, so a bad batch leaves the accumulator unchanged
    checkClassificationBatch(this.classes, yTrue, yPred, proba, this.rows);
    this.snapshot = undefined;
    this.hasProba = withProba;
    const cm = this.confusion;
    for (let i = 0; i < n; i++) cm[yTrue[i]! * k + yPred[i]!]! += 1;
    this.rows += n;
    const keep = this.keepsRows;
    if (keep) {
      const base = this.yTrue.length;
      this.yTrue.reserve(n).set(yTrue, base);
      this.yPred.reserve(n).set(yPred, base);
      this.yTrue.length += n;
      this.yPred.length += n;
    }
    if (!proba) return;
    if (keep) {
      const pbBase = this.proba.length;
      this.proba.reserve(n * k).set(proba, pbBase);
      this.proba.length += n * k;
    }
    // The rows' terms go into the stored rows, or into a scratch batch, and are summed from there.
    const base = keep ? this.rowLogLoss.length : 0;
    const ll = keep ? this.rowLogLoss.reserve(n) : this.scratchLogLoss.reserve(n);
    const br = keep ? this.rowBrier.reserve(n) : this.scratchBrier.reserve(n);
    if (k === 2) {
      this.offUnitRows += binaryRowTerms(yTrue, proba, n, ll, br, base);
      this.rankKeys!.add(proba, n, 2, 1, yTrue, 1);
    } else this.offUnitRows += rowTerms(yTrue, proba, n, k, ll, br, base);
    for (let i = base; i < base + n; i++) {
      this.logLoss.add(ll[i]!);
      this.brier.add(br[i]!);
    }
    if (keep) {
      this.rowLogLoss.length += n;
      this.rowBrier.length += n;
    }
  }

  private totals(): ClassificationTotals {
    return { rows: this.rows, confusion: this.confusion.slice(), logLoss: this.logLoss.value, brier: this.brier.value };
  }

  /** The rows so far as compact arrays (views, no copy; used by bootstrap and slices). */
  data(): ClassificationData {
    if (!this.keepsRows) throw new Error('the rows were not kept (keepRows: false)');
    if (!this.snapshot) {
      this.snapshot = new ClassificationData(
        this.classes,
        this.yTrue.view(),
        this.yPred.view(),
        this.hasProba ? this.proba.view() : null,
        this.hasProba ? this.rowLogLoss.view() : null,
        this.hasProba ? this.rowBrier.view() : null,
        this.offUnitRows,
        this.hasProba ? this.rankKeys : undefined,
        this.totals(),
      );
    }
    return this.snapshot;
  }

  finish(): ClassificationMetrics {
    if (this.keepsRows) return this.data().compute(null, ALL_CLASSIFICATION);
    const none = new Int32Array(0);
    const p = this.hasProba ? new Float64Array(0) : null;
    return new ClassificationData(this.classes, none, none, p, p, p, this.offUnitRows, this.hasProba ? this.rankKeys : undefined, this.totals()).compute(null, ALL_CLASSIFICATION);
  }
}

/**
 * For k ≥ 3 classes (two: binaryRowTerms): each row's log loss and Brier term (the sum over classes)
 * into ll[base + i], br[base + i]; returns the number of rows whose probabilities do not sum to 1
 * (numpy.allclose(1, sum): |1 − sum| ≤ 1e-8 + 1e-5·|sum|).
 */
function rowTerms(yTrue: IntLike, proba: ArrayLike<number>, n: number, k: number, ll: Float64Array, br: Float64Array, base: number): number {
  const eps = LOG_LOSS_EPS;
  const hi = 1 - eps;
  let offUnit = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const t = yTrue[i]!;
    let clippedSum = 0;
    let sum = 0;
    let brier = 0;
    for (let j = 0; j < k; j++) {
      const p = proba[o + j]!;
      sum += p;
      clippedSum += p < eps ? eps : p > hi ? hi : p;
      const d = p - (j === t ? 1 : 0);
      brier += d * d;
    }
    const pt = proba[o + t]!;
    ll[base + i] = -Math.log((pt < eps ? eps : pt > hi ? hi : pt) / clippedSum);
    br[base + i] = brier;
    if (!(Math.abs(1 - sum) <= 1e-8 + 1e-5 * Math.abs(sum))) offUnit++;
  }
  return offUnit;
}

/**
 * rowTerms for two classes, the same arithmetic in the same order (so the same doubles) without the
 * inner loop; the Brier term is the positive class's, (p₁ − y)².
 */
function binaryRowTerms(yTrue: IntLike, proba: ArrayLike<number>, n: number, ll: Float64Array, br: Float64Array, base: number): number {
  const eps = LOG_LOSS_EPS;
  const hi = 1 - eps;
  let offUnit = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i]!;
    const p0 = proba[2 * i]!;
    const p1 = proba[2 * i + 1]!;
    const c0 = p0 < eps ? eps : p0 > hi ? hi : p0;
    const c1 = p1 < eps ? eps : p1 > hi ? hi : p1;
    ll[base + i] = -Math.log((t === 1 ? c1 : c0) / (c0 + c1));
    const d = p1 - t;
    br[base + i] = d * d;
    const sum = p0 + p1;
    if (!(Math.abs(1 - sum) <= 1e-8 + 1e-5 * Math.abs(sum))) offUnit++;
  }
  return offUnit;
}

export function checkClasses(classes: readonly string[]): void {
  if (classes.length < 2) throw new Error(`classification needs at least two classes, got ${JSON.stringify(classes)}`);
  if (new Set(classes).size !== classes.length) throw new Error(`class labels must be distinct, got ${JSON.stringify(classes)}`);
}

/** Throws on a malformed batch (lengths, class indices, probabilities); `base` numbers the rows in messages. */
export function checkClassificationBatch(
  classes: readonly string[],
  yTrue: IntLike,
  yPred: IntLike,
  proba: ArrayLike<number> | undefined,
  base = 0,
): void {
  const n = yTrue.length;
  const k = classes.length;
  if (yPred.length !== n) throw new Error(`yPred has ${yPred.length} rows but yTrue has ${n}`);
  if (proba && proba.length !== n * k) throw new Error(`proba has ${proba.length} values, expected rows × classes = ${n} × ${k} = ${n * k}`);
  for (let i = 0; i < n; i++) {
    checkClass(yTrue[i]!, k, 'yTrue', base + i);
    checkClass(yPred[i]!, k, 'yPred', base + i);
  }
  if (proba) {
    for (let j = 0; j < n * k; j++) {
      const p = proba[j]!;
      if (!(p >= 0 && p <= 1)) {
        throw new Error(`proba of row ${base + Math.floor(j / k)}, class '${classes[j % k]}' is ${p}: probabilities must be numbers in [0, 1]`);
      }
    }
  }
}

function checkClass(v: number, k: number, what: string, row: number): void {
  if (!(Number.isInteger(v) && v >= 0 && v < k)) {
    throw new Error(`${what} of row ${row} is ${v}: expected a class index, an integer in [0, ${k - 1}]`);
  }
}

/** Immutable rows of a classification evaluation; computes the metrics for all rows or a resample. */
export class ClassificationData {
  readonly k: number;
  readonly n: number;
  private readonly groups: (ScoreGroups | undefined)[];

  constructor(
    readonly classes: readonly string[],
    readonly yTrue: Int32Array,
    readonly yPred: Int32Array,
    readonly proba: Float64Array | null,
    readonly rowLogLoss: Float64Array | null,
    readonly rowBrier: Float64Array | null,
    readonly offUnitRows: number,
    /** Two classes: the accumulator's sort keys of the positive-class scores, when they cover these rows. */
    private readonly binaryKeys?: RankKeys,
    /** The accumulator's totals over these rows (which need not be here then): compute(null) uses them. */
    private readonly totals?: ClassificationTotals,
  ) {
    this.k = classes.length;
    this.n = totals?.rows ?? yTrue.length;
    this.groups = new Array<ScoreGroups | undefined>(this.k).fill(undefined);
  }

  /** Rows grouped by distinct probability of class `c` (built on first use, then cached). */
  scoreGroups(c: number): ScoreGroups {
    let g = this.groups[c];
    if (!g) {
      if (!this.proba) throw new Error('no probabilities');
      g = scoreGroups(this.proba, this.n, this.k, c);
      this.groups[c] = g;
    }
    return g;
  }

  /**
   * AUC and AP of class c's probability column, for all rows (`weights` null) or a resample. All rows
   * once take the sort that needs no group ids; resamples share the cached groups.
   */
  private rank(c: number, weights: Int32Array | null, want: { auc: boolean; ap: boolean }): RankResult {
    if (weights === null && this.groups[c] === undefined) {
      if (!this.proba) throw new Error('no probabilities');
      const keys = this.binaryKeys;
      const prepared = c === 1 && keys !== undefined && keys.length === this.n ? keys.rank(want) : undefined;
      return prepared ?? rankColumn(this.proba, this.n, this.k, c, this.yTrue, c, want);
    }
    return rankMetrics(this.scoreGroups(c), this.yTrue, c, weights, want);
  }

  /** A copy restricted to the given rows (in that order). */
  subset(rows: Int32Array): ClassificationData {
    const m = rows.length;
    const k = this.k;
    const yt = new Int32Array(m);
    const yp = new Int32Array(m);
    const pb = this.proba ? new Float64Array(m * k) : null;
    const ll = this.rowLogLoss ? new Float64Array(m) : null;
    const br = this.rowBrier ? new Float64Array(m) : null;
    let offUnit = 0;
    for (let i = 0; i < m; i++) {
      const r = rows[i]!;
      yt[i] = this.yTrue[r]!;
      yp[i] = this.yPred[r]!;
      if (pb && this.proba) {
        let s = 0;
        for (let j = 0; j < k; j++) s += pb[i * k + j] = this.proba[r * k + j]!;
        if (!(Math.abs(1 - s) <= 1e-8 + 1e-5 * Math.abs(s))) offUnit++;
      }
      if (ll) ll[i] = this.rowLogLoss![r]!;
      if (br) br[i] = this.rowBrier![r]!;
    }
    return new ClassificationData(this.classes, yt, yp, pb, ll, br, offUnit);
  }

  /**
   * The metrics over all rows (`weights` null) or over a resample given as per-row integer
   * multiplicities. `want` selects the metric groups to compute; the others are left out.
   */
  compute(weights: Int32Array | null, want: ClassificationWant = ALL_CLASSIFICATION): ClassificationMetrics {
    const { k, n, classes, yTrue, yPred } = this;
    const binary = k === 2;
    const notes: string[] = [];
    const totals = weights ? undefined : this.totals;
    const cm = totals ? totals.confusion.slice() : new Float64Array(k * k);
    let total = 0;
    if (weights) {
      for (let i = 0; i < n; i++) {
        const w = weights[i]!;
        if (w !== 0) cm[yTrue[i]! * k + yPred[i]!]! += w;
      }
    } else if (!totals) {
      for (let i = 0; i < n; i++) cm[yTrue[i]! * k + yPred[i]!]! += 1;
    }
    for (let j = 0; j < k * k; j++) total += cm[j]!;

    const support = new Array<number>(k).fill(0);
    const predicted = new Array<number>(k).fill(0);
    let correct = 0;
    for (let t = 0; t < k; t++) {
      for (let p = 0; p < k; p++) {
        const c = cm[t * k + p]!;
        support[t]! += c;
        predicted[p]! += c;
        if (t === p) correct += c;
      }
    }
    const perClass: PerClass[] = classes.map((label, c) => {
      const tp = cm[c * k + c]!;
      const precision = predicted[c]! > 0 ? tp / predicted[c]! : 0;
      const recall = support[c]! > 0 ? tp / support[c]! : 0;
      const denom = precision + recall;
      const f1 = denom === 0 ? 0 : (2 * precision * recall) / denom;
      return { class: label, precision, recall, f1, support: support[c]! };
    });
    const confusion: number[][] = [];
    for (let t = 0; t < k; t++) confusion.push(Array.from(cm.subarray(t * k, t * k + k)));

    const out: ClassificationMetrics = {
      task: 'classification',
      classes: [...classes],
      ...(binary ? { positive_class: classes[1]! } : {}),
      count: total,
      confusion_matrix: confusion,
      per_class: perClass,
      notes,
    };
    if (total === 0) {
      if (want.notes) notes.push('no rows: every metric except count is undefined');
      return out;
    }

    if (want.confusion) {
      out.accuracy = correct / total;
      if (binary) {
        const pos = perClass[1]!;
        out.precision = pos.precision;
        out.recall = pos.recall;
        out.f1 = pos.f1;
      }
      out.precision_macro = mean(perClass.map((r) => r.precision));
      out.recall_macro = mean(perClass.map((r) => r.recall));
      out.f1_macro = mean(perClass.map((r) => r.f1));
      out.precision_weighted = weightedMean(perClass.map((r) => r.precision), support);
      out.recall_weighted = weightedMean(perClass.map((r) => r.recall), support);
      out.f1_weighted = weightedMean(perClass.map((r) => r.f1), support);
      if (want.notes) {
        const neverPredicted = classes.filter((_, c) => predicted[c] === 0 && support[c]! > 0);
        if (neverPredicted.length > 0) {
          notes.push(`precision is 0 (zero_division=0) for classes never predicted: ${neverPredicted.map((c) => `'${c}'`).join(', ')}`);
        }
        const absent = classes.filter((_, c) => support[c] === 0);
        if (absent.length > 0) {
          notes.push(`recall is 0 (zero_division=0) for classes absent from y_true: ${absent.map((c) => `'${c}'`).join(', ')}`);
        }
      }
    }

    if (!this.proba) {
      if (want.notes) notes.push('no probabilities given: roc_auc, average_precision, log_loss and brier are undefined');
      return out;
    }
    if (want.logLoss) out.log_loss = totals ? totals.logLoss / total : weightedAverage(this.rowLogLoss!, weights, total);
    if (want.brier) out.brier = totals ? totals.brier / total : weightedAverage(this.rowBrier!, weights, total);
    if (want.notes && this.offUnitRows > 0) {
      notes.push(
        `probabilities of ${this.offUnitRows} row(s) do not sum to 1 (numpy.allclose tolerance): log_loss renormalises each row as sklearn does; ` +
          `sklearn's multiclass roc_auc would refuse them, here one-vs-rest AUC uses the scores as given`,
      );
    }

    if (want.auc || want.ap) {
      if (binary) {
        const r = this.rank(1, weights, { auc: want.auc, ap: want.ap });
        if (want.auc) {
          if (r.rocAuc !== undefined) out.roc_auc = r.rocAuc;
          else if (want.notes) notes.push(`roc_auc undefined: only one class ('${classes[r.positives > 0 ? 1 : 0]}') present in y_true`);
        }
        if (want.ap) {
          if (r.averagePrecision !== undefined) out.average_precision = r.averagePrecision;
          else if (want.notes) notes.push(`average_precision undefined: no row of the positive class '${classes[1]}' in y_true`);
        }
      } else {
        const auc: number[] = [];
        const ap: number[] = [];
        const noAuc: string[] = [];
        const noAp: string[] = [];
        for (let c = 0; c < k; c++) {
          if (support[c] === 0 || support[c] === total) {
            // sklearn's binary scorer raises for this class; skip the sort
            noAuc.push(classes[c]!);
            if (support[c] === 0) noAp.push(classes[c]!);
            else if (want.ap) ap.push(1); // every row positive: precision 1 at every threshold
            continue;
          }
          const r = this.rank(c, weights, { auc: want.auc, ap: want.ap });
          if (r.rocAuc !== undefined) auc.push(r.rocAuc);
          if (r.averagePrecision !== undefined) ap.push(r.averagePrecision);
        }
        if (want.auc) {
          if (noAuc.length === 0) {
            out.roc_auc = mean(auc);
            out.roc_auc_ovr_weighted = weightedMean(auc, support);
          } else if (want.notes) {
            notes.push(
              `roc_auc undefined: one-vs-rest needs each class both present and absent in y_true, ` +
                `but only one class is present for ${noAuc.map((c) => `'${c}'`).join(', ')} (sklearn raises)`,
            );
          }
        }
        if (want.ap) {
          if (noAp.length === 0) out.average_precision = mean(ap);
          else if (want.notes) {
            notes.push(
              `average_precision undefined: no positive row in y_true for ${noAp.map((c) => `'${c}'`).join(', ')} ` +
                `(sklearn 1.2.1 warns and scores such a class 0)`,
            );
          }
        }
      }
    }
    return out;
  }
}

/** np.average(values): plain sum / count (values are per-class numbers, k small). */
function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** np.average(values, weights): Σ vᵢwᵢ / Σ wᵢ. */
function weightedMean(values: readonly number[], weights: readonly number[]): number {
  let s = 0;
  let w = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i]! * weights[i]!;
    w += weights[i]!;
  }
  return s / w;
}

/** Compensated Σ wᵢ·xᵢ / total. */
function weightedAverage(x: Float64Array, weights: Int32Array | null, total: number): number {
  const s = new CompensatedSum();
  if (weights) {
    for (let i = 0; i < x.length; i++) {
      const w = weights[i]!;
      if (w !== 0) s.add(w * x[i]!);
    }
  } else {
    for (let i = 0; i < x.length; i++) s.add(x[i]!);
  }
  return s.value / total;
}
