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

/**
 * Whether s is a decimal number literal: [+-]? digits [. digits] [(e|E) [+-] digits], or with only a
 * fractional part (".5"). Hex, octal, binary, "Infinity" and surrounding spaces are not numbers here
 * (JavaScript's Number() would accept them; pandas would not).
 * Returns 0 (not a number), 1 (integer literal) or 2 (has a fraction or exponent).
 */
function numberShape(s: string): 0 | 1 | 2 {
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === PLUS || c === MINUS) {
    i = 1;
  }
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    i++;
    digits++;
  }
  let shape: 1 | 2 = 1;
  if (i < n && s.charCodeAt(i) === DOT) {
    shape = 2;
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return 0;
  if (i < n) {
    c = s.charCodeAt(i);
    if (c !== LOWER_E && c !== UPPER_E) return 0;
    shape = 2;
    i++;
    c = s.charCodeAt(i);
    if (c === PLUS || c === MINUS) i++;
    let exp = 0;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      exp++;
    }
    if (exp === 0 || i < n) return 0;
  }
  return shape;
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

/** Classifies a text cell. */
export function sniffString(s: string, out: Sniffed): void {
  const n = s.length;
  if (n === 0) {
    out.kind = KIND.string;
    return;
  }
  const c = s.charCodeAt(0);
  if (isDigit(c) || c === MINUS || c === PLUS || c === DOT) {
    // A date starts with four digits and a dash; test it before the number parse.
    if (n >= 10 && s.charCodeAt(4) === MINUS && s.charCodeAt(7) === MINUS && ISO_DATETIME.test(s)) {
      const t = parseIsoDatetime(s);
      if (!Number.isNaN(t)) {
        out.kind = KIND.datetime;
        out.num = t;
        return;
      }
      out.kind = KIND.string;
      return;
    }
    const shape = numberShape(s);
    if (shape !== 0) {
      out.num = +s;
      out.kind = shape === 1 && Number.isSafeInteger(out.num) ? KIND.integer : KIND.float;
      return;
    }
  }
  if (n <= 9) {
    const special = SPECIAL_FLOATS[s];
    if (special !== undefined) {
      out.kind = KIND.float;
      out.num = special;
      return;
    }
    const b = BOOLEANS[s];
    if (b !== undefined) {
      out.kind = KIND.boolean;
      out.num = b;
      return;
    }
  }
  out.kind = KIND.string;
}

/** ISO 8601 (date, or date and time; no zone means UTC, like pandas' default). NaN when invalid. */
export function parseIsoDatetime(s: string): number {
  // Date.parse rolls 2024-02-30 over to March 1st: check the calendar date first.
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const day = Number(s.slice(8, 10));
  const d = new Date(Date.UTC(y, m - 1, day));
  if (d.getUTCFullYear() !== y || d.getUTCMonth() !== m - 1 || d.getUTCDate() !== day) return NaN;
  if (s.length === 10) return d.getTime();
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
