import { describe, expect, it } from 'vitest';
import type { Cell } from '../../../shared/data/types';
import { KLL_RANK_ERROR } from '../../../shared/profile/kll';
import {
  ColumnProfiler,
  columnBins,
  columnDistinct,
  columnMean,
  columnMissingFraction,
  columnNullFraction,
  columnQuantile,
  columnStd,
  columnTopValues,
  DatasetProfiler,
  PROFILE_FORMAT,
  PROFILE_VERSION,
  profileRows,
  type DatasetProfile,
  type ProfileKind,
} from '../../../shared/profile/profile';
import { mergeProfiles, parseProfile } from '../../../shared/profile/format';
import { Rng } from '../../../shared/profile/rng';
import { hashOut, hashString } from '../../../shared/profile/hash';
import { QS, quantileRankError, relClose } from './helpers';

const KINDS: Record<string, ProfileKind> = {
  num: 'numeric',
  small: 'numeric',
  cat: 'categorical',
  text: 'string',
  flag: 'boolean',
  when: 'datetime',
};

type Row = Record<string, Cell>;

function randomRows(n: number, seed: number): Row[] {
  const rng = new Rng(seed);
  const cats = Array.from({ length: 40 }, (_, i) => `cat-${i}`);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng.nextDouble();
    const num = u < 0.03 ? null : u < 0.04 ? NaN : u < 0.045 ? (rng.nextBit() ? Infinity : -Infinity) : 100 + 15 * rng.nextNormal();
    const small = rng.nextDouble() < 0.02 ? null : rng.nextBit() ? BigInt(rng.nextInt(7)) : rng.nextInt(7);
    const cat = rng.nextDouble() < 0.05 ? null : cats[Math.floor(cats.length * rng.nextDouble() ** 2)]!;
    const text = rng.nextDouble() < 0.01 ? null : `t${rng.nextInt(5000)}-${'x'.repeat(rng.nextInt(12))}`;
    const flag = rng.nextDouble() < 0.1 ? null : rng.nextDouble() < 0.3;
    const when = rng.nextDouble() < 0.05 ? null : new Date(Date.UTC(2024, 0, 1) + rng.nextInt(365 * 86_400) * 1000);
    rows.push({ num, small, cat, text, flag, when });
  }
  return rows;
}

function finiteValues(rows: Row[], col: string): Float64Array {
  const out: number[] = [];
  for (const r of rows) {
    const v = r[col];
    const x = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : v;
    if (typeof x === 'number' && Number.isFinite(x)) out.push(x);
  }
  return Float64Array.from(out).sort();
}

describe('merge property: whole vs two halves merged', () => {
  const N = 60_000;
  const rows = randomRows(N, 2024);
  const whole = profileRows(rows, KINDS, { seed: 1 });
  const first = profileRows(rows.slice(0, 22_000), KINDS, { seed: 2 });
  const second = profileRows(rows.slice(22_000), KINDS, { seed: 3 });
  const merged = mergeProfiles(first, second);

  it('rows, counts and type counts are equal', () => {
    expect(merged.rows).toBe(N);
    for (const name of Object.keys(KINDS)) {
      expect(merged.columns[name]!.counts, name).toEqual(whole.columns[name]!.counts);
      expect(merged.columns[name]!.types, name).toEqual(whole.columns[name]!.types);
      expect(merged.columns[name]!.stringLength, name).toEqual(whole.columns[name]!.stringLength);
    }
    expect(whole.columns.num!.counts.nan).toBeGreaterThan(0);
    expect(whole.columns.num!.counts.inf).toBeGreaterThan(0);
    expect(whole.columns.small!.types.integer).toBe(N - whole.columns.small!.counts.null);
  });

  it('count, min, max exactly; mean and M2 to 1e-9 relative', () => {
    for (const name of ['num', 'small', 'when']) {
      const a = merged.columns[name]!.numeric!;
      const b = whole.columns[name]!.numeric!;
      expect(a.count).toBe(b.count);
      expect(a.min).toBe(b.min);
      expect(a.max).toBe(b.max);
      expect(relClose(a.mean, b.mean, 1e-9), `${name} mean ${a.mean} vs ${b.mean}`).toBe(true);
      expect(relClose(a.m2, b.m2, 1e-9), `${name} m2 ${a.m2} vs ${b.m2}`).toBe(true);
      // and both agree with a direct two-pass computation
      const v = finiteValues(rows, name);
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const m2 = v.reduce((s, x) => s + (x - mean) ** 2, 0);
      expect(relClose(b.mean, mean, 1e-9)).toBe(true);
      expect(relClose(b.m2, m2, 1e-9)).toBe(true);
    }
  });

  it('HLL registers and estimates are equal', () => {
    for (const name of Object.keys(KINDS)) {
      expect(merged.columns[name]!.distinct, name).toEqual(whole.columns[name]!.distinct);
    }
  });

  it('top-k is exact when distinct ≤ capacity', () => {
    for (const name of ['small', 'cat', 'flag']) {
      expect(merged.columns[name]!.topK, name).toEqual(whole.columns[name]!.topK);
      expect(merged.columns[name]!.topK.items.reduce((s, [, c]) => s + c, 0)).toBe(merged.columns[name]!.topK.n);
    }
    // text has ~5000 distinct values: not exact, but a valid summary
    const t = merged.columns.text!.topK;
    expect(t.n).toBe(whole.columns.text!.topK.n);
    expect(t.items.length).toBeLessThanOrEqual(64);
  });

  it('KLL quantiles of the merged sketch are within the rank error of the exact quantiles', () => {
    for (const name of ['num', 'small', 'when']) {
      const sorted = finiteValues(rows, name);
      let worst = 0;
      for (const q of QS) worst = Math.max(worst, quantileRankError(sorted, columnQuantile(merged.columns[name]!, q)!, q));
      expect(worst, name).toBeLessThanOrEqual(KLL_RANK_ERROR);
    }
  });

  it('samples keep the size bound; bins sum to the count', () => {
    for (const name of Object.keys(KINDS)) {
      const c = merged.columns[name]!;
      expect(c.sample.values.length).toBe(Math.min(1000, c.sample.n));
      expect(c.sample.n).toBe(c.topK.n);
    }
    const bins = columnBins(merged.columns.num!)!;
    expect(bins.counts.reduce((s, x) => s + x, 0)).toBe(merged.columns.num!.numeric!.count);
    expect(bins.exact).toBe(false);
    expect(bins.error).toBeCloseTo(0.0165, 3);
  });
});

describe('bins', () => {
  const rows = randomRows(30_000, 7);
  const reference = profileRows(rows.slice(0, 10_000), KINDS);

  it('derived bins: about 10 quantile bins with min/max outer edges, counts from the KLL', () => {
    const num = reference.columns.num!.numeric!;
    expect(num.binSource).toBe('quantiles');
    expect(num.binEdges.length).toBe(11);
    expect(num.binEdges[0]).toBe(num.min);
    expect(num.binEdges[10]).toBe(num.max);
    const sorted = finiteValues(rows.slice(0, 10_000), 'num');
    // each bin's true mass is within the stated error of its estimated mass
    const cuts = num.binEdges.slice(1, -1);
    const bounds = [0, ...cuts.map((c) => countBelow(sorted, c)), sorted.length];
    num.binCounts.forEach((c, i) => {
      const truth = bounds[i + 1]! - bounds[i]!;
      expect(Math.abs(c - truth) / num.count).toBeLessThanOrEqual(num.binCountsError);
    });
  });

  it('few distinct values get about one bin per value', () => {
    const small = reference.columns.small!.numeric!;
    expect(small.binEdges).toEqual([0, 1, 2, 3, 4, 5, 6, 6]);
    expect(small.binCounts.length).toBe(7);
  });

  it('given edges count exactly, and merge by adding', () => {
    const current = rows.slice(10_000);
    const p = new DatasetProfiler(KINDS, { reference });
    current.forEach((r) => p.updateRow(r));
    const prof = p.toJSON();
    const num = prof.columns.num!.numeric!;
    expect(num.binSource).toBe('given');
    expect(num.binCountsExact).toBe(true);
    expect(num.binCountsError).toBe(0);
    expect(num.binEdges).toEqual(reference.columns.num!.numeric!.binEdges);
    // brute force: the first bin is open to -inf, the last to +inf, only interior edges decide
    const cuts = num.binEdges.slice(1, -1);
    const brute = new Array<number>(cuts.length + 1).fill(0);
    for (const r of current) {
      const x = r.num;
      if (typeof x !== 'number' || !Number.isFinite(x)) continue;
      brute[cuts.filter((c) => c <= x).length]!++;
    }
    expect(num.binCounts).toEqual(brute);

    const a = new DatasetProfiler(KINDS, { reference });
    const b = new DatasetProfiler(KINDS, { reference });
    current.forEach((r, i) => (i < 7_000 ? a : b).updateRow(r));
    const m = mergeProfiles(a.toJSON(), b.toJSON());
    expect(m.columns.num!.numeric!.binCounts).toEqual(brute);
    expect(m.columns.num!.numeric!.binCountsExact).toBe(true);
  });

  it('merging given bins with a side without numbers keeps them exact; with derived bins, approximate', () => {
    const edges = [0, 90, 100, 110, 200];
    const a = new ColumnProfiler('numeric', { binEdges: edges });
    [85, 95, 105, 150].forEach((x) => a.update(x));
    const empty = new ColumnProfiler('numeric');
    empty.update(null);
    const m1 = ColumnProfiler.fromJSON(a.toJSON()).merge(empty).toJSON().numeric!;
    expect(m1).toMatchObject({ binEdges: edges, binCounts: [1, 1, 1, 1], binSource: 'given', binCountsExact: true });
    const m2 = empty.merge(a).toJSON().numeric!;
    expect(m2).toMatchObject({ binEdges: edges, binCounts: [1, 1, 1, 1], binSource: 'given', binCountsExact: true });
    const derived = new ColumnProfiler('numeric');
    for (let i = 0; i < 5000; i++) derived.update(80 + (i % 40));
    const m3 = ColumnProfiler.fromJSON(a.toJSON()).merge(derived).toJSON().numeric!;
    expect(m3.binEdges).toEqual(edges);
    expect(m3.binCountsExact).toBe(false);
    expect(m3.binCountsError).toBeCloseTo(0.0165, 3);
    expect(m3.binCounts.reduce((x, y) => x + y, 0)).toBe(5004);
    const truth = [1 + 1250, 1 + 1250, 1 + 1250, 1 + 1250];
    m3.binCounts.forEach((c, i) => expect(Math.abs(c - truth[i]!) / 5004).toBeLessThanOrEqual(m3.binCountsError));
  });

  it('a profiler restored with given edges keeps counting exactly', () => {
    const edges = [0, 90, 100, 110, 200];
    const p = new ColumnProfiler('numeric', { binEdges: edges });
    [85, 95, 100, 105, 120, -5, 500, NaN, Infinity].forEach((x) => p.update(x));
    const q = ColumnProfiler.fromJSON(p.toJSON());
    q.update(89.999);
    expect(q.toJSON().numeric!.binCounts).toEqual([3, 1, 2, 2]);
    expect(() => new ColumnProfiler('string', { binEdges: edges })).toThrow(/numeric/);
    expect(() => new ColumnProfiler('numeric', { binEdges: [0, 2, 1, 3] })).toThrow(/strictly increasing/);
  });
});

describe('column profiler details', () => {
  it('counts every kind of cell once', () => {
    const p = new ColumnProfiler('numeric');
    const cells: Cell[] = [1, 2.5, null, NaN, Infinity, -Infinity, 'oops', true, 7n, new Date(0), new Date(NaN)];
    cells.forEach((c) => p.update(c));
    p.update(undefined);
    const j = p.toJSON();
    expect(j.counts).toEqual({ n: 12, null: 2, nan: 2, inf: 2 });
    expect(j.types).toEqual({ integer: 2, fractional: 1, boolean: 1, string: 1, date: 1, other: 0 });
    expect(j.numeric!.count).toBe(4); // 1, 2.5, 7n, the date as epoch ms
    expect(j.numeric!.min).toBe(0);
    expect(j.topK.n).toBe(6); // numbers, 'oops', 'true'
    expect(j.stringLength).toEqual({ min: 4, max: 4, sum: 4 });
  });

  it('a string given with its hash is profiled as update() profiles it', () => {
    const a = new ColumnProfiler('categorical', { name: 'c' });
    const b = new ColumnProfiler('categorical', { name: 'c' });
    const rng = new Rng(5);
    for (let i = 0; i < 5000; i++) {
      const s = `v${rng.nextInt(i < 2500 ? 40 : 400)}`;
      a.update(s);
      hashString(s);
      b.updateStringHashed(s, hashOut[0]!, hashOut[1]!);
    }
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(a.toJSON().types.string).toBe(5000);
  });

  it('strings counted a block at a time (countStringsHashed + sampleString) are profiled as one call a cell profiles them', () => {
    // blocks of 1,024 cells, as validate-data's checkColumn tallies them; 40 values: the top-k is exact
    const a = new ColumnProfiler('categorical', { name: 'c' });
    const b = new ColumnProfiler('categorical', { name: 'c' });
    const rng = new Rng(7);
    const tally = new Map<string, number>();
    const flush = () => {
      for (const [s, count] of tally) {
        hashString(s);
        b.countStringsHashed(s, hashOut[0]!, hashOut[1]!, count);
      }
      tally.clear();
    };
    for (let i = 0; i < 5000; i++) {
      const s = `value-${rng.nextInt(40)}`.slice(0, 6 + rng.nextInt(3));
      a.update(s);
      tally.set(s, (tally.get(s) ?? 0) + 1);
      b.sampleString(s);
      if (i % 1024 === 1023) flush();
      if (i % 700 === 0) {
        // nulls between the blocks' strings: counted at once, in no order
        a.update(null);
        b.update(null);
      }
    }
    flush();
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(a.toJSON().types.string).toBe(5000);
    expect(a.toJSON().topK.items.length).toBeGreaterThan(10);
  });

  it('booleans counted a block at a time (countBooleans + sampleString) are profiled as update(b) profiles them', () => {
    const a = new ColumnProfiler('boolean', { name: 'b' });
    const b = new ColumnProfiler('boolean', { name: 'b' });
    const rng = new Rng(11);
    let trues = 0;
    let falses = 0;
    for (let i = 0; i < 3000; i++) {
      const v = rng.nextInt(3) === 0;
      a.update(v);
      b.sampleString(v ? 'true' : 'false');
      if (v) trues++;
      else falses++;
      if (i % 1024 === 1023 || i === 2999) {
        if (trues) b.countBooleans(true, trues);
        if (falses) b.countBooleans(false, falses);
        trues = falses = 0;
      }
    }
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(a.toJSON().types.boolean).toBe(3000);
  });

  it('categorical columns sketch text; numbers become their String()', () => {
    const p = new ColumnProfiler('categorical');
    ['a', 'b', 'a', 1, '1', true, new Date(Date.UTC(2020, 0, 1))].forEach((c) => p.update(c as Cell));
    const j = p.toJSON();
    expect(j.numeric).toBeUndefined();
    expect(j.topK.items).toEqual([
      ['1', 2],
      ['a', 2],
      ['2020-01-01T00:00:00.000Z', 1],
      ['b', 1],
      ['true', 1],
    ]);
  });

  it('empty numeric column', () => {
    const p = new ColumnProfiler('numeric');
    p.update(null);
    const j = p.toJSON();
    expect(j.numeric).toMatchObject({ count: 0, mean: 0, m2: 0, min: null, max: null, binEdges: [], binCounts: [] });
    expect(columnMean(j)).toBeNull();
    expect(columnStd(j)).toBeNull();
    expect(columnQuantile(j, 0.5)).toBeNull();
    expect(columnNullFraction(j)).toBe(1);
  });

  it('is deterministic for a seed', () => {
    const rows = randomRows(5000, 99);
    const a = JSON.stringify(profileRows(rows, KINDS, { seed: 'abc' }));
    const b = JSON.stringify(profileRows(rows, KINDS, { seed: 'abc' }));
    const c = JSON.stringify(profileRows(rows, KINDS, { seed: 'abd' }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });
});

describe('helpers for validators', () => {
  it('mean, std, quantile, distinct, top values, null fraction', () => {
    const rows: Row[] = [];
    for (let i = 0; i < 100; i++) rows.push({ x: i % 10 === 0 ? null : i, c: i % 4 === 0 ? 'a' : i % 4 === 1 ? 'b' : null });
    rows.push({ x: NaN, c: 'a' });
    const p = profileRows(rows, { x: 'numeric', c: 'categorical' });
    const xs = rows.map((r) => r.x).filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    const x = p.columns.x!;
    expect(columnMean(x)).toBeCloseTo(mean, 12);
    expect(columnStd(x)).toBeCloseTo(sd, 12);
    expect(columnStd(x, 0)).toBeCloseTo(sd * Math.sqrt((xs.length - 1) / xs.length), 12);
    expect(columnQuantile(x, 0.5)).toBe(49);
    expect(columnQuantile(x, 0)).toBe(1);
    expect(columnQuantile(x, 1)).toBe(99);
    expect(Math.abs(columnDistinct(x) - 90)).toBeLessThanOrEqual(3);
    expect(columnNullFraction(x)).toBeCloseTo(10 / 101, 12);
    expect(columnMissingFraction(x)).toBeCloseTo(11 / 101, 12);
    const c = p.columns.c!;
    expect(columnTopValues(c)).toEqual([
      { value: 'a', count: 26, frequency: 26 / 51 },
      { value: 'b', count: 25, frequency: 25 / 51 },
    ]);
    expect(columnTopValues(c, 1).length).toBe(1);
  });
});

describe('profile JSON: serialization and schema', () => {
  const rows = randomRows(8000, 5);
  const profile = profileRows(rows, KINDS, { createdAt: '2025-01-01T00:00:00.000Z', dataHash: 'sha256:abc' });

  it('has the versioned shape', () => {
    expect(profile.format).toBe(PROFILE_FORMAT);
    expect(profile.version).toBe(PROFILE_VERSION);
    expect(profile.rows).toBe(8000);
    expect(profile.createdAt).toBe('2025-01-01T00:00:00.000Z');
    expect(profile.dataHash).toBe('sha256:abc');
    expect(Object.keys(profile.columns)).toEqual(Object.keys(KINDS));
    expect(Object.keys(profile.columns.num!)).toEqual(['kind', 'counts', 'types', 'numeric', 'distinct', 'topK', 'sample']);
    expect(Object.keys(profile.columns.text!)).toEqual(['kind', 'counts', 'types', 'stringLength', 'distinct', 'topK', 'sample']);
  });

  it('round-trips through JSON text and parseProfile', () => {
    const text = JSON.stringify(profile);
    const back = parseProfile(text, 'ref.json');
    expect(back).toEqual(profile);
    expect(JSON.stringify(back)).toBe(text);
    // column profilers restore exactly
    for (const [, col] of Object.entries(profile.columns)) {
      expect(ColumnProfiler.fromJSON(col).toJSON()).toEqual(col);
    }
  });

  it('a restored profile keeps going like the original', () => {
    const more = randomRows(3000, 6);
    const a = new DatasetProfiler(KINDS);
    rows.forEach((r) => a.updateRow(r));
    const snapshot = a.toJSON();
    more.forEach((r) => a.updateRow(r));
    const b = new DatasetProfiler(KINDS);
    more.forEach((r) => b.updateRow(r));
    const m = mergeProfiles(snapshot, b.toJSON());
    expect(m.columns.num!.counts).toEqual(a.toJSON().columns.num!.counts);
  });

  function broken(mutate: (p: any) => void): unknown {
    const p = JSON.parse(JSON.stringify(profile));
    mutate(p);
    return p;
  }

  it('rejects a malformed profile naming the field', () => {
    expect(() => parseProfile(broken((p) => (p.columns.num.counts.n = 'many')), 'ref.json')).toThrow(/columns\.num\.counts\.n/);
    expect(() => parseProfile(broken((p) => delete p.columns.cat.topK), 'ref.json')).toThrow(/columns\.cat\.topK/);
    expect(() => parseProfile(broken((p) => (p.columns.num.numeric.kll.k = 3)))).toThrow(/columns\.num\.numeric\.kll\.k/);
    expect(() => parseProfile(broken((p) => p.columns.num.numeric.binCounts.pop()))).toThrow(/columns\.num\.numeric\.binCounts/);
    expect(() => parseProfile(broken((p) => (p.columns.num.numeric.kll.n += 1)))).toThrow(/columns\.num\.numeric\.kll/);
    expect(() => parseProfile(broken((p) => (p.columns.cat.distinct.hll.registers = 'AAAA')))).toThrow(/columns\.cat\.distinct\.hll\.registers/);
    expect(() => parseProfile(broken((p) => (p.rows = 7)))).toThrow(/columns\.num\.counts\.n: must equal rows/);
    expect(() => parseProfile(broken((p) => (p.columns.flag.kind = 'vector')))).toThrow(/columns\.flag\.kind/);
    expect(() => parseProfile(broken((p) => p.columns.num.numeric.binEdges.reverse()))).toThrow(/binEdges/);
  });

  it('rejects a newer version, another format, and bad JSON clearly', () => {
    expect(() => parseProfile(broken((p) => (p.version = 2)), 'ref.json')).toThrow(/version 2 is newer than the newest this mlops-actions supports \(1\)/);
    expect(() => parseProfile(broken((p) => (p.format = 'whylogs')))).toThrow(/format must be "mlops-actions\/profile"/);
    expect(() => parseProfile('{"format": ', 'ref.json')).toThrow(/ref\.json is not valid JSON/);
    expect(() => parseProfile(broken((p) => (p.version = 0)))).toThrow(/version/);
  });
});

describe('mergeProfiles', () => {
  it('keeps a column present on one side only, counting the other side as nulls', () => {
    const a = profileRows([{ x: 1, y: 'a' }, { x: 2, y: 'b' }], { x: 'numeric', y: 'categorical' });
    const b = profileRows([{ x: 3, z: true }, { x: 4, z: false }, { x: 5, z: null }], { x: 'numeric', z: 'boolean' });
    const m = mergeProfiles(a, b);
    expect(m.rows).toBe(5);
    expect(Object.keys(m.columns)).toEqual(['x', 'y', 'z']);
    expect(m.columns.x!.numeric!.mean).toBe(3);
    expect(m.columns.y!.counts).toEqual({ n: 5, null: 3, nan: 0, inf: 0 });
    expect(m.columns.z!.counts).toEqual({ n: 5, null: 3, nan: 0, inf: 0 });
    expect(columnTopValues(m.columns.z!)).toEqual([
      { value: 'false', count: 1, frequency: 0.5 },
      { value: 'true', count: 1, frequency: 0.5 },
    ]);
    expect(() => parseProfile(m)).not.toThrow();
  });

  it('rejects columns of different kinds and invalid inputs', () => {
    const a = profileRows([{ x: 1 }], { x: 'numeric' });
    const b = profileRows([{ x: 'q' }], { x: 'string' });
    expect(() => mergeProfiles(a, b)).toThrow(/column "x" is numeric in the first profile but string in the second/);
    expect(() => mergeProfiles(a, { ...a, rows: 3 } as DatasetProfile)).toThrow(/second profile/);
  });

  it('takes the later createdAt and drops dataHash', () => {
    const a = profileRows([{ x: 1 }], { x: 'numeric' }, { createdAt: '2025-01-02T00:00:00Z', dataHash: 'h1' });
    const b = profileRows([{ x: 2 }], { x: 'numeric' }, { createdAt: '2025-01-03T00:00:00Z', dataHash: 'h2' });
    const m = mergeProfiles(a, b);
    expect(m.createdAt).toBe('2025-01-03T00:00:00Z');
    expect(m.dataHash).toBeUndefined();
  });

  it('pads columns fed fewer cells than rows with nulls', () => {
    const p = new DatasetProfiler({ a: 'numeric', b: 'numeric' });
    p.updateColumn('a', [1, 2, 3]);
    p.updateColumn('b', [1]);
    p.addRows(3);
    const j = p.toJSON();
    expect(j.columns.b!.counts).toEqual({ n: 3, null: 2, nan: 0, inf: 0 });
    expect(() => parseProfile(j)).not.toThrow();
    p.updateColumn('a', [4, 5]);
    expect(() => p.toJSON()).toThrow(/fed 5 cells but the dataset has 3 rows/);
  });
});

function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
