/**
 * The project's one seeded PRNG, so every sketch (shared/profile) and every bootstrap (shared/metrics)
 * is deterministic given a seed.
 *
 * Generator: xoshiro128** (Blackman & Vigna, 2018), 128 bits of state in four uint32 words, period
 * 2^128 − 1, using only 32-bit integer operations (cheap in JavaScript). The state is seeded by
 * splitmix32 from one 32-bit seed, so two seeds give unrelated streams. Not cryptographic.
 *
 * The streams are pinned: serialized profiles store the state (getState) and continue it, and
 * scripts/fixtures/metrics_reference.py mirrors the metrics stream in Python. Do not change any
 * method's output for a given state.
 */

export type RngState = [number, number, number, number];

/** splitmix32: one step of a 32-bit splittable generator; used to expand seeds. */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** A 32-bit seed from a number (any double) or a string (hashed by its UTF-16 code units). */
export function seedFrom(seed: number | string): number {
  if (typeof seed === 'number') {
    if (Number.isInteger(seed) && Math.abs(seed) <= 0xffffffff) return seed >>> 0;
    // fold a non-integer or large double: mix its two halves
    const lo = seed % 4294967296 >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    return splitmix32(lo ^ splitmix32(hi));
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return splitmix32(h >>> 0);
}

/** Derives an independent child seed, e.g. one per column and sketch: `deriveSeed(seed, 'age/kll')`. */
export function deriveSeed(seed: number, label: string): number {
  return splitmix32((seed ^ seedFrom(label)) >>> 0);
}

const TWO_32 = 4294967296;
const TWO_NEG_32 = 2 ** -32;
const TWO_NEG_53 = 2 ** -53;

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number | string = 0) {
    let x = seedFrom(seed);
    this.s0 = x = splitmix32(x);
    this.s1 = x = splitmix32(x);
    this.s2 = x = splitmix32(x);
    this.s3 = splitmix32(x);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  static fromState(state: readonly number[]): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  /** The four uint32 state words (JSON-safe), to continue the same stream after deserialization. */
  getState(): RngState {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new Error('rng state must be four uint32 words');
    }
    this.s0 = state[0]! | 0;
    this.s1 = state[1]! | 0;
    this.s2 = state[2]! | 0;
    this.s3 = state[3]! | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) throw new Error('rng state must not be all zero');
  }

  /** Next uint32 (xoshiro128**). */
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

  /** One fair random bit. */
  nextBit(): number {
    return this.nextU32() >>> 31;
  }

  /** Uniform double in [0, 1) with 32 bits of randomness. */
  nextFloat(): number {
    return this.nextU32() * TWO_NEG_32;
  }

  /** Uniform double in [0, 1) with 53 bits of randomness. */
  nextDouble(): number {
    const a = this.nextU32() >>> 5; // 27 bits
    const b = this.nextU32() >>> 6; // 26 bits
    return (a * 67108864 + b) * TWO_NEG_53;
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^53 (53-bit resolution; bias below 2^-53·n). */
  nextInt(n: number): number {
    // n ≤ 2^20: multiply-shift on 32 bits has relative bias ≤ 2^-12; use rejection to remove it
    if (n <= 0x100000) return this.nextU32Below(n);
    return Math.floor(this.nextDouble() * n);
  }

  /** Unbiased uniform integer in [0, n) for 1 ≤ n ≤ 2^32: `nextU32() % n`, rejecting the uneven top. */
  nextU32Below(n: number): number {
    const limit = TWO_32 - (TWO_32 % n);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % n;
  }

  /** Uniform double in (0, 1): never 0, so its logarithm is finite. */
  nextOpen(): number {
    return (this.nextU32() + 0.5) * TWO_NEG_32;
  }

  /** Gamma(shape, 1) deviate for shape ≥ 1 (Marsaglia & Tsang, 2000). */
  nextGamma(shape: number): number {
    if (!(shape >= 1)) throw new Error(`nextGamma: shape must be ≥ 1, got ${shape}`);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.nextNormal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.nextOpen();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta(a, b) deviate for a, b ≥ 1. */
  nextBeta(a: number, b: number): number {
    const x = this.nextGamma(a);
    const y = this.nextGamma(b);
    return x / (x + y);
  }

  /** Standard normal deviate (Box–Muller, one of the pair). */
  nextNormal(): number {
    let u = this.nextDouble();
    while (u === 0) u = this.nextDouble();
    const v = this.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
