/**
 * Bounded uniform reservoir sample of values (number | string), seeded.
 *
 * After n updates the sample holds min(n, capacity) values, and every subset of that size of the n
 * values is equally likely. Updates use Li's Algorithm L ("Reservoir-sampling algorithms of time
 * complexity O(n(1 + log(N/n)))", ACM TOMS 1994): it draws how many values to skip before the next
 * one enters, so most updates cost one comparison. Its state is the threshold W (the largest of the
 * sample's random keys, distributed Beta(capacity, n − capacity + 1) and independent of which values
 * are in the sample) and the index of the next value to take.
 *
 * Merge keeps a uniform sample of the union: it draws min(capacity, nA + nB) values without
 * replacement, each draw taking from side A with probability (A's remaining represented count) / (both
 * sides' remaining represented counts) and then a uniformly random not-yet-drawn value of that side's
 * sample. The split between the sides is then hypergeometric, as for a uniform sample of the
 * concatenated stream, and within each side the values are a uniform subsample of a uniform sample.
 * W is then drawn afresh from its Beta distribution, so updates can continue. Both reservoirs must have
 * the same capacity.
 */
import { Rng, type RngState } from './rng';

export const RESERVOIR_DEFAULT_CAPACITY = 1000;

export type SampleValue = number | string;

export interface ReservoirJSON {
  capacity: number;
  /** Number of values the sample represents (values offered). */
  n: number;
  values: SampleValue[];
  /** PRNG state, so a deserialized reservoir continues exactly as the original would have. */
  rng?: RngState;
  /** Algorithm L's threshold W and the 1-based index of the next value to take (when full). */
  w?: number;
  next?: number;
}

export class Reservoir {
  readonly capacity: number;
  private _n = 0;
  private values: SampleValue[] = [];
  private rng: Rng;
  private w = 1;
  /** 1-based index of the next value that enters a full reservoir. */
  private next = Infinity;

  constructor(capacity: number = RESERVOIR_DEFAULT_CAPACITY, seed: number | string = 0) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`reservoir capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.rng = new Rng(seed);
  }

  get n(): number {
    return this._n;
  }

  get size(): number {
    return this.values.length;
  }

  update(value: SampleValue): void {
    // Kept this small (the work is in take()) so that the profilers' per-value paths inline it.
    const n = ++this._n;
    if (n === this.next || n <= this.capacity) this.take(value, n);
  }

  /** update()'s value n enters the reservoir: while it fills, or when full at the drawn index. */
  private take(value: SampleValue, n: number): void {
    if (n === this.next) {
      this.values[this.rng.nextInt(this.capacity)] = value;
      this.w *= Math.exp(Math.log(this.rng.nextOpen()) / this.capacity);
      this.skip();
    } else {
      this.values.push(value);
      if (n === this.capacity) {
        this.w = Math.exp(Math.log(this.rng.nextOpen()) / this.capacity);
        this.skip();
      }
    }
  }

  /** Draws the index of the next value to take: skip ~ Geometric(W) values after the current one. */
  private skip(): void {
    const s = Math.floor(Math.log(this.rng.nextOpen()) / Math.log1p(-this.w));
    this.next = this._n + (Number.isFinite(s) ? s : Number.MAX_SAFE_INTEGER) + 1;
  }

  /** Sets W and the next index for a full reservoir from their distribution given n alone. */
  private resume(): void {
    if (this._n < this.capacity) {
      this.w = 1;
      this.next = Infinity;
      return;
    }
    this.w = this.rng.nextBeta(this.capacity, this._n - this.capacity + 1);
    this.skip();
  }

  /** The sample (a copy), in slot order. */
  sample(): SampleValue[] {
    return this.values.slice();
  }

  /** Merges another reservoir of the same capacity into this one (the other is not modified). */
  merge(other: Reservoir): this {
    if (other.capacity !== this.capacity) {
      throw new Error(`cannot merge reservoirs of different capacity (${this.capacity} and ${other.capacity})`);
    }
    if (other._n === 0) return this;
    const target = Math.min(this.capacity, this._n + other._n);
    const a = this.values.slice();
    const b = other.values.slice();
    let remA = this._n;
    let remB = other._n;
    let lenA = a.length;
    let lenB = b.length;
    const out: SampleValue[] = [];
    const rng = this.rng;
    while (out.length < target) {
      // choose a side with probability proportional to the count it still represents
      const fromA = remB === 0 || (remA > 0 && rng.nextDouble() * (remA + remB) < remA);
      if (fromA) {
        const j = rng.nextInt(lenA);
        out.push(a[j]!);
        a[j] = a[--lenA]!;
        remA--;
      } else {
        const j = rng.nextInt(lenB);
        out.push(b[j]!);
        b[j] = b[--lenB]!;
        remB--;
      }
    }
    this.values = out;
    this._n += other._n;
    this.resume();
    return this;
  }

  toJSON(): ReservoirJSON {
    const json: ReservoirJSON = { capacity: this.capacity, n: this._n, values: this.values.slice(), rng: this.rng.getState() };
    if (Number.isFinite(this.next)) {
      json.w = this.w;
      json.next = this.next;
    }
    return json;
  }

  static fromJSON(json: ReservoirJSON): Reservoir {
    const r = new Reservoir(json.capacity);
    if (json.values.length !== Math.min(json.n, json.capacity)) {
      throw new Error(`reservoir: expected min(n, capacity) = ${Math.min(json.n, json.capacity)} values, got ${json.values.length}`);
    }
    r.values = json.values.slice();
    r._n = json.n;
    r.rng = json.rng ? Rng.fromState(json.rng) : new Rng(json.n);
    if (json.w !== undefined && json.next !== undefined && json.n >= json.capacity && json.next > json.n && json.w > 0 && json.w <= 1) {
      r.w = json.w;
      r.next = json.next;
    } else {
      r.resume();
    }
    return r;
  }

  clone(): Reservoir {
    return Reservoir.fromJSON(this.toJSON());
  }
}
