import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { FeatureColumn, FeatureTable, TrainingTable } from '../../../../shared/model/trainers';

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/trainers/', import.meta.url));

/** A fixture CSV (all numeric, header row, target last, no quoting) as a training table. */
export function readFixtureTable(file: string): TrainingTable {
  const lines = readFileSync(FIXTURES + file, 'utf8').trimEnd().split('\n');
  const header = (lines[0] as string).split(',');
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  const col = (j: number) => Float64Array.from(rows, (r) => r[j] as number);
  const last = header.length - 1;
  return {
    columns: header.slice(0, last).map((name, j) => ({ name, kind: 'numeric' as const, values: col(j) })),
    target: { name: header[last] as string, values: col(last) },
  };
}

export function readReference(): Reference {
  return JSON.parse(readFileSync(FIXTURES + 'reference.json', 'utf8')) as Reference;
}

export interface ClassificationReference {
  task: 'classification';
  features: string[];
  classes: number[];
  n_train: number;
  n_test: number;
  scaler_mean: number[];
  scaler_scale: number[];
  test_accuracy: number;
  coef_shape: [number, number];
  coef: number[];
  intercept: number[];
  test_proba: number[];
  exact: { test_accuracy: number; coef: number[]; intercept: number[]; test_proba: number[] };
}

export interface RegressionReference {
  task: 'regression';
  features: string[];
  n_train: number;
  n_test: number;
  scaler_mean: number[];
  scaler_scale: number[];
  test_rmse: number;
  coef: number[];
  intercept: number;
  test_pred: number[];
}

export interface Reference {
  sklearn_version: string;
  datasets: { breast_cancer: ClassificationReference; wine: ClassificationReference; diabetes: RegressionReference };
}

/** ORT feeds for a feature table: numeric → float32 [n, 1], categorical → string [n, 1] (null → ''). */
export function feeds(table: FeatureTable, names?: string[]): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const c of table.columns) {
    if (names && !names.includes(c.name)) continue;
    const n = c.values.length;
    out[c.name] =
      c.kind === 'numeric'
        ? new ort.Tensor('float32', Float32Array.from(c.values), [n, 1])
        : new ort.Tensor('string', c.values.map((v) => v ?? ''), [n, 1]);
  }
  return out;
}

export async function runOnnx(bytes: Uint8Array, table: FeatureTable): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds(table, [...session.inputNames]));
  } finally {
    await session.release();
  }
}

/** Largest |a − b| / max(1, |b|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)) / Math.max(1, Math.abs(b[i] as number)));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Deterministic pseudo-random numbers (mulberry32) for synthetic data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal via Box–Muller. */
export function normal(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export function numeric(name: string, values: ArrayLike<number>): FeatureColumn {
  return { name, kind: 'numeric', values: Float64Array.from(values) };
}

export function categorical(name: string, values: (string | null)[]): FeatureColumn {
  return { name, kind: 'categorical', values };
}
