import { describe, expect, it } from 'vitest';
import { KllSketch, KLL_PMF_ERROR, KLL_RANK_ERROR, kllNormalizedRankError } from '../../../shared/profile/kll';
import { countLess, generate, QS, quantileRankError, type Distribution } from './helpers';

const DISTS: Distribution[] = ['uniform', 'normal', 'heavy-tailed', 'duplicates'];

describe('KLL error constants', () => {
  it('match the DataSketches formula for k = 200', () => {
    expect(kllNormalizedRankError(200, false)).toBeCloseTo(KLL_RANK_ERROR, 4);
    expect(kllNormalizedRankError(200, true)).toBeCloseTo(KLL_PMF_ERROR, 4);
  });
});

describe('KLL quantiles against exact quantiles', () => {
  for (const n of [100_000, 1_000_000]) {
    for (const dist of DISTS) {
      it(`${dist}, n = ${n}: every q in 0.01..0.99 within the rank error`, () => {
        const data = generate(dist, n, 42 + n);
        const sk = new KllSketch(200, 7);
        for (let i = 0; i < n; i++) sk.update(data[i]!);
        const sorted = data.slice().sort();
        expect(sk.n).toBe(n);
        expect(sk.min).toBe(sorted[0]);
        expect(sk.max).toBe(sorted[n - 1]);
        expect(sk.isExact()).toBe(false);
        let worst = 0;
        for (const q of QS) worst = Math.max(worst, quantileRankError(sorted, sk.quantile(q), q));
        expect(worst).toBeLessThanOrEqual(KLL_RANK_ERROR);
        // rank(x) at exact quantiles: the CDF the sketch reports vs the true one
        let worstRank = 0;
        for (const q of QS) {
          const x = sorted[Math.floor(q * n)]!;
          const exact = countLess(sorted, x) / n; // exclusive
          const exactIncl = (countLess(sorted, x) + countEq(sorted, x)) / n;
          worstRank = Math.max(worstRank, Math.abs(sk.rank(x, false) - exact), Math.abs(sk.rank(x, true) - exactIncl));
        }
        expect(worstRank).toBeLessThanOrEqual(KLL_RANK_ERROR);
        // memory stays bounded: about 3k items
        expect(sk.retained).toBeLessThan(3 * 200 + 100);
      });
    }
  }

  it('quantile(0) and quantile(1) are the exact min and max', () => {
    const data = generate('normal', 50_000, 3);
    const sk = new KllSketch();
    data.forEach((x) => sk.update(x));
    expect(sk.quantile(0)).toBe(Math.min(...data));
    expect(sk.quantile(1)).toBe(Math.max(...data));
  });

  it('is exact while nothing was compacted', () => {
    const sk = new KllSketch();
    for (let i = 100; i >= 1; i--) sk.update(i);
    expect(sk.isExact()).toBe(true);
    expect(sk.rankError()).toBe(0);
    expect(sk.quantile(0.5)).toBe(50);
    expect(sk.quantile(0.01)).toBe(1);
    expect(sk.quantile(0.011)).toBe(2);
    expect(sk.rank(50)).toBe(0.5);
    expect(sk.rank(50, false)).toBe(0.49);
    expect(sk.countBelow(10.5)).toBe(10);
  });

  it('ignores NaN and ±Infinity', () => {
    const sk = new KllSketch();
    [1, NaN, 2, Infinity, -Infinity, 3].forEach((x) => sk.update(x));
    expect(sk.n).toBe(3);
    expect(sk.min).toBe(1);
    expect(sk.max).toBe(3);
  });

  it('empty sketch answers NaN', () => {
    const sk = new KllSketch();
    expect(sk.quantile(0.5)).toBeNaN();
    expect(sk.rank(1)).toBeNaN();
    expect(sk.min).toBeNaN();
    expect(() => sk.quantile(1.5)).toThrow(/q must be in/);
  });
});

describe('KLL determinism and serialization', () => {
  it('is deterministic for a seed, and differs across seeds', () => {
    const data = generate('uniform', 200_000, 9);
    const a = new KllSketch(200, 123);
    const b = new KllSketch(200, 123);
    const c = new KllSketch(200, 124);
    for (const x of data) {
      a.update(x);
      b.update(x);
      c.update(x);
    }
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(c.toJSON().items).not.toEqual(a.toJSON().items);
    expect(QS.map((q) => b.quantile(q))).toEqual(QS.map((q) => a.quantile(q)));
  });

  it('round-trips through JSON and continues exactly as the original', () => {
    const data = generate('normal', 300_000, 10);
    const a = new KllSketch(200, 5);
    for (let i = 0; i < 150_000; i++) a.update(data[i]!);
    const text = JSON.stringify(a.toJSON());
    const b = KllSketch.fromJSON(JSON.parse(text));
    expect(b.toJSON()).toEqual(a.toJSON());
    for (let i = 150_000; i < data.length; i++) {
      a.update(data[i]!);
      b.update(data[i]!);
    }
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(b.quantile(0.37)).toBe(a.quantile(0.37));
  });

  it('rejects inconsistent JSON', () => {
    const json = new KllSketch().toJSON();
    expect(() => KllSketch.fromJSON({ ...json, n: 5 })).toThrow(/weight/);
    const sk = new KllSketch();
    for (let i = 0; i < 1000; i++) sk.update(i);
    const j2 = sk.toJSON();
    expect(() => KllSketch.fromJSON({ ...j2, levels: [0, 3, 2, j2.items.length] })).toThrow(/non-decreasing|weight/);
  });
});

describe('KLL merge', () => {
  for (const dist of DISTS) {
    it(`${dist}: 10 merged parts stay within the rank error`, () => {
      const n = 500_000;
      const data = generate(dist, n, 77);
      const parts = Array.from({ length: 10 }, (_, i) => new KllSketch(200, 1000 + i));
      // uneven parts: part i gets a contiguous slice of growing length
      let at = 0;
      for (let i = 0; i < 10; i++) {
        const len = i === 9 ? n - at : Math.floor((n * (i + 1)) / 55);
        for (let j = at; j < at + len; j++) parts[i]!.update(data[j]!);
        at += len;
      }
      const merged = new KllSketch(200, 1);
      for (const p of parts) merged.merge(p);
      expect(merged.n).toBe(n);
      const sorted = data.slice().sort();
      expect(merged.min).toBe(sorted[0]);
      expect(merged.max).toBe(sorted[n - 1]);
      let worst = 0;
      for (const q of QS) worst = Math.max(worst, quantileRankError(sorted, merged.quantile(q), q));
      expect(worst).toBeLessThanOrEqual(KLL_RANK_ERROR);
      expect(merged.retained).toBeLessThan(3 * 200 + 100);
    });
  }

  it('merging small sketches is exact, and the inputs are not modified', () => {
    const a = new KllSketch();
    const b = new KllSketch();
    for (let i = 0; i < 50; i++) a.update(i);
    for (let i = 50; i < 100; i++) b.update(i);
    const before = JSON.stringify(b.toJSON());
    a.merge(b);
    expect(JSON.stringify(b.toJSON())).toBe(before);
    expect(a.n).toBe(100);
    expect(a.isExact()).toBe(true);
    expect(a.quantile(0.5)).toBe(49);
    expect(() => a.merge(new KllSketch(100))).toThrow(/different k/);
  });

  it('merges sketches of very different sizes, both ways', () => {
    const data = generate('normal', 1_000_000, 5);
    const sorted = data.slice().sort();
    for (const bigFirst of [true, false]) {
      const big = new KllSketch(200, 1);
      const small = new KllSketch(200, 2);
      data.forEach((x, i) => (i < 300 ? small : big).update(x));
      const m = bigFirst ? big.merge(small) : small.merge(big);
      expect(m.n).toBe(data.length);
      let worst = 0;
      for (const q of QS) worst = Math.max(worst, quantileRankError(sorted, m.quantile(q), q));
      expect(worst).toBeLessThanOrEqual(KLL_RANK_ERROR);
    }
  });

  it('merges a sketch into itself as doubling', () => {
    const a = new KllSketch();
    for (let i = 0; i < 10_000; i++) a.update(i);
    a.merge(a);
    expect(a.n).toBe(20_000);
    expect(Math.abs(a.rank(5000) - 0.5)).toBeLessThan(KLL_RANK_ERROR);
  });
});

function countEq(sorted: Float64Array, x: number): number {
  let i = countLess(sorted, x);
  let c = 0;
  while (i < sorted.length && sorted[i] === x) {
    c++;
    i++;
  }
  return c;
}
