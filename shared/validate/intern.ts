import { hashOut, hashString } from '../profile/hash';
import { latin1 } from '../data/cells';
import { hashRange } from './rowset';

/** Interner.kinds of a string whose typing was not recorded. */
export const UNTYPED = 255;

/** The longest string findShort() looks up. */
export const SHORT_MAX = 12;

/**
 * Interning of cell texts by content: a column of categories repeats a few strings millions of times;
 * looking a range of the decoded text up here returns the one string already made for it, so typing a
 * CSV column allocates nothing per cell. Bounded: past `capacity` distinct values (an id column) it stops
 * remembering and slices.
 * Each string's profile hash (hash.ts hashString) is kept with it, so the profiler hashes a category
 * once, not once a cell, and so can its typing (a date or a boolean column is typed once a value).
 *
 * A kept Latin-1 string of 1 to SHORT_MAX characters is also indexed by its characters themselves,
 * packed into three int32 words (findShort): a cell given as bytes is then found with three reads and
 * compares, without hashing it or comparing it a character at a time, and its cell hash (rowset.ts
 * hashRange, both lanes) comes from the slot.
 */
export class Interner {
  /** hash.ts hashString() of the string the last find() hit or add() made (lanes 0 and 1). */
  h1 = 0;
  h2 = 0;
  /** Each interned string's typing (schema/values' Kind and number), UNTYPED until set by add(). */
  readonly kinds: Uint8Array;
  readonly nums: Float64Array;
  readonly strings: (string | undefined)[];
  private readonly hashes: Int32Array;
  /** hash.ts hashString() lanes of each kept string. */
  readonly p1: Int32Array;
  readonly p2: Int32Array;
  /** Cells of each kept string that engine.ts checkColumn's pass has counted and not yet profiled, by slot. */
  readonly counted: Int32Array;
  private readonly mask: number;
  /** rowset.ts hashRange lanes 0 and 1 of each short-indexed string (indexShort), for findShort's hits. */
  private readonly cell1: Int32Array;
  private readonly cell2: Int32Array;
  /** Short strings' index: slot + 1 (0 empty), by shortHash of their packed characters. */
  private readonly shortIndex: Int32Array;
  /** A short string's packed characters and length, four int32s a slot. */
  private readonly shortKeys: Int32Array;
  private size = 0;
  /** Where the last find() that missed would put the string. */
  private free = 0;

  constructor(private readonly capacity = 1024) {
    let cap = 1;
    while (cap < capacity * 2) cap <<= 1;
    this.hashes = new Int32Array(cap);
    this.p1 = new Int32Array(cap);
    this.p2 = new Int32Array(cap);
    this.counted = new Int32Array(cap);
    this.kinds = new Uint8Array(cap).fill(UNTYPED);
    this.nums = new Float64Array(cap);
    this.strings = new Array<string | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    this.cell1 = new Int32Array(cap);
    this.cell2 = new Int32Array(cap);
    this.shortIndex = new Int32Array(cap);
    this.shortKeys = new Int32Array(cap * 4);
  }

  /** No room left: add() makes strings without keeping them. */
  get full(): boolean {
    return this.size >= this.capacity;
  }

  /** The slot of the string text[s, e) (hash h: any 32-bit function of its characters), or -1. */
  find(text: string, s: number, e: number, h: number): number {
    const { hashes, strings, mask } = this;
    let i = h & mask;
    for (;;) {
      const v = strings[i];
      if (v === undefined) break;
      if (hashes[i] === h && v.length === e - s && same(v, text, s)) {
        this.h1 = this.p1[i]!;
        this.h2 = this.p2[i]!;
        return i;
      }
      i = (i + 1) & mask;
    }
    this.free = i;
    return -1;
  }

  /** find() of the characters bytes[s, e) (one a byte: a Latin-1 or ASCII text given as its bytes). */
  findBytes(bytes: Uint8Array, s: number, e: number, h: number): number {
    const { hashes, strings, mask } = this;
    let i = h & mask;
    for (;;) {
      const v = strings[i];
      if (v === undefined) break;
      if (hashes[i] === h && v.length === e - s && sameBytes(v, bytes, s)) {
        this.h1 = this.p1[i]!;
        this.h2 = this.p2[i]!;
        return i;
      }
      i = (i + 1) & mask;
    }
    this.free = i;
    return -1;
  }

  /**
   * The slot of the kept string whose characters are the bytes [s, e) of view, 1 ≤ e − s ≤ SHORT_MAX,
   * read as three words from s (so s + 12 ≤ view.byteLength), or -1. On a hit, cell[0] and cell[1] are
   * set to the cell's hashRange lanes and h1/h2 to its profile hash. A miss says nothing: the string
   * may be kept but not short-indexed (a string with characters above 255 never is); look it up with
   * findBytes() then.
   */
  findShort(view: DataView, s: number, e: number, cell: Int32Array): number {
    const len = e - s;
    let w0 = view.getInt32(s, true);
    let w1 = view.getInt32(s + 4, true);
    let w2 = view.getInt32(s + 8, true);
    if (len < 12) {
      if (len <= 4) {
        w0 &= lowBytes(len);
        w1 = 0;
        w2 = 0;
      } else if (len <= 8) {
        w1 &= lowBytes(len - 4);
        w2 = 0;
      } else w2 &= lowBytes(len - 8);
    }
    const { shortIndex, shortKeys, mask } = this;
    let i = shortHash(w0, w1, w2, len) & mask;
    for (;;) {
      const slot = shortIndex[i]! - 1;
      if (slot < 0) return -1;
      const k = slot << 2;
      if (shortKeys[k] === w0 && shortKeys[k + 1] === w1 && shortKeys[k + 2] === w2 && shortKeys[k + 3] === len) {
        cell[0] = this.cell1[slot]!;
        cell[1] = this.cell2[slot]!;
        this.h1 = this.p1[slot]!;
        this.h2 = this.p2[slot]!;
        return slot;
      }
      i = (i + 1) & mask;
    }
  }

  /** Right after find() missed: makes the string, and keeps it with its typing while there is room. */
  add(text: string, s: number, e: number, h: number, kind: number, num: number): string {
    return this.keep(text.slice(s, e), h, kind, num);
  }

  /** add() after findBytes() missed. */
  addBytes(bytes: Uint8Array, s: number, e: number, h: number, kind: number, num: number): string {
    return this.keep(latin1(bytes, s, e), h, kind, num);
  }

  private keep(str: string, h: number, kind: number, num: number): string {
    hashString(str);
    this.h1 = hashOut[0]!;
    this.h2 = hashOut[1]!;
    if (this.size < this.capacity) {
      const i = this.free;
      this.strings[i] = str;
      this.hashes[i] = h;
      this.p1[i] = this.h1;
      this.p2[i] = this.h2;
      this.kinds[i] = kind;
      this.nums[i] = num;
      this.size++;
      this.indexShort(str, i);
    }
    return str;
  }

  private indexShort(str: string, slot: number): void {
    const len = str.length;
    if (len < 1 || len > SHORT_MAX) return;
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    for (let k = 0; k < len; k++) {
      const c = str.charCodeAt(k);
      if (c > 0xff) return;
      const bits = c << ((k & 3) * 8);
      if (k < 4) w0 |= bits;
      else if (k < 8) w1 |= bits;
      else w2 |= bits;
    }
    hashRange(str, 0, len, cellLanes);
    this.cell1[slot] = cellLanes[0]!;
    this.cell2[slot] = cellLanes[1]!;
    const k = slot << 2;
    this.shortKeys[k] = w0;
    this.shortKeys[k + 1] = w1;
    this.shortKeys[k + 2] = w2;
    this.shortKeys[k + 3] = len;
    let i = shortHash(w0, w1, w2, len) & this.mask;
    while (this.shortIndex[i] !== 0) i = (i + 1) & this.mask;
    this.shortIndex[i] = slot + 1;
  }

  /** The string text[s, e), whose hash is h. */
  get(text: string, s: number, e: number, h: number): string {
    const i = this.find(text, s, e, h);
    return i >= 0 ? this.strings[i]! : this.add(text, s, e, h, UNTYPED, 0);
  }

  /** get() of the characters bytes[s, e). */
  getBytes(bytes: Uint8Array, s: number, e: number, h: number): string {
    const i = this.findBytes(bytes, s, e, h);
    return i >= 0 ? this.strings[i]! : this.addBytes(bytes, s, e, h, UNTYPED, 0);
  }
}

const cellLanes = new Int32Array(2);

/** The low n bytes of a word (0 < n < 4 here; n = 4 is every bit). */
function lowBytes(n: number): number {
  return n >= 4 ? -1 : (1 << (n * 8)) - 1;
}

function shortHash(w0: number, w1: number, w2: number, len: number): number {
  let h = Math.imul(w0 ^ len, 0x9e3779b1) ^ Math.imul(w1, 0x85ebca6b) ^ Math.imul(w2, 0xc2b2ae35);
  h ^= h >>> 15;
  return Math.imul(h, 0x27d4eb2d) ^ (h >>> 13);
}

function sameBytes(v: string, bytes: Uint8Array, s: number): boolean {
  for (let k = 0; k < v.length; k++) if (v.charCodeAt(k) !== bytes[s + k]) return false;
  return true;
}

function same(v: string, text: string, s: number): boolean {
  for (let k = 0; k < v.length; k++) if (v.charCodeAt(k) !== text.charCodeAt(s + k)) return false;
  return true;
}
