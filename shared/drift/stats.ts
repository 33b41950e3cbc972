/**
 * Drift statistics on plain arrays (samples, counts, frequencies), each matching SciPy 1.10.1 and the
 * way Evidently (legacy `evidently.calculations.stattests`) calls it. The profile-level API is in
 * drift.ts; the Kolmogorov–Smirnov test in ks.ts.
 *
 *   chisquare(fObs, fExp)        scipy.stats.chisquare: Σ (o − e)² / e, p = chi2.sf(stat, k − 1 − ddof);
 *                                SciPy's check that Σo and Σe agree to 1e-8 relative is kept.
 *   chiSquareHomogeneity(r, c)   Evidently's `chisquare` stattest: f_exp = reference count ×
 *                                (current total / reference total), f_obs = current count, over the union
 *                                of categories (a category the reference lacks gives e = 0, so χ² = ∞ and
 *                                p = 0, as in SciPy).
 *   twoProportionZ(r, c)         Evidently's `z` stattest: the first category in sorted order vs the rest,
 *                                pooled two-proportion z, two-sided p = 2 (1 − Φ(|z|)) (computed exactly so,
 *                                as Evidently does); p = 1 when both sides hold the same single value.
 *   wassersteinDistance(u, v)    scipy.stats.wasserstein_distance (optionally weighted): ∫ |U − V| dx.
 *   wassersteinBinned(...)       the same on binned data, each bin's mass spread uniformly over it
 *                                (see its comment for the error).
 *   jensenShannon(p, q, base)    scipy.spatial.distance.jensenshannon: √(½ KL(p‖m) + ½ KL(q‖m)), m = ½(p+q),
 *                                inputs normalized to sum 1; natural log unless a base is given.
 *                                Evidently calls it with base=None (natural log): its `base` parameter
 *                                was added with default None in PR #499 (2023-02-13).
 *   psi(refShares, curShares)    Σ (r − c) ln(r / c) after Evidently's zero filling (fillZeroShares).
 */
import { chi2Sf, ndtr } from './special';

export interface TestResult {
  statistic: number;
  pValue: number;
}

/** Neumaier-compensated sum (so long sums agree with NumPy's pairwise sums to ~1e-16 relative). */
export function fsum(values: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    const t = sum + x;
    if (Math.abs(sum) >= Math.abs(x)) c += sum - t + x;
    else c += x - t + sum;
    sum = t;
  }
  // an infinite term makes the compensation NaN (∞ − ∞): the sum is then the plain one
  return Number.isFinite(sum) ? sum + c : sum;
}

// ---- chi-squared --------------------------------------------------------------------------------

/** `scipy.stats.chisquare(f_obs, f_exp, ddof)` (Pearson's statistic; p from chi2.sf(stat, k − 1 − ddof)). */
export function chisquare(fObs: ArrayLike<number>, fExp: ArrayLike<number>, ddof = 0): TestResult {
  const k = fObs.length;
  if (fExp.length !== k) throw new Error(`chisquare: ${k} observed but ${fExp.length} expected frequencies`);
  const so = fsum(fObs);
  const se = fsum(fExp);
  const relDiff = Math.abs(so - se) / Math.min(so, se);
  if (relDiff > 1e-8) {
    throw new Error(`chisquare: the observed (${so}) and expected (${se}) frequencies must sum to the same total (relative tolerance 1e-8)`);
  }
  const terms = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const d = fObs[i]! - fExp[i]!;
    terms[i] = (d * d) / fExp[i]!;
  }
  const statistic = fsum(terms);
  return { statistic, pValue: chi2Sf(statistic, k - 1 - ddof) };
}

/**
 * Evidently's chi-squared drift test on category counts of the same categories (index i of both
 * arrays is one category; union of both sides' categories, zero where a side lacks one).
 */
export function chiSquareHomogeneity(referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>): TestResult {
  const nRef = fsum(referenceCounts);
  const nCur = fsum(currentCounts);
  if (!(nRef > 0) || !(nCur > 0)) throw new Error('chiSquareHomogeneity: both sides need at least one value');
  const kNorm = nCur / nRef;
  // the categories are those present on either side (a category on neither is not one of Evidently's keys)
  const fObs: number[] = [];
  const fExp: number[] = [];
  for (let i = 0; i < referenceCounts.length; i++) {
    if (referenceCounts[i] === 0 && currentCounts[i] === 0) continue;
    fObs.push(currentCounts[i]!);
    fExp.push(referenceCounts[i]! * kNorm);
  }
  return chisquare(fObs, fExp);
}

// ---- two-proportion z -------------------------------------------------------------------------

export interface ZTestResult extends TestResult {
  /** The category counted as "0" (the first in sorted order); every other category is "1". */
  baseCategory: string | number | null;
}

/** Pooled two-proportion z statistic of p1 = x1/n1 vs p2 = x2/n2 (Evidently's proportions_diff_z_stat_ind). */
export function twoProportionZStatistic(x1: number, n1: number, x2: number, n2: number): number {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  return (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
}

/** Two-sided p-value of a z statistic as Evidently computes it: 2 (1 − Φ(|z|)). */
export function zTestPValue(z: number): number {
  return 2 * (1 - ndtr(Math.abs(z)));
}

/** Python's sort order for the category keys: numbers numerically, strings by code point. */
export function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  // code point order (UTF-16 code unit order differs only for astral characters vs U+E000–U+FFFF)
  const ia = sa[Symbol.iterator]();
  const ib = sb[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

/**
 * Evidently's `z` drift test on category counts: categories[i] has referenceCounts[i] and
 * currentCounts[i] values. The first category in sorted order is "0", the others "1".
 */
export function twoProportionZ(categories: readonly (string | number)[], referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>): ZTestResult {
  const present = (counts: ArrayLike<number>): number[] => categories.map((_, i) => i).filter((i) => counts[i]! > 0);
  const refPresent = present(referenceCounts);
  const curPresent = present(currentCounts);
  if (refPresent.length === 0 || curPresent.length === 0) throw new Error('twoProportionZ: both sides need at least one value');
  if (refPresent.length === 1 && curPresent.length === 1 && refPresent[0] === curPresent[0]) {
    return { statistic: 0, pValue: 1, baseCategory: categories[refPresent[0]!]! };
  }
  const union = [...new Set([...refPresent, ...curPresent])].sort((a, b) => compareKeys(categories[a]!, categories[b]!));
  const base = union[0]!;
  const n1 = fsum(referenceCounts);
  const n2 = fsum(currentCounts);
  // Evidently sums the 0/1 indicators: the count of values that are not the base category
  const x1 = n1 - referenceCounts[base]!;
  const x2 = n2 - currentCounts[base]!;
  const statistic = twoProportionZStatistic(x1, n1, x2, n2);
  return { statistic, pValue: zTestPValue(statistic), baseCategory: categories[base]! };
}

// ---- Wasserstein ------------------------------------------------------------------------------

function sortedWithWeights(values: ArrayLike<number>, weights: ArrayLike<number> | undefined, name: string): { v: Float64Array; cw: Float64Array | null } {
  const n = values.length;
  if (n === 0) throw new Error(`wassersteinDistance: ${name} is empty`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(values[i]!)) throw new Error(`wassersteinDistance: ${name} has a non-finite value`);
  if (!weights) return { v: Float64Array.from(values as ArrayLike<number>).sort(), cw: null };
  if (weights.length !== n) throw new Error(`wassersteinDistance: ${name} has ${n} values but ${weights.length} weights`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
  const v = new Float64Array(n);
  const cw = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) {
    const w = weights[order[k]!]!;
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`wassersteinDistance: ${name} weights must be finite and non-negative`);
    v[k] = values[order[k]!]!;
    cw[k + 1] = cw[k]! + w;
  }
  if (!(cw[n]! > 0)) throw new Error(`wassersteinDistance: ${name} weights must have a positive sum`);
  return { v, cw };
}

/**
 * First Wasserstein distance between two empirical distributions (`scipy.stats.wasserstein_distance`):
 * Σ over consecutive pooled values of |U(x) − V(x)| · Δx, with U, V the (weighted) right-continuous CDFs.
 */
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>, uWeights?: ArrayLike<number>, vWeights?: ArrayLike<number>): number {
  const a = sortedWithWeights(u, uWeights, 'u');
  const b = sortedWithWeights(v, vWeights, 'v');
  const na = a.v.length;
  const nb = b.v.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let comp = 0;
  let prev = Math.min(a.v[0]!, b.v[0]!);
  while (i < na || j < nb) {
    const x = j >= nb || (i < na && a.v[i]! <= b.v[j]!) ? a.v[i]! : b.v[j]!;
    if (x > prev) {
      const cu = a.cw ? a.cw[i]! / a.cw[na]! : i / na;
      const cv = b.cw ? b.cw[j]! / b.cw[nb]! : j / nb;
      const term = Math.abs(cu - cv) * (x - prev);
      const t = sum + term;
      comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
      sum = t;
      prev = x;
    }
    while (i < na && a.v[i]! <= x) i++;
    while (j < nb && b.v[j]! <= x) j++;
  }
  return sum + comp;
}

/** A binned distribution: the mass `counts[i]` lies in [lo_i, hi_i]; for the exact ends, see below. */
export interface BinnedSide {
  /** Bin counts on the shared edges (bin i = [edges[i], edges[i+1]), the first open below, the last above). */
  counts: ArrayLike<number>;
  /** The side's smallest and largest value (the outer bins are spread from min to the first cut, and from the last cut to max). */
  min: number;
  max: number;
}

/**
 * Approximate first Wasserstein distance from binned data on shared edges (a reference profile's
 * edges, the current data counted exactly on them). Each side's mass in a bin is spread uniformly over
 * the bin: interior bins over [e_i, e_{i+1}], the first bin over [min, e_1], the last over
 * [e_{B−1}, max] with that side's own min and max (a degenerate range is a point mass). Both
 * piecewise-linear CDFs are then exact at every edge, and ∫ |F̂ − Ĝ| is computed exactly.
 *
 * Error: within a bin of width w holding shares p (one side) and q (other side), a monotone CDF
 * differs from its chord by at most the bin's share, and the area between them is at most w·p/2, so
 *   |W1 − W1_binned| ≤ ½ Σ_bins w_i (p_i + q_i)        (returned as `errorBound`)
 * plus the error of the bin counts themselves (a reference's counts from a compacted KLL sketch carry
 * its rank error ε: ≤ ε · (max − min) more). The bound is loose: for smooth densities the chord error
 * is second order in the bin width, and it mostly cancels between two similar distributions; the unit
 * tests measure the actual error against SciPy on the raw values.
 */
export function wassersteinBinned(edges: readonly number[], ref: BinnedSide, cur: BinnedSide): { distance: number; errorBound: number } {
  const B = edges.length - 1;
  if (B < 1) throw new Error('wassersteinBinned: need at least 2 edges');
  if (ref.counts.length !== B || cur.counts.length !== B) throw new Error(`wassersteinBinned: ${B} bins need ${B} counts per side`);
  const cuts = edges.slice(1, -1);
  const side = (s: BinnedSide) => {
    const total = fsum(s.counts);
    if (!(total > 0)) throw new Error('wassersteinBinned: a side has no values');
    // segments [lo, hi] with their mass share
    const segs: { lo: number; hi: number; p: number }[] = [];
    for (let i = 0; i < B; i++) {
      const c = s.counts[i]!;
      if (c <= 0) continue;
      let lo = i === 0 ? s.min : cuts[i - 1]!;
      let hi = i === B - 1 ? s.max : cuts[i]!;
      // the side's own range clips the bin (values exist only within [min, max])
      lo = Math.max(lo, s.min);
      hi = Math.min(hi, s.max);
      if (hi < lo) hi = lo;
      segs.push({ lo, hi, p: c / total });
    }
    return segs;
  };
  const rs = side(ref);
  const cs = side(cur);
  // breakpoints: every segment end of either side
  const pts = new Set<number>();
  for (const s of [...rs, ...cs]) {
    pts.add(s.lo);
    pts.add(s.hi);
  }
  const xs = [...pts].sort((a, b) => a - b);
  // CDF just right of x (includes point masses at x), and its left limit
  const cdfAt = (segs: typeof rs, x: number, left: boolean): number => {
    let F = 0;
    for (const s of segs) {
      if (s.hi < x || (!left && s.hi === x)) F += s.p;
      else if (s.lo < x && x <= s.hi) F += s.hi > s.lo ? (s.p * (x - s.lo)) / (s.hi - s.lo) : s.p;
      else if (!left && s.lo === x && s.hi === x) F += s.p;
    }
    return F;
  };
  let distance = 0;
  for (let k = 0; k + 1 < xs.length; k++) {
    const x0 = xs[k]!;
    const x1 = xs[k + 1]!;
    const w = x1 - x0;
    // on (x0, x1) both CDFs are linear: from their right limits at x0 to their left limits at x1
    const d0 = cdfAt(rs, x0, false) - cdfAt(cs, x0, false);
    const d1 = cdfAt(rs, x1, true) - cdfAt(cs, x1, true);
    if ((d0 >= 0 && d1 >= 0) || (d0 <= 0 && d1 <= 0)) distance += (w * (Math.abs(d0) + Math.abs(d1))) / 2;
    else distance += (w * (d0 * d0 + d1 * d1)) / (2 * (Math.abs(d0) + Math.abs(d1)));
  }
  let errorBound = 0;
  for (const s of [...rs, ...cs]) errorBound += ((s.hi - s.lo) * s.p) / 2;
  return { distance, errorBound };
}

// ---- Jensen–Shannon and PSI ---------------------------------------------------------------------

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/** `scipy.spatial.distance.jensenshannon(p, q, base)`; natural logarithm when base is undefined. */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>, base?: number): number {
  const k = p.length;
  if (q.length !== k) throw new Error(`jensenShannon: ${k} vs ${q.length} probabilities`);
  const sp = fsum(p);
  const sq = fsum(q);
  const left = new Float64Array(k);
  const right = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    left[i] = relEntr(pi, m);
    right[i] = relEntr(qi, m);
  }
  let js = fsum(left) + fsum(right);
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js / 2);
}

/**
 * Evidently's zero filling for PSI (`get_binned_data(..., feel_zeroes=True)`): every zero share becomes
 * ε = (smallest non-zero share) / 10^6 when that smallest share is ≤ 0.0001, and ε = 0.0001 otherwise.
 * The shares are not renormalized (as in Evidently).
 */
export function fillZeroShares(shares: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(shares as ArrayLike<number>);
  let minNonZero = Infinity;
  for (const s of out) if (s !== 0 && s < minNonZero) minNonZero = s;
  if (minNonZero === Infinity) return out;
  const eps = minNonZero <= 0.0001 ? minNonZero / 10 ** 6 : 0.0001;
  for (let i = 0; i < out.length; i++) if (out[i] === 0) out[i] = eps;
  return out;
}

/**
 * Population stability index Σ (r_i − c_i) ln(r_i / c_i) over bins (or categories), from shares (or
 * counts, which are turned into shares), after Evidently's zero filling (fillZeroShares).
 * Rule of thumb: < 0.1 no significant change, 0.1–0.25 moderate, > 0.25 major.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const k = reference.length;
  if (current.length !== k) throw new Error(`psi: ${k} vs ${current.length} bins`);
  const sr = fsum(reference);
  const sc = fsum(current);
  const r = fillZeroShares(Array.from(reference as ArrayLike<number>, (x) => x / sr));
  const c = fillZeroShares(Array.from(current as ArrayLike<number>, (x) => x / sc));
  const terms = new Float64Array(k);
  for (let i = 0; i < k; i++) terms[i] = (r[i]! - c[i]!) * Math.log(r[i]! / c[i]!);
  return fsum(terms);
}

export type PsiLevel = 'none' | 'moderate' | 'major';

/** The usual reading of a PSI value: < 0.1 none, 0.1–0.25 moderate, > 0.25 major. */
export function psiLevel(value: number): PsiLevel {
  return value < 0.1 ? 'none' : value <= 0.25 ? 'moderate' : 'major';
}
