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

/** hashRange of text[s, e) given as bytes (bytes[i] = text.charCodeAt(i), a text of characters below 256). */
export function hashLatin1(bytes: Uint8Array, s: number, e: number, out: Int32Array): void {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = s; i < e; i++) {
    const c = bytes[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  out[0] = a;
  out[1] = b ^ (e - s);
}

/**
 * Chains a cell's hash into its row's two lanes (order matters: (x, y) and (y, x) differ). The lanes
 * are int32 (an Int32Array): read back from a Uint32Array, a lane above 2^31 was not an int32, and V8
 * dropped the code it had compiled for the cell loop on the first one.
 */
export function chainRow(rows: Int32Array, r: number, h1: number, h2: number): void {
  rows[2 * r] = Math.imul(rows[2 * r]! ^ h1, 0x01000193) ^ 0x1f;
  rows[2 * r + 1] = Math.imul((rows[2 * r + 1]! + 0x9e3779b9) ^ h2, 0x5bd1e995);
}
