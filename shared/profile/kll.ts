/**
 * KLL quantile sketch for numbers (Karnin, Lang & Liberty, "Optimal Quantile Approximation in Streams",
 * FOCS 2016), following the compaction scheme of Apache DataSketches' KllDoublesSketch: one
 * Float64Array holds all levels, level 0 grows downwards from the top of its free space, a full buffer
 * compacts the lowest over-capacity level (sort, keep every other item from a random offset, merge
 * into the level above), and level capacities shrink by 2/3 per level below the top (minimum m = 8).
 * Because the algorithm and the capacities are DataSketches', its published error bound applies.
 *
 * Error bound (99% confidence, from the DataSketches KLL documentation, KllSketch javadoc: "The default
 * k of 200 yields a 'single-sided' epsilon of about 1.33% and a 'double-sided' (PMF) epsilon of about
 * 1.65%, with a confidence of 99%"; KllHelper.getNormalizedRankError: eps = 2.296 / k^0.9723 single-sided,
 * 2.446 / k^0.9433 double-sided, best fits to the 99th percentile of the maximum rank error measured
 * over all ranks in thousands of trials):
 *   - rank(x) and quantile(q) (single-sided): |estimated normalized rank − true rank| ≤ ε ≈ 0.0133 (k=200)
 *   - the mass between two points (a bin count / PMF, double-sided): error ≤ ε ≈ 0.0165 (k=200)
 * While the sketch has never compacted (n ≤ k at most) it holds every item and all answers are exact.
 *
 * Non-finite values are not accepted: NaN and ±Infinity are ignored by update() (a profile counts them
 * separately), which also keeps the serialized form plain JSON.
 *
 * Rank semantics are "inclusive": rank(x) = (weight of retained items ≤ x) / n, and quantile(q) is the
 * smallest retained item whose cumulative weight ≥ q·n (quantile(0) = min, quantile(1) = max, exact).
 */
import { Rng, type RngState } from './rng';

export const KLL_DEFAULT_K = 200;
/** Minimum level width (DataSketches' default m). */
export const KLL_M = 8;

/** DataSketches' fitted 99%-confidence normalized rank error for a given k. */
export function kllNormalizedRankError(k: number, pmf: boolean): number {
  return pmf ? 2.446 / Math.pow(k, 0.9433) : 2.296 / Math.pow(k, 0.9723);
}

/**
 * Normalized rank error of rank()/quantile() for k = 200, 99% confidence (≈ 1.33%). Source: Apache
 * DataSketches KLL documentation (KllSketch javadoc, KllHelper.getNormalizedRankError).
 */
export const KLL_RANK_ERROR = 0.0133;
/**
 * Normalized error of the mass between two points (bin counts, PMF) for k = 200, 99% confidence
 * (≈ 1.65%). Same source.
 */
export const KLL_PMF_ERROR = 0.0165;

export interface KllJSON {
  k: number;
  /** Number of values summarized. */
  n: number;
  /** Exact minimum and maximum (null when empty). */
  min: number | null;
  max: number | null;
  /** Level boundaries into `items`: level h is items[levels[h] .. levels[h+1]), each item weighs 2^h. */
  levels: number[];
  /** Retained items, level by level (levels ≥ 1 sorted). */
  items: number[];
  /** PRNG state, so a deserialized sketch continues exactly as the original would have. */
  rng?: RngState;
}

/** Capacity of each level by its depth (0 = top level): max(m, round(k·(2/3)^depth)), as DataSketches. */
function capacitiesByDepth(k: number, m: number): Int32Array {
  const caps = new Int32Array(64);
  for (let depth = 0; depth < 64; depth++) {
    // exact integer arithmetic as DataSketches' intCapAux: round(2k·2^d / 3^d / 2), folding past depth 30
    let c: bigint;
    const aux = (kk: bigint, d: number): bigint => ((kk * 2n * (1n << BigInt(d))) / 3n ** BigInt(d) + 1n) >> 1n;
    if (depth <= 30) c = aux(BigInt(k), depth);
    else {
      const half = depth >> 1;
      c = aux(aux(BigInt(k), half), depth - half);
    }
    caps[depth] = Math.max(m, Number(c));
  }
  return caps;
}

const capsCache = new Map<number, Int32Array>();
function capsFor(k: number): Int32Array {
  let c = capsCache.get(k);
  if (!c) {
    c = capacitiesByDepth(k, KLL_M);
    capsCache.set(k, c);
  }
  return c;
}

export class KllSketch {
  readonly k: number;
  private readonly caps: Int32Array;
  private rng: Rng;
  /** All levels; free space is items[0 .. levels[0]). */
  private items: Float64Array;
  /** levels[h] = start of level h; levels[numLevels] = items.length. Has spare room at the end. */
  private levels: Int32Array;
  private numLevels: number;
  private _n = 0;
  private _min = Infinity;
  private _max = -Infinity;
  // sorted view cache
  private viewN = -1;
  private viewItems: Float64Array = new Float64Array(0);
  private viewCum: Float64Array = new Float64Array(0);

  constructor(k: number = KLL_DEFAULT_K, seed: number | string = 0) {
    if (!Number.isInteger(k) || k < KLL_M || k > 65535) throw new Error(`KLL k must be an integer in [${KLL_M}, 65535], got ${k}`);
    this.k = k;
    this.caps = capsFor(k);
    this.rng = new Rng(seed);
    this.numLevels = 1;
    this.items = new Float64Array(k);
    this.levels = new Int32Array(8);
    this.levels[0] = k;
    this.levels[1] = k;
  }

  get n(): number {
    return this._n;
  }
  /** Exact minimum (NaN when empty). */
  get min(): number {
    return this._n === 0 ? NaN : this._min;
  }
  /** Exact maximum (NaN when empty). */
  get max(): number {
    return this._n === 0 ? NaN : this._max;
  }
  isEmpty(): boolean {
    return this._n === 0;
  }
  /** True while every value is retained (no compaction yet): ranks and quantiles are exact. */
  isExact(): boolean {
    return this.numLevels === 1 && this._n === this.items.length - this.levels[0]!;
  }
  /** Number of retained items. */
  get retained(): number {
    return this.levels[this.numLevels]! - this.levels[0]!;
  }
  /** The single-sided normalized rank error of this sketch's k (0 while exact). */
  rankError(pmf = false): number {
    return this.isExact() ? 0 : kllNormalizedRankError(this.k, pmf);
  }

  update(x: number): void {
    if (x - x !== 0) return; // NaN or ±Infinity
    if (x < this._min) this._min = x;
    if (x > this._max) this._max = x;
    if (this.levels[0] === 0) this.compressWhileUpdating();
    const p = this.levels[0]! - 1;
    this.levels[0] = p;
    this.items[p] = x;
    this._n++;
  }

  private levelCapacity(level: number, numLevels: number): number {
    return this.caps[numLevels - level - 1]!;
  }

  private compressWhileUpdating(): void {
    // find the lowest level at or over capacity
    let level = 0;
    {
      const lv = this.levels;
      const caps = this.caps;
      const top = this.numLevels - 1;
      while (level < top && lv[level + 1]! - lv[level]! < caps[top - level]!) level++;
    }
    if (level === this.numLevels - 1) this.addEmptyTopLevel();
    const levels = this.levels;
    const items = this.items;
    const rawBeg = levels[level]!;
    const rawEnd = levels[level + 1]!;
    const popAbove = levels[level + 2]! - rawEnd;
    const rawPop = rawEnd - rawBeg;
    const odd = rawPop & 1;
    const adjBeg = rawBeg + odd;
    const adjPop = rawPop - odd;
    const half = adjPop >> 1;
    if (level === 0) sortRange(items, adjBeg, adjBeg + adjPop);
    if (popAbove === 0) {
      halveUp(items, adjBeg, adjPop, this.rng.nextBit());
    } else {
      halveDown(items, adjBeg, adjPop, this.rng.nextBit());
      mergeSorted(items, adjBeg, half, items, rawEnd, popAbove, items, adjBeg + half);
    }
    levels[level + 1] = rawEnd - half;
    if (odd) {
      levels[level] = levels[level + 1]! - 1;
      items[levels[level]!] = items[rawBeg]!; // the odd item stays at this level
    } else {
      levels[level] = levels[level + 1]!;
    }
    if (level > 0) {
      // slide the levels below up by `half` to close the gap
      const start = levels[0]!;
      items.copyWithin(start + half, start, rawBeg);
      for (let l = 0; l < level; l++) levels[l] = levels[l]! + half;
    }
  }

  /** Grows the buffer by one level-0 capacity at the bottom and adds an empty level at the top. */
  private addEmptyTopLevel(): void {
    const total = this.levels[this.numLevels]!;
    const delta = this.levelCapacity(0, this.numLevels + 1);
    const grown = new Float64Array(total + delta);
    grown.set(this.items, delta);
    this.items = grown;
    this.ensureLevelsLength(this.numLevels + 3);
    for (let l = 0; l <= this.numLevels; l++) this.levels[l] = this.levels[l]! + delta;
    this.numLevels++;
    this.levels[this.numLevels] = total + delta;
  }

  private ensureLevelsLength(len: number): void {
    if (this.levels.length >= len) return;
    const grown = new Int32Array(Math.max(len, this.levels.length * 2));
    grown.set(this.levels);
    this.levels = grown;
  }

  /** Merges another sketch into this one (same k). The other sketch is not modified. */
  merge(other: KllSketch): this {
    if (other.k !== this.k) throw new Error(`cannot merge KLL sketches with different k (${this.k} and ${other.k})`);
    if (other._n === 0) return this;
    if (other === this) other = this.clone();
    const finalN = this._n + other._n;
    const oMin = other._min;
    const oMax = other._max;
    // level 0 of the other sketch goes in like updates
    const oItems = other.items;
    const oLevels = other.levels;
    for (let i = oLevels[0]!; i < oLevels[1]!; i++) {
      const x = oItems[i]!;
      if (this.levels[0] === 0) this.compressWhileUpdating();
      const p = this.levels[0]! - 1;
      this.levels[0] = p;
      this.items[p] = x;
    }
    if (other.numLevels > 1) {
      const myNum = this.numLevels;
      const oNum = other.numLevels;
      const needed = this.retained + (oLevels[oNum]! - oLevels[1]!);
      const work = new Float64Array(needed);
      const ub = ubOnNumLevels(finalN);
      const workLevels = new Int32Array(ub + 3);
      const outLevels = new Int32Array(ub + 3);
      const provisional = Math.max(myNum, oNum);
      // populate: level 0 is ours (it already holds the other's level 0), higher levels are merged
      const my0 = this.levels[0]!;
      const myPop0 = this.levels[1]! - my0;
      work.set(this.items.subarray(my0, my0 + myPop0), 0);
      workLevels[0] = 0;
      workLevels[1] = myPop0;
      for (let l = 1; l < provisional; l++) {
        const myPop = l < myNum ? this.levels[l + 1]! - this.levels[l]! : 0;
        const oPop = l < oNum ? oLevels[l + 1]! - oLevels[l]! : 0;
        const at = workLevels[l]!;
        workLevels[l + 1] = at + myPop + oPop;
        if (myPop > 0 && oPop === 0) work.set(this.items.subarray(this.levels[l]!, this.levels[l]! + myPop), at);
        else if (oPop > 0 && myPop === 0) work.set(oItems.subarray(oLevels[l]!, oLevels[l]! + oPop), at);
        else if (myPop > 0 && oPop > 0) mergeSorted(this.items, this.levels[l]!, myPop, oItems, oLevels[l]!, oPop, work, at);
      }
      const [finalNumLevels, finalCapacity, finalPop] = this.generalCompress(provisional, work, workLevels, outLevels);
      const items = new Float64Array(finalCapacity);
      const freeAtBottom = finalCapacity - finalPop;
      items.set(work.subarray(outLevels[0]!, outLevels[0]! + finalPop), freeAtBottom);
      const shift = freeAtBottom - outLevels[0]!;
      this.levels = new Int32Array(Math.max(finalNumLevels + 3, 8));
      for (let l = 0; l <= finalNumLevels; l++) this.levels[l] = outLevels[l]! + shift;
      this.items = items;
      this.numLevels = finalNumLevels;
    }
    this._n = finalN;
    let weight = 0;
    for (let l = 0; l < this.numLevels; l++) weight += (this.levels[l + 1]! - this.levels[l]!) * 2 ** l;
    if (weight !== finalN) throw new Error(`internal error: KLL merge left weight ${weight} for n = ${finalN}`);
    if (oMin < this._min) this._min = oMin;
    if (oMax > this._max) this._max = oMax;
    this.viewN = -1;
    return this;
  }

  /** DataSketches' generalCompress: compacts levels in place until the total fits its capacity. */
  private generalCompress(numLevelsIn: number, buf: Float64Array, inLevels: Int32Array, outLevels: Int32Array): [number, number, number] {
    let numLevels = numLevelsIn;
    let current = inLevels[numLevels]! - inLevels[0]!;
    let target = 0;
    for (let l = 0; l < numLevels; l++) target += this.levelCapacity(l, numLevels);
    outLevels[0] = 0;
    let level = -1;
    for (;;) {
      level++;
      if (level === numLevels - 1) inLevels[level + 2] = inLevels[level + 1]!;
      const rawBeg = inLevels[level]!;
      const rawLim = inLevels[level + 1]!;
      const rawPop = rawLim - rawBeg;
      if (current < target || rawPop < this.levelCapacity(level, numLevels)) {
        buf.copyWithin(outLevels[level]!, rawBeg, rawLim); // never moves data upwards
        outLevels[level + 1] = outLevels[level]! + rawPop;
      } else {
        const popAbove = inLevels[level + 2]! - rawLim;
        const odd = rawPop & 1;
        const adjBeg = rawBeg + odd;
        const adjPop = rawPop - odd;
        const half = adjPop >> 1;
        if (odd) {
          buf[outLevels[level]!] = buf[rawBeg]!;
          outLevels[level + 1] = outLevels[level]! + 1;
        } else {
          outLevels[level + 1] = outLevels[level]!;
        }
        if (level === 0) sortRange(buf, adjBeg, adjBeg + adjPop);
        if (popAbove === 0) {
          halveUp(buf, adjBeg, adjPop, this.rng.nextBit());
        } else {
          halveDown(buf, adjBeg, adjPop, this.rng.nextBit());
          mergeSorted(buf, adjBeg, half, buf, rawLim, popAbove, buf, adjBeg + half);
        }
        current -= half;
        inLevels[level + 1] = inLevels[level + 1]! - half;
        if (level === numLevels - 1) {
          numLevels++;
          target += this.levelCapacity(0, numLevels);
        }
      }
      if (level === numLevels - 1) break;
    }
    return [numLevels, target, current];
  }

  // ---- queries ----------------------------------------------------------------------------------

  private view(): void {
    if (this.viewN === this._n) return;
    const total = this.retained;
    const vals = new Float64Array(total);
    const wts = new Float64Array(total);
    // level 0 sorted; levels ≥ 1 are already sorted: merge level by level
    let len = 0;
    for (let l = 0; l < this.numLevels; l++) {
      const beg = this.levels[l]!;
      const end = this.levels[l + 1]!;
      if (end === beg) continue;
      const w = 2 ** l;
      const lvl = this.items.slice(beg, end);
      if (l === 0) lvl.sort();
      // merge (vals[0..len), lvl) from the back into vals
      let i = len - 1;
      let j = lvl.length - 1;
      let o = len + lvl.length - 1;
      while (j >= 0) {
        if (i >= 0 && vals[i]! > lvl[j]!) {
          vals[o] = vals[i]!;
          wts[o] = wts[i]!;
          i--;
        } else {
          vals[o] = lvl[j]!;
          wts[o] = w;
          j--;
        }
        o--;
      }
      len += lvl.length;
    }
    for (let i = 1; i < total; i++) wts[i] = wts[i]! + wts[i - 1]!;
    this.viewItems = vals;
    this.viewCum = wts;
    this.viewN = this._n;
  }

  /** Estimated weight (count) of values ≤ x (inclusive = true) or < x (inclusive = false). */
  countBelow(x: number, inclusive = true): number {
    if (this._n === 0) return 0;
    this.view();
    const v = this.viewItems;
    // first index with v[i] > x (inclusive) or v[i] >= x (exclusive)
    let lo = 0;
    let hi = v.length;
    if (inclusive) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (v[mid]! <= x) lo = mid + 1;
        else hi = mid;
      }
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (v[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
    }
    return lo === 0 ? 0 : this.viewCum[lo - 1]!;
  }

  /** Normalized rank (the CDF): estimated fraction of values ≤ x (< x when inclusive = false). NaN when empty. */
  rank(x: number, inclusive = true): number {
    if (this._n === 0) return NaN;
    return this.countBelow(x, inclusive) / this._n;
  }

  /** Estimated q-quantile, q in [0, 1]. NaN when empty. */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0, 1], got ${q}`);
    if (this._n === 0) return NaN;
    if (q === 0) return this._min;
    if (q === 1) return this._max;
    this.view();
    const target = q * this._n;
    const cum = this.viewCum;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return this.viewItems[lo]!;
  }

  quantiles(qs: readonly number[]): number[] {
    return qs.map((q) => this.quantile(q));
  }

  /** The retained items in ascending order with their weights (a copy). */
  sortedView(): { items: Float64Array; weights: Float64Array } {
    this.view();
    const w = new Float64Array(this.viewCum.length);
    for (let i = 0; i < w.length; i++) w[i] = this.viewCum[i]! - (i > 0 ? this.viewCum[i - 1]! : 0);
    return { items: this.viewItems.slice(), weights: w };
  }

  // ---- serialization ----------------------------------------------------------------------------

  toJSON(): KllJSON {
    const base = this.levels[0]!;
    const levels: number[] = [];
    for (let l = 0; l <= this.numLevels; l++) levels.push(this.levels[l]! - base);
    return {
      k: this.k,
      n: this._n,
      min: this._n === 0 ? null : this._min,
      max: this._n === 0 ? null : this._max,
      levels,
      items: Array.from(this.items.subarray(base, this.levels[this.numLevels]!)),
      rng: this.rng.getState(),
    };
  }

  static fromJSON(json: KllJSON): KllSketch {
    const sk = new KllSketch(json.k);
    const problem = checkKllJSON(json);
    if (problem) throw new Error(`invalid KLL sketch: ${problem}`);
    const numLevels = json.levels.length - 1;
    let capacity = 0;
    for (let l = 0; l < numLevels; l++) capacity += sk.levelCapacity(l, numLevels);
    const retained = json.items.length;
    capacity = Math.max(capacity, retained);
    const items = new Float64Array(capacity);
    const base = capacity - retained;
    items.set(json.items, base);
    sk.items = items;
    sk.numLevels = numLevels;
    sk.levels = new Int32Array(Math.max(numLevels + 3, 8));
    for (let l = 0; l <= numLevels; l++) sk.levels[l] = json.levels[l]! + base;
    sk._n = json.n;
    sk._min = json.min ?? Infinity;
    sk._max = json.max ?? -Infinity;
    if (json.rng) sk.rng = Rng.fromState(json.rng);
    else sk.rng = new Rng(json.n);
    return sk;
  }

  clone(): KllSketch {
    return KllSketch.fromJSON(this.toJSON());
  }
}

/** Structural checks of a serialized sketch; returns a message or null. */
export function checkKllJSON(json: KllJSON): string | null {
  const { levels, items, n } = json;
  if (levels.length < 2) return 'levels must have at least 2 entries';
  if (levels[0] !== 0) return 'levels[0] must be 0';
  for (let l = 1; l < levels.length; l++) {
    if (!(levels[l]! >= levels[l - 1]!)) return `levels must be non-decreasing (levels[${l}])`;
  }
  if (levels[levels.length - 1] !== items.length) return `levels end at ${levels[levels.length - 1]} but there are ${items.length} items`;
  let weight = 0;
  for (let l = 0; l + 1 < levels.length; l++) weight += (levels[l + 1]! - levels[l]!) * 2 ** l;
  if (weight !== n) return `the items' total weight ${weight} differs from n = ${n}`;
  if (n > 0 && (json.min === null || json.max === null)) return 'min and max are required when n > 0';
  for (const x of items) if (!Number.isFinite(x)) return 'items must be finite numbers';
  return null;
}

/** Upper bound on the number of levels for n items: 1 + floor(log2 n). */
function ubOnNumLevels(n: number): number {
  return n < 1 ? 1 : 1 + Math.floor(Math.log2(n));
}

/** Sorts buf[from .. to) ascending: insertion sort for short runs (the usual level-0 case), else native. */
function sortRange(buf: Float64Array, from: number, to: number): void {
  if (to - from > 48) {
    buf.subarray(from, to).sort();
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const x = buf[i]!;
    let j = i - 1;
    while (j >= from && buf[j]! > x) {
      buf[j + 1] = buf[j]!;
      j--;
    }
    buf[j + 1] = x;
  }
}

/** Keeps every other item of buf[start .. start+len) (from a random offset), packed at the bottom. */
function halveDown(buf: Float64Array, start: number, len: number, offset: number): void {
  const half = len >> 1;
  let j = start + offset;
  for (let i = start; i < start + half; i++, j += 2) buf[i] = buf[j]!;
}

/** Keeps every other item of buf[start .. start+len) (from a random offset), packed at the top. */
function halveUp(buf: Float64Array, start: number, len: number, offset: number): void {
  const half = len >> 1;
  let j = start + len - 1 - offset;
  for (let i = start + len - 1; i >= start + half; i--, j -= 2) buf[i] = buf[j]!;
}

/** Merges sorted a[aStart..+aLen) and b[bStart..+bLen) into c[cStart..); safe in place as used above. */
function mergeSorted(
  a: Float64Array, aStart: number, aLen: number,
  b: Float64Array, bStart: number, bLen: number,
  c: Float64Array, cStart: number,
): void {
  const aLim = aStart + aLen;
  const bLim = bStart + bLen;
  const cLim = cStart + aLen + bLen;
  let i = aStart;
  let j = bStart;
  for (let o = cStart; o < cLim; o++) {
    if (i === aLim) c[o] = b[j++]!;
    else if (j === bLim) c[o] = a[i++]!;
    else if (a[i]! < b[j]!) c[o] = a[i++]!;
    else c[o] = b[j++]!;
  }
}
