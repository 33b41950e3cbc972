import { hashOut, hashString } from '../profile/hash';

/**
 * Interning of cell texts by content: a column of categories repeats a few strings millions of times;
 * looking a range of the decoded text up here returns the one string already made for it, so typing a
 * CSV column allocates nothing per cell. Bounded: past `capacity` distinct values (an id column) it stops
 * remembering and slices.
 * Each string's profile hash (hash.ts hashString) is kept with it, so the profiler hashes a category
 * once, not once a cell.
 */
export class Interner {
  /** hash.ts hashString() of the string the last get() returned (lanes 0 and 1), kept per string. */
  h1 = 0;
  h2 = 0;
  private readonly hashes: Int32Array;
  private readonly p1: Int32Array;
  private readonly p2: Int32Array;
  private readonly strings: (string | undefined)[];
  private readonly mask: number;
  private size = 0;

  constructor(private readonly capacity = 1024) {
    let cap = 1;
    while (cap < capacity * 2) cap <<= 1;
    this.hashes = new Int32Array(cap);
    this.p1 = new Int32Array(cap);
    this.p2 = new Int32Array(cap);
    this.strings = new Array<string | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  /** The string text[s, e), whose hash (any 32-bit function of its characters) is h. */
  get(text: string, s: number, e: number, h: number): string {
    const { hashes, strings, mask } = this;
    let i = h & mask;
    for (;;) {
      const v = strings[i];
      if (v === undefined) break;
      if (hashes[i] === h && v.length === e - s && same(v, text, s)) {
        this.h1 = this.p1[i]!;
        this.h2 = this.p2[i]!;
        return v;
      }
      i = (i + 1) & mask;
    }
    const str = text.slice(s, e);
    hashString(str);
    this.h1 = hashOut[0]!;
    this.h2 = hashOut[1]!;
    if (this.size < this.capacity) {
      strings[i] = str;
      hashes[i] = h;
      this.p1[i] = this.h1;
      this.p2[i] = this.h2;
      this.size++;
    }
    return str;
  }
}

function same(v: string, text: string, s: number): boolean {
  for (let k = 0; k < v.length; k++) if (v.charCodeAt(k) !== text.charCodeAt(s + k)) return false;
  return true;
}
