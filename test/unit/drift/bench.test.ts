/**
 * Drift of 1,000,000 current rows × 20 columns against a stored reference profile: profiling the
 * current data on the reference's bin edges, then the tests. Skipped unless MLOPS_BENCH=1:
 *   MLOPS_BENCH=1 npx vitest run test/unit/drift/bench.test.ts
 * (DRIFT_BENCH_ROWS overrides the number of current rows.) Prints seconds.
 */
import { describe, expect, it } from 'vitest';
import { datasetDrift } from '../../../shared/drift/drift';
import { DatasetProfiler, stringifyProfile, type DatasetProfile, type ProfileKind } from '../../../shared/profile/profile';
import { parseProfile } from '../../../shared/profile/format';
import { Rng } from '../../../shared/rng';

const ENABLED = process.env.MLOPS_BENCH === '1';
const ROWS = Number(process.env.DRIFT_BENCH_ROWS ?? 1_000_000);
const NUMERIC = 14;
const CATEGORICAL = 6;
const CATS = Array.from({ length: 12 }, (_, i) => `category-${i}`);

const kinds: Record<string, ProfileKind> = {};
for (let c = 0; c < NUMERIC; c++) kinds[`x${c}`] = 'numeric';
for (let c = 0; c < CATEGORICAL; c++) kinds[`c${c}`] = 'categorical';

/** Columnar data; columns x0 and c0 shifted when `shift`. */
function columns(n: number, seed: number, shift: boolean): Record<string, Float64Array | string[]> {
  const rng = new Rng(seed);
  const out: Record<string, Float64Array | string[]> = {};
  for (let c = 0; c < NUMERIC; c++) {
    const a = new Float64Array(n);
    const s = shift && c === 0 ? 0.3 : 0;
    for (let i = 0; i < n; i++) a[i] = c % 2 ? Math.exp(rng.nextNormal() + s) : 100 + 15 * (rng.nextNormal() + s);
    out[`x${c}`] = a;
  }
  for (let c = 0; c < CATEGORICAL; c++) {
    const a = new Array<string>(n);
    const p = shift && c === 0 ? 1 : 2;
    for (let i = 0; i < n; i++) a[i] = CATS[Math.floor(CATS.length * rng.nextDouble() ** p)]!;
    out[`c${c}`] = a;
  }
  return out;
}

function profileOf(data: Record<string, Float64Array | string[]>, n: number, reference?: DatasetProfile): DatasetProfile {
  const p = new DatasetProfiler(kinds, { reference });
  for (const [name, values] of Object.entries(data)) {
    if (values instanceof Float64Array) {
      const col = p.column(name);
      for (let i = 0; i < values.length; i++) col.updateNumber(values[i]!);
    } else p.updateColumn(name, values);
  }
  p.addRows(n);
  return p.toJSON();
}

describe.skipIf(!ENABLED)(`drift of ${ROWS} rows × 20 columns against a stored profile`, () => {
  for (const refRows of [200_000, 1000]) {
    it(`reference of ${refRows} rows`, { timeout: 600_000 }, () => {
      // the stored reference profile, as the registry would hand it over
      const stored = stringifyProfile(profileOf(columns(refRows, 1, false), refRows));
      const current = columns(ROWS, 2, true);
      const t0 = performance.now();
      const reference = parseProfile(stored);
      const t1 = performance.now();
      const cur = profileOf(current, ROWS, reference);
      const t2 = performance.now();
      const drift = datasetDrift(reference, cur);
      const t3 = performance.now();
      console.log(
        `reference ${refRows} rows (${(stored.length / 1e6).toFixed(2)} MB), current ${ROWS} rows: parse ${((t1 - t0) / 1000).toFixed(3)} s, ` +
          `profile on the reference's edges ${((t2 - t1) / 1000).toFixed(2)} s (${(((t2 - t1) * 1e6) / (ROWS * 20)).toFixed(0)} ns/value), ` +
          `tests ${((t3 - t2) / 1000).toFixed(3)} s; drifted: ${drift.driftedColumns.join(', ')}; tests: ${[...new Set(drift.columns.map((c) => c.test))].join(', ')}`,
      );
      expect(drift.driftedColumns).toContain('x0');
      expect(drift.driftedColumns).toContain('c0');
    });
  }
});
