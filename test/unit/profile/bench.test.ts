/**
 * Throughput of the sketches on 20 million values. Skipped unless MLOPS_BENCH=1:
 *   MLOPS_BENCH=1 npx vitest run test/unit/profile/bench.test.ts
 * (PROFILE_BENCH_N overrides the number of values.) Prints ns per update.
 */
import { describe, expect, it } from 'vitest';
import { HyperLogLog } from '../../../shared/profile/hll';
import { KllSketch } from '../../../shared/profile/kll';
import { ColumnProfiler } from '../../../shared/profile/profile';
import { Reservoir } from '../../../shared/profile/reservoir';
import { Rng } from '../../../shared/profile/rng';
import { FrequentItems } from '../../../shared/profile/topk';

const ENABLED = process.env.MLOPS_BENCH === '1';
const N = Number(process.env.PROFILE_BENCH_N ?? 20_000_000);

function measure(label: string, run: () => void): number {
  const t0 = process.hrtime.bigint();
  run();
  const ns = Number(process.hrtime.bigint() - t0) / N;
  console.log(`${label.padEnd(44)} ${ns.toFixed(1).padStart(7)} ns/update`);
  return ns;
}

describe.skipIf(!ENABLED)(`sketch throughput on ${N} values`, () => {
  it('measures', { timeout: 600_000 }, () => {
    const rng = new Rng(1);
    const normal = new Float64Array(N);
    for (let i = 0; i < N; i++) normal[i] = 100 + 15 * rng.nextNormal();
    const cats = Array.from({ length: 1000 }, (_, i) => `category-${i}`);
    const catIdx = new Uint16Array(N);
    for (let i = 0; i < N; i++) catIdx[i] = Math.floor(1000 * rng.nextDouble() ** 3);
    const ids = Array.from({ length: 1_000_000 }, (_, i) => `user-${i}@example.com`);

    const results: Record<string, number> = {};
    const kll = new KllSketch();
    results.kll = measure('KLL update (k=200, normal doubles)', () => {
      for (let i = 0; i < N; i++) kll.update(normal[i]!);
    });
    const hll = new HyperLogLog();
    results.hllNumber = measure('HLL updateNumber (distinct doubles)', () => {
      for (let i = 0; i < N; i++) hll.updateNumber(normal[i]!);
    });
    const hlls = new HyperLogLog();
    results.hllString = measure('HLL updateString (~20-char ids, 1M distinct)', () => {
      for (let i = 0; i < N; i++) hlls.updateString(ids[i % 1_000_000]!);
    });
    const tk = new FrequentItems();
    results.topkNumbers = measure('top-k update (all-distinct doubles)', () => {
      for (let i = 0; i < N; i++) tk.update(normal[i]!);
    });
    const tkc = new FrequentItems();
    results.topkCats = measure('top-k update (1000 skewed categories)', () => {
      for (let i = 0; i < N; i++) tkc.update(cats[catIdx[i]!]!);
    });
    const res = new Reservoir();
    results.reservoir = measure('reservoir update (1000)', () => {
      for (let i = 0; i < N; i++) res.update(normal[i]!);
    });
    const cp = new ColumnProfiler('numeric');
    results.profilerNumeric = measure('ColumnProfiler.update numeric', () => {
      for (let i = 0; i < N; i++) cp.update(normal[i]!);
    });
    const cc = new ColumnProfiler('categorical');
    results.profilerCategorical = measure('ColumnProfiler.update categorical', () => {
      for (let i = 0; i < N; i++) cc.update(cats[catIdx[i]!]!);
    });
    const t0 = process.hrtime.bigint();
    const json = cp.toJSON();
    console.log(`toJSON of the numeric column: ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms, ${JSON.stringify(json).length} bytes`);
    expect(kll.n).toBe(N);
    expect(json.counts.n).toBe(N);
    console.log(JSON.stringify(results));
  });
});
