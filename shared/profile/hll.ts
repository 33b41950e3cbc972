/**
 * HyperLogLog distinct count (Flajolet, Fusy, Gandouet & Meunier, 2007) with a 64-bit hash.
 *
 * - Precision p (default 12): m = 2^p one-byte registers; standard error 1.04/√m (1.625% for p = 12).
 * - Hash: the 64-bit murmur3-style hash of hash.ts: strings by their UTF-16 code units, numbers by their
 *   float64 bits ("1" and 1 differ). Deterministic and the same on every machine, which is what makes
 *   registers from different runs mergeable.
 * - Register index: the top p bits of lane 1; rank ρ: 1 + leading zeros of the remaining 64 − p bits.
 * - Estimate: the raw HLL estimate α_m·m² / Σ 2^−M[j], with the standard small-range correction
 *   (linear counting m·ln(m/V) when the raw estimate ≤ 2.5m and V registers are zero). With a 64-bit
 *   hash no large-range correction is needed.
 *   Known limitation of this standard estimator: near the switch-over (n ≈ 2.5m ≈ 10,000 for p = 12)
 *   it is slightly biased; measured over 40 trials: +1–1.6% bias, rms error up to 2.9%, against 1.2–1.5%
 *   elsewhere. (Ertl's improved estimator, arXiv:1702.01284, would remove this if it ever matters.)
 * - Merge: register-wise max, which is exact: merging the sketches of two parts gives the same
 *   registers as sketching the whole.
 */

import { hashNumber, hashOut, hashString } from './hash';

export const HLL_DEFAULT_P = 12;

/** Relative standard error of the estimate for precision p: 1.04 / √(2^p). */
export function hllStandardError(p: number = HLL_DEFAULT_P): number {
  return 1.04 / Math.sqrt(2 ** p);
}

export interface HllJSON {
  p: number;
  /** The 2^p registers, one byte each, base64. */
  registers: string;
}

// ---- sketch -------------------------------------------------------------------------------------

export class HyperLogLog {
  readonly p: number;
  readonly m: number;
  private readonly registers: Uint8Array;
  private readonly shift: number;

  constructor(p: number = HLL_DEFAULT_P) {
    if (!Number.isInteger(p) || p < 4 || p > 18) throw new Error(`HLL precision must be an integer in [4, 18], got ${p}`);
    this.p = p;
    this.m = 1 << p;
    this.shift = 32 - p;
    this.registers = new Uint8Array(this.m);
  }

  /** Adds a value by its 64-bit hash (high and low 32-bit words, as from hash.ts). */
  addHash(h1: number, h2: number): void {
    const idx = h1 >>> this.shift;
    const w = h1 << this.p;
    const rho = w !== 0 ? Math.clz32(w) + 1 : this.shift + Math.clz32(h2) + 1;
    if (rho > this.registers[idx]!) this.registers[idx] = rho;
  }

  update(value: string | number): void {
    if (typeof value === 'number') this.updateNumber(value);
    else this.updateString(value);
  }

  updateString(s: string): void {
    hashString(s);
    this.addHash(hashOut[0]!, hashOut[1]!);
  }

  /** Hashes the number's float64 bits (NaN hashes as one value; −0 as 0). */
  updateNumber(x: number): void {
    hashNumber(x);
    this.addHash(hashOut[0]!, hashOut[1]!);
  }

  merge(other: HyperLogLog): this {
    if (other.p !== this.p) throw new Error(`cannot merge HyperLogLog sketches of different precision (${this.p} and ${other.p})`);
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) if (b[i]! > a[i]!) a[i] = b[i]!;
    return this;
  }

  /** Estimated number of distinct values (standard HLL with linear counting for small ranges). */
  estimate(): number {
    const m = this.m;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = this.registers[i]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    // (both tests made every time: with `&&`, the second had no type feedback until a small column came,
    // and the optimized code was thrown away each time one did, 24 times in a run of 20 columns)
    const small = raw <= 2.5 * m;
    const someZero = zeros > 0;
    if (small && someZero) return m * Math.log(m / zeros);
    return raw;
  }

  isEmpty(): boolean {
    return this.registers.every((r) => r === 0);
  }

  toJSON(): HllJSON {
    return { p: this.p, registers: Buffer.from(this.registers.buffer, this.registers.byteOffset, this.registers.byteLength).toString('base64') };
  }

  static fromJSON(json: HllJSON): HyperLogLog {
    const h = new HyperLogLog(json.p);
    const bytes = Buffer.from(json.registers, 'base64');
    if (bytes.length !== h.m) throw new Error(`HLL registers: expected ${h.m} bytes for p = ${json.p}, got ${bytes.length}`);
    const maxRank = 64 - json.p + 1;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i]! > maxRank) throw new Error(`HLL register ${i} = ${bytes[i]} exceeds the maximum rank ${maxRank}`);
    }
    h.registers.set(bytes);
    return h;
  }

  clone(): HyperLogLog {
    return HyperLogLog.fromJSON(this.toJSON());
  }
}
