/**
 * A tiny seeded PRNG for the bootstrap (and for the deterministic test-data generator that
 * scripts/fixtures/metrics_reference.py mirrors in Python): xoshiro128** (Blackman & Vigna, 2018),
 * 128 bits of state, seeded from one 32-bit seed by splitmix32. Only 32-bit integer operations and
 * exact double arithmetic, so the same seed gives the same stream in any language. Not cryptographic.
 */

/** One step of splitmix32 (used to expand a seed into the four state words). */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

const TWO_32 = 4294967296;

export class MetricsRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed` is reduced to an unsigned 32-bit integer (`seed >>> 0`). */
  constructor(seed = 0) {
    let x = seed >>> 0;
    this.s0 = x = splitmix32(x);
    this.s1 = x = splitmix32(x);
    this.s2 = x = splitmix32(x);
    this.s3 = splitmix32(x);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next uniform uint32. */
  nextU32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r >>> 0;
  }

  /** Uniform double in [0, 1) with 32 bits of resolution (exact: `u32 / 2^32`). */
  nextFloat(): number {
    return this.nextU32() / TWO_32;
  }

  /** Unbiased uniform integer in [0, n), 1 ≤ n ≤ 2^32 (rejection sampling). */
  nextInt(n: number): number {
    const limit = TWO_32 - (TWO_32 % n);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % n;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
