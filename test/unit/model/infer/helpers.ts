/** Test helpers for model inference (not a test file itself). */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import { readCsv } from '../../../../shared/data/csv';
import type { Cell, RowBatch } from '../../../../shared/data/types';
import { UserError } from '../../../../shared/errors';
import { loadModel, type LoadedModel, type LoadModelOptions } from '../../../../shared/model/infer';
import type { ScoredBatch } from '../../../../shared/model/infer';

export const MODELS = fileURLToPath(new URL('../../../fixtures/models/', import.meta.url));
export const TABLE = join(MODELS, 'table.csv');

export function modelPath(name: string): string {
  return join(MODELS, `${name}.onnx`);
}

export interface Expected {
  classes?: string[];
  predicted?: number[];
  labels?: string[];
  probabilities?: number[][];
  values?: number[];
  scores?: number[];
  logits?: number[][];
}

export const EXPECTED: Record<string, Expected> = JSON.parse(readFileSync(join(MODELS, 'expected.json'), 'utf8'));

const loaded: LoadedModel[] = [];
afterAll(async () => {
  for (const m of loaded.splice(0)) await m.release();
});

/** Loads a fixture model (released after the test file). */
export async function fixtureModel(name: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const m = await loadModel(modelPath(name), { intraOpNumThreads: 1, ...options });
  loaded.push(m);
  return m;
}

/** The table as CSV batches (string cells, with lines). */
export function tableBatches(batchSize = 65536): AsyncGenerator<RowBatch> {
  return readCsv(TABLE, { batchSize });
}

/** The table parsed as typed cells (numbers for numeric columns), as one batch without lines (like Parquet). */
export function typedTable(): RowBatch {
  const text = readFileSync(TABLE, 'utf8').trim().split('\n');
  const columns = text[0]!.split(',');
  const rows = text.slice(1).map((l) => l.split(','));
  const values: Cell[][] = columns.map((c, j) => rows.map((r) => (['color', 'label'].includes(c) ? r[j]! : Number(r[j]))));
  return { file: 'table.parquet', firstRow: 0, length: rows.length, columns, values };
}

/** A batch from columns of cells. */
export function batchOf(columns: Record<string, Cell[]>, extra: Partial<RowBatch> = {}): RowBatch {
  const names = Object.keys(columns);
  const length = columns[names[0]!]!.length;
  return { file: 'data.csv', firstRow: 0, length, columns: names, values: names.map((n) => columns[n]!), lines: Int32Array.from({ length }, (_, i) => i + 2), ...extra };
}

export async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

/** Concatenated predictions of scored batches. */
export function flatten(batches: ScoredBatch[]): { predicted: number[]; probabilities: number[]; values: number[]; targetIndex: number[]; rows: number[] } {
  const out = { predicted: [] as number[], probabilities: [] as number[], values: [] as number[], targetIndex: [] as number[], rows: [] as number[] };
  for (const b of batches) {
    for (let r = 0; r < b.length; r++) out.rows.push(b.firstRow + r);
    if (b.task === 'classification') {
      out.predicted.push(...b.predicted);
      if (b.probabilities) out.probabilities.push(...b.probabilities);
      if (b.targetIndex) out.targetIndex.push(...b.targetIndex);
    } else {
      out.values.push(...b.values);
    }
  }
  return out;
}

export function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) ? !Number.isNaN(a) : !(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) {
      throw new Error(`element ${i}: ${a} is not within ${tol} of ${e}`);
    }
  }
}

/** The UserError a promise rejects with (fails the test when it resolves or rejects otherwise). */
export async function userError(p: Promise<unknown> | (() => unknown)): Promise<UserError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError, but it succeeded');
}

/** A temp directory removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mlops-infer-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function writeTemp(dir: string, name: string, content: string | Uint8Array): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, content);
  return p;
}
