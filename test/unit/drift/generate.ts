/**
 * The generator specs of scripts/fixtures/drift_reference.py, reproduced bit for bit: xoshiro128**
 * (shared/rng.ts) and only correctly rounded IEEE operations, so both languages make the same values.
 * Also fixture loading (non-finite numbers are stored as the strings 'NaN', 'Infinity', '-Infinity').
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Rng } from '../../../shared/rng';

export interface GenSpec {
  dist: 'uniform' | 'normal' | 'skewed' | 'levels' | 'cat';
  n: number;
  seed: number;
  loc?: number;
  scale?: number;
  levels?: number;
  categories?: string[];
  weights?: number[];
}

/** Numbers for numeric specs, category strings for 'cat'. */
export function generate(spec: GenSpec): (number | string)[] {
  const rng = new Rng(spec.seed);
  const loc = spec.loc ?? 0;
  const scale = spec.scale ?? 1;
  const out: (number | string)[] = new Array(spec.n);
  const w = spec.weights ?? [];
  const total = w.reduce((s, x) => s + x, 0);
  for (let i = 0; i < spec.n; i++) {
    switch (spec.dist) {
      case 'uniform':
        out[i] = loc + scale * ((rng.nextU32() >>> 11) / 2097152);
        break;
      case 'normal': {
        let s = 0;
        for (let k = 0; k < 4; k++) s += rng.nextU32() >>> 11;
        out[i] = loc + scale * (s / 2097152 - 2);
        break;
      }
      case 'skewed': {
        const u = (rng.nextU32() >>> 16) / 65536;
        out[i] = loc + scale * (u * u);
        break;
      }
      case 'levels':
        out[i] = loc + scale * (rng.nextU32() % spec.levels!);
        break;
      case 'cat': {
        let r = rng.nextU32() % total;
        let k = 0;
        while (r >= w[k]!) {
          r -= w[k]!;
          k++;
        }
        out[i] = spec.categories![k]!;
        break;
      }
    }
  }
  return out;
}

export function numbers(spec: GenSpec): Float64Array {
  return Float64Array.from(generate(spec) as number[]);
}

export const FIXTURES = fileURLToPath(new URL('../../fixtures/drift/', import.meta.url));

/** Parses a fixture, turning the strings 'NaN', 'Infinity', '-Infinity' back into numbers. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(FIXTURES + name, 'utf8'), (_k, v: unknown) => {
    if (v === 'NaN') return Number.NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    return v;
  }) as T;
}

/** |actual − expected| ≤ rel·|expected| (NaN matches NaN, ±Infinity must match, and anything below 1e-300 counts as 0). */
export function expectClose(actual: number, expected: number, rel = 1e-9, label = ''): void {
  if (Number.isNaN(expected)) {
    expect(actual, label).toBeNaN();
    return;
  }
  if (!Number.isFinite(expected)) {
    expect(actual, label).toBe(expected);
    return;
  }
  const diff = Math.abs(actual - expected);
  const ok = diff <= rel * Math.abs(expected) || diff < 1e-300;
  if (!ok) expect.fail(`${label}: ${actual} vs ${expected} (relative error ${(diff / Math.abs(expected)).toExponential(2)} > ${rel})`);
}
