import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { readParquet } from '../../../shared/data/parquet';
import { collect, tempDir, userError } from './helpers';

let dir: string;
let path: string;

const UNSAFE = 2n ** 53n + 1n;
const dates = [0, 1, 2, 3, 4, 5, 6].map((d) => new Date(Date.UTC(2024, 0, 1 + d, 12, 30)));

beforeAll(async () => {
  dir = await tempDir('mlops-parquet-');
  path = join(dir, 'data.parquet');
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: [1, 2, 3, 4, 5, 6, 7], type: 'INT32' },
      { name: 'big', data: [0n, 1n, -5n, UNSAFE, -(2n ** 60n), 42n, 7n], type: 'INT64' },
      { name: 'score', data: [0.5, null, 1.5, -2.25, 1e300, 0, 3], type: 'DOUBLE' },
      { name: 'name', data: ['a', 'b', null, 'é日😀', '', 'f', 'g'], type: 'STRING' },
      { name: 'flag', data: [true, false, true, null, false, true, false], type: 'BOOLEAN' },
      { name: 'ts', data: dates, type: 'TIMESTAMP' },
      { name: 'meta', data: [{ k: [1, 2] }, null, { k: [] }, { s: 'x' }, null, [1], { n: null }], type: 'JSON' },
    ],
    rowGroupSize: 3,
  });
  await writeFile(path, new Uint8Array(buffer));
});

describe('readParquet', () => {
  it('round-trips a file written by hyparquet-writer, one row group at a time', async () => {
    const r = await collect(readParquet(path, { batchSize: 2 }));
    expect(r.columns).toEqual(['id', 'big', 'score', 'name', 'flag', 'ts', 'meta']);
    // Row groups of 3, 3 and 1 rows, each cut into batches of at most 2.
    expect(r.batches.map((b) => [b.firstRow, b.length])).toEqual([
      [0, 2],
      [2, 1],
      [3, 2],
      [5, 1],
      [6, 1],
    ]);
    for (const b of r.batches) {
      expect(b.file).toBe(path);
      expect(b.lines).toBeUndefined();
    }
    const col = (name: string) => r.rows.map((row) => row[r.columns.indexOf(name)]);
    expect(col('id')).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(col('big')).toEqual([0, 1, -5, UNSAFE, -(2n ** 60n), 42, 7]);
    expect(typeof col('big')[0]).toBe('number');
    expect(typeof col('big')[3]).toBe('bigint');
    expect(col('score')).toEqual([0.5, null, 1.5, -2.25, 1e300, 0, 3]);
    expect(col('name')).toEqual(['a', 'b', null, 'é日😀', '', 'f', 'g']);
    expect(col('flag')).toEqual([true, false, true, null, false, true, false]);
    expect(col('ts')).toEqual(dates);
    expect(col('ts')[0]).toBeInstanceOf(Date);
    expect(col('meta')).toEqual(['{"k":[1,2]}', null, '{"k":[]}', '{"s":"x"}', null, '[1]', '{"n":null}']);
  });

  it('uses whole row groups as batches when they fit', async () => {
    const r = await collect(readParquet(path));
    expect(r.batches.map((b) => [b.firstRow, b.length])).toEqual([
      [0, 3],
      [3, 3],
      [6, 1],
    ]);
  });

  it('reports progress up to the file size', async () => {
    const seen: number[] = [];
    let total = 0;
    await collect(
      readParquet(path, {
        onProgress: (done, t) => {
          seen.push(done);
          total = t;
        },
      }),
    );
    expect(seen.at(-1)).toBe(total);
    expect(total).toBe((await readFile(path)).length);
  });

  it('rejects a truncated file', async () => {
    const bytes = await readFile(path);
    const cut = join(dir, 'cut.parquet');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const err = await userError(collect(readParquet(cut)));
    expect(err.message).toMatch(/^not a Parquet file or truncated: /);
    expect(err.location).toEqual({ file: cut });
    expect(err.hint).toBeTruthy();
  });

  it('rejects a file that is not Parquet, and an empty file', async () => {
    const csv = join(dir, 'really.parquet');
    await writeFile(csv, 'a,b\n1,2\n');
    const err = await userError(collect(readParquet(csv)));
    expect(err.message).toMatch(/^not a Parquet file or truncated: /);
    expect(err.location).toEqual({ file: csv });

    const empty = join(dir, 'empty.parquet');
    await writeFile(empty, '');
    expect((await userError(collect(readParquet(empty)))).message).toMatch(/^not a Parquet file or truncated: /);
  });
});
