/**
 * End to end on profiles: each fixture case is a reference column and a current column (generated the
 * same way in both languages); the script ran Evidently's test selection and statistics on the raw
 * values. Here the reference is profiled, the current data is profiled with the reference's bin edges,
 * and columnDrift must pick the same test and (where its inputs are exact) give the same number to
 * 1e-9. Where it cannot be exact (binned Wasserstein for large references, categories beyond the
 * top-k capacity), the error is bounded and the drift decision must agree.
 */
import { describe, expect, it } from 'vitest';
import { columnDrift, type ColumnDriftResult, type DriftTest } from '../../../shared/drift/drift';
import { DatasetProfiler, type DatasetProfile, type ProfileKind } from '../../../shared/profile/profile';
import { expectClose, generate, loadFixture, type GenSpec } from './generate';

interface Case {
  name: string;
  type: 'num' | 'cat';
  reference: GenSpec;
  current: GenSpec;
  test: DriftTest;
  n_unique: number;
  reference_unique: number;
  values: {
    ks?: { statistic: number; pvalue: number };
    wasserstein?: number;
    chisquare?: { statistic: number; pvalue: number };
    z?: { statistic: number; pvalue: number };
    jensenshannon?: number;
    psi?: number;
  };
  score: number;
  drifted: boolean;
}

const { cases } = loadFixture<{ cases: Case[] }>('evidently.json');

function profile(values: (number | string)[], kind: ProfileKind, reference?: DatasetProfile): DatasetProfile {
  const p = new DatasetProfiler({ x: kind }, { reference, seed: 7 });
  p.updateColumn('x', values);
  p.addRows(values.length);
  return p.toJSON();
}

function run(c: Case, test?: DriftTest, raw = false): ColumnDriftResult {
  const kind: ProfileKind = c.type === 'num' ? 'numeric' : 'categorical';
  const refValues = generate(c.reference);
  const curValues = generate(c.current);
  const ref = profile(refValues, kind);
  const cur = profile(curValues, kind, ref);
  return columnDrift(ref.columns.x!, cur.columns.x!, { name: c.name, test, ...(raw ? { currentValues: curValues } : {}) });
}

const score = (r: ColumnDriftResult) => r.pValue ?? r.statistic;
const smallCurrent = (c: Case) => c.current.n <= 1000;

describe("Evidently's default test and value, from profiles", () => {
  for (const c of cases) {
    it(`${c.name}: ${c.test}`, () => {
      const r = run(c);
      expect(r.test).toBe(c.test);
      expect(r.uniqueValues).toBe(r.uniqueExact ? c.n_unique : r.uniqueValues);
      if (r.uniqueExact) expect(r.uniqueValues).toBe(c.n_unique);
      if (r.exact) {
        expectClose(score(r), c.score, 1e-9, 'score');
        expect(r.drifted).toBe(c.drifted);
      }
      if (c.test === 'ks' && !smallCurrent(c)) {
        // more current values than the reservoir holds: KS on its uniform sample of 1000
        expect(r.currentSampled).toBe(true);
        expect(r.exact).toBe(false);
        const exact = run(c, undefined, true);
        expect(exact.exact).toBe(true);
        expectClose(exact.pValue!, c.score, 1e-9, 'KS p with the raw current values');
        expectClose(exact.statistic, c.values.ks!.statistic, 1e-12, 'KS D with the raw current values');
        expect(exact.drifted).toBe(c.drifted);
      } else if (c.test !== 'wasserstein' && c.name !== 'cat_large_many') {
        expect(r.exact).toBe(true);
      }
      if (c.test === 'wasserstein') {
        expect(r.method).toBe("sketch");
        const err = Math.abs(r.statistic - c.score);
        // within the stated bound, and close enough to decide like Evidently here
        expect(err).toBeLessThanOrEqual(r.wasserstein!.errorBound! / r.wasserstein!.norm);
        expect(err).toBeLessThan(0.025);
        expect(r.drifted).toBe(c.drifted);
      }
      if (c.name === 'cat_large_many') {
        // 100 near-equally frequent categories, top-k capacity 64: Misra–Gries keeps almost none of a
        // flat distribution's mass, so the categories listed on both sides are few and the rest is pooled
        // as "(other)". The coarser partition understates the distance (0.032 here, against Evidently's
        // 0.137 on the raw data): a known limit, flagged by exact = false and a note.
        expect(r.exact).toBe(false);
        expect(r.uniqueExact).toBe(false);
        expect(r.distribution.type === 'categories' && r.distribution.categories.at(-1)).toBe('(other)');
        expect(r.notes.join(' ')).toMatch(/pooled/);
        expect(r.statistic).toBeLessThan(c.score);
      }
    });
  }

  // every statistic Evidently computed on value counts / samples, forced by an override, where exact
  for (const c of cases) {
    const forced: [DriftTest, number | undefined][] = [
      ['chisquare', c.values.chisquare?.pvalue],
      ['z', c.values.z?.pvalue],
      ['jensenshannon', c.values.jensenshannon],
      ['psi', c.values.psi],
      ['ks', c.reference.n <= 1000 ? c.values.ks?.pvalue : undefined],
    ];
    for (const [test, expected] of forced) {
      if (expected === undefined || c.name === 'cat_large_many') continue;
      it(`${c.name}: forced ${test}`, () => {
        const r = run(c, test, !smallCurrent(c));
        expect(r.test).toBe(test);
        expect(r.defaultTest).toBe(test === c.test);
        expect(r.exact).toBe(true);
        expectClose(score(r), expected, 1e-9, test);
      });
    }
  }
});
