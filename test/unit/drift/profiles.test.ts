/**
 * The profile-level API: test selection (Evidently's defaults), thresholds and overrides, dataset drift
 * end to end on seeded data profiled with DatasetProfiler (the current data on the reference's edges),
 * and the accuracy of the sketch-based Wasserstein distance against the exact one.
 */
import { describe, expect, it } from 'vitest';
import {
  columnDrift,
  datasetDrift,
  defaultDriftTest,
  isDrift,
  type DatasetDriftResult,
} from '../../../shared/drift/drift';
import { fillZeroShares, psi, psiLevel, wassersteinBinned, wassersteinDistance } from '../../../shared/drift/stats';
import { UserError } from '../../../shared/errors';
import { DatasetProfiler, type DatasetProfile, type ProfileKind } from '../../../shared/profile/profile';
import { Rng } from '../../../shared/rng';

const KINDS: Record<string, ProfileKind> = {
  age: 'numeric',
  income: 'numeric',
  rooms: 'numeric',
  plan: 'categorical',
  region: 'categorical',
  churned: 'boolean',
  signup: 'datetime',
};
const PLANS = ['basic', 'plus', 'pro', 'team', 'enterprise'];
const REGIONS = ['north', 'south'];

interface Shift {
  age?: number;
  plan?: boolean;
}

/** Seeded rows; `shift` moves age by that many std, and moves plan's frequencies. */
function rows(n: number, seed: number, shift: Shift = {}): Record<string, number | string | boolean | Date | null>[] {
  const rng = new Rng(seed);
  const planW = shift.plan ? [0.2, 0.2, 0.2, 0.2, 0.2] : [0.4, 0.3, 0.15, 0.1, 0.05];
  const out: Record<string, number | string | boolean | Date | null>[] = [];
  for (let i = 0; i < n; i++) {
    let u = rng.nextDouble();
    let p = 0;
    while (p < PLANS.length - 1 && u >= planW[p]!) u -= planW[p++]!;
    out.push({
      age: rng.nextDouble() < 0.02 ? null : 40 + 12 * (rng.nextNormal() + (shift.age ?? 0)),
      income: Math.exp(10 + 0.5 * rng.nextNormal()),
      rooms: 1 + Math.floor(rng.nextDouble() * 4),
      plan: PLANS[p]!,
      region: REGIONS[rng.nextDouble() < 0.6 ? 0 : 1]!,
      churned: rng.nextDouble() < 0.2,
      signup: new Date(1.6e12 + rng.nextDouble() * 3e10),
    });
  }
  return out;
}

function profile(data: Record<string, number | string | boolean | Date | null>[], reference?: DatasetProfile): DatasetProfile {
  const p = new DatasetProfiler(KINDS, { reference, seed: 3 });
  for (const r of data) p.updateRow(r);
  return p.toJSON();
}

function tests(r: DatasetDriftResult): Record<string, string> {
  return Object.fromEntries(r.columns.map((c) => [c.column, c.test]));
}

describe('test selection (Evidently defaults)', () => {
  it('follows the rules by reference size, type and distinct values', () => {
    expect(defaultDriftTest('numeric', 1000, 6)).toBe('ks');
    expect(defaultDriftTest('numeric', 1000, 5)).toBe('chisquare');
    expect(defaultDriftTest('numeric', 1000, 3)).toBe('chisquare');
    expect(defaultDriftTest('numeric', 1000, 2)).toBe('z');
    expect(defaultDriftTest('categorical', 10, 3)).toBe('chisquare');
    expect(defaultDriftTest('categorical', 10, 2)).toBe('z');
    expect(defaultDriftTest('categorical', 10, 1)).toBe('z');
    expect(defaultDriftTest('numeric', 1001, 6)).toBe('wasserstein');
    expect(defaultDriftTest('numeric', 1001, 5)).toBe('jensenshannon');
    expect(defaultDriftTest('categorical', 1001, 500)).toBe('jensenshannon');
  });

  it("compares like Evidently: ks p ≤ t, chisquare / z p < t, distances ≥ t", () => {
    expect(isDrift('ks', 0.05, 0.05)).toBe(true);
    expect(isDrift('chisquare', 0.05, 0.05)).toBe(false);
    expect(isDrift('z', 0.05, 0.05)).toBe(false);
    expect(isDrift('z', 0.0499, 0.05)).toBe(true);
    expect(isDrift('wasserstein', 0.1, 0.1)).toBe(true);
    expect(isDrift('jensenshannon', 0.0999, 0.1)).toBe(false);
    expect(isDrift('psi', 0.1, 0.1)).toBe(true);
    expect(isDrift('chisquare', Number.NaN, 0.05)).toBe(false);
  });
});

describe('dataset drift on profiles, small reference (≤ 1000 values: exact tests)', () => {
  // Fixed seeds. Note that Evidently's chi-squared is a goodness-of-fit test against the reference's
  // proportions taken as exact: with a reference of a few hundred rows it flags unshifted categorical
  // columns well above 5% of the time (about 1 in 8 columns over a dozen seeds here), as Evidently does.
  const ref = profile(rows(800, 101));

  it('flags exactly the two shifted columns', () => {
    const cur = profile(rows(700, 201, { age: 0.5, plan: true }), ref);
    const r = datasetDrift(ref, cur);
    expect(tests(r)).toEqual({ age: 'ks', income: 'ks', rooms: 'chisquare', plan: 'chisquare', region: 'z', churned: 'z' });
    expect(r.driftedColumns.sort()).toEqual(['age', 'plan']);
    expect(r.skipped).toEqual([{ column: 'signup', reason: 'datetime columns are not tested for drift' }]);
    expect(r.numberOfColumns).toBe(6);
    expect(r.shareOfDriftedColumns).toBeCloseTo(2 / 6, 12);
    expect(r.datasetDrift).toBe(false);
    for (const c of r.columns) {
      expect(c.exact).toBe(true);
      expect(c.pValue).not.toBeNull();
      expect(c.psi).not.toBeNull();
    }
    // a lower drift share makes it dataset drift
    expect(datasetDrift(ref, cur, { driftShare: 1 / 3 }).datasetDrift).toBe(true);
  });

  it('flags nothing without a shift', () => {
    const cur = profile(rows(700, 301), ref);
    const r = datasetDrift(ref, cur);
    expect(r.driftedColumns).toEqual([]);
    expect(r.datasetDrift).toBe(false);
  });

  it('uses the current reservoir (flagged) beyond 1000 current values, or the raw values when given', () => {
    const data = rows(5000, 4, { age: 0.5 });
    const cur = profile(data, ref);
    const sampled = columnDrift(ref.columns.age!, cur.columns.age!, { name: 'age' });
    expect(sampled.currentSampled).toBe(true);
    expect(sampled.exact).toBe(false);
    expect(sampled.currentValues).toBe(cur.columns.age!.sample.n);
    const raw = columnDrift(ref.columns.age!, cur.columns.age!, { name: 'age', currentValues: data.map((d) => d.age as number | null) });
    expect(raw.currentSampled).toBe(false);
    expect(raw.exact).toBe(true);
    expect(raw.drifted).toBe(true);
    expect(raw.pValue!).toBeLessThan(sampled.pValue! + 1e-300);
  });
});

describe('dataset drift on profiles, large reference (distances)', () => {
  const ref = profile(rows(20000, 11));

  it('flags exactly the two shifted columns', () => {
    const cur = profile(rows(30000, 12, { age: 0.3, plan: true }), ref);
    const r = datasetDrift(ref, cur);
    expect(tests(r)).toEqual({ age: 'wasserstein', income: 'wasserstein', rooms: 'jensenshannon', plan: 'jensenshannon', region: 'jensenshannon', churned: 'jensenshannon' });
    expect(r.driftedColumns.sort()).toEqual(['age', 'plan']);
    const age = r.columns.find((c) => c.column === 'age')!;
    expect(age.method).toBe('sketch');
    expect(age.pValue).toBeNull();
    expect(age.statistic).toBeGreaterThan(0.2);
    expect(age.distribution.type).toBe('bins');
    if (age.distribution.type === 'bins') {
      expect(age.distribution.edges).toEqual(ref.columns.age!.numeric!.binEdges);
      // current counts are exact on the reference's edges
      expect(age.distribution.currentCounts.reduce((a, b) => a + b, 0)).toBe(cur.columns.age!.numeric!.count);
    }
    const plan = r.columns.find((c) => c.column === 'plan')!;
    expect(plan.exact).toBe(true);
    expect(plan.distribution.type === 'categories' && plan.distribution.categories).toEqual(PLANS);
    expect(plan.psiLevel).not.toBeNull();
  });

  it('flags nothing without a shift', () => {
    const cur = profile(rows(30000, 13), ref);
    const r = datasetDrift(ref, cur);
    expect(r.driftedColumns).toEqual([]);
    for (const c of r.columns) expect(c.statistic).toBeLessThan(0.05);
  });

  it('options: per-column tests and thresholds, per-test thresholds, ignored and selected columns', () => {
    const cur = profile(rows(30000, 12, { age: 0.3, plan: true }), ref);
    const r = datasetDrift(ref, cur, {
      tests: { age: 'psi', income: 'ks', plan: 'chisquare' },
      thresholds: { jensenshannon: 1e-9 },
      columnThresholds: { age: 100 },
      ignore: ['churned'],
    });
    const by = Object.fromEntries(r.columns.map((c) => [c.column, c]));
    expect(by.age!.test).toBe('psi');
    expect(by.age!.threshold).toBe(100);
    expect(by.age!.drifted).toBe(false);
    expect(by.age!.psi).toBe(by.age!.statistic);
    expect(by.income!.test).toBe('ks');
    expect(by.income!.notes.join(' ')).toMatch(/reservoir sample of 1000/);
    expect(by.plan!.test).toBe('chisquare');
    expect(by.plan!.pValue!).toBeLessThan(1e-10);
    expect(by.rooms!.threshold).toBe(1e-9);
    expect(by.rooms!.drifted).toBe(true);
    expect(by.churned).toBeUndefined();
    expect(datasetDrift(ref, cur, { columns: ['age'] }).columns.map((c) => c.column)).toEqual(['age']);
  });

  it('rejects tests that do not apply, unknown tests and unknown columns', () => {
    const cur = profile(rows(2000, 14), ref);
    expect(() => datasetDrift(ref, cur, { tests: { plan: 'ks' } })).toThrow(UserError);
    expect(() => datasetDrift(ref, cur, { tests: { plan: 'nope' as never } })).toThrow(/unknown drift test/);
    expect(() => datasetDrift(ref, cur, { tests: { nope: 'ks' } })).toThrow(/does not have/);
    expect(() => datasetDrift(ref, cur, { driftShare: 2 })).toThrow(UserError);
  });

  it('without the reference edges, estimates current bins from the sketch (and says so)', () => {
    const cur = profile(rows(30000, 15));
    const r = columnDrift(ref.columns.age!, cur.columns.age!, { name: 'age', test: 'psi' });
    expect(r.exact).toBe(false);
    expect(r.notes.join(' ')).toMatch(/estimated from its KLL sketch/);
    expect(r.statistic).toBeLessThan(0.05);
  });

  it('skips columns without values or missing from the current profile', () => {
    const cur = profile(rows(100, 16).map((x) => ({ ...x, age: null })), ref);
    delete cur.columns.region;
    const r = datasetDrift(ref, cur);
    expect(r.skipped).toContainEqual({ column: 'age', reason: 'has no values in the current data' });
    expect(r.skipped).toContainEqual({ column: 'region', reason: 'not in the current data' });
  });
});

describe('Wasserstein from sketches vs exact (SciPy-equivalent) distance', () => {
  const shapes: [string, (r: Rng) => number, (r: Rng) => number, number][] = [
    ['same normal', (r) => r.nextNormal(), (r) => r.nextNormal(), 0.02],
    ['shift 0.1 std', (r) => r.nextNormal(), (r) => r.nextNormal() + 0.1, 0.02],
    ['scale 1.25', (r) => r.nextNormal(), (r) => 1.25 * r.nextNormal(), 0.02],
    ['lognormal same', (r) => Math.exp(r.nextNormal()), (r) => Math.exp(r.nextNormal()), 0.06],
    ['lognormal shift', (r) => Math.exp(r.nextNormal()), (r) => Math.exp(r.nextNormal() + 0.1), 0.06],
    ['exponential scale 1.1', (r) => -Math.log(r.nextOpen()), (r) => -1.1 * Math.log(r.nextOpen()), 0.02],
    ['mixture', (r) => r.nextNormal() + (r.nextDouble() < 0.3 ? 5 : 0), (r) => r.nextNormal() + (r.nextDouble() < 0.4 ? 5 : 0), 0.02],
  ];
  for (const [name, fr, fc, tolerance] of shapes) {
    it(`${name}: |sketch − exact| ≤ ${tolerance} std`, () => {
      const gen = (n: number, seed: number, f: (r: Rng) => number) => {
        const r = new Rng(seed);
        return Float64Array.from({ length: n }, () => f(r));
      };
      const a = gen(20000, 21, fr);
      const b = gen(50000, 22, fc);
      const prof = (v: Float64Array, reference?: DatasetProfile) => {
        const p = new DatasetProfiler({ x: 'numeric' }, { reference });
        p.updateColumn('x', v);
        p.addRows(v.length);
        return p.toJSON();
      };
      const ra = prof(a);
      const rb = prof(b, ra);
      const r = columnDrift(ra.columns.x!, rb.columns.x!, { name });
      expect(r.test).toBe('wasserstein');
      const std = Math.sqrt(ra.columns.x!.numeric!.m2 / ra.columns.x!.numeric!.count);
      const exact = wassersteinDistance(a, b) / std;
      // measured: 0.002–0.016 std for these light tails, 0.025 and 0.052 for the lognormal ones
      expect(Math.abs(r.statistic - exact)).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(r.wasserstein!.distance - exact * std)).toBeLessThanOrEqual(r.wasserstein!.errorBound!);
    });
  }
});

describe('Wasserstein on bins (wassersteinBinned)', () => {
  it('is exact for data spread evenly within each bin, and bounds its error on real data', () => {
    // both sides evenly spaced inside each bin ≈ the piecewise-uniform model the binned distance assumes
    const edges = [0, 1, 2, 4, 8];
    const even = (counts: number[], m: number): number[] => {
      const out: number[] = [];
      counts.forEach((c, i) => {
        for (let k = 0; k < c * m; k++) out.push(edges[i]! + ((k + 0.5) / (c * m)) * (edges[i + 1]! - edges[i]!));
      });
      return out;
    };
    const rc = [3, 5, 1, 1];
    const cc = [1, 2, 4, 3];
    const b = wassersteinBinned(edges, { counts: rc, min: 0, max: 8 }, { counts: cc, min: 0, max: 8 });
    const dense = wassersteinDistance(even(rc, 2000), even(cc, 2000));
    expect(Math.abs(b.distance - dense)).toBeLessThan(1e-3 * dense);

    const rng = new Rng(5);
    const a = Float64Array.from({ length: 20000 }, () => rng.nextNormal());
    const c = Float64Array.from({ length: 20000 }, () => 0.2 + 1.1 * rng.nextNormal());
    const prof = (v: Float64Array, reference?: DatasetProfile) => {
      const p = new DatasetProfiler({ x: 'numeric' }, { reference });
      p.updateColumn('x', v);
      p.addRows(v.length);
      return p.toJSON();
    };
    const ra = prof(a);
    const rb = prof(c, ra);
    const r = columnDrift(ra.columns.x!, rb.columns.x!, { name: 'x', wassersteinMethod: 'bins' });
    expect(r.method).toBe('bins');
    expect(Math.abs(r.wasserstein!.distance - wassersteinDistance(a, c))).toBeLessThanOrEqual(r.wasserstein!.errorBound!);
  });
});

describe('PSI', () => {
  it("fills empty bins like Evidently and reads the usual levels", () => {
    expect(Array.from(fillZeroShares([0.5, 0.5, 0]))).toEqual([0.5, 0.5, 0.0001]);
    expect(Array.from(fillZeroShares([0.99995, 0.00005, 0]))).toEqual([0.99995, 0.00005, 0.00005 / 1e6]);
    expect(psi([10, 10], [10, 10])).toBe(0);
    expect(psiLevel(0.05)).toBe('none');
    expect(psiLevel(0.2)).toBe('moderate');
    expect(psiLevel(0.3)).toBe('major');
  });
});
