/**
 * Column and dataset profiles (like whylogs): mergeable sketches of a dataset, saved as a versioned JSON
 * "reference profile" so later runs can validate data against it and compute drift without the
 * training data.
 *
 * What a column keeps (see ColumnProfileJSON):
 *   - counts: n cells, null, NaN, ±Infinity (n = null + nan + inf + Σ types)
 *   - types: how many non-null, non-NaN, finite cells were integer / fractional numbers, booleans,
 *     strings, dates, other
 *   - numeric (numeric and datetime kinds): over the finite numbers (dates as epoch milliseconds):
 *     count, Welford mean and M2 (merged with Chan et al.'s parallel formula), exact min/max, a KLL
 *     quantile sketch, and fixed bins (binEdges/binCounts)
 *   - distinct (HyperLogLog), topK (Misra–Gries), sample (reservoir) over every value sketched: finite
 *     numbers for numeric kinds, and for the other kinds the value's text (booleans as "true"/"false",
 *     numbers by String(x), dates as ISO 8601). NaN and ±Infinity are counted, never sketched.
 *   - stringLength: min/max/sum of the length (UTF-16 code units) of string cells
 *
 * Bins. Edges e_0 ≤ e_1 < … < e_{B−1} ≤ e_B (B bins; interior edges strictly increasing). Bin i holds
 * the values x with e_i ≤ x < e_{i+1}, except that the first bin extends to −∞ and the last to +∞: only
 * the interior edges decide a value's bin, the outer edges are the reference's min and max and are
 * informational. ±Infinity and NaN are never binned (see counts.inf / counts.nan).
 *   - Derived (binSource 'quantiles'): at toJSON(), edges are min, the distinct KLL quantiles at
 *     1/B … (B−1)/B that are above min, and max (B = `bins`, default 10, fewer after deduplication:
 *     a column with few distinct values gets about one bin per value). Counts come from the KLL's
 *     ranks, so they are approximate: binCountsExact says whether they are exact (the KLL never
 *     compacted), binCountsError bounds each bin's |estimated − true| fraction of `count` (the KLL's
 *     double-sided error, 1.65% for k = 200 at 99% confidence; 0 when exact).
 *   - Given (binSource 'given'): a profiler created with `binEdges` (from a reference profile) counts
 *     every value exactly into those bins in the pass. This is what monitoring compares.
 */
import type { ColumnProfileJSON, DatasetProfile, NumericStatsJSON } from './format';
import type { Cell } from '../data/types';
import { UserError } from '../errors';
import { hashNumber, hashOut, hashString } from './hash';
import { HyperLogLog, HLL_DEFAULT_P } from './hll';
import { KllSketch, KLL_DEFAULT_K, type KllJSON } from './kll';
import { Reservoir, RESERVOIR_DEFAULT_CAPACITY, type SampleValue } from './reservoir';
import { deriveSeed, seedFrom } from './rng';
import { FrequentItems, TOPK_DEFAULT_CAPACITY, type ItemKey } from './topk';

export const PROFILE_FORMAT = 'mlops-actions/profile';
export const PROFILE_VERSION = 1;
export const DEFAULT_BIN_COUNT = 10;

/**
 * How a column's values are sketched. numeric: the caller passes numbers (NaN and ±Infinity allowed);
 * datetime: Dates or epoch-millisecond numbers, summarized numerically; categorical / string: strings;
 * boolean: booleans.
 */
export const PROFILE_KINDS = ['numeric', 'categorical', 'string', 'boolean', 'datetime'] as const;
export type ProfileKind = (typeof PROFILE_KINDS)[number];

/** A boolean's text as update() profiles it, with its hash.ts hashString() lanes. */
const TRUE_TEXT = textWithHash('true');
const FALSE_TEXT = textWithHash('false');
function textWithHash(s: string): [string, number, number] {
  hashString(s);
  return [s, hashOut[0]!, hashOut[1]!];
}

/** The profile kind of a schema column type (integer, float, boolean, string, category, datetime). */
export function kindForColumnType(type: string): ProfileKind {
  switch (type) {
    case 'integer':
    case 'float':
      return 'numeric';
    case 'category':
      return 'categorical';
    case 'boolean':
      return 'boolean';
    case 'datetime':
      return 'datetime';
    default:
      return 'string';
  }
}

export function isNumericKind(kind: ProfileKind): boolean {
  return kind === 'numeric' || kind === 'datetime';
}

// ---- JSON shape: the types of format.ts's schema ----------------------------------------------------

export type { ColumnCounts, ColumnProfileJSON, DatasetProfile, NumericStatsJSON, TypeCounts } from './format';

/** A profile as JSON text (stable key order as built; two-space indentation unless `indent` = 0). */
export function stringifyProfile(profile: DatasetProfile, indent = 0): string {
  return JSON.stringify(profile, null, indent || undefined);
}

// ---- column profiler ----------------------------------------------------------------------------

export interface ProfilerOptions {
  /** Seed for every randomized sketch (KLL, reservoir); default 0. Output is deterministic given it. */
  seed?: number | string;
  /** KLL k (default 200). */
  kllK?: number;
  /** HyperLogLog precision (default 12). */
  hllP?: number;
  /** Top-k capacity (default 64). */
  topK?: number;
  /** Reservoir size (default 1000). */
  sampleSize?: number;
  /** Number of quantile bins derived at toJSON() when no edges are given (default 10). */
  bins?: number;
}

export interface ColumnProfilerOptions extends ProfilerOptions {
  /** Column name; mixed into the seed so columns get independent random streams. */
  name?: string;
  /** Fixed bin edges (from a reference profile's numeric.binEdges): counts are exact per bin. */
  binEdges?: readonly number[];
}

const DATE_SENTINEL = Object.prototype.toString.call(new Date(0));

export class ColumnProfiler {
  readonly kind: ProfileKind;
  private readonly numericKind: boolean;
  private readonly binTarget: number;
  // counts
  private n = 0;
  private nulls = 0;
  private nans = 0;
  private infs = 0;
  private tInteger = 0;
  private tFractional = 0;
  private tBoolean = 0;
  private tString = 0;
  private tDate = 0;
  private tOther = 0;
  // numeric
  private count = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private kll: KllSketch;
  // bins with given edges
  private edges: number[] | null = null;
  private cuts: Float64Array | null = null;
  private binCounts: Float64Array | null = null;
  private binExact = true;
  private binError = 0;
  // every sketched value
  private hll: HyperLogLog;
  private topk: FrequentItems;
  private sample: Reservoir;
  // strings
  private strMin = Infinity;
  private strMax = 0;
  private strSum = 0;

  constructor(kind: ProfileKind, options: ColumnProfilerOptions = {}) {
    if (!PROFILE_KINDS.includes(kind)) throw new Error(`unknown profile kind ${JSON.stringify(kind)}`);
    this.kind = kind;
    this.numericKind = isNumericKind(kind);
    const seed = seedFrom(options.seed ?? 0);
    const name = options.name ?? '';
    this.kll = new KllSketch(options.kllK ?? KLL_DEFAULT_K, deriveSeed(seed, `${name}\u0000kll`));
    this.hll = new HyperLogLog(options.hllP ?? HLL_DEFAULT_P);
    this.topk = new FrequentItems(options.topK ?? TOPK_DEFAULT_CAPACITY);
    this.sample = new Reservoir(options.sampleSize ?? RESERVOIR_DEFAULT_CAPACITY, deriveSeed(seed, `${name}\u0000sample`));
    const bins = options.bins ?? DEFAULT_BIN_COUNT;
    if (!Number.isInteger(bins) || bins < 1) throw new Error(`bins must be a positive integer, got ${bins}`);
    this.binTarget = bins;
    if (options.binEdges) this.setEdges(options.binEdges);
  }

  private setEdges(edges: readonly number[]): void {
    if (!this.numericKind) throw new Error(`bin edges need a numeric or datetime column, not ${this.kind}`);
    if (edges.length < 2) throw new Error('bin edges: need at least 2 edges');
    for (let i = 0; i < edges.length; i++) {
      if (!Number.isFinite(edges[i])) throw new Error(`bin edges: edge ${i} is not a finite number`);
      if (i > 0 && i < edges.length - 1 && !(edges[i]! > edges[i - 1]!)) throw new Error('bin edges: interior edges must be strictly increasing');
    }
    this.edges = edges.slice();
    this.cuts = Float64Array.from(edges.slice(1, -1));
    this.binCounts = new Float64Array(edges.length - 1);
    this.binExact = true;
    this.binError = 0;
  }

  /** Number of cells seen (including nulls). */
  get rows(): number {
    return this.n;
  }

  /** Feeds one cell. */
  update(value: Cell | undefined): void {
    this.n++;
    if (value === null || value === undefined) {
      this.nulls++;
      return;
    }
    switch (typeof value) {
      case 'number':
        if (value !== value) this.nans++;
        else if (value === Infinity || value === -Infinity) this.infs++;
        else {
          if (Number.isInteger(value)) this.tInteger++;
          else this.tFractional++;
          if (this.numericKind) this.addNumber(value);
          else this.addText(String(value));
        }
        return;
      case 'string':
        this.tString++;
        this.addString(value);
        return;
      case 'boolean':
        this.tBoolean++;
        this.addText(value ? 'true' : 'false');
        return;
      case 'bigint':
        this.tInteger++;
        if (this.numericKind) this.addNumber(Number(value));
        else this.addText(value.toString());
        return;
      default:
        if (value instanceof Date || Object.prototype.toString.call(value) === DATE_SENTINEL) {
          const t = (value as Date).getTime();
          if (t !== t) {
            this.nans++; // Invalid Date
            return;
          }
          this.tDate++;
          if (this.numericKind) this.addNumber(t);
          else this.addText((value as Date).toISOString());
          return;
        }
        this.tOther++;
        this.addText(String(value));
    }
  }

  /** Fast path for a numeric column: the same as update(x) for a number. */
  updateNumber(x: number): void {
    this.n++;
    if (x !== x) this.nans++;
    else if (x === Infinity || x === -Infinity) this.infs++;
    else {
      if (Number.isInteger(x)) this.tInteger++;
      else this.tFractional++;
      if (this.numericKind) this.addNumber(x);
      else this.addText(String(x));
    }
  }

  /** The same as update(new Date(ms)) without making the Date. */
  updateDate(ms: number): void {
    this.n++;
    if (ms !== ms) {
      this.nans++;
      return;
    }
    this.tDate++;
    if (this.numericKind) this.addNumber(ms);
    else this.addText(new Date(ms).toISOString());
  }

  /** Counts `count` null cells. */
  addNulls(count: number): void {
    this.n += count;
    this.nulls += count;
  }

  private addNumber(x: number): void {
    const c = ++this.count;
    const d = x - this.mean;
    this.mean += d / c;
    this.m2 += d * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.kll.update(x);
    const cuts = this.cuts;
    if (cuts !== null) {
      const bc = this.binCounts!;
      const b = binOf(cuts, x);
      bc[b] = bc[b]! + 1;
    }
    hashNumber(x);
    const h1 = hashOut[0]!;
    this.hll.addHash(h1, hashOut[1]!);
    this.topk.updateNumberHashed(x, h1);
    this.sample.update(x);
  }

  /**
   * update(s) for a string whose hash.ts hashString() lanes are known (h1 = hashOut[0], h2 =
   * hashOut[1]): a caller that sees the same strings again and again keeps them and hashes each once.
   */
  updateStringHashed(s: string, h1: number, h2: number): void {
    this.n++;
    this.tString++;
    this.addStringHashed(s, h1, h2);
  }

  /**
   * `count` cells of the string s (hash.ts hashString() lanes h1, h2) at once, without sampling them:
   * the counts, lengths and distinct count are those of `count` updateStringHashed(s) calls, and the
   * frequent items too while they are exact (else the same summary, with the same bound, of the
   * values in another order). The caller feeds each of those cells to sampleString() in its place.
   */
  countStringsHashed(s: string, h1: number, h2: number, count: number): void {
    this.n += count;
    this.tString += count;
    const len = s.length;
    if (len < this.strMin) this.strMin = len;
    if (len > this.strMax) this.strMax = len;
    this.strSum += len * count;
    this.hll.addHash(h1, h2);
    this.topk.updateStringHashed(s, h1, count);
  }

  /** The reservoir sample's part of updateStringHashed(s), for a cell counted by countStringsHashed. */
  sampleString(s: string): void {
    this.sample.update(s);
  }

  /**
   * `count` cells of the boolean b at once, as `count` update(b) calls profile them but for the
   * sample: the caller feeds each of them to sampleString('true' or 'false') in its place.
   */
  countBooleans(b: boolean, count: number): void {
    this.n += count;
    this.tBoolean += count;
    const [s, h1, h2] = b ? TRUE_TEXT : FALSE_TEXT;
    this.hll.addHash(h1, h2);
    this.topk.updateStringHashed(s, h1, count);
  }

  private addString(s: string): void {
    hashString(s);
    this.addStringHashed(s, hashOut[0]!, hashOut[1]!);
  }

  private addStringHashed(s: string, h1: number, h2: number): void {
    const len = s.length;
    if (len < this.strMin) this.strMin = len;
    if (len > this.strMax) this.strMax = len;
    this.strSum += len;
    this.addTextHashed(s, h1, h2);
  }

  private addText(s: string): void {
    hashString(s);
    this.addTextHashed(s, hashOut[0]!, hashOut[1]!);
  }

  private addTextHashed(s: string, h1: number, h2: number): void {
    this.hll.addHash(h1, h2);
    this.topk.updateStringHashed(s, h1);
    this.sample.update(s);
  }

  /** Merges another profiler of the same kind into this one (the other is not modified). */
  merge(other: ColumnProfiler): this {
    if (other.kind !== this.kind) throw new Error(`cannot merge a ${other.kind} column into a ${this.kind} column`);
    if (other === this) other = ColumnProfiler.fromJSON(this.toJSON());
    this.n += other.n;
    this.nulls += other.nulls;
    this.nans += other.nans;
    this.infs += other.infs;
    this.tInteger += other.tInteger;
    this.tFractional += other.tFractional;
    this.tBoolean += other.tBoolean;
    this.tString += other.tString;
    this.tDate += other.tDate;
    this.tOther += other.tOther;
    // Chan et al.'s parallel combination of (count, mean, M2)
    const na = this.count;
    const nb = other.count;
    if (nb > 0) {
      const nt = na + nb;
      const delta = other.mean - this.mean;
      this.mean = na === 0 ? other.mean : this.mean + (delta * nb) / nt;
      this.m2 = this.m2 + other.m2 + (delta * delta * na * nb) / nt;
      this.count = nt;
    }
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.kll.merge(other.kll);
    this.mergeBins(other);
    this.hll.merge(other.hll);
    this.topk.merge(other.topk);
    this.sample.merge(other.sample);
    if (other.strMin < this.strMin) this.strMin = other.strMin;
    if (other.strMax > this.strMax) this.strMax = other.strMax;
    this.strSum += other.strSum;
    return this;
  }

  /**
   * Bins under merge: the same given edges on both sides add their counts (exact stays exact); a side
   * without numbers contributes nothing; otherwise given edges (this side's first) are kept and counted
   * from the merged KLL (approximate); with no given edges on either side the bins are derived from the
   * merged KLL at toJSON().
   */
  private mergeBins(other: ColumnProfiler): void {
    const a = this.edges;
    const b = other.edges;
    // (called after count and the KLL were merged) a side without numbers contributes nothing
    if (other.count === 0 && !b) return;
    if (this.count === other.count && !a && b) {
      // this side had no numbers: take the other side's bins as they are
      this.setEdges(b);
      this.binCounts = other.binCounts!.slice();
      this.binExact = other.binExact;
      this.binError = other.binError;
      return;
    }
    if (a && b && a.length === b.length && a.every((x, i) => x === b[i])) {
      const counts = this.binCounts!;
      const oc = other.binCounts!;
      for (let i = 0; i < counts.length; i++) counts[i] = counts[i]! + oc[i]!;
      this.binExact = this.binExact && other.binExact;
      this.binError = Math.max(this.binError, other.binError);
      return;
    }
    const edges = a ?? b;
    if (!edges) return;
    this.setEdges(edges);
    const approx = this.binsFromKll(this.cuts!);
    this.binCounts = Float64Array.from(approx);
    this.binExact = this.kll.isExact();
    this.binError = this.kll.rankError(true);
  }

  /** Bin counts for the given interior cuts from the KLL's exclusive ranks (sum = count). */
  private binsFromKll(cuts: ArrayLike<number>): number[] {
    const out: number[] = [];
    let prev = 0;
    for (let i = 0; i < cuts.length; i++) {
      const below = this.kll.countBelow(cuts[i]!, false);
      out.push(below - prev);
      prev = below;
    }
    out.push(this.kll.n - prev);
    return out;
  }

  /** The column's profile as plain JSON. Non-destructive: the profiler can keep going afterwards. */
  toJSON(): ColumnProfileJSON {
    const json: ColumnProfileJSON = {
      kind: this.kind,
      counts: { n: this.n, null: this.nulls, nan: this.nans, inf: this.infs },
      types: {
        integer: this.tInteger,
        fractional: this.tFractional,
        boolean: this.tBoolean,
        string: this.tString,
        date: this.tDate,
        other: this.tOther,
      },
      distinct: { estimate: this.hll.estimate(), hll: this.hll.toJSON() },
      topK: this.topk.toJSON(),
      sample: this.sample.toJSON(),
    };
    if (this.numericKind) json.numeric = this.numericJSON();
    if (this.tString > 0) json.stringLength = { min: this.strMin, max: this.strMax, sum: this.strSum };
    // key order: numeric and stringLength after types, as documented
    const { kind, counts, types, numeric, stringLength, distinct, topK, sample } = json;
    return { kind, counts, types, ...(numeric ? { numeric } : {}), ...(stringLength ? { stringLength } : {}), distinct, topK, sample };
  }

  /** Alias of toJSON(). */
  finish(): ColumnProfileJSON {
    return this.toJSON();
  }

  private numericJSON(): NumericStatsJSON {
    let binEdges: number[] = [];
    let binCounts: number[] = [];
    let binSource: 'quantiles' | 'given' = 'quantiles';
    let binCountsExact = true;
    let binCountsError = 0;
    if (this.edges) {
      binEdges = this.edges.slice();
      binCounts = Array.from(this.binCounts!);
      binSource = 'given';
      binCountsExact = this.binExact;
      binCountsError = this.binError;
    } else if (this.count > 0) {
      const cuts: number[] = [];
      for (let j = 1; j < this.binTarget; j++) {
        const c = this.kll.quantile(j / this.binTarget);
        if (c > this.min && (cuts.length === 0 || c > cuts[cuts.length - 1]!)) cuts.push(c);
      }
      binEdges = [this.min, ...cuts, this.max];
      binCounts = this.binsFromKll(cuts);
      binCountsExact = this.kll.isExact();
      binCountsError = this.kll.rankError(true);
    }
    return {
      count: this.count,
      mean: this.count > 0 ? this.mean : 0,
      m2: this.count > 0 ? this.m2 : 0,
      min: this.count > 0 ? this.min : null,
      max: this.count > 0 ? this.max : null,
      kll: this.kll.toJSON(),
      binEdges,
      binCounts,
      binSource,
      binCountsExact,
      binCountsError,
    };
  }

  /**
   * Restores a profiler from its JSON (to merge, or to keep feeding it). Bins derived from quantiles
   * are dropped (they are derived again at toJSON()); given edges and their counts are kept.
   */
  static fromJSON(json: ColumnProfileJSON, options: ColumnProfilerOptions = {}): ColumnProfiler {
    const p = new ColumnProfiler(json.kind, {
      ...options,
      kllK: json.numeric?.kll.k ?? options.kllK,
      hllP: json.distinct.hll.p,
      topK: json.topK.capacity,
      sampleSize: json.sample.capacity,
      binEdges: undefined,
    });
    p.n = json.counts.n;
    p.nulls = json.counts.null;
    p.nans = json.counts.nan;
    p.infs = json.counts.inf;
    p.tInteger = json.types.integer;
    p.tFractional = json.types.fractional;
    p.tBoolean = json.types.boolean;
    p.tString = json.types.string;
    p.tDate = json.types.date;
    p.tOther = json.types.other;
    const num = json.numeric;
    if (num && p.numericKind) {
      p.count = num.count;
      p.mean = num.mean;
      p.m2 = num.m2;
      p.min = num.min ?? Infinity;
      p.max = num.max ?? -Infinity;
      p.kll = KllSketch.fromJSON(num.kll);
      if (num.binSource === 'given' && num.binEdges.length >= 2) {
        p.setEdges(num.binEdges);
        p.binCounts = Float64Array.from(num.binCounts);
        p.binExact = num.binCountsExact;
        p.binError = num.binCountsError;
      }
    }
    if (options.binEdges) {
      // monitoring: count this column's future values on the given (reference) edges
      if (p.edges && !sameEdges(p.edges, options.binEdges)) throw new Error('the profile already has different given bin edges');
      if (!p.edges) {
        p.setEdges(options.binEdges);
        p.binCounts = Float64Array.from(p.binsFromKll(p.cuts!));
        p.binExact = p.kll.isExact();
        p.binError = p.kll.rankError(true);
      }
    }
    p.hll = HyperLogLog.fromJSON(json.distinct.hll);
    p.topk = FrequentItems.fromJSON(json.topK);
    p.sample = Reservoir.fromJSON(json.sample);
    if (json.stringLength) {
      p.strMin = json.stringLength.min;
      p.strMax = json.stringLength.max;
      p.strSum = json.stringLength.sum;
    }
    return p;
  }
}

function sameEdges(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---- dataset profiler ---------------------------------------------------------------------------

export interface DatasetProfilerOptions extends ProfilerOptions {
  /**
   * A reference profile: its numeric columns' binEdges become given edges here, so the new profile's
   * bin counts are exact on the reference's bins.
   */
  reference?: DatasetProfile;
}

export interface ProfileMeta {
  /** ISO 8601 time stamp to record (not set by default, so output is deterministic). */
  createdAt?: string;
  /** Hash of the profiled data, e.g. the dataset's content hash. */
  dataHash?: string;
}

export class DatasetProfiler {
  private readonly profilers = new Map<string, ColumnProfiler>();
  private _rows = 0;

  /** `columns`: name → kind, in the order the profile should list them. */
  constructor(columns: Record<string, ProfileKind> | Iterable<readonly [string, ProfileKind]>, options: DatasetProfilerOptions = {}) {
    const entries = Symbol.iterator in Object(columns) ? [...(columns as Iterable<readonly [string, ProfileKind]>)] : Object.entries(columns);
    for (const [name, kind] of entries) {
      const ref = options.reference?.columns[name]?.numeric;
      const binEdges = isNumericKind(kind) && ref && ref.binEdges.length >= 2 ? ref.binEdges : undefined;
      this.profilers.set(name, new ColumnProfiler(kind, { ...options, name, binEdges }));
    }
  }

  get rows(): number {
    return this._rows;
  }

  get columnNames(): string[] {
    return [...this.profilers.keys()];
  }

  column(name: string): ColumnProfiler {
    const p = this.profilers.get(name);
    if (!p) throw new Error(`no profiled column named ${JSON.stringify(name)}`);
    return p;
  }

  /** Feeds one row; columns absent from the row count as null. */
  updateRow(row: Readonly<Record<string, Cell | undefined>>): void {
    for (const [name, p] of this.profilers) p.update(row[name]);
    this._rows++;
  }

  /**
   * Feeds values of one column, for columnar input; call addRows() once per batch. Columns fed fewer
   * cells than rows by toJSON() time are padded with nulls.
   */
  updateColumn(name: string, values: ArrayLike<Cell | undefined>): void {
    const p = this.column(name);
    for (let i = 0; i < values.length; i++) p.update(values[i]);
  }

  addRows(count: number): void {
    this._rows += count;
  }

  toJSON(meta: ProfileMeta = {}): DatasetProfile {
    const columns: Record<string, ColumnProfileJSON> = {};
    for (const [name, p] of this.profilers) {
      if (p.rows > this._rows) throw new Error(`column ${JSON.stringify(name)} was fed ${p.rows} cells but the dataset has ${this._rows} rows`);
      if (p.rows < this._rows) p.addNulls(this._rows - p.rows);
      columns[name] = p.toJSON();
    }
    return {
      format: PROFILE_FORMAT,
      version: PROFILE_VERSION,
      rows: this._rows,
      ...(meta.createdAt !== undefined ? { createdAt: meta.createdAt } : {}),
      ...(meta.dataHash !== undefined ? { dataHash: meta.dataHash } : {}),
      columns,
    };
  }

  /** Alias of toJSON(). */
  finish(meta: ProfileMeta = {}): DatasetProfile {
    return this.toJSON(meta);
  }
}

/** Profiles rows held in memory (a convenience for tests and small data). */
export function profileRows(
  rows: Iterable<Readonly<Record<string, Cell | undefined>>>,
  columns: Record<string, ProfileKind>,
  options: DatasetProfilerOptions & ProfileMeta = {},
): DatasetProfile {
  const p = new DatasetProfiler(columns, options);
  for (const row of rows) p.updateRow(row);
  return p.toJSON(options);
}

// ---- merge --------------------------------------------------------------------------------------

/**
 * Merges two dataset profiles, as if the rows of `b` followed the rows of `a`: rows add, and each
 * column's counts, moments, and sketches merge. A column present on one side only is kept, and counts
 * the other side's rows as null cells (it was absent there). A column's kind must agree on both sides.
 * createdAt becomes the later of the two; dataHash is dropped (the result describes no single file).
 * Neither input is modified. The inputs are not checked: for profiles this process made (the parallel
 * validation pass's parts), whose checking was most of the merge's time; format.ts's mergeProfiles
 * checks them first.
 */
export function mergeParsedProfiles(pa: DatasetProfile, pb: DatasetProfile): DatasetProfile {
  const columns: Record<string, ColumnProfileJSON> = {};
  const names = [...Object.keys(pa.columns), ...Object.keys(pb.columns).filter((n) => !(n in pa.columns))];
  for (const name of names) {
    const ca = pa.columns[name];
    const cb = pb.columns[name];
    try {
      if (ca && cb) {
        if (ca.kind !== cb.kind) {
          throw new UserError(`column ${JSON.stringify(name)} is ${ca.kind} in the first profile but ${cb.kind} in the second`);
        }
        columns[name] = ColumnProfiler.fromJSON(ca).merge(ColumnProfiler.fromJSON(cb)).toJSON();
      } else if (ca) {
        const p = ColumnProfiler.fromJSON(ca);
        p.addNulls(pb.rows);
        columns[name] = p.toJSON();
      } else if (cb) {
        const p = ColumnProfiler.fromJSON(cb);
        // rows of `a` come first: the same sketches, with a's rows counted as nulls
        p.addNulls(pa.rows);
        columns[name] = p.toJSON();
      }
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`cannot merge column ${JSON.stringify(name)}: ${(e as Error).message}`);
    }
  }
  const createdAt = laterOf(pa.createdAt, pb.createdAt);
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    rows: pa.rows + pb.rows,
    ...(createdAt !== undefined ? { createdAt } : {}),
    columns,
  };
}

function laterOf(x: string | undefined, y: string | undefined): string | undefined {
  if (x === undefined) return y;
  if (y === undefined) return x;
  const tx = Date.parse(x);
  const ty = Date.parse(y);
  if (Number.isNaN(tx) || Number.isNaN(ty)) return x >= y ? x : y;
  return tx >= ty ? x : y;
}

// ---- helpers for validators and drift -----------------------------------------------------------

const kllCache = new WeakMap<KllJSON, KllSketch>();
function kllOf(col: ColumnProfileJSON): KllSketch | null {
  const json = col.numeric?.kll;
  if (!json || json.n === 0) return null;
  let sk = kllCache.get(json);
  if (!sk) {
    sk = KllSketch.fromJSON(json);
    kllCache.set(json, sk);
  }
  return sk;
}

/** Mean of the finite numeric values, or null when there are none (or the column is not numeric). */
export function columnMean(col: ColumnProfileJSON): number | null {
  return col.numeric && col.numeric.count > 0 ? col.numeric.mean : null;
}

/** Variance with `ddof` delta degrees of freedom (1: sample variance, as pandas; 0: population, as NumPy). */
export function columnVariance(col: ColumnProfileJSON, ddof = 1): number | null {
  const num = col.numeric;
  if (!num || num.count - ddof <= 0) return null;
  return num.m2 / (num.count - ddof);
}

/** Standard deviation (ddof = 1 by default, like pandas). */
export function columnStd(col: ColumnProfileJSON, ddof = 1): number | null {
  const v = columnVariance(col, ddof);
  return v === null ? null : Math.sqrt(v);
}

export function columnMin(col: ColumnProfileJSON): number | null {
  return col.numeric?.min ?? null;
}

export function columnMax(col: ColumnProfileJSON): number | null {
  return col.numeric?.max ?? null;
}

/** Estimated q-quantile (KLL; rank error ≤ KLL_RANK_ERROR at 99% confidence), null when no numbers. */
export function columnQuantile(col: ColumnProfileJSON, q: number): number | null {
  const sk = kllOf(col);
  return sk ? sk.quantile(q) : null;
}

/** Estimated fraction of the finite numeric values ≤ x (the CDF), null when no numbers. */
export function columnRank(col: ColumnProfileJSON, x: number, inclusive = true): number | null {
  const sk = kllOf(col);
  return sk ? sk.rank(x, inclusive) : null;
}

/** Estimated number of distinct sketched values (HyperLogLog; standard error 1.04/√2^p). */
export function columnDistinct(col: ColumnProfileJSON): number {
  return col.distinct.estimate;
}

export interface TopValue {
  value: ItemKey;
  count: number;
  /** count / the number of values sketched (non-null, non-NaN, finite cells). */
  frequency: number;
}

/** The most frequent values, count descending (exact while distinct ≤ the top-k capacity). */
export function columnTopValues(col: ColumnProfileJSON, limit = Infinity): TopValue[] {
  const total = col.topK.n;
  return col.topK.items.slice(0, limit).map(([value, count]) => ({ value, count, frequency: total > 0 ? count / total : 0 }));
}

/** Fraction of cells that are null (NaN is not null: see columnMissingFraction). 0 for an empty column. */
export function columnNullFraction(col: ColumnProfileJSON): number {
  return col.counts.n > 0 ? col.counts.null / col.counts.n : 0;
}

/** Fraction of cells that are null or NaN (pandas' isna). */
export function columnMissingFraction(col: ColumnProfileJSON): number {
  return col.counts.n > 0 ? (col.counts.null + col.counts.nan) / col.counts.n : 0;
}

/** The reservoir sample (uniform over sketched values), for KS / chi-squared tests on small data. */
export function columnSample(col: ColumnProfileJSON): SampleValue[] {
  return col.sample.values.slice();
}

/** Bin edges and counts of a numeric column (see the module comment for their semantics), or null. */
export function columnBins(col: ColumnProfileJSON): { edges: number[]; counts: number[]; exact: boolean; error: number } | null {
  const num = col.numeric;
  if (!num || num.binEdges.length < 2) return null;
  return { edges: num.binEdges.slice(), counts: num.binCounts.slice(), exact: num.binCountsExact, error: num.binCountsError };
}

/** The bin of x given the interior cuts of fixed bin edges: bin b is [cuts[b-1], cuts[b]), the last one closed above by the top edge. */
export function binOf(cuts: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
