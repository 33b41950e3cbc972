/**
 * Loads the sklearn reference cases written by scripts/fixtures/metrics_reference.py and regenerates
 * the rows of the large cases with the same generator (xoshiro128**, exact IEEE arithmetic only).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { MetricsRng } from '../../../shared/metrics/rng';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/metrics/', import.meta.url));

interface RowGenerator {
  kind: 'binary' | 'regression';
  seed: number;
  n: number;
}

export interface ClassificationCase {
  name: string;
  task: 'classification';
  classes: string[];
  y_true?: number[];
  y_pred?: number[];
  proba?: number[] | null;
  generator?: RowGenerator;
  expected: Record<string, unknown> & {
    count: number;
    per_class: { class: string; precision: number; recall: number; f1: number; support: number }[];
    confusion_matrix: number[][];
  };
  undefined: string[];
  why: Record<string, string>;
}

export interface RegressionCase {
  name: string;
  task: 'regression';
  y_true?: number[];
  y_pred?: number[];
  generator?: RowGenerator;
  expected: Record<string, number> & { count: number };
  undefined: string[];
  why: Record<string, string>;
}

export type Case = ClassificationCase | RegressionCase;

export function loadCases(): Case[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(FIXTURE_DIR + f, 'utf8')) as Case);
}

export interface ClassificationRows {
  yTrue: Int32Array;
  yPred: Int32Array;
  proba: Float64Array | undefined;
}

/** Same rows as generate_binary() in the Python script. */
export function generateBinary(seed: number, n: number): ClassificationRows {
  const rng = new MetricsRng(seed);
  const yTrue = new Int32Array(n);
  const yPred = new Int32Array(n);
  const proba = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const s = (rng.nextU32() >>> 22) / 1024;
    const v = rng.nextU32() / 4294967296;
    yTrue[i] = v < 0.2 + 0.6 * s ? 1 : 0;
    proba[2 * i] = 1 - s;
    proba[2 * i + 1] = s;
    yPred[i] = s >= 0.5 ? 1 : 0;
  }
  return { yTrue, yPred, proba };
}

/** Same rows as generate_regression() in the Python script. */
export function generateRegression(seed: number, n: number): { yTrue: Float64Array; yPred: Float64Array } {
  const rng = new MetricsRng(seed);
  const yTrue = new Float64Array(n);
  const yPred = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = ((rng.nextU32() >>> 11) / 2097152) * 200 - 100;
    yTrue[i] = y;
    yPred[i] = y + ((rng.nextU32() >>> 11) / 2097152 - 0.5) * 10;
  }
  return { yTrue, yPred };
}

export function classificationRows(c: ClassificationCase): ClassificationRows {
  if (c.generator) return generateBinary(c.generator.seed, c.generator.n);
  return {
    yTrue: Int32Array.from(c.y_true!),
    yPred: Int32Array.from(c.y_pred!),
    proba: c.proba ? Float64Array.from(c.proba) : undefined,
  };
}

export function regressionRows(c: RegressionCase): { yTrue: Float64Array; yPred: Float64Array } {
  if (c.generator) return generateRegression(c.generator.seed, c.generator.n);
  return { yTrue: Float64Array.from(c.y_true!), yPred: Float64Array.from(c.y_pred!) };
}

/** |actual − expected| ≤ tol · max(1, |expected|): absolute near 0, relative for large values. */
export function expectClose(actual: unknown, expected: number, what: string, tol = 1e-9): void {
  expect(typeof actual, `${what} should be a number`).toBe('number');
  const a = actual as number;
  const err = Math.abs(a - expected);
  expect(err <= tol * Math.max(1, Math.abs(expected)), `${what}: got ${a}, sklearn ${expected} (diff ${err})`).toBe(true);
}

/** Splits n rows into consecutive batches of `size` (the last may be shorter). */
export function* batches(n: number, size: number): Generator<[number, number]> {
  for (let s = 0; s < n; s += size) yield [s, Math.min(n, s + size)];
}
