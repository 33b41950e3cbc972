import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Cell } from '../../../shared/data/types';
import { loadModel } from '../../../shared/model/infer';
import { HttpError } from '../../../shared/serve/http';
import { ServedModel } from '../../../shared/serve/served-model';
import type { Table } from '../../../shared/serve/tabular';
import { readInferRequest } from '../../../shared/serve/v2';
import { fixture, MODELS } from './helpers';

interface Expected {
  classes?: string[];
  predicted?: number[];
  probabilities?: number[][];
  values?: number[];
}
const EXPECTED: Record<string, Expected> = JSON.parse(readFileSync(join(MODELS, 'expected.json'), 'utf8'));

/** test/fixtures/models/table.csv as typed columns (numbers for numeric columns), as a JSON body would give them. */
function fixtureTable(): Table {
  const lines = readFileSync(join(MODELS, 'table.csv'), 'utf8').trim().split('\n');
  const columns = lines[0]!.split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  const values: Cell[][] = columns.map((c, j) => rows.map((r) => (['color', 'label'].includes(c) ? r[j]! : r[j] === '' ? null : Number(r[j]))));
  return { columns, values, rows: rows.length };
}

/** Rows [start, start + n) of a table. */
function rowsOf(t: Table, start: number, n: number): Table {
  return { columns: t.columns, values: t.values.map((c) => c.slice(start, start + n)), rows: n };
}

const served: ServedModel[] = [];
afterAll(() => {
  for (const m of served.splice(0)) m.retire();
});

async function serveFixture(name: string, batch = { maxWaitMs: 5 }): Promise<ServedModel> {
  const loaded = await loadModel(fixture(name), { intraOpNumThreads: 1 });
  const m = new ServedModel({ name, version: '1', digest: `sha256:${loaded.sha256}`, origin: name, loaded, batch });
  expect(await m.warmup()).toBeUndefined();
  served.push(m);
  return m;
}

function closeTo(a: ArrayLike<number>, b: number[], digits = 5): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i]!, digits);
}

describe('a served model', () => {
  test.each(['per_column_classifier', 'linear_classifier', 'zipmap_classifier', 'logits', 'regression_1d', 'fixed_batch'])(
    '%s: rows give the scorer\'s predictions, whole or one request per row, batched',
    async (name) => {
      const m = await serveFixture(name);
      const want = EXPECTED[name]!;
      const table = fixtureTable();
      const whole = await m.predictTable(table);
      const before = m.batcher.batches;
      const single = await Promise.all(Array.from({ length: table.rows }, (_, i) => m.predictTable(rowsOf(table, i, 1))));
      // One request per row, all at once: far fewer onnxruntime calls than requests (a fixed batch size of 2: 6).
      expect(m.batcher.batches - before).toBeLessThanOrEqual(name === 'fixed_batch' ? 12 : 2);
      for (const r of [whole, { ...whole, values: single[0]!.values && Float64Array.from(single.flatMap((s) => [...s.values!])), predicted: single[0]!.predicted && Int32Array.from(single.flatMap((s) => [...s.predicted!])), probabilities: single[0]!.probabilities && Float64Array.from(single.flatMap((s) => [...s.probabilities!])) }]) {
        if (want.values) closeTo(r.values!, want.values);
        if (want.predicted) expect(Array.from(r.predicted!)).toEqual(want.predicted);
        if (want.probabilities) closeTo(r.probabilities!, want.probabilities.flat());
      }
      if (want.classes) expect(m.labels).toEqual(want.classes);
    },
  );

  test('the columns the model reads are reported (for the log), and bad rows are 400s', async () => {
    const m = await serveFixture('per_column_classifier');
    const r = await m.predictTable(fixtureTable());
    expect(r.used.map((u) => u.name)).toEqual(['x1', 'x2', 'color']);
    const bad = fixtureTable();
    bad.values[bad.columns.indexOf('x2')]![3] = 'lots';
    await expect(m.predictTable(bad)).rejects.toThrow(/column 'x2' row 4: "lots" is not a number, and model input 'x2' is float32/);
    const missing: Table = { columns: ['x1', 'colour'], values: [[1], ['red']], rows: 1 };
    const err = await m.predictTable(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(400);
    expect((err as HttpError).message).toMatch(/'x2', 'color' are not in the data, which has 'x1', 'colour'/);
    const absent: Table = { columns: ['x1', 'x2', 'color'], values: [[1, 2], [1, 2], ['red', 'blue']], rows: 2, absentAt: Int32Array.from([-1, 1, -1]) };
    await expect(m.predictTable(absent)).rejects.toThrow(/record 2 has no 'x2', which the model needs; send null for a missing value/);
  });

  test('v2 tensors: concurrent requests share a batch and get their own rows', async () => {
    const m = await serveFixture('per_column_classifier');
    const table = fixtureTable();
    const col = (name: string) => table.values[table.columns.indexOf(name)]!;
    const request = (i: number) =>
      readInferRequest(
        {
          inputs: [
            { name: 'x1', shape: [1, 1], datatype: 'FP32', data: [col('x1')[i]] },
            { name: 'x2', shape: [1, 1], datatype: 'FP32', data: [col('x2')[i]] },
            { name: 'color', shape: [1, 1], datatype: 'BYTES', data: [col('color')[i]] },
          ],
        },
        m.loaded.signature.inputs,
        m.outputNames,
      );
    const before = m.batcher.batches;
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => m.infer(request(i))));
    expect(m.batcher.batches - before).toBe(1);
    const want = EXPECTED.per_column_classifier!;
    results.forEach((r, i) => {
      const label = r.outputs.find((o) => o.name === 'label')!;
      const probs = r.outputs.find((o) => o.name === 'probabilities')!;
      expect(label).toMatchObject({ datatype: 'BYTES', shape: [1] });
      expect(label.data).toEqual([want.classes![want.predicted![i]!]]);
      expect(probs.shape).toEqual([1, 3]);
      closeTo(probs.data as number[], want.probabilities![i]!);
      expect(r.decoded!.target.predicted![r.decoded!.offset]).toBe(want.predicted![i]);
    });
  });

  test('a model whose outputs are not predictions serves tensors only', async () => {
    const m = await serveFixture('image_input');
    const meta = m.metadata();
    expect(meta).toMatchObject({ name: 'image_input', versions: ['1'], platform: 'onnxruntime', inputs: [{ name: 'pixels', datatype: 'FP32', shape: [-1, 3, 4, 4] }] });
    const data = Array.from({ length: 2 * 48 }, (_, i) => i / 96);
    const r = await m.infer(readInferRequest({ inputs: [{ name: 'pixels', shape: [2, 3, 4, 4], datatype: 'FP32', data }] }, m.loaded.signature.inputs, m.outputNames));
    expect(r.outputs[0]).toMatchObject({ name: 'value', shape: [2, 1] });
    await expect(m.predictTable({ columns: ['pixels'], values: [[1]], rows: 1 })).rejects.toThrow(/cannot feed model input 'pixels'/);
  });

  test('retired, it is released after its last request', async () => {
    const m = await serveFixture('per_column_classifier');
    m.acquire();
    const pending = m.predictTable(fixtureTable());
    m.retire();
    expect(m.isReleased).toBe(false);
    const r = await pending;
    expect(r.rows).toBe(12);
    m.release();
    await m.batcher.idle();
    expect(m.isReleased).toBe(true);
  });
});
