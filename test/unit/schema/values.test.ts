import { describe, expect, it } from 'vitest';
import { KIND, KIND_NAMES, newSniffed, parseIsoDatetime, sniff, sniffLatin1, sniffRange } from '../../../shared/schema/values';
import { hashLatin1 } from '../../../shared/validate/rowset';

const kindOf = (v: Parameters<typeof sniff>[0]) => {
  const s = newSniffed();
  sniff(v, s);
  return { kind: KIND_NAMES[s.kind], num: s.num };
};

describe('cell typing', () => {
  it.each([
    ['12', 'integer', 12],
    ['-7', 'integer', -7],
    ['+3', 'integer', 3],
    ['0012', 'integer', 12],
    ['1.5', 'float', 1.5],
    ['.5', 'float', 0.5],
    ['5.', 'float', 5],
    ['-1.5e3', 'float', -1500],
    ['2E-2', 'float', 0.02],
    ['9007199254740993', 'float', 9007199254740992],
  ])('%s is a number (%s)', (text, kind, num) => {
    expect(kindOf(text)).toEqual({ kind, num });
  });

  it.each(['0x1A', '1e', '1.2.3', ' 12', '12 ', '1,000', '--1', '-', '.', 'e5', 'Infinityx', '12abc'])('%s is text', (text) => {
    expect(kindOf(text).kind).toBe('string');
  });

  it('NaN and infinities are floats', () => {
    expect(Number.isNaN(kindOf('NaN').num)).toBe(true);
    expect(kindOf('nan').kind).toBe('float');
    expect(kindOf('inf')).toEqual({ kind: 'float', num: Infinity });
    expect(kindOf('-Infinity')).toEqual({ kind: 'float', num: -Infinity });
  });

  it('booleans in the YAML 1.2 core spellings only', () => {
    expect(kindOf('true')).toEqual({ kind: 'boolean', num: 1 });
    expect(kindOf('FALSE')).toEqual({ kind: 'boolean', num: 0 });
    expect(kindOf('yes').kind).toBe('string');
    expect(kindOf('tRue').kind).toBe('string');
  });

  it('ISO dates and datetimes; impossible dates are text', () => {
    expect(kindOf('2024-05-01')).toEqual({ kind: 'datetime', num: Date.UTC(2024, 4, 1) });
    expect(kindOf('2024-05-01T10:30:00Z').num).toBe(Date.UTC(2024, 4, 1, 10, 30));
    expect(kindOf('2024-05-01 10:30').num).toBe(Date.UTC(2024, 4, 1, 10, 30));
    expect(kindOf('2024-05-01T10:30:00+02:00').num).toBe(Date.UTC(2024, 4, 1, 8, 30));
    expect(kindOf('2024-02-30').kind).toBe('string');
    expect(kindOf('2024-13-01').kind).toBe('string');
    expect(Number.isNaN(parseIsoDatetime('2023-02-29'))).toBe(true);
    expect(parseIsoDatetime('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });

  it('typed cells from JSONL and Parquet', () => {
    expect(kindOf(3)).toEqual({ kind: 'integer', num: 3 });
    expect(kindOf(3.25)).toEqual({ kind: 'float', num: 3.25 });
    expect(kindOf(true)).toEqual({ kind: 'boolean', num: 1 });
    expect(kindOf(12n)).toEqual({ kind: 'integer', num: 12 });
    expect(kindOf(new Date(5))).toEqual({ kind: 'datetime', num: 5 });
    expect(kindOf(null).kind).toBe('null');
    expect(kindOf('').kind).toBe('string');
    expect(KIND.null).toBe(0);
  });
});

describe('typing a cell inside a larger text (CSV raw cells) gives what typing the cell alone gives', () => {
  it('on a corpus of numbers, dates, specials and text', () => {
    const corpus = [
      '', '0', '-0', '+0', '12', '0012', '-7', '1.5', '.5', '5.', '-1.5e3', '2E-2', '1e22', '1e23', '123456789012345', '1234567890123456',
      '12345678901234567890', '0.1', '0.3', '3.141592653589793', '2.2250738585072014e-308', '1e-400', '9007199254740993', '1e', '1.2.3', '0x1A',
      '--1', '-', '.', 'e5', '12abc', 'NaN', 'nan', '-nan', 'inf', '-inf', '+inf', 'Infinity', '-Infinity', 'Inf', 'true', 'False', 'TRUE', 'tRue',
      'yes', '2024-05-01', '2024-02-29', '2023-02-29', '2024-13-01', '2024-00-10', '0000-01-01', '2024-05-01T10:30:00Z', '2024-05-01 10:30',
      '2024-05-01x', '12345-67-89', 'basic', 'north-east', 'channel-10', 'ümlaut', 'a,b',
    ];
    for (let k = 0; k < 2000; k++) corpus.push((Math.random() * 10 ** (Math.random() * 30 - 15)).toPrecision(1 + Math.floor(Math.random() * 17)));
    // Plain decimals around sniffLatin1's limits: 15–17 digits, 2^53 ± 1, 22 and 23 digits after the point.
    for (let k = 0; k < 2000; k++) {
      const digits = Array.from({ length: 1 + Math.floor(Math.random() * 18) }, () => Math.floor(Math.random() * 10)).join('');
      const at = Math.floor(Math.random() * (digits.length + 1));
      corpus.push(`${Math.random() < 0.3 ? '-' : ''}${Math.random() < 0.5 ? digits : `${digits.slice(0, at)}.${digits.slice(at)}`}`);
    }
    // Dates, valid and not (day 0 to 31 of every month, leap years and not), and date-shaped text.
    for (let k = 0; k < 1000; k++) {
      const y = String(Math.floor(Math.random() * 10000)).padStart(4, '0');
      const m = String(Math.floor(Math.random() * 14)).padStart(2, '0');
      const d = String(Math.floor(Math.random() * 33)).padStart(2, '0');
      corpus.push(`${y}-${m}-${d}`, `${y}-${m}-${d[0]}x`, `${y}-${m}-${d}`.replace(/\d/, '-'));
    }
    corpus.push('9007199254740991', '9007199254740992', '-9007199254740993', '0.0000000000000000000001', '0.00000000000000000000001', '1.0000000000000000000000');
    const a = newSniffed();
    const b = newSniffed();
    const c = newSniffed();
    const hashed = new Int32Array(2);
    const expected = new Int32Array(2);
    for (const s of corpus) {
      const padded = `xx${s}yy`;
      sniff(s, a);
      sniffRange(padded, 2, 2 + s.length, b);
      // The same from the bytes, for every text of characters below 256; and the cell's hash on the way.
      const bytes = Buffer.from(padded, 'latin1');
      sniffLatin1(bytes, { text: padded }, 2, 2 + s.length, c, hashed);
      hashLatin1(bytes, 2, 2 + s.length, expected);
      expect({ s, hash: [...hashed] }).toEqual({ s, hash: [...expected] });
      expect({ s, kind: KIND_NAMES[b.kind] }).toEqual({ s, kind: KIND_NAMES[a.kind] });
      expect({ s, kind: KIND_NAMES[c.kind] }).toEqual({ s, kind: KIND_NAMES[a.kind] });
      if (a.kind !== KIND.string) {
        expect(Object.is(b.num, a.num) || (Number.isNaN(a.num) && Number.isNaN(b.num)), `${s}: ${b.num} vs ${a.num}`).toBe(true);
        expect(Object.is(c.num, a.num) || (Number.isNaN(a.num) && Number.isNaN(c.num)), `${s}: ${c.num} vs ${a.num}`).toBe(true);
      }
      if (a.kind === KIND.integer || (a.kind === KIND.float && /^[+-]?\d*\.?\d*$/.test(s))) expect(Object.is(c.num, Number(s)), `${s}: ${c.num} vs Number()`).toBe(true);
    }
  });

  it('from the bytes, numbers, dates and most text are typed without the text (which may not have been made)', () => {
    const noText = {
      get text(): string {
        throw new Error('the text was read');
      },
    };
    const out = newSniffed();
    const hash = new Int32Array(2);
    for (const cell of ['42', '-3.5', '2024-05-01', 'basic', 'north-east', 'C7', '', 'Zürich', 'yes']) {
      const bytes = Buffer.from(cell, 'latin1');
      expect(() => sniffLatin1(bytes, noText, 0, bytes.length, out, hash), cell).not.toThrow();
    }
    // What the bytes cannot decide reads it: special floats, booleans, exponents.
    for (const cell of ['NaN', 'true', '1e5']) {
      const bytes = Buffer.from(cell, 'latin1');
      expect(() => sniffLatin1(bytes, noText, 0, bytes.length, out, hash), cell).toThrow('the text was read');
    }
  });
});
