/**
 * Typing raw cells. A CSV cell is text; this decides whether "12", "1.5e3", "NaN", "true" or
 * "2024-05-01T10:00:00Z" is a number, a boolean or a date, in one pass over its characters, without
 * allocating (the result goes into a caller-owned record). JSONL and Parquet cells arrive typed already.
 */
import type { Cell } from '../data/types';

export const KIND = {
  null: 0,
  integer: 1,
  float: 2,
  boolean: 3,
  datetime: 4,
  string: 5,
} as const;
export type Kind = (typeof KIND)[keyof typeof KIND];
export const KIND_NAMES = ['null', 'integer', 'float', 'boolean', 'datetime', 'string'] as const;

export interface Sniffed {
  kind: Kind;
  /** The number for integer/float, epoch milliseconds for datetime, 1/0 for boolean. */
  num: number;
}

export function newSniffed(): Sniffed {
  return { kind: KIND.null, num: 0 };
}

// Character codes.
const C0 = 48;
const C9 = 57;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const LOWER_E = 101;
const UPPER_E = 69;

function isDigit(c: number): boolean {
  return c >= C0 && c <= C9;
}

const SPECIAL_FLOATS: Record<string, number> = {
  NaN: NaN,
  nan: NaN,
  NAN: NaN,
  '-nan': NaN,
  inf: Infinity,
  Inf: Infinity,
  INF: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  '-Inf': -Infinity,
  '-INF': -Infinity,
  Infinity: Infinity,
  '+Infinity': Infinity,
  '-Infinity': -Infinity,
};

const BOOLEANS: Record<string, number> = { true: 1, True: 1, TRUE: 1, false: 0, False: 0, FALSE: 0 };

// 2024-05-01, 2024-05-01T10:00, 2024-05-01 10:00:00.123+02:00, 2024-05-01T10:00:00Z
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Classifies a text cell (the same rules as sniffRange, over the whole string). */
export function sniffString(s: string, out: Sniffed): void {
  sniffRange(s, 0, s.length, out);
}

/** ISO 8601 (date, or date and time; no zone means UTC, like pandas' default). NaN when invalid. */
export function parseIsoDatetime(s: string): number {
  // Checked by hand: Date.parse rolls 2024-02-30 over to March 1st, and Date.UTC maps years 0–99 to 19xx.
  const y = digitsAt(s, 0, 4);
  const m = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
  if (s.length === 10) return daysFromCivil(y, m, d) * 86400000;
  const iso = s.replace(' ', 'T');
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
}

/** Classifies any cell. */
export function sniff(cell: Cell, out: Sniffed): void {
  if (cell === null) {
    out.kind = KIND.null;
    return;
  }
  switch (typeof cell) {
    case 'string':
      sniffString(cell, out);
      return;
    case 'number':
      out.num = cell;
      out.kind = Number.isSafeInteger(cell) ? KIND.integer : KIND.float;
      return;
    case 'boolean':
      out.kind = KIND.boolean;
      out.num = cell ? 1 : 0;
      return;
    case 'bigint':
      out.kind = KIND.integer;
      out.num = Number(cell);
      return;
    default:
      if (cell instanceof Date) {
        out.kind = KIND.datetime;
        out.num = cell.getTime();
        return;
      }
      out.kind = KIND.string;
  }
}

/** The text of a cell as a user would write it (for categories, regexes, examples in reports). */
export function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'string') return cell;
  if (cell instanceof Date) return cell.toISOString();
  return String(cell);
}

// ---- the same typing on a range of a decoded text (CSV raw cells), without allocating -------------

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parses a decimal literal in text[s, e) (the syntax numberShape accepts). Clinger's fast path: with at
 * most 15 significant digits and a power of ten up to 10²², mantissa and power are exact doubles and one
 * IEEE multiplication or division rounds correctly, so the result equals Number(literal). Otherwise it
 * falls back to Number() on the slice. Returns the shape (0 not a number, 1 integer literal, 2 other)
 * and leaves the value in out.num.
 */
function parseNumberRange(text: string, s: number, e: number, out: Sniffed): 0 | 1 | 2 {
  let i = s;
  let c = text.charCodeAt(i);
  let neg = false;
  if (c === PLUS || c === MINUS) {
    neg = c === MINUS;
    i++;
  }
  let mant = 0;
  let sig = 0; // significant digits in mant
  let digits = 0;
  let exp10 = 0;
  while (i < e) {
    c = text.charCodeAt(i);
    if (c < C0 || c > C9) break;
    if (sig > 0 || c !== C0) {
      if (sig < 16) {
        mant = mant * 10 + (c - C0);
        sig++;
      } else exp10++;
    }
    i++;
    digits++;
  }
  let shape: 1 | 2 = 1;
  if (i < e && text.charCodeAt(i) === DOT) {
    shape = 2;
    i++;
    while (i < e) {
      c = text.charCodeAt(i);
      if (c < C0 || c > C9) break;
      if (sig > 0 || c !== C0) {
        if (sig < 16) {
          mant = mant * 10 + (c - C0);
          sig++;
          exp10--;
        }
      } else exp10--;
      i++;
      digits++;
    }
  }
  if (digits === 0) return 0;
  if (i < e) {
    c = text.charCodeAt(i);
    if (c !== LOWER_E && c !== UPPER_E) return 0;
    shape = 2;
    i++;
    let eneg = false;
    c = text.charCodeAt(i);
    if (c === PLUS || c === MINUS) {
      eneg = c === MINUS;
      i++;
    }
    let ev = 0;
    let en = 0;
    while (i < e) {
      c = text.charCodeAt(i);
      if (c < C0 || c > C9) break;
      if (ev < 100000) ev = ev * 10 + (c - C0);
      i++;
      en++;
    }
    if (en === 0 || i < e) return 0;
    exp10 += eneg ? -ev : ev;
  }
  if (sig <= 15 && exp10 >= -22 && exp10 <= 22) {
    const v = exp10 >= 0 ? mant * POW10[exp10]! : mant / POW10[-exp10]!;
    out.num = neg ? -v : v;
  } else {
    out.num = +text.slice(s, e);
  }
  return shape;
}

/** 2^53: below it every integer is an exact double, so digits accumulated in a double stay exact. */
const EXACT_LIMIT = 9007199254740992;

/**
 * sniffRange for a text whose characters are all below 256, given as bytes (bytes[i] is
 * src.text.charCodeAt(i); the text is read only when the bytes do not decide, so a caller may make it
 * on demand). Typed array reads cost about half of charCodeAt's here. The common case is decided on
 * the bytes in one pass: [+-]? digits [. digits] (a digit at least, no exponent) whose digits form an
 * integer below 2^53, with at most 22 after the point. Its value is then that integer (exact) over an
 * exact power of ten, one correctly rounded operation: Number()'s value, as parseNumberRange's fast
 * path gives it. Also decided on the bytes: an ISO date (YYYY-MM-DD), and text that its first
 * character makes text. The rest (an exponent, more digits, special floats, booleans, a date and
 * time) goes to sniffRange, on the text.
 *
 * The same pass hashes the cell into hash[0], hash[1]: validate/rowset.ts hashLatin1's two lanes (FNV-1a
 * and a multiply-xorshift lane, a test holds the two to the same values), which a validator needs for
 * every cell anyway; one pass over the bytes instead of two.
 */
export function sniffLatin1(bytes: Uint8Array, src: { readonly text: string }, s: number, e: number, out: Sniffed, hash: Int32Array): void {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  let neg = false;
  let plain = e > s;
  let mant = 0;
  let point = -1;
  for (let i = s; i < e; i++) {
    const x = bytes[i]!;
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ x, 0x5bd1e995);
    b ^= b >>> 15;
    const d = x - C0;
    if (d >= 0 && d <= 9) mant = mant * 10 + d;
    else if (x === DOT && point < 0) point = i;
    else if (i === s && (x === MINUS || x === PLUS)) neg = x === MINUS;
    else plain = false;
  }
  hash[0] = a;
  hash[1] = b ^ (e - s);
  const digits = e - s - (point < 0 ? 0 : 1) - (neg || bytes[s] === PLUS ? 1 : 0);
  if (plain && digits > 0 && mant < EXACT_LIMIT) {
    if (point < 0) {
      out.num = neg ? -mant : mant;
      out.kind = KIND.integer;
      return;
    }
    const frac = e - point - 1;
    if (frac <= 22) {
      const v = mant / POW10[frac]!;
      out.num = neg ? -v : v;
      out.kind = KIND.float;
      return;
    }
  }
  // An ISO date (YYYY-MM-DD), as sniffRange reads it; not one, or anything else: sniffRange decides.
  if (e - s === 10 && bytes[s + 4] === MINUS && bytes[s + 7] === MINUS) {
    if (calendarDate(digitsAtBytes(bytes, s, 4), digitsAtBytes(bytes, s + 5, 2), digitsAtBytes(bytes, s + 8, 2), out)) return;
  }
  // Text, by its first character (sniffRange's own tests): no need of the text, which the caller may
  // not have made (a whole batch's, for one cell).
  const c0 = bytes[s]!;
  const n = e - s;
  if (n === 0 || !(numberStart(c0) || specialStart(c0, n) || booleanStart(c0, n))) {
    out.kind = KIND.string;
    return;
  }
  sniffRange(src.text, s, e, out);
}

function digitsAtBytes(bytes: Uint8Array, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = bytes[i + k]! - C0;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function rangeIs(text: string, s: number, e: number, lit: string): boolean {
  if (e - s !== lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (text.charCodeAt(s + i) !== lit.charCodeAt(i)) return false;
  return true;
}

const SPECIAL_LIST = Object.entries(SPECIAL_FLOATS);
const BOOLEAN_LIST = Object.entries(BOOLEANS);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, m: number): number {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!;
}

/** Only these start a number or a date. */
function numberStart(c: number): boolean {
  return isDigit(c) || c === MINUS || c === PLUS || c === DOT;
}

/** Only N n I i + - start a special float (of at most 9 characters): most text is rejected by its first char. */
function specialStart(c: number, n: number): boolean {
  return n <= 9 && (c === 78 || c === 110 || c === 73 || c === 105 || c === PLUS || c === MINUS);
}

/** Only t T f F start a boolean (4 or 5 characters). */
function booleanStart(c: number, n: number): boolean {
  return (n === 4 || n === 5) && (c === 116 || c === 84 || c === 102 || c === 70);
}

/** Sets `out` to the date y-m-d (digitsAt's -1 for a part that is not digits) and says so, when it is one. */
function calendarDate(y: number, m: number, d: number, out: Sniffed): boolean {
  if (!(y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m))) return false;
  out.kind = KIND.datetime;
  out.num = daysFromCivil(y, m, d) * 86400000;
  return true;
}

function digitsAt(text: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(i + k) - C0;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Classifies the cell text[s, e) without slicing it: an ISO date (or date and time), a decimal number
 * ([+-]? digits [. digits] [(e|E) [+-] digits]; hex, 'Infinity' with letters after it, spaces are text, as
 * in pandas), NaN / ±inf spellings, true / false, or text.
 */
export function sniffRange(text: string, s: number, e: number, out: Sniffed): void {
  const n = e - s;
  if (n === 0) {
    out.kind = KIND.string;
    return;
  }
  const c = text.charCodeAt(s);
  if (numberStart(c)) {
    if (n >= 10 && text.charCodeAt(s + 4) === MINUS && text.charCodeAt(s + 7) === MINUS) {
      if (n === 10) {
        if (calendarDate(digitsAt(text, s, 4), digitsAt(text, s + 5, 2), digitsAt(text, s + 8, 2), out)) return;
        // Not a date: fall through to the number test (it fails on the dashes) and text.
      } else {
        // A date and a time: the full ISO check on the text.
        const str = text.slice(s, e);
        const t = ISO_DATETIME.test(str) ? parseIsoDatetime(str) : NaN;
        if (Number.isNaN(t)) out.kind = KIND.string;
        else {
          out.kind = KIND.datetime;
          out.num = t;
        }
        return;
      }
    }
    const shape = parseNumberRange(text, s, e, out);
    if (shape !== 0) {
      out.kind = shape === 1 && Number.isSafeInteger(out.num) ? KIND.integer : KIND.float;
      return;
    }
  }
  if (specialStart(c, n)) {
    for (const [lit, v] of SPECIAL_LIST) {
      if (rangeIs(text, s, e, lit)) {
        out.kind = KIND.float;
        out.num = v;
        return;
      }
    }
  }
  if (booleanStart(c, n)) {
    for (const [lit, v] of BOOLEAN_LIST) {
      if (rangeIs(text, s, e, lit)) {
        out.kind = KIND.boolean;
        out.num = v;
        return;
      }
    }
  }
  out.kind = KIND.string;
}
