/**
 * A set of 64-bit row fingerprints in two flat Uint32Arrays (open addressing, linear probing), for the
 * duplicate-row check: 8 bytes a row at most 0.7 load, so 10 million rows take 128 MiB instead of the
 * ~0.5 GiB a JavaScript Set of strings would. Two different rows share a fingerprint with probability
 * about n²/2⁶⁵ (3·10⁻⁶ at 10⁷ rows).
 */
export class FingerprintSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private used: Uint8Array;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 1 << 16) {
    let cap = 1;
    while (cap < initialCapacity) cap <<= 1;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  /** Adds the fingerprint; returns false when it was already present. */
  add(h1: number, h2: number): boolean {
    if ((this.size + 1) * 10 > this.used.length * 7) this.grow();
    let i = (h1 ^ Math.imul(h2, 0x9e3779b1)) & this.mask;
    const { hi, lo, used, mask } = this;
    while (used[i] === 1) {
      if (hi[i] === h1 >>> 0 && lo[i] === h2 >>> 0) return false;
      i = (i + 1) & mask;
    }
    used[i] = 1;
    hi[i] = h1;
    lo[i] = h2;
    this.size++;
    return true;
  }

  private grow(): void {
    const { hi, lo, used } = this;
    const cap = used.length * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < used.length; i++) if (used[i] === 1) this.add(hi[i]!, lo[i]!);
  }
}

/** FNV-1a over UTF-16 code units, two independent 32-bit lanes; `seed` chains cells into a row. */
export function hashText(s: string, seed1: number, seed2: number, out: Uint32Array, at: number): void {
  let a = seed1 ^ 0x811c9dc5;
  let b = seed2 ^ 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  // A separator, so ("ab","c") and ("a","bc") differ.
  a = Math.imul(a ^ 0x1f, 0x01000193);
  b = Math.imul(b ^ 0x1f, 0x5bd1e995);
  out[at] = a;
  out[at + 1] = b;
}
