/** Growable typed arrays (capacity doubles) and compensated summation, used by the accumulators. */

export class GrowableFloat64 {
  private buf: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.buf = new Float64Array(Math.max(16, capacity));
  }
  /** Makes room for `extra` more values and returns the backing array (valid until the next call). */
  reserve(extra: number): Float64Array {
    const need = this.length + extra;
    if (need > this.buf.length) {
      let cap = this.buf.length;
      while (cap < need) cap *= 2;
      const next = new Float64Array(cap);
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    return this.buf;
  }
  push(v: number): void {
    this.reserve(1)[this.length++] = v;
  }
  /** A view of the filled part (no copy; invalidated by further growth). */
  view(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
}

export class GrowableInt32 {
  private buf: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.buf = new Int32Array(Math.max(16, capacity));
  }
  reserve(extra: number): Int32Array {
    const need = this.length + extra;
    if (need > this.buf.length) {
      let cap = this.buf.length;
      while (cap < need) cap *= 2;
      const next = new Int32Array(cap);
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    return this.buf;
  }
  push(v: number): void {
    this.reserve(1)[this.length++] = v;
  }
  view(): Int32Array {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * Neumaier's compensated sum (an improved Kahan–Babuška): the error does not grow with the number of
 * terms, so a sum of 10^6 doubles is as accurate as a correctly rounded one to within a few ulps.
 */
export class CompensatedSum {
  private s = 0;
  private c = 0;
  add(x: number): void {
    const t = this.s + x;
    if (Math.abs(this.s) >= Math.abs(x)) this.c += this.s - t + x;
    else this.c += x - t + this.s;
    this.s = t;
  }
  get value(): number {
    return this.s + this.c;
  }
}
