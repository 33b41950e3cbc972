import { describe, expect, it } from 'vitest';
import { hash64 } from '../../../shared/profile/hash';
import { HyperLogLog, hllStandardError } from '../../../shared/profile/hll';
import { Rng } from '../../../shared/profile/rng';

const SE = hllStandardError(12); // 1.04 / sqrt(4096) = 1.625%

describe('HyperLogLog', () => {
  it('states the standard error 1.04/sqrt(m)', () => {
    expect(SE).toBeCloseTo(0.01625, 5);
  });

  for (const n of [1_000, 100_000, 1_000_000]) {
    it(`strings: ${n} distinct within 3 standard errors`, () => {
      const h = new HyperLogLog();
      for (let i = 0; i < n; i++) h.updateString(`user-${i}@example.com`);
      // duplicates do not count
      for (let i = 0; i < Math.min(n, 10_000); i++) h.updateString(`user-${i}@example.com`);
      expect(Math.abs(h.estimate() / n - 1)).toBeLessThanOrEqual(3 * SE);
    });

    it(`numbers: ${n} distinct doubles within 3 standard errors`, () => {
      const rng = new Rng(n);
      const h = new HyperLogLog();
      for (let i = 0; i < n; i++) h.updateNumber(rng.nextNormal() * 1e3);
      expect(Math.abs(h.estimate() / n - 1)).toBeLessThanOrEqual(3 * SE);
    });

    it(`numbers: ${n} consecutive integers within 3 standard errors`, () => {
      const h = new HyperLogLog();
      for (let i = 0; i < n; i++) h.updateNumber(i);
      expect(Math.abs(h.estimate() / n - 1)).toBeLessThanOrEqual(3 * SE);
    });
  }

  it('is unbiased over many trials (mean relative error well under one standard error)', () => {
    const errs: number[] = [];
    for (let t = 0; t < 30; t++) {
      const h = new HyperLogLog();
      for (let i = 0; i < 50_000; i++) h.update(`${t}:${i}`);
      errs.push(h.estimate() / 50_000 - 1);
    }
    const mean = errs.reduce((a, b) => a + b, 0) / errs.length;
    const rms = Math.sqrt(errs.reduce((a, b) => a + b * b, 0) / errs.length);
    expect(Math.abs(mean)).toBeLessThan(SE / 2);
    expect(rms).toBeLessThan(1.5 * SE);
  });

  it('merge is exact: the registers of the parts merged equal those of the whole', () => {
    const whole = new HyperLogLog();
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    for (let i = 0; i < 200_000; i++) {
      const v = i % 3 === 0 ? i : `k${i % 70_000}`;
      whole.update(v);
      (i < 120_000 ? a : b).update(v);
    }
    a.merge(b);
    expect(a.toJSON()).toEqual(whole.toJSON());
    expect(a.estimate()).toBe(whole.estimate());
    expect(() => a.merge(new HyperLogLog(10))).toThrow(/precision/);
  });

  it('hashes strings and numbers in separate domains, and -0 as 0', () => {
    expect(hash64('1')).not.toEqual(hash64(1));
    expect(hash64(-0)).toEqual(hash64(0));
    expect(hash64('ab')).not.toEqual(hash64('ba'));
    expect(hash64('')).not.toEqual(hash64('\u0000'));
    // stable across runs and machines (sketches from different runs must merge): pinned values
    expect(hash64('hello')).toEqual([3523759028, 1458750274]);
    expect(hash64(1.5)).toEqual([3249124506, 3254243015]);
    expect(hash64('')).toEqual([1307940434, 4203942147]);
    const h = new HyperLogLog();
    h.update(1);
    h.update(1.0);
    h.update(-0);
    h.update(0);
    expect(Math.round(h.estimate())).toBe(2);
  });

  it('small counts are near exact (linear counting)', () => {
    const h = new HyperLogLog();
    expect(h.estimate()).toBe(0);
    for (let i = 0; i < 10; i++) h.update(i);
    expect(Math.round(h.estimate())).toBe(10);
  });

  it('round-trips through base64 JSON and validates it', () => {
    const h = new HyperLogLog();
    for (let i = 0; i < 5000; i++) h.update(`v${i}`);
    const json = JSON.parse(JSON.stringify(h.toJSON()));
    expect(json.registers.length).toBe(Math.ceil(4096 / 3) * 4);
    const back = HyperLogLog.fromJSON(json);
    expect(back.estimate()).toBe(h.estimate());
    expect(() => HyperLogLog.fromJSON({ p: 12, registers: 'AAAA' })).toThrow(/expected 4096 bytes/);
    expect(() => HyperLogLog.fromJSON({ p: 4, registers: Buffer.alloc(16, 99).toString('base64') })).toThrow(/exceeds/);
  });
});
