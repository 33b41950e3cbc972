/**
 * A set of 64-bit row fingerprints for the duplicate-row check, in two flat Uint32Arrays (open
 * addressing, linear probing, at most 0.7 load): 8–11 bytes a row, so 10 million rows take ~128 MiB
 * where a JavaScript Set of strings would take ~0.5 GiB. Size it from the expected row count so it does
 * not grow (a grow briefly holds the old and the new table). Two different rows share a fingerprint
 * with probability about n²/2⁶⁵ (3·10⁻⁶ at 10⁷ rows).
 */
export class FingerprintSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  size = 0;

  constructor(expectedRows = 1 << 14) {
    this.hi = new Uint32Array(0);
    this.lo = new Uint32Array(0);
    this.mask = 0;
    this.resize(capacityFor(expectedRows));
  }

  /** Grows the table ahead of time when more rows are now expected (cheap while it is small). */
  expect(rows: number): void {
    const cap = capacityFor(rows);
    if (cap > this.hi.length) this.resize(cap);
  }

  /** Adds the fingerprint; returns false when it was already present. */
  add(h1: number, h2: number): boolean {
    if ((this.size + 1) * 10 > this.hi.length * 7) this.resize(this.hi.length * 2);
    const a = h1 >>> 0;
    const b = h2 >>> 0 || 1; // lo = 0 marks an empty slot
    const { hi, lo, mask } = this;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      const t = lo[i]!;
      if (t === 0) break;
      if (t === b && hi[i] === a) return false;
      i = (i + 1) & mask;
    }
    hi[i] = a;
    lo[i] = b;
    this.size++;
    return true;
  }

  private resize(cap: number): void {
    const { hi, lo } = this;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < lo.length; i++) if (lo[i] !== 0) this.add(hi[i]!, lo[i]!);
  }
}

function capacityFor(rows: number): number {
  let cap = 1 << 10;
  while (cap * 0.7 < rows) cap <<= 1;
  return cap;
}

/**
 * The 64-bit content hash of one cell (FNV-1a and a multiply-xorshift lane over UTF-16 code units) into
 * out[0], out[1]; the same for a string and for the same characters as a range of a larger text.
 */
export function hashRange(text: string, s: number, e: number, out: Int32Array): void {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  out[0] = a;
  out[1] = b ^ (e - s);
}

/** Chains a cell's hash into its row's two lanes (order matters: (x, y) and (y, x) differ). */
export function chainRow(rows: Uint32Array, r: number, h1: number, h2: number): void {
  rows[2 * r] = Math.imul(rows[2 * r]! ^ h1, 0x01000193) ^ 0x1f;
  rows[2 * r + 1] = Math.imul((rows[2 * r + 1]! + 0x9e3779b9) ^ h2, 0x5bd1e995);
}
