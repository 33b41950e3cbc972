// num() and grouped() format numbers as toLocaleString('en-US') does, without Intl (whose first use
// loads ICU's data): the strings must be the same.
import { describe, expect, it } from 'vitest';
import { grouped, num } from '../../../shared/report/markdown';

/** num() as it was, through Intl: the reference. */
function reference(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 12 });
}

describe('num', () => {
  it('equals the toLocaleString formatting for integers, fractions and specials at every magnitude', () => {
    let seed = 99;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const xs: number[] = [0, -0, 1, -1, 999, 1000, -1000, 999_999, 1_000_000, 123_456_789, 1e15 - 1, 1e15, 0.5, -0.5, 1e-3, 9.999e8, 1e9, NaN, Infinity, -Infinity];
    for (let i = 0; i < 20_000; i++) {
      const magnitude = 10 ** (Math.floor(rnd() * 24) - 6);
      const x = (rnd() - 0.3) * magnitude;
      xs.push(x, Math.round(x), Math.trunc(x / 7) * 7);
    }
    const wrong: string[] = [];
    for (const x of xs) {
      for (const digits of [1, 2, 4, 6, 8]) {
        const want = reference(x, digits);
        const got = num(x, digits);
        if (got !== want) wrong.push(`${x} (${digits}): ${got} ≠ ${want}`);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(num(1234567.891)).toBe('1,235,000');
    expect(num(-0.012345)).toBe('-0.01235');
    expect(num(null)).toBe('');
  });

  it('grouped puts commas in the integer part only', () => {
    expect(grouped(1234567.25)).toBe('1,234,567.25');
    expect(grouped(-1000)).toBe('-1,000');
    expect(grouped(-0)).toBe('-0');
    expect(grouped(12)).toBe('12');
    expect(grouped(123456)).toBe('123,456');
  });
});
