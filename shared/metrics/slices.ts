/**
 * Metrics per slice: the caller gives a slice key per row (e.g. the value of a `country` column); one
 * accumulator is kept per key. The first `maxSlices` distinct keys (in order of first appearance, so the
 * result does not depend on batching) get their own slice; rows with any later key go to `(other)`.
 * A null / undefined key is the slice `(missing)` (it counts towards the cap like any key).
 *
 * Memory: the accumulators together hold each row once (plus a Map of at most `maxSlices` keys and, for
 * `(other)`, a set of at most OTHER_KEYS_CAP distinct keys to report how many it merges).
 */
import { ClassificationAccumulator, checkClassificationBatch, checkClasses } from './classification';
import { RegressionAccumulator, checkRegressionBatch } from './regression';
import type { ClassificationMetrics, RegressionMetrics, SliceResult } from './types';

export interface SliceOptions {
  /** maximum number of named slices (default 50); keys beyond go to `otherKey` */
  maxSlices?: number;
  /** key of the overflow slice, default `(other)` (pick one that is not a real slice value) */
  otherKey?: string;
  /** slice of rows whose key is null or undefined (default `(missing)`) */
  missingKey?: string;
}

export const DEFAULT_MAX_SLICES = 50;
export const OTHER_KEYS_CAP = 100_000;

export type SliceKey = string | null | undefined;

/** Routes rows to slots by key; slot `maxSlices` (the last) is `(other)`. */
class SliceRouter<A> {
  readonly maxSlices: number;
  readonly otherKey: string;
  readonly missingKey: string;
  private readonly slotOf = new Map<string, number>();
  readonly keys: string[] = [];
  readonly accumulators: A[] = [];
  private other: A | undefined;
  private readonly otherKeys = new Set<string>();

  constructor(
    private readonly make: () => A,
    options: SliceOptions,
  ) {
    this.maxSlices = options.maxSlices ?? DEFAULT_MAX_SLICES;
    if (!(Number.isInteger(this.maxSlices) && this.maxSlices >= 0)) throw new Error(`maxSlices must be a non-negative integer, got ${this.maxSlices}`);
    this.otherKey = options.otherKey ?? '(other)';
    this.missingKey = options.missingKey ?? '(missing)';
  }

  /**
   * Splits a batch: calls `emit(accumulator, rows)` once per slot present in the batch with the row
   * indices (ascending) of that slot.
   */
  route(keys: ArrayLike<SliceKey>, emit: (acc: A, rows: Int32Array) => void): void {
    const n = keys.length;
    const slot = new Int32Array(n);
    const otherSlot = this.maxSlices;
    const counts = new Int32Array(this.maxSlices + 1);
    for (let i = 0; i < n; i++) {
      const raw = keys[i];
      const key = raw === null || raw === undefined ? this.missingKey : String(raw);
      let s = this.slotOf.get(key);
      if (s === undefined) {
        if (this.keys.length < this.maxSlices) {
          s = this.keys.length;
          this.slotOf.set(key, s);
          this.keys.push(key);
          this.accumulators.push(this.make());
        } else {
          s = otherSlot;
          if (this.otherKeys.size < OTHER_KEYS_CAP) this.otherKeys.add(key);
        }
      }
      slot[i] = s;
      counts[s]!++;
    }
    // counting sort of the rows by slot
    const start = new Int32Array(otherSlot + 2);
    for (let s = 0; s <= otherSlot; s++) start[s + 1] = start[s]! + counts[s]!;
    const next = start.slice(0, otherSlot + 1);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[next[slot[i]!]!++] = i;
    for (let s = 0; s <= otherSlot; s++) {
      if (counts[s] === 0) continue;
      const rows = order.subarray(start[s]!, start[s + 1]!);
      if (s === otherSlot) this.other ??= this.make();
      emit(s === otherSlot ? this.other! : this.accumulators[s]!, rows);
    }
  }

  /** Named slices by decreasing count (ties by key), then `(other)`. */
  results<M>(finish: (acc: A) => M, count: (acc: A) => number): SliceResult<M>[] {
    const named = this.keys.map((key, s) => ({ key, acc: this.accumulators[s]! }));
    named.sort((a, b) => count(b.acc) - count(a.acc) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const out: SliceResult<M>[] = named.map(({ key, acc }) => ({ key, count: count(acc), metrics: finish(acc) }));
    if (this.other) {
      out.push({ key: this.otherKey, count: count(this.other), other_keys: this.otherKeys.size, metrics: finish(this.other) });
    }
    return out;
  }

  get(key: string): A | undefined {
    if (key === this.otherKey) return this.other;
    const s = this.slotOf.get(key);
    return s === undefined ? undefined : this.accumulators[s];
  }
}

function gatherInt(src: ArrayLike<number>, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = src[rows[i]!]!;
  return out;
}

function gatherFloat(src: ArrayLike<number>, rows: Int32Array, width = 1): Float64Array {
  const out = new Float64Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]! * width;
    for (let j = 0; j < width; j++) out[i * width + j] = src[r + j]!;
  }
  return out;
}

function checkKeys(keys: ArrayLike<SliceKey>, n: number): void {
  if (keys.length !== n) throw new Error(`slice keys have ${keys.length} rows but the batch has ${n}`);
}

export class ClassificationSlices {
  private readonly router: SliceRouter<ClassificationAccumulator>;
  private rows = 0;
  private hasProba: boolean | undefined;
  constructor(
    readonly classes: readonly string[],
    options: SliceOptions = {},
  ) {
    checkClasses(classes);
    this.router = new SliceRouter(() => new ClassificationAccumulator(classes), options);
  }

  add(keys: ArrayLike<SliceKey>, yTrue: ArrayLike<number>, yPred: ArrayLike<number>, proba?: ArrayLike<number>): void {
    checkKeys(keys, yTrue.length);
    checkClassificationBatch(this.classes, yTrue, yPred, proba, this.rows);
    if (this.hasProba !== undefined && this.hasProba !== (proba !== undefined)) {
      throw new Error(`probabilities were ${this.hasProba ? '' : 'not '}given for earlier batches: give them for every batch or none`);
    }
    this.hasProba = proba !== undefined;
    this.rows += yTrue.length;
    const k = this.classes.length;
    this.router.route(keys, (acc, rows) =>
      acc.add(gatherInt(yTrue, rows), gatherInt(yPred, rows), proba === undefined ? undefined : gatherFloat(proba, rows, k)),
    );
  }

  /** The accumulator of one slice (e.g. for bootstrap intervals per slice). */
  accumulator(key: string): ClassificationAccumulator | undefined {
    return this.router.get(key);
  }

  finish(): SliceResult<ClassificationMetrics>[] {
    return this.router.results(
      (a) => a.finish(),
      (a) => a.count,
    );
  }
}

export class RegressionSlices {
  private readonly router: SliceRouter<RegressionAccumulator>;
  private rows = 0;
  constructor(options: SliceOptions = {}) {
    this.router = new SliceRouter(() => new RegressionAccumulator(), options);
  }

  add(keys: ArrayLike<SliceKey>, yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
    checkKeys(keys, yTrue.length);
    checkRegressionBatch(yTrue, yPred, this.rows);
    this.rows += yTrue.length;
    this.router.route(keys, (acc, rows) => acc.add(gatherFloat(yTrue, rows), gatherFloat(yPred, rows)));
  }

  accumulator(key: string): RegressionAccumulator | undefined {
    return this.router.get(key);
  }

  finish(): SliceResult<RegressionMetrics>[] {
    return this.router.results(
      (a) => a.finish(),
      (a) => a.count,
    );
  }
}
