/**
 * A fast, deterministic 64-bit hash of strings and numbers (no crypto), as two 32-bit lanes.
 *
 * MurmurHash3-style (Appleby; x86_32 block constants and fmix32 finalizer): each 32-bit block is
 * mixed once and fed to two differently seeded, differently rotated states, which are cross-mixed and
 * finalized like MurmurHash3 x86_128. Strings hash by their UTF-16 code units (two units per block);
 * numbers by their IEEE-754 float64 bits (−0 as 0), in a separate domain from strings, so "1" and 1
 * hash differently. The result is the same on every machine (byte order is handled), which is what
 * lets sketches built in different runs merge.
 *
 * To avoid allocating, the hash functions write the two lanes to `hashOut` ([0] = high, [1] = low,
 * as int32) and return nothing.
 */
import { LITTLE_ENDIAN } from '../endian';

export const hashOut = new Int32Array(2);

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const SEED_A = 0x9747b28c | 0;
const SEED_B = 0x5bd1e995 | 0;
const NUMBER_DOMAIN = 0x3c6ef372;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function finish(h1: number, h2: number, len: number): void {
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  hashOut[0] = h1;
  hashOut[1] = h2;
}

/** Hashes a string's UTF-16 code units into hashOut. */
export function hashString(s: string): void {
  let h1 = SEED_A;
  let h2 = SEED_B;
  const len = s.length;
  const even = len & ~1;
  let k: number;
  for (let i = 0; i < even; i += 2) {
    k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 ^= k;
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (Math.imul(h2, 5) + 0x561ccd1b) | 0;
  }
  if (len & 1) {
    k = s.charCodeAt(len - 1);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h1 ^= k;
    h2 ^= k;
  }
  finish(h1, h2, len);
}

/** Hashes a number's float64 bits into hashOut (−0 as 0; every NaN as the canonical NaN). */
export function hashNumber(x: number): void {
  f64[0] = x === 0 ? 0 : x !== x ? NaN : x;
  let h1 = SEED_A ^ NUMBER_DOMAIN;
  let h2 = SEED_B ^ NUMBER_DOMAIN;
  let k = Math.imul(u32[LO]!, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h1 ^= k;
  h1 = (h1 << 13) | (h1 >>> 19);
  h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  h2 ^= k;
  h2 = (h2 << 17) | (h2 >>> 15);
  h2 = (Math.imul(h2, 5) + 0x561ccd1b) | 0;
  k = Math.imul(u32[HI]!, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h1 ^= k;
  h1 = (h1 << 13) | (h1 >>> 19);
  h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  h2 ^= k;
  h2 = (h2 << 17) | (h2 >>> 15);
  h2 = (Math.imul(h2, 5) + 0x561ccd1b) | 0;
  finish(h1, h2, 8);
}

/** Hashes a string or number into hashOut. */
export function hashValue(v: string | number): void {
  if (typeof v === 'number') hashNumber(v);
  else hashString(v);
}

/** The 64-bit hash of a string or number as [high, low] uint32 words. */
export function hash64(v: string | number): [number, number] {
  hashValue(v);
  return [hashOut[0]! >>> 0, hashOut[1]! >>> 0];
}
