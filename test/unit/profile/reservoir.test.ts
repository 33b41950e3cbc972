import { describe, expect, it } from 'vitest';
import { Reservoir } from '../../../shared/profile/reservoir';

const N = 10_000;
const CAP = 100;
const BUCKETS = 100;
const TRIALS = 400;

/** Chi-squared statistic of how often each bucket of N/BUCKETS consecutive stream positions was sampled. */
function chiSquared(samples: number[][]): number {
  const hits = new Array<number>(BUCKETS).fill(0);
  for (const s of samples) for (const v of s) hits[Math.floor(v / (N / BUCKETS))]!++;
  const expected = (samples.length * CAP) / BUCKETS;
  return hits.reduce((acc, h) => acc + (h - expected) ** 2 / expected, 0);
}

// 99 degrees of freedom: mean 99, sd 14. A generous fixed bound (mean + 5 sd), fixed seeds.
const CHI2_BOUND = 99 + 5 * 14;

describe('Reservoir', () => {
  it('keeps min(n, capacity) values, all from the stream', () => {
    const r = new Reservoir(CAP, 1);
    for (let i = 0; i < 50; i++) r.update(i);
    expect(r.size).toBe(50);
    expect(r.sample()).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (let i = 50; i < N; i++) r.update(i);
    expect(r.size).toBe(CAP);
    expect(r.n).toBe(N);
    expect(new Set(r.sample()).size).toBe(CAP);
    for (const v of r.sample()) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('samples uniformly (chi-squared over stream positions)', () => {
    const samples: number[][] = [];
    for (let t = 0; t < TRIALS; t++) {
      const r = new Reservoir(CAP, 1000 + t);
      for (let i = 0; i < N; i++) r.update(i);
      samples.push(r.sample() as number[]);
    }
    expect(chiSquared(samples)).toBeLessThan(CHI2_BOUND);
  });

  it('merge keeps a uniform sample of the union (uneven halves) and the size bound', () => {
    const samples: number[][] = [];
    for (let t = 0; t < TRIALS; t++) {
      const a = new Reservoir(CAP, 5000 + t);
      const b = new Reservoir(CAP, 9000 + t);
      for (let i = 0; i < N; i++) (i < 2_000 ? a : b).update(i);
      a.merge(b);
      expect(a.size).toBe(CAP);
      expect(a.n).toBe(N);
      samples.push(a.sample() as number[]);
    }
    expect(chiSquared(samples)).toBeLessThan(CHI2_BOUND);
    // the share drawn from the small side is about 20%
    const fromA = samples.flat().filter((v) => v < 2_000).length / (TRIALS * CAP);
    expect(Math.abs(fromA - 0.2)).toBeLessThan(0.02);
  });

  it('a merged reservoir keeps sampling uniformly', () => {
    const samples: number[][] = [];
    for (let t = 0; t < TRIALS; t++) {
      const a = new Reservoir(CAP, 20_000 + t);
      const b = new Reservoir(CAP, 30_000 + t);
      for (let i = 0; i < 3_000; i++) (i < 1_000 ? a : b).update(i);
      a.merge(b);
      for (let i = 3_000; i < N; i++) a.update(i);
      samples.push(a.sample() as number[]);
    }
    expect(chiSquared(samples)).toBeLessThan(CHI2_BOUND);
  });

  it('merging small reservoirs keeps every value', () => {
    const a = new Reservoir(CAP, 1);
    const b = new Reservoir(CAP, 2);
    for (let i = 0; i < 30; i++) a.update(`a${i}`);
    for (let i = 0; i < 40; i++) b.update(`b${i}`);
    a.merge(b);
    expect(a.size).toBe(70);
    expect(a.n).toBe(70);
    expect(new Set(a.sample()).size).toBe(70);
    expect(() => a.merge(new Reservoir(10))).toThrow(/different capacity/);
  });

  it('is deterministic for a seed and round-trips through JSON', () => {
    const a = new Reservoir(CAP, 7);
    const b = new Reservoir(CAP, 7);
    for (let i = 0; i < 5000; i++) {
      a.update(i);
      b.update(i);
    }
    expect(b.sample()).toEqual(a.sample());
    const c = Reservoir.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    for (let i = 5000; i < 20_000; i++) {
      a.update(i);
      c.update(i);
    }
    expect(c.toJSON()).toEqual(a.toJSON());
    expect(() => Reservoir.fromJSON({ capacity: 10, n: 20, values: [1, 2] })).toThrow(/expected min/);
  });
});
