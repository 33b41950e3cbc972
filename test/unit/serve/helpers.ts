/** Test helpers for the model server (not a test file itself). */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { train, type FeatureColumn, type TrainedModel } from '../../../shared/model/trainers';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MODELS = join(ROOT, 'test/fixtures/models');
export const CHURN = join(ROOT, 'examples/churn/train.csv');

export function fixture(name: string): string {
  return join(MODELS, `${name}.onnx`);
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

export async function tempDir(prefix = 'serve-test-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** The churn training data (no quoted fields) as rows of strings, with the header. */
let churn: { header: string[]; rows: string[][] } | undefined;
export function churnRows(): { header: string[]; rows: string[][] } {
  if (churn) return churn;
  const lines = readFileSync(CHURN, 'utf8').trimEnd().split('\n');
  churn = { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
  return churn;
}

export const NUMERIC = ['age', 'tenure_months', 'monthly_charges', 'support_calls'];
export const CATEGORICAL = ['plan', 'contract', 'payment_method'];

/** A built-in model trained on the churn data: logistic on `churned`, or ridge on `monthly_charges`. */
export function trainChurn(kind: 'logistic' | 'ridge', features: string[]): TrainedModel {
  const { header, rows } = churnRows();
  const col = (name: string) => header.indexOf(name);
  const columns: FeatureColumn[] = features.map((name) =>
    CATEGORICAL.includes(name)
      ? { name, kind: 'categorical' as const, values: rows.map((r) => r[col(name)] ?? null) }
      : { name, kind: 'numeric' as const, values: Float64Array.from(rows, (r) => (r[col(name)] === '' ? NaN : Number(r[col(name)]))) },
  );
  const target = kind === 'logistic' ? 'churned' : 'monthly_charges';
  return train(kind, { columns, target: { name: target, values: Float64Array.from(rows, (r) => Number(r[col(target)])) } });
}

export async function writeModel(dir: string, name: string, model: TrainedModel): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, model.onnx);
  return path;
}

/** A churn row as a record (numbers for numeric columns). */
export function churnRecord(i: number): Record<string, string | number> {
  const { header, rows } = churnRows();
  const r = rows[i % rows.length]!;
  const out: Record<string, string | number> = {};
  header.forEach((h, j) => (out[h] = CATEGORICAL.includes(h) || h === 'customer_id' || h === 'signup_date' || h === 'region' ? r[j]! : Number(r[j])));
  return out;
}
