import { hashOut, hashString } from '../profile/hash';
import { latin1 } from '../data/cells';

/** Interner.kinds of a string whose typing was not recorded. */
export const UNTYPED = 255;

/**
 * Interning of cell texts by content: a column of categories repeats a few strings millions of times;
 * looking a range of the decoded text up here returns the one string already made for it, so typing a
 * CSV column allocates nothing per cell. Bounded: past `capacity` distinct values (an id column) it stops
 * remembering and slices.
 * Each string's profile hash (hash.ts hashString) is kept with it, so the profiler hashes a category
 * once, not once a cell, and so can its typing (a date or a boolean column is typed once a value).
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
  private readonly p1: Int32Array;
  private readonly p2: Int32Array;
  private readonly mask: number;
  private size = 0;
  /** Where the last find() that missed would put the string. */
  private free = 0;

  constructor(private readonly capacity = 1024) {
    let cap = 1;
    while (cap < capacity * 2) cap <<= 1;
    this.hashes = new Int32Array(cap);
    this.p1 = new Int32Array(cap);
    this.p2 = new Int32Array(cap);
    this.kinds = new Uint8Array(cap).fill(UNTYPED);
    this.nums = new Float64Array(cap);
    this.strings = new Array<string | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
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
    }
    return str;
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

function sameBytes(v: string, bytes: Uint8Array, s: number): boolean {
  for (let k = 0; k < v.length; k++) if (v.charCodeAt(k) !== bytes[s + k]) return false;
  return true;
}

function same(v: string, text: string, s: number): boolean {
  for (let k = 0; k < v.length; k++) if (v.charCodeAt(k) !== text.charCodeAt(s + k)) return false;
  return true;
}
