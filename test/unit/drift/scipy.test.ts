/**
 * Every statistic against SciPy 1.10.1 (and Evidently's way of calling it), from the fixtures written by
 * scripts/fixtures/drift_reference.py. Tolerance 1e-9 relative unless a comment says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { kstwoSf, ks2samp, outerProbInside, probOutsideSquare, smirnov } from '../../../shared/drift/ks';
import { chi2Sf, ndtr } from '../../../shared/drift/special';
import { chiSquareHomogeneity, chisquare, jensenShannon, psi, twoProportionZ, wassersteinDistance } from '../../../shared/drift/stats';
import { expectClose, generate, loadFixture, numbers, type GenSpec } from './generate';

interface Special {
  scipy: string;
  chi2_sf: [number, number, number][];
  ndtr: [number, number][];
  kstwo_sf_smirnov: [number, number, number, number][];
  prob_outside_square: [number, number, number][];
  outer_prob_inside: [number, number, number, number, number][];
}
interface Samples {
  ks_2samp: { name: string; a: GenSpec; b: GenSpec; statistic: number; pvalue: number }[];
  wasserstein: { name: string; u: GenSpec; v: GenSpec; distance: number; weighted: number; evidently_normed: number }[];
}
interface Frequencies {
  chisquare: { name: string; f_obs: number[]; f_exp: number[]; statistic: number; pvalue: number }[];
  jensenshannon: { name: string; p: number[]; q: number[]; distance: number; distance_base2: number }[];
  evidently_categorical: {
    name: string;
    reference: GenSpec;
    current: GenSpec;
    reference_counts: number[];
    current_counts: number[];
    chisquare: { statistic: number; pvalue: number };
    z: { statistic: number; pvalue: number };
    jensenshannon: number;
    psi: number;
  }[];
}

const special = loadFixture<Special>('special.json');
const samples = loadFixture<Samples>('samples.json');
const freq = loadFixture<Frequencies>('frequencies.json');

describe('special functions vs SciPy', () => {
  it('is the SciPy the fixtures came from', () => {
    expect(special.scipy).toBe('1.10.1');
  });

  it('chi2.sf (df 1 … 10^6, p down to 1e-300)', () => {
    for (const [x, df, p] of special.chi2_sf) expectClose(chi2Sf(x, df), p, 1e-9, `chi2.sf(${x}, ${df})`);
  });

  it('ndtr (norm.cdf), −40 … 40', () => {
    for (const [z, p] of special.ndtr) expectClose(ndtr(z), p, 1e-9, `ndtr(${z})`);
  });

  it("kstwo.sf in every branch of SciPy's _kolmogn, and smirnov", () => {
    // SciPy evaluates smirnov() in double-double arithmetic; the log-domain sum here agrees to ~3e-11
    for (const [x, n, sf, sm] of special.kstwo_sf_smirnov) {
      expectClose(kstwoSf(x, n), sf, 1e-9, `kstwo.sf(${x}, ${n})`);
      expectClose(smirnov(n, x), sm, 1e-9, `smirnov(${n}, ${x})`);
    }
  });

  it("ks_2samp's exact path counts", () => {
    for (const [n, h, p] of special.prob_outside_square) expectClose(probOutsideSquare(n, h), p, 1e-12, `square(${n}, ${h})`);
    for (const [m, n, g, h, p] of special.outer_prob_inside) expectClose(outerProbInside(m, n, g, h), p, 1e-12, `inside(${m}, ${n}, ${h})`);
  });
});

describe('samples vs SciPy', () => {
  for (const c of samples.ks_2samp) {
    it(`ks_2samp ${c.name} (${c.a.n} vs ${c.b.n})`, () => {
      const r = ks2samp(numbers(c.a), numbers(c.b));
      expectClose(r.statistic, c.statistic, 1e-12, 'statistic');
      expectClose(r.pValue, c.pvalue, 1e-9, 'p-value');
      expect(r.method).toBe(Math.max(c.a.n, c.b.n) <= 10000 ? 'exact' : 'asymp');
    });
  }

  for (const c of samples.wasserstein) {
    it(`wasserstein_distance ${c.name} (${c.u.n} vs ${c.v.n})`, () => {
      const u = numbers(c.u);
      const v = numbers(c.v);
      expectClose(wassersteinDistance(u, v), c.distance, 1e-9, 'distance');
      const uw = Array.from(u, (_, i) => 1 + (i % 7));
      const vw = Array.from(v, (_, i) => 1 + ((3 * i) % 5));
      expectClose(wassersteinDistance(u, v, uw, vw), c.weighted, 1e-9, 'weighted');
      // Evidently: W1 / max(np.std(reference), 0.001)
      let mean = 0;
      for (const x of u) mean += x / u.length;
      let ss = 0;
      for (const x of u) ss += (x - mean) ** 2;
      expectClose(wassersteinDistance(u, v) / Math.max(Math.sqrt(ss / u.length), 0.001), c.evidently_normed, 1e-9, 'normed');
    });
  }
});

describe('frequencies vs SciPy and Evidently', () => {
  for (const c of freq.chisquare) {
    it(`chisquare ${c.name}`, () => {
      const r = chisquare(c.f_obs, c.f_exp);
      expectClose(r.statistic, c.statistic, 1e-12, 'statistic');
      expectClose(r.pValue, c.pvalue, 1e-9, 'p-value');
    });
  }

  it('chisquare rejects totals that disagree (as SciPy)', () => {
    expect(() => chisquare([1, 2], [1, 3])).toThrow(/same total/);
  });

  for (const c of freq.jensenshannon) {
    it(`jensenshannon ${c.name}`, () => {
      expectClose(jensenShannon(c.p, c.q), c.distance, 1e-9, 'base e');
      expectClose(jensenShannon(c.p, c.q, 2), c.distance_base2, 1e-9, 'base 2');
    });
  }

  for (const c of freq.evidently_categorical) {
    it(`Evidently's categorical tests: ${c.name}`, () => {
      // the counts this side computes from the generated values are the script's
      const count = (spec: GenSpec) => {
        const vals = generate(spec);
        return spec.categories!.map((k) => vals.filter((v) => v === k).length);
      };
      expect(count(c.reference)).toEqual(c.reference_counts);
      expect(count(c.current)).toEqual(c.current_counts);
      const chi = chiSquareHomogeneity(c.reference_counts, c.current_counts);
      expectClose(chi.statistic, c.chisquare.statistic, 1e-12, 'chi2 statistic');
      expectClose(chi.pValue, c.chisquare.pvalue, 1e-9, 'chi2 p');
      const z = twoProportionZ(c.reference.categories!, c.reference_counts, c.current_counts);
      expectClose(Math.abs(z.statistic), Math.abs(c.z.statistic), 1e-12, 'z');
      expectClose(z.pValue, c.z.pvalue, 1e-9, 'z p');
      // Evidently's value lists hold only the categories present on a side
      const present = c.reference_counts.map((r, i) => r + c.current_counts[i]! > 0);
      const r = c.reference_counts.filter((_, i) => present[i]);
      const k = c.current_counts.filter((_, i) => present[i]);
      expectClose(jensenShannon(r, k), c.jensenshannon, 1e-9, 'jensenshannon');
      expectClose(psi(r, k), c.psi, 1e-9, 'psi');
    });
  }
});
