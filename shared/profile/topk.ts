/**
 * Frequent items: the Misra–Gries summary (Misra & Gries, 1982) with the mergeable form of Agarwal et
 * al. ("Mergeable Summaries", PODS 2012).
 *
 * - At most `capacity` counters (default 64). A value with a counter increments it; a new value takes a
 *   free counter; when none is free every counter is decremented by one (the new value's unit is
 *   dropped too) and counters at zero are freed.
 * - Exact while the number of distinct values is ≤ capacity (no decrement ever happens).
 * - Every listed count is a lower bound: true count − listed count ≤ restMass / (capacity + 1), where
 *   restMass = n − Σ listed counts (the mass not attributed to any listed value). A value not listed has
 *   a true count ≤ that bound.
 * - Merge: add the counters; if more than `capacity` remain, subtract the (capacity+1)-th largest count
 *   from all and drop those ≤ 0. The error bound above is preserved; exactness too, when the union has
 *   ≤ capacity distinct values.
 */

import { hashNumber, hashOut, hashString } from './hash';

export const TOPK_DEFAULT_CAPACITY = 64;

export type ItemKey = string | number;

export interface TopKItem {
  value: ItemKey;
  count: number;
}

export interface TopKJSON {
  capacity: number;
  /** Total number of values seen. */
  n: number;
  /** [value, count] pairs, count descending. */
  items: [ItemKey, number][];
}

export class FrequentItems {
  readonly capacity: number;
  private _n = 0;
  // dense entries 0 .. size-1
  private size_ = 0;
  // an entry's value: strs[e] when a string, else nums[e] (strs[e] null): numbers stay unboxed
  private readonly nums: Float64Array;
  private readonly strs: (string | null)[];
  private readonly counts: Float64Array;
  private readonly hashes: Int32Array;
  // open-addressing index (linear probing, load ≤ 1/2): slot → entry, -1 when empty
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(capacity: number = TOPK_DEFAULT_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`top-k capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.nums = new Float64Array(capacity);
    this.strs = new Array<string | null>(capacity).fill(null);
    this.counts = new Float64Array(capacity);
    this.hashes = new Int32Array(capacity);
    let t = 8;
    while (t < 2 * capacity) t *= 2;
    this.slots = new Int32Array(t).fill(-1);
    this.mask = t - 1;
  }

  get n(): number {
    return this._n;
  }

  /** Number of listed values. */
  get size(): number {
    return this.size_;
  }

  /** Counts one occurrence (or `weight`) of a value. NaN is ignored. */
  update(key: ItemKey, weight = 1): void {
    if (key !== key) return;
    if (typeof key === 'number') hashNumber(key);
    else hashString(key);
    this.updateHashed(key, hashOut[0]!, weight);
  }

  /** update() with the value's hash (hashOut[0] after hash.ts's hashNumber/hashString) already known. */
  updateHashed(key: ItemKey, hash: number, weight = 1): void {
    if (typeof key === 'number') this.updateNumberHashed(key, hash, weight);
    else this.updateStringHashed(key, hash, weight);
  }

  /** updateHashed() for a number. */
  updateNumberHashed(x: number, hash: number, weight = 1): void {
    this._n += weight;
    const { slots, mask, nums, strs } = this;
    let i = hash & mask;
    let e: number;
    // a number's entry has no string
    while ((e = slots[i]!) >= 0 && !(nums[e] === x && strs[e] === null)) i = (i + 1) & mask;
    if (e >= 0) this.counts[e] = this.counts[e]! + weight;
    else this.insert(i, x === 0 ? 0 : x, hash, weight); // -0 is listed as 0
  }

  /** updateHashed() for a string. */
  updateStringHashed(s: string, hash: number, weight = 1): void {
    this._n += weight;
    const { slots, mask, strs } = this;
    let i = hash & mask;
    let e: number;
    while ((e = slots[i]!) >= 0 && strs[e] !== s) i = (i + 1) & mask;
    if (e >= 0) this.counts[e] = this.counts[e]! + weight;
    else this.insert(i, s, hash, weight);
  }

  /** A value not listed, whose probe ended at the empty slot i: a free counter, or the decrement. */
  private insert(i: number, key: ItemKey, hash: number, weight: number): void {
    if (this.size_ < this.capacity) {
      const e = this.size_++;
      this.setKey(e, key);
      this.counts[e] = weight;
      this.hashes[e] = hash;
      this.slots[i] = e;
    } else this.decrementAll(key, hash, weight);
  }

  private keyAt(e: number): ItemKey {
    return this.strs[e] ?? this.nums[e]!;
  }

  private setKey(e: number, key: ItemKey): void {
    if (typeof key === 'number') {
      this.nums[e] = key;
      this.strs[e] = null;
    } else this.strs[e] = key;
  }

  /** The new key (not listed) arrives with `weight` while every counter is taken. */
  private decrementAll(key: ItemKey, hash: number, weight: number): void {
    let remaining = weight;
    while (remaining > 0) {
      // decrement by the smallest amount that frees a counter, or by all of the remaining weight
      let minCount = Infinity;
      for (let e = 0; e < this.size_; e++) if (this.counts[e]! < minCount) minCount = this.counts[e]!;
      const dec = Math.min(remaining, minCount);
      remaining -= dec;
      let kept = 0;
      for (let e = 0; e < this.size_; e++) {
        const c = this.counts[e]! - dec;
        if (c > 0) {
          this.nums[kept] = this.nums[e]!;
          this.strs[kept] = this.strs[e]!;
          this.hashes[kept] = this.hashes[e]!;
          this.counts[kept] = c;
          kept++;
        }
      }
      for (let e = kept; e < this.size_; e++) this.strs[e] = null;
      this.size_ = kept;
      if (remaining > 0 && kept < this.capacity) {
        this.setKey(kept, key);
        this.hashes[kept] = hash;
        this.counts[kept] = remaining;
        this.size_++;
        remaining = 0;
      }
      this.reindex();
    }
  }

  private reindex(): void {
    const slots = this.slots;
    const mask = this.mask;
    slots.fill(-1);
    for (let e = 0; e < this.size_; e++) {
      let i = this.hashes[e]! & mask;
      while (slots[i]! >= 0) i = (i + 1) & mask;
      slots[i] = e;
    }
  }

  private find(key: ItemKey): number {
    if (typeof key === 'number') hashNumber(key);
    else hashString(key);
    let i = hashOut[0]! & this.mask;
    for (;;) {
      const e = this.slots[i]!;
      if (e < 0 || (typeof key === 'number' ? this.strs[e] === null && this.nums[e] === key : this.strs[e] === key)) return e;
      i = (i + 1) & this.mask;
    }
  }

  /** Listed count of a value (a lower bound of its true count; 0 when not listed). */
  count(key: ItemKey): number {
    const e = this.find(key);
    return e < 0 ? 0 : this.counts[e]!;
  }

  /** Listed values, count descending (ties: numbers before strings, then ascending value). */
  items(): TopKItem[] {
    const out: TopKItem[] = [];
    for (let e = 0; e < this.size_; e++) out.push({ value: this.keyAt(e), count: this.counts[e]! });
    out.sort(compareItems);
    return out;
  }

  /** n − Σ listed counts: the mass not attributed to a listed value. */
  get restMass(): number {
    let sum = 0;
    for (let e = 0; e < this.size_; e++) sum += this.counts[e]!;
    return this._n - sum;
  }

  /** Upper bound on (true count − listed count) for any value: restMass / (capacity + 1). 0 when exact. */
  get maxError(): number {
    return this.restMass / (this.capacity + 1);
  }

  /** True when every count is exact (no value was ever dropped). */
  isExact(): boolean {
    return this.restMass === 0;
  }

  /** Merges another summary into this one (the other is not modified). */
  merge(other: FrequentItems): this {
    const combined = new Map<ItemKey, number>();
    for (const { value, count } of this.items()) combined.set(value, count);
    for (const { value, count } of other.items()) combined.set(value, (combined.get(value) ?? 0) + count);
    const n = this._n + other._n;
    this.load(reduceToCapacity(combined, Math.min(this.capacity, other.capacity)), n);
    return this;
  }

  private load(entries: [ItemKey, number][], n: number): void {
    this.strs.fill(null);
    this.nums.fill(0);
    this.counts.fill(0);
    this.size_ = entries.length;
    entries.forEach(([k, c], e) => {
      this.setKey(e, k);
      this.counts[e] = c;
      if (typeof k === 'number') hashNumber(k);
      else hashString(k);
      this.hashes[e] = hashOut[0]!;
    });
    this.reindex();
    this._n = n;
  }

  toJSON(): TopKJSON {
    return { capacity: this.capacity, n: this._n, items: this.items().map((it) => [it.value, it.count]) };
  }

  static fromJSON(json: TopKJSON): FrequentItems {
    const f = new FrequentItems(json.capacity);
    if (json.items.length > json.capacity) throw new Error(`top-k: ${json.items.length} items exceed the capacity ${json.capacity}`);
    const seen = new Set<ItemKey>();
    let sum = 0;
    for (const [k, c] of json.items) {
      if (seen.has(k)) throw new Error(`top-k: value ${JSON.stringify(k)} is listed twice`);
      if (!(c > 0)) throw new Error(`top-k: count of ${JSON.stringify(k)} must be positive`);
      seen.add(k);
      sum += c;
    }
    if (sum > json.n) throw new Error(`top-k: listed counts (${sum}) exceed n (${json.n})`);
    f.load(json.items.map(([k, c]) => [k, c]), json.n);
    return f;
  }

  clone(): FrequentItems {
    return FrequentItems.fromJSON(this.toJSON());
  }
}

function compareItems(a: TopKItem, b: TopKItem): number {
  if (a.count !== b.count) return b.count - a.count;
  return compareKeys(a.value, b.value);
}

export function compareKeys(a: ItemKey, b: ItemKey): number {
  const ta = typeof a;
  const tb = typeof b;
  if (ta !== tb) return ta === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Agarwal et al.'s merge step: keep at most `capacity` counters, subtracting the (capacity+1)-th count. */
function reduceToCapacity(combined: Map<ItemKey, number>, capacity: number): [ItemKey, number][] {
  const entries = [...combined.entries()].sort((x, y) => (y[1] - x[1]) || compareKeys(x[0], y[0]));
  if (entries.length <= capacity) return entries;
  const cut = entries[capacity]![1];
  const out: [ItemKey, number][] = [];
  for (let i = 0; i < capacity; i++) {
    const [k, c] = entries[i]!;
    if (c - cut > 0) out.push([k, c - cut]);
  }
  return out;
}
