/**
 * Data drift between a reference profile (stored with the production model) and the current data's
 * profile, column by column with Evidently's default tests and thresholds, and for the dataset.
 *
 * Which test (Evidently's `_get_default_stattest`, evidently/legacy/calculations/stattests/registry.py):
 *   n_ref = the reference column's non-missing values (Evidently drops null, NaN and ±inf first);
 *   unique = distinct values of reference and current together (Evidently: concat(ref, cur).nunique()).
 *   n_ref ≤ 1000:  numeric, unique > 5   → `ks`          drift when p ≤ 0.05
 *                  numeric, unique 3–5   → `chisquare`   drift when p < 0.05
 *                  categorical, unique > 2 → `chisquare`
 *                  unique ≤ 2 (either type) → `z`        drift when p < 0.05
 *   n_ref > 1000:  numeric, unique > 5   → `wasserstein` (W1 / max(std_ref, 0.001), std with ddof 0
 *                                          like np.std) drift when ≥ 0.1
 *                  numeric, unique ≤ 5, or categorical → `jensenshannon` (natural log) drift when ≥ 0.1
 *   Dataset drift when (drifted columns) / (tested columns) ≥ 0.5.
 *   Boolean, categorical and string columns are categorical; datetime columns are not tested (as in
 *   Evidently, whose drift metrics take numerical, categorical and text columns only).
 *   Why distances above 1000 rows: with large samples every p-value falls below 0.05 for shifts too
 *   small to matter, so tests only make sense for small references. Even then Evidently's `chisquare`
 *   takes the reference proportions as exact (a goodness-of-fit test against them, not a two-sample
 *   test), so a small reference raises false alarms well above 5%: about 1 in 8 unshifted columns over
 *   a dozen seeds in profiles.test.ts, and every categorical column with 10^6 current rows against 1000
 *   reference rows in bench.test.ts. That is Evidently's behaviour, reproduced, not corrected.
 *
 * Where the values come from (nothing here sees the training data, only its profile):
 *   - Reference, n_ref ≤ 1000: the reservoir `sample` holds every value (capacity 1000), so the tests
 *     (KS, chi-squared, z) are computed on the exact reference values — the same numbers SciPy gives on
 *     the raw data.
 *   - Reference, n_ref > 1000: distances, never p-values (sketch-based KS p-values would be erratic;
 *     a forced `ks` uses the reference's reservoir, a uniform sample of 1000 values, and says so).
 *     Wasserstein: from the KLL quantile sketches of both sides (each side's retained items with their
 *     weights, a side's exact values when it has ≤ 1000 of them or raw values are given). Its error is
 *     governed by the sketches' rank error ε (1.33% for k = 200): |W1 − Ŵ1| ≤ (ε_ref + ε_cur)·range
 *     (loose); measured with 2·10^4 reference and 5·10^4 current values (test/unit/drift/profiles.test.ts)
 *     it is ≤ 0.016 reference std on normal, shifted, rescaled, exponential and mixture data and up to
 *     0.05 std on lognormal data (a heavy right tail, where the sketch keeps few items), against the 0.1
 *     threshold. The alternative 'bins' method (wassersteinMethod: 'bins', each of the 10 quantile
 *     bins' mass spread uniformly) is much worse: its outer bins reach to min and max, so heavy tails
 *     give errors of several std (e.g. 1.67 instead of 0.002 on lognormal data with 10^6 current rows).
 *     Jensen–Shannon and PSI: on category counts (topK, exact while the column has ≤ topK capacity
 *     distinct values; reservoir when it holds every value), or for numeric columns with > 20 distinct
 *     reference values on the reference's bins (edges and counts, approximate when the reference's KLL
 *     compacted), against the current counts on the same edges.
 *   - Current: the current data is profiled with the reference's bin edges
 *     (`new DatasetProfiler(columns, { reference })`), so its bin counts are exact on the same bins.
 *     For sample-based statistics (KS, Wasserstein on samples) the current values are, in order of
 *     preference: `currentValues` passed for the column (the raw values: exact, as Evidently computes
 *     it; use it when the current data is small enough to hold), else the current profile's reservoir,
 *     which is every value when the current column has ≤ 1000 values, and otherwise a uniform random
 *     sample of 1000 of them (the result says `currentSampled: true`; the KS test is then a valid test
 *     on fewer current values: same level, less power, p-values not those of the full data).
 *     Category counts come from `currentValues`, the reservoir when complete, or topK (exact while
 *     distinct ≤ capacity).
 *   - When a side's category list is not exact (more distinct values than the topK capacity, 64 by
 *     default), the categories compared are those listed on every inexact side, and the rest of each
 *     side's mass is one "(other)" category; the result says `exact: false`. The coarser partition
 *     understates the distance, badly for flat distributions (Misra–Gries keeps little of their mass:
 *     100 equally likely categories gave 0.03 where the raw data gives 0.14). Profile high-cardinality
 *     categorical columns with a topK capacity above their number of categories to keep them exact.
 *
 * PSI is computed for every tested column as an extra figure (not part of the drift decision unless
 * the column's test is `psi`): on the reference bins for numeric columns with > 20 distinct reference
 * values, on category frequencies otherwise (Evidently's rule in get_binned_data; Evidently bins
 * numeric data into Sturges bins of the pooled data, which a profile cannot do: the reference's quantile
 * bins are used instead), with Evidently's zero filling (see fillZeroShares).
 */
import type { Cell } from '../data/types';
import { UserError } from '../errors';
import { KllSketch } from '../profile/kll';
import { binOf, columnRank, type ColumnProfileJSON, type DatasetProfile, type ProfileKind } from '../profile/profile';
import { ks2samp } from './ks';
import {
  chiSquareHomogeneity,
  compareKeys,
  fsum,
  jensenShannon,
  psi as psiValue,
  psiLevel,
  twoProportionZ,
  wassersteinBinned,
  wassersteinDistance,
  type PsiLevel,
} from './stats';

export const DRIFT_TESTS = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi'] as const;
export type DriftTest = (typeof DRIFT_TESTS)[number];

/** Evidently's default thresholds: p-value tests 0.05, distances 0.1. */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftTest, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
};

/** Tests with a p-value (drift when the p-value is below the threshold); the others are distances. */
export const P_VALUE_TESTS: ReadonlySet<DriftTest> = new Set(['ks', 'chisquare', 'z']);

/** References with at most this many values are tested (KS / chi-squared / z); larger ones measured. */
export const SMALL_REFERENCE_MAX = 1000;
export const DEFAULT_DRIFT_SHARE = 0.5;
/** Evidently's floor of the reference std that normalizes the Wasserstein distance. */
export const WASSERSTEIN_STD_FLOOR = 0.001;
/** Evidently bins numeric columns with more distinct reference values than this (else value counts). */
export const BINNED_UNIQUE_MIN = 20;
/** Label of the pooled remainder when a side's categories are not all known. */
export const OTHER_CATEGORY = '(other)';

const POOLED_NOTE = `more distinct values than the profile's top-k capacity: categories not counted exactly on both sides are pooled into ${JSON.stringify(OTHER_CATEGORY)}, which understates the difference (profile with a larger topK capacity to keep them exact)`;

export type DriftColumnType = 'numeric' | 'categorical';
export type CategoryKey = string | number;

export interface ColumnDriftOptions {
  /** Column name (for messages and the result). */
  name?: string;
  /** Test to use instead of the default. */
  test?: DriftTest;
  /** Threshold for this column (overrides `thresholds`). */
  threshold?: number;
  /** Per-test thresholds (default DEFAULT_THRESHOLDS). */
  thresholds?: Partial<Record<DriftTest, number>>;
  /** The current column's raw values (nulls, NaN, ±inf are dropped): exact sample-based statistics. */
  currentValues?: ArrayLike<Cell | undefined>;
  /**
   * Wasserstein distance when a side has more values than its reservoir: 'sketch' (default) from the
   * KLL quantile sketches, or 'bins' from the reference bins with each bin's mass spread uniformly
   * (wassersteinBinned; coarse with 10 quantile bins and poor for heavy tails).
   */
  wassersteinMethod?: 'sketch' | 'bins';
}

export interface DriftOptions {
  /** Per-column test overrides. */
  tests?: Record<string, DriftTest>;
  /** Per-test thresholds (default DEFAULT_THRESHOLDS). */
  thresholds?: Partial<Record<DriftTest, number>>;
  /** Per-column thresholds (override the per-test ones). */
  columnThresholds?: Record<string, number>;
  /** Dataset drift when the share of drifted columns is ≥ this (default 0.5). */
  driftShare?: number;
  /** Columns not to test. */
  ignore?: readonly string[];
  /** Test only these columns (default: every column of the reference). */
  columns?: readonly string[];
  /** Raw current values per column (see ColumnDriftOptions.currentValues). */
  currentValues?: Record<string, ArrayLike<Cell | undefined>>;
  /** See ColumnDriftOptions.wassersteinMethod. */
  wassersteinMethod?: 'sketch' | 'bins';
}

/** What a chart of the column needs: shares per bin or category, reference vs current. */
export type DriftDistribution =
  | {
      type: 'bins';
      /** Bin i holds [edges[i], edges[i+1]) (the first bin extends to −∞, the last to +∞). */
      edges: number[];
      referenceCounts: number[];
      currentCounts: number[];
      reference: number[];
      current: number[];
    }
  | {
      type: 'categories';
      /** Categories, reference count descending; OTHER_CATEGORY last when present. */
      categories: CategoryKey[];
      referenceCounts: number[];
      currentCounts: number[];
      reference: number[];
      current: number[];
    };

export interface ColumnDriftResult {
  column: string;
  kind: ProfileKind;
  type: DriftColumnType;
  test: DriftTest;
  /** KS D, chi-squared, z, normalized Wasserstein distance, Jensen–Shannon distance or PSI. */
  statistic: number;
  /** For ks, chisquare, z; null for the distances. */
  pValue: number | null;
  threshold: number;
  drifted: boolean;
  /** Whether the test was chosen by the default rules (false: overridden). */
  defaultTest: boolean;
  /**
   * How it was computed: ks 'exact' | 'asymp' (SciPy's branch); wasserstein 'samples' | 'sketch' | 'bins';
   * jensenshannon / psi / chisquare / z 'categories' | 'bins'.
   */
  method: string;
  /** True when the inputs were exact (no sketch approximation, no "(other)" pooling, no subsample). */
  exact: boolean;
  /** Values compared on each side (after dropping null, NaN, ±inf). */
  referenceValues: number;
  currentValues: number;
  /** The sample-based statistic used a uniform subsample of the current values (the reservoir). */
  currentSampled: boolean;
  /** Distinct values of reference and current together (a lower bound when !uniqueExact). */
  uniqueValues: number;
  uniqueExact: boolean;
  /** Wasserstein details: the raw distance, the normalizing std, and an error bound when approximate. */
  wasserstein?: { distance: number; norm: number; errorBound?: number };
  /** Population stability index, an extra figure for every column (null when not computable). */
  psi: number | null;
  psiLevel: PsiLevel | null;
  distribution: DriftDistribution;
  notes: string[];
}

export interface SkippedColumn {
  column: string;
  reason: string;
}

export interface DatasetDriftResult {
  columns: ColumnDriftResult[];
  skipped: SkippedColumn[];
  numberOfColumns: number;
  numberOfDriftedColumns: number;
  shareOfDriftedColumns: number;
  driftShare: number;
  datasetDrift: boolean;
  driftedColumns: string[];
}

// ---- values from profiles -----------------------------------------------------------------------

function columnType(kind: ProfileKind): DriftColumnType | null {
  switch (kind) {
    case 'numeric':
      return 'numeric';
    case 'categorical':
    case 'string':
    case 'boolean':
      return 'categorical';
    default:
      return null;
  }
}

/** Number of non-missing values sketched (null, NaN, ±inf excluded). */
function valueCount(col: ColumnProfileJSON): number {
  return col.sample.n;
}

function sampleComplete(col: ColumnProfileJSON): boolean {
  return col.sample.values.length === col.sample.n;
}

/** The key the profiler sketches for a cell of a non-numeric column (see ColumnProfiler.update). */
function categoryKeyOf(value: Cell | undefined): string | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? String(value) : null;
    case 'bigint':
      return value.toString();
    default:
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      return String(value);
  }
}

function numericValuesOf(values: ArrayLike<Cell | undefined>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number') {
      if (Number.isFinite(v)) out.push(v);
    } else if (typeof v === 'bigint') out.push(Number(v));
  }
  return Float64Array.from(out);
}

interface CategoryTable {
  counts: Map<CategoryKey, number>;
  /** Values not attributed to a listed key (0 when exact). */
  other: number;
  total: number;
  exact: boolean;
}

function tableFromKeys(keys: Iterable<CategoryKey>): CategoryTable {
  const counts = new Map<CategoryKey, number>();
  let total = 0;
  for (const k of keys) {
    counts.set(k, (counts.get(k) ?? 0) + 1);
    total++;
  }
  return { counts, other: 0, total, exact: true };
}

/** Category counts of a profiled column: the reservoir when it holds every value, else topK. */
function tableFromProfile(col: ColumnProfileJSON): CategoryTable {
  if (sampleComplete(col)) return tableFromKeys(col.sample.values);
  const counts = new Map<CategoryKey, number>();
  let listed = 0;
  for (const [k, c] of col.topK.items) {
    counts.set(k, c);
    listed += c;
  }
  const total = col.topK.n;
  const other = Math.max(0, total - listed);
  const exact = other <= 1e-9 * Math.max(1, total);
  return { counts, other: exact ? 0 : other, total, exact };
}

function tableFromValues(values: ArrayLike<Cell | undefined>, type: DriftColumnType): CategoryTable {
  if (type === 'numeric') return tableFromKeys(numericValuesOf(values));
  const keys: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const k = categoryKeyOf(values[i]);
    if (k !== null) keys.push(k);
  }
  return tableFromKeys(keys);
}

interface AlignedCategories {
  categories: CategoryKey[];
  ref: number[];
  cur: number[];
  exact: boolean;
  /** Distinct values of both sides together (a lower bound when !uniqueExact). */
  unique: number;
  uniqueExact: boolean;
}

/**
 * Both sides' counts on one partition: the union of the listed categories, restricted to those listed
 * on every inexact side, plus "(other)" holding the rest of each side when a side is inexact.
 */
function alignTables(ref: CategoryTable, cur: CategoryTable, distinctHint: number): AlignedCategories {
  const union = new Set<CategoryKey>([...ref.counts.keys(), ...cur.counts.keys()]);
  const unionSize = union.size;
  const keep = (k: CategoryKey) => (ref.exact || ref.counts.has(k)) && (cur.exact || cur.counts.has(k));
  const keys = [...union].filter(keep);
  keys.sort((a, b) => (ref.counts.get(b) ?? 0) - (ref.counts.get(a) ?? 0) || (cur.counts.get(b) ?? 0) - (cur.counts.get(a) ?? 0) || compareKeys(a, b));
  const refCounts = keys.map((k) => ref.counts.get(k) ?? 0);
  const curCounts = keys.map((k) => cur.counts.get(k) ?? 0);
  const exact = ref.exact && cur.exact;
  if (!exact) {
    const refOther = Math.max(0, ref.total - fsum(refCounts));
    const curOther = Math.max(0, cur.total - fsum(curCounts));
    if (refOther > 0 || curOther > 0) {
      keys.push(OTHER_CATEGORY);
      refCounts.push(refOther);
      curCounts.push(curOther);
    }
  }
  return {
    categories: keys,
    ref: refCounts,
    cur: curCounts,
    exact,
    unique: exact ? unionSize : Math.max(unionSize, distinctHint),
    uniqueExact: exact,
  };
}

interface Bins {
  edges: number[];
  ref: number[];
  cur: number[];
  exact: boolean;
  notes: string[];
}

function countOnEdges(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const cuts = edges.slice(1, -1);
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const b = binOf(cuts, values[i]!);
    counts[b] = counts[b]! + 1;
  }
  return counts;
}

function sameEdges(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Reference and current counts on the reference's bin edges. */
function binsOf(ref: ColumnProfileJSON, cur: ColumnProfileJSON, curValues: Float64Array | null): Bins | null {
  const rn = ref.numeric;
  if (!rn || rn.binEdges.length < 2) return null;
  const edges = rn.binEdges.slice();
  const notes: string[] = [];
  let exact = true;
  let refCounts: number[];
  if (sampleComplete(ref)) {
    // the reservoir holds every reference value: count them exactly on the edges
    refCounts = countOnEdges(ref.sample.values.filter((v): v is number => typeof v === 'number'), edges);
  } else {
    refCounts = rn.binCounts.slice();
    if (!rn.binCountsExact) {
      exact = false;
      notes.push(`reference bin counts are estimated from its KLL sketch (each bin within ±${(rn.binCountsError * 100).toFixed(2)}% of the values)`);
    }
  }
  let curCounts: number[];
  const cn = cur.numeric;
  if (curValues) {
    curCounts = countOnEdges(curValues, edges);
  } else if (cn && sameEdges(cn.binEdges, edges)) {
    curCounts = cn.binCounts.slice();
    if (!cn.binCountsExact) {
      exact = false;
      notes.push('current bin counts are estimated from its KLL sketch');
    }
  } else if (sampleComplete(cur)) {
    curCounts = countOnEdges(cur.sample.values.filter((v): v is number => typeof v === 'number'), edges);
  } else if (cn && cn.count > 0) {
    // not profiled on the reference's edges: estimate from the current KLL's ranks
    const cuts = edges.slice(1, -1);
    curCounts = [];
    let prev = 0;
    for (const c of cuts) {
      const below = (columnRank(cur, c, false) ?? 0) * cn.count;
      curCounts.push(below - prev);
      prev = below;
    }
    curCounts.push(cn.count - prev);
    exact = false;
    notes.push("current bin counts are estimated from its KLL sketch (profile the current data with the reference's bin edges for exact counts)");
  } else {
    return null;
  }
  return { edges, ref: refCounts, cur: curCounts, exact, notes };
}

function shares(counts: readonly number[]): number[] {
  const total = fsum(counts);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

function thresholdFor(test: DriftTest, options: ColumnDriftOptions): number {
  const t = options.threshold ?? options.thresholds?.[test] ?? DEFAULT_THRESHOLDS[test];
  if (!Number.isFinite(t)) throw new UserError(`drift threshold for ${options.name ?? 'a column'} (${test}) must be a number, got ${t}`);
  return t;
}

/** Evidently's comparison: ks p ≤ t, chisquare / z p < t, distances ≥ t. */
export function isDrift(test: DriftTest, score: number, threshold: number): boolean {
  if (Number.isNaN(score)) return false;
  switch (test) {
    case 'ks':
      return score <= threshold;
    case 'chisquare':
    case 'z':
      return score < threshold;
    default:
      return score >= threshold;
  }
}

/** The default test for a column (Evidently's rules; see the module comment). */
export function defaultDriftTest(type: DriftColumnType, referenceValues: number, uniqueValues: number): DriftTest {
  if (referenceValues <= SMALL_REFERENCE_MAX) {
    if (type === 'numeric' && uniqueValues > 5) return 'ks';
    return uniqueValues > 2 ? 'chisquare' : 'z';
  }
  if (type === 'numeric' && uniqueValues > 5) return 'wasserstein';
  return 'jensenshannon';
}

// ---- one column ---------------------------------------------------------------------------------

/**
 * Drift of one column: the reference column's profile against the current column's profile (profiled
 * with the reference's bin edges). Throws a UserError when the column cannot be tested (a datetime
 * column, a kind mismatch, no values on a side, a test that does not apply to the column's type).
 */
export function columnDrift(reference: ColumnProfileJSON, current: ColumnProfileJSON, options: ColumnDriftOptions = {}): ColumnDriftResult {
  const name = options.name ?? 'column';
  const type = columnType(reference.kind);
  if (!type) throw new UserError(`column ${JSON.stringify(name)}: ${reference.kind} columns are not tested for drift`);
  if (columnType(current.kind) !== type) {
    throw new UserError(`column ${JSON.stringify(name)} is ${reference.kind} in the reference but ${current.kind} in the current data`);
  }
  const raw = options.currentValues;
  const curNumeric = raw && type === 'numeric' ? numericValuesOf(raw) : null;
  const nRef = valueCount(reference);
  const nCur = raw ? (curNumeric ? curNumeric.length : tableFromValues(raw, type).total) : valueCount(current);
  if (nRef === 0) throw new UserError(`column ${JSON.stringify(name)} has no values in the reference`);
  if (nCur === 0) throw new UserError(`column ${JSON.stringify(name)} has no values in the current data`);

  const notes: string[] = [];
  const refTable = tableFromProfile(reference);
  const curTable = raw ? tableFromValues(raw, type) : tableFromProfile(current);
  const distinctHint = Math.round(Math.max(reference.distinct.estimate, raw ? 0 : current.distinct.estimate));
  const aligned = alignTables(refTable, curTable, distinctHint);
  const unique = aligned.unique;

  const chosen = defaultDriftTest(type, nRef, unique);
  const test = options.test ?? chosen;
  if ((test === 'ks' || test === 'wasserstein') && type !== 'numeric') {
    throw new UserError(`column ${JSON.stringify(name)}: the ${test} test needs a numeric column, not ${reference.kind}`);
  }
  const threshold = thresholdFor(test, options);

  // reference std for the Wasserstein norm (np.std: ddof 0), from the profile's exact moments
  const refStd = (): number => {
    const num = reference.numeric!;
    return Math.sqrt(num.m2 / num.count);
  };
  // numeric samples
  const refSample = (): Float64Array => Float64Array.from(reference.sample.values.filter((v): v is number => typeof v === 'number'));
  let currentSampled = false;
  const curSample = (): Float64Array => {
    if (curNumeric) return curNumeric;
    if (!sampleComplete(current)) currentSampled = true;
    return Float64Array.from(current.sample.values.filter((v): v is number => typeof v === 'number'));
  };

  const useBins = type === 'numeric' && !(refTable.exact && refTable.counts.size <= BINNED_UNIQUE_MIN);
  const bins = type === 'numeric' ? binsOf(reference, current, curNumeric) : null;
  const categoryDistribution = (): DriftDistribution => ({
    type: 'categories',
    categories: aligned.categories,
    referenceCounts: aligned.ref,
    currentCounts: aligned.cur,
    reference: shares(aligned.ref),
    current: shares(aligned.cur),
  });
  const binDistribution = (b: Bins): DriftDistribution => ({
    type: 'bins',
    edges: b.edges,
    referenceCounts: b.ref,
    currentCounts: b.cur,
    reference: shares(b.ref),
    current: shares(b.cur),
  });

  let statistic: number;
  let pValue: number | null = null;
  let method: string;
  let exact = true;
  let wasserstein: ColumnDriftResult['wasserstein'];
  let distribution: DriftDistribution = useBins && bins ? binDistribution(bins) : categoryDistribution();

  switch (test) {
    case 'ks': {
      const refValues = refSample();
      if (!sampleComplete(reference)) {
        exact = false;
        notes.push(`the reference has ${nRef} values; KS uses its reservoir sample of ${refValues.length}`);
      }
      const r = ks2samp(refValues, curSample());
      statistic = r.statistic;
      pValue = r.pValue;
      method = r.method;
      if (currentSampled) {
        exact = false;
        notes.push(`KS used a uniform sample of ${r.n2} of the ${nCur} current values (pass the raw current values for the exact test)`);
      }
      break;
    }
    case 'chisquare':
    case 'z': {
      if (!aligned.exact) {
        exact = false;
        notes.push(POOLED_NOTE);
      }
      if (test === 'chisquare') {
        const r = chiSquareHomogeneity(aligned.ref, aligned.cur);
        statistic = r.statistic;
        pValue = r.pValue;
      } else {
        const r = twoProportionZ(aligned.categories, aligned.ref, aligned.cur);
        statistic = r.statistic;
        pValue = r.pValue;
        notes.push(`z compares the share of ${JSON.stringify(r.baseCategory)} against all other values`);
      }
      method = 'categories';
      distribution = categoryDistribution();
      break;
    }
    case 'wasserstein': {
      const norm = Math.max(refStd(), WASSERSTEIN_STD_FLOOR);
      const curComplete = curNumeric !== null || sampleComplete(current);
      if (sampleComplete(reference) && curComplete) {
        const d = wassersteinDistance(refSample(), curSample());
        wasserstein = { distance: d, norm };
        statistic = d / norm;
        method = 'samples';
      } else if ((options.wassersteinMethod ?? 'sketch') === 'sketch') {
        // each side: its exact values when held (complete reservoir or raw values), else its KLL sketch
        const side = (col: ColumnProfileJSON, raw: Float64Array | null) => {
          if (raw) return { items: raw, weights: undefined, eps: 0, lo: minMax(raw)[0], hi: minMax(raw)[1] };
          if (sampleComplete(col)) {
            const v = Float64Array.from(col.sample.values.filter((x): x is number => typeof x === 'number'));
            return { items: v, weights: undefined, eps: 0, lo: minMax(v)[0], hi: minMax(v)[1] };
          }
          const sk = KllSketch.fromJSON(col.numeric!.kll);
          const view = sk.sortedView();
          return { items: view.items, weights: view.weights as Float64Array | undefined, eps: sk.rankError(false), lo: sk.min, hi: sk.max };
        };
        const a = side(reference, null);
        const b = side(current, curNumeric);
        const d = wassersteinDistance(a.items, b.items, a.weights, b.weights);
        // |F − F̂| ≤ ε on each sketched side, over the pooled range
        const errorBound = (a.eps + b.eps) * (Math.max(a.hi, b.hi) - Math.min(a.lo, b.lo));
        wasserstein = { distance: d, norm, errorBound };
        statistic = d / norm;
        method = 'sketch';
        exact = false;
        notes.push(
          `Wasserstein distance from the KLL quantile sketch${a.eps > 0 && b.eps > 0 ? 'es of both sides' : a.eps > 0 ? ' of the reference' : ' of the current data'} (rank error ≤ ${(Math.max(a.eps, b.eps) * 100).toFixed(2)}% at 99% confidence; bound on the error of the raw distance ${errorBound.toPrecision(3)}; measured errors are ≤ 0.02 reference std on light tails, ≤ 0.06 on heavy ones)`,
        );
        if (bins) distribution = binDistribution(bins);
      } else {
        if (!bins) throw new UserError(`column ${JSON.stringify(name)}: the reference profile has no bins to compare`);
        const cn = current.numeric;
        const [curMin, curMax] = curNumeric ? minMax(curNumeric) : [cn?.min ?? bins.edges[0]!, cn?.max ?? bins.edges[bins.edges.length - 1]!];
        const rn = reference.numeric!;
        const r = wassersteinBinned(bins.edges, { counts: bins.ref, min: rn.min ?? bins.edges[0]!, max: rn.max ?? bins.edges[bins.edges.length - 1]! }, { counts: bins.cur, min: curMin, max: curMax });
        wasserstein = { distance: r.distance, norm, errorBound: r.errorBound };
        statistic = r.distance / norm;
        method = 'bins';
        exact = false;
        notes.push(...bins.notes, `Wasserstein distance on the ${bins.edges.length - 1} reference bins, mass spread uniformly within each bin (bound on the error of the raw distance: ${r.errorBound.toPrecision(3)})`);
        distribution = binDistribution(bins);
      }
      break;
    }
    case 'jensenshannon':
    case 'psi': {
      let refCounts: number[];
      let curCounts: number[];
      if (useBins) {
        if (!bins) throw new UserError(`column ${JSON.stringify(name)}: the reference profile has no bins to compare`);
        refCounts = bins.ref;
        curCounts = bins.cur;
        method = 'bins';
        if (!bins.exact) exact = false;
        notes.push(...bins.notes);
        distribution = binDistribution(bins);
      } else {
        refCounts = aligned.ref;
        curCounts = aligned.cur;
        method = 'categories';
        if (!aligned.exact) {
          exact = false;
            notes.push(POOLED_NOTE);
        }
        distribution = categoryDistribution();
      }
      statistic = test === 'jensenshannon' ? jensenShannon(refCounts, curCounts) : psiValue(refCounts, curCounts);
      break;
    }
  }

  // PSI as an extra figure, on the same data Evidently's psi would bin
  let psi: number | null = null;
  if (test === 'psi') psi = statistic;
  else if (useBins && bins) psi = psiValue(bins.ref, bins.cur);
  else if (!useBins) psi = psiValue(aligned.ref, aligned.cur);

  const score = pValue ?? statistic;
  return {
    column: name,
    kind: reference.kind,
    type,
    test,
    statistic,
    pValue,
    threshold,
    drifted: isDrift(test, score, threshold),
    defaultTest: options.test === undefined || options.test === chosen,
    method,
    exact,
    referenceValues: nRef,
    currentValues: nCur,
    currentSampled,
    uniqueValues: unique,
    uniqueExact: aligned.uniqueExact,
    ...(wasserstein ? { wasserstein } : {}),
    psi,
    psiLevel: psi === null || Number.isNaN(psi) ? null : psiLevel(psi),
    distribution,
    notes,
  };
}

function minMax(values: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

// ---- the dataset --------------------------------------------------------------------------------

/**
 * Drift of every column of the reference (except ignored ones) against the current profile, and
 * dataset drift (share of drifted columns ≥ driftShare). Columns that cannot be tested (datetime, no
 * values on a side, missing from the current profile, kind mismatch) are listed in `skipped` and do not
 * count in the share.
 */
export function datasetDrift(reference: DatasetProfile, current: DatasetProfile, options: DriftOptions = {}): DatasetDriftResult {
  const driftShare = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  if (!(driftShare >= 0 && driftShare <= 1)) throw new UserError(`drift share must be between 0 and 1, got ${driftShare}`);
  const ignore = new Set(options.ignore ?? []);
  const wanted = options.columns ?? Object.keys(reference.columns);
  for (const c of [...Object.keys(options.tests ?? {}), ...(options.columns ?? [])]) {
    if (!(c in reference.columns)) throw new UserError(`drift options name column ${JSON.stringify(c)}, which the reference profile does not have`);
  }
  for (const [c, t] of Object.entries(options.tests ?? {})) {
    if (!(DRIFT_TESTS as readonly string[]).includes(t)) throw new UserError(`unknown drift test ${JSON.stringify(t)} for column ${JSON.stringify(c)}; use one of ${DRIFT_TESTS.join(', ')}`);
  }
  const columns: ColumnDriftResult[] = [];
  const skipped: SkippedColumn[] = [];
  for (const name of wanted) {
    if (ignore.has(name)) continue;
    const ref = reference.columns[name]!;
    const cur = current.columns[name];
    if (!cur) {
      skipped.push({ column: name, reason: 'not in the current data' });
      continue;
    }
    if (!columnType(ref.kind)) {
      skipped.push({ column: name, reason: `${ref.kind} columns are not tested for drift` });
      continue;
    }
    try {
      columns.push(
        columnDrift(ref, cur, {
          name,
          test: options.tests?.[name],
          threshold: options.columnThresholds?.[name],
          thresholds: options.thresholds,
          currentValues: options.currentValues?.[name],
          wassersteinMethod: options.wassersteinMethod,
        }),
      );
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      // an override that does not apply is the user's mistake: surface it
      if (options.tests?.[name] !== undefined && /needs a numeric column/.test(e.message)) throw e;
      skipped.push({ column: name, reason: e.message.replace(/^column "[^"]*":? ?/, '') });
    }
  }
  const drifted = columns.filter((c) => c.drifted);
  const share = columns.length > 0 ? drifted.length / columns.length : 0;
  return {
    columns,
    skipped,
    numberOfColumns: columns.length,
    numberOfDriftedColumns: drifted.length,
    shareOfDriftedColumns: share,
    driftShare,
    datasetDrift: columns.length > 0 && share >= driftShare,
    driftedColumns: drifted.map((c) => c.column),
  };
}
