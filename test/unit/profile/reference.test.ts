/**
 * Compares the profile of a fixture dataset with exact statistics computed by NumPy/pandas
 * (scripts/fixtures/profile_reference.py → test/fixtures/profile/reference-stats.json).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../../shared/data/types';
import { KLL_RANK_ERROR } from '../../../shared/profile/kll';
import {
  columnDistinct,
  columnMean,
  columnQuantile,
  columnStd,
  columnTopValues,
  columnVariance,
  profileRows,
  type ProfileKind,
} from '../../../shared/profile/profile';
import { parseProfile } from '../../../shared/profile/format';
import { hllStandardError } from '../../../shared/profile/hll';
import { relClose } from './helpers';

const dir = fileURLToPath(new URL('../../fixtures/profile/', import.meta.url));

interface NumericRef {
  null: number;
  nan: number;
  inf: number;
  count: number;
  integer: number;
  mean: number;
  std: number;
  varPop: number;
  m2: number;
  min: number;
  max: number;
  distinct: number;
  quantiles: number[];
}
interface Reference {
  rows: number;
  quantileGrid: number[];
  columns: {
    x_normal: NumericRef;
    x_int: NumericRef;
    x_lognormal: NumericRef;
    cat: { null: number; distinct: number; valueCounts: [string, number][]; lengthMin: number; lengthMax: number; lengthSum: number };
    flag: { null: number; true: number; false: number };
  };
}

const ref = JSON.parse(readFileSync(`${dir}reference-stats.json`, 'utf8')) as Reference;
const NUMERIC = ['x_normal', 'x_int', 'x_lognormal'] as const;
const KINDS: Record<string, ProfileKind> = { x_normal: 'numeric', x_int: 'numeric', x_lognormal: 'numeric', cat: 'categorical', flag: 'boolean' };

function parseCell(column: string, text: string): Cell {
  if (text === '') return null;
  if (column === 'flag') return text === 'true';
  if (column === 'cat') return text;
  if (text === 'NaN') return NaN;
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}

function readRows(): Record<string, Cell>[] {
  const lines = readFileSync(`${dir}reference-data.csv`, 'utf8').trimEnd().split('\n');
  const header = lines[0]!.split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, parseCell(h, cells[i]!)]));
  });
}

describe('profile vs NumPy/pandas reference values', () => {
  const rows = readRows();
  const profile = parseProfile(JSON.stringify(profileRows(rows, KINDS, { seed: 11 })), 'fixture profile');

  it('reads the fixture', () => {
    expect(rows.length).toBe(ref.rows);
    expect(profile.rows).toBe(ref.rows);
  });

  for (const name of NUMERIC) {
    it(`${name}: counts, mean, std, variance, min, max exact (1e-9)`, () => {
      const r = ref.columns[name];
      const c = profile.columns[name]!;
      expect(c.counts).toEqual({ n: ref.rows, null: r.null, nan: r.nan, inf: r.inf });
      expect(c.numeric!.count).toBe(r.count);
      expect(c.types.integer).toBe(r.integer);
      expect(c.types.fractional).toBe(r.count - r.integer);
      expect(c.numeric!.min).toBe(r.min);
      expect(c.numeric!.max).toBe(r.max);
      expect(relClose(columnMean(c)!, r.mean, 1e-9), `mean ${columnMean(c)} vs ${r.mean}`).toBe(true);
      expect(relClose(columnStd(c)!, r.std, 1e-9), `std ${columnStd(c)} vs ${r.std}`).toBe(true);
      expect(relClose(columnVariance(c, 0)!, r.varPop, 1e-9)).toBe(true);
      expect(relClose(c.numeric!.m2, r.m2, 1e-9)).toBe(true);
    });

    it(`${name}: KLL quantiles within the stated rank error of NumPy's quantiles`, () => {
      const r = ref.columns[name];
      const c = profile.columns[name]!;
      expect(c.numeric!.kll.n).toBe(r.count);
      // the sketch compacted (n > k), so this checks the estimates, not a stored copy of the data
      expect(c.numeric!.kll.items.length).toBeLessThan(r.count);
      const grid = ref.quantileGrid;
      const at = (q: number): number => r.quantiles[Math.round(q * (grid.length - 1))]!;
      for (let i = 1; i <= 99; i++) {
        const q = i / 100;
        const v = columnQuantile(c, q)!;
        // v must lie between the exact quantiles at q - eps and q + eps (grid step 0.001, rounded outwards)
        const lo = at(Math.max(0, Math.floor((q - KLL_RANK_ERROR) * 1000) / 1000));
        const hi = at(Math.min(1, Math.ceil((q + KLL_RANK_ERROR) * 1000) / 1000));
        expect(v, `q=${q}`).toBeGreaterThanOrEqual(lo);
        expect(v, `q=${q}`).toBeLessThanOrEqual(hi);
      }
      expect(columnQuantile(c, 0)).toBe(r.quantiles[0]);
      expect(columnQuantile(c, 1)).toBe(r.quantiles[r.quantiles.length - 1]);
    });

    it(`${name}: distinct count within 3 standard errors`, () => {
      const r = ref.columns[name];
      const est = columnDistinct(profile.columns[name]!);
      expect(Math.abs(est / r.distinct - 1)).toBeLessThanOrEqual(3 * hllStandardError(12));
    });
  }

  it('cat: nulls, exact value counts, string lengths, distinct', () => {
    const r = ref.columns.cat;
    const c = profile.columns.cat!;
    expect(c.counts.null).toBe(r.null);
    expect(c.types.string).toBe(ref.rows - r.null);
    expect(c.topK.items).toEqual(r.valueCounts);
    expect(columnTopValues(c)[0]!.frequency).toBeCloseTo(r.valueCounts[0]![1] / (ref.rows - r.null), 12);
    expect(c.stringLength).toEqual({ min: r.lengthMin, max: r.lengthMax, sum: r.lengthSum });
    expect(Math.round(columnDistinct(c))).toBe(r.distinct);
  });

  it('flag: nulls and exact true/false counts', () => {
    const r = ref.columns.flag;
    const c = profile.columns.flag!;
    expect(c.counts.null).toBe(r.null);
    expect(c.types.boolean).toBe(r.true + r.false);
    expect(c.topK.items).toEqual([
      ['false', r.false],
      ['true', r.true],
    ]);
  });
});
