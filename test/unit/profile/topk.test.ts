import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/profile/rng';
import { FrequentItems } from '../../../shared/profile/topk';

function exactCounts(values: (string | number)[]): Map<string | number, number> {
  const m = new Map<string | number, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/** A Zipf-like stream over `distinct` values. */
function zipf(n: number, distinct: number, seed: number): string[] {
  const rng = new Rng(seed);
  const w = Array.from({ length: distinct }, (_, i) => 1 / (i + 1) ** 1.1);
  const cum: number[] = [];
  let s = 0;
  for (const x of w) cum.push((s += x));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng.nextDouble() * s;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out.push(`item-${lo}`);
  }
  return out;
}

describe('FrequentItems (Misra–Gries)', () => {
  it('is exact when distinct ≤ capacity', () => {
    const values = zipf(50_000, 64, 1);
    const f = new FrequentItems(64);
    values.forEach((v) => f.update(v));
    const exact = exactCounts(values);
    expect(f.size).toBe(exact.size);
    expect(f.restMass).toBe(0);
    expect(f.isExact()).toBe(true);
    for (const { value, count } of f.items()) expect(count).toBe(exact.get(value));
    const counts = f.items().map((i) => i.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('with more distinct values: counts are lower bounds within restMass/(capacity+1)', () => {
    const values = zipf(200_000, 5000, 2);
    const f = new FrequentItems(64);
    values.forEach((v) => f.update(v));
    const exact = exactCounts(values);
    const listed = f.items();
    const sum = listed.reduce((s, i) => s + i.count, 0);
    expect(f.restMass).toBe(values.length - sum);
    expect(f.maxError).toBe(f.restMass / 65);
    for (const [value, trueCount] of exact) {
      const c = f.count(value);
      expect(c).toBeLessThanOrEqual(trueCount);
      expect(trueCount - c).toBeLessThanOrEqual(f.maxError + 1e-9);
    }
    // the heaviest hitters are listed, in order
    const top = [...exact.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([v]) => v);
    expect(listed.slice(0, 5).map((i) => i.value)).toEqual(top);
  });

  it('merge is exact when the union has ≤ capacity distinct values', () => {
    const values = zipf(40_000, 60, 3);
    const whole = new FrequentItems(64);
    const a = new FrequentItems(64);
    const b = new FrequentItems(64);
    values.forEach((v, i) => {
      whole.update(v);
      (i < 15_000 ? a : b).update(v);
    });
    a.merge(b);
    expect(a.toJSON()).toEqual(whole.toJSON());
  });

  it('merge keeps the error bound with many distinct values', () => {
    const values = zipf(100_000, 3000, 4);
    const parts = [new FrequentItems(32), new FrequentItems(32), new FrequentItems(32)];
    values.forEach((v, i) => parts[i % 3]!.update(v));
    const m = parts[0]!.merge(parts[1]!).merge(parts[2]!);
    expect(m.n).toBe(values.length);
    expect(m.size).toBeLessThanOrEqual(32);
    const exact = exactCounts(values);
    for (const [value, trueCount] of exact) {
      const c = m.count(value);
      expect(c).toBeLessThanOrEqual(trueCount);
      expect(trueCount - c).toBeLessThanOrEqual(m.maxError + 1e-9);
    }
  });

  it('numbers and strings are different values; NaN is ignored; -0 is 0', () => {
    const f = new FrequentItems(8);
    [1, '1', 1, -0, 0, NaN].forEach((v) => f.update(v));
    expect(f.count(1)).toBe(2);
    expect(f.count('1')).toBe(1);
    expect(f.count(0)).toBe(2);
    expect(f.n).toBe(5);
    expect(f.items()[0]).toEqual({ value: 0, count: 2 });
  });

  it('round-trips through JSON and rejects bad JSON', () => {
    const f = new FrequentItems(16);
    zipf(10_000, 100, 5).forEach((v) => f.update(v));
    const back = FrequentItems.fromJSON(JSON.parse(JSON.stringify(f.toJSON())));
    expect(back.toJSON()).toEqual(f.toJSON());
    back.update('item-0');
    expect(back.count('item-0')).toBe(f.count('item-0') + 1);
    expect(() => FrequentItems.fromJSON({ capacity: 1, n: 5, items: [['a', 1], ['b', 1]] })).toThrow(/exceed the capacity/);
    expect(() => FrequentItems.fromJSON({ capacity: 4, n: 1, items: [['a', 2]] })).toThrow(/exceed n/);
    expect(() => FrequentItems.fromJSON({ capacity: 4, n: 5, items: [['a', 1], ['a', 1]] })).toThrow(/twice/);
  });
});
