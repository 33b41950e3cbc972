import { describe, expect, test } from 'vitest';
import { HttpError } from '../../../shared/serve/http';
import { readTable } from '../../../shared/serve/tabular';

function error(body: unknown): string {
  try {
    readTable(body);
  } catch (e) {
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(400);
    return (e as HttpError).message;
  }
  throw new Error(`no error for ${JSON.stringify(body)}`);
}

describe('tabular request bodies', () => {
  test('split, dataframe_split, records, dataframe_records, instances, a list, one record', () => {
    const split = { columns: ['a', 'b'], data: [[1, 'x'], [null, 'y']] };
    const want = { columns: ['a', 'b'], values: [[1, null], ['x', 'y']], rows: 2 };
    expect(readTable(split)).toEqual(want);
    expect(readTable({ dataframe_split: { ...split, index: [0, 1] } })).toEqual(want);
    const records = [{ a: 1, b: 'x' }, { a: null, b: 'y' }];
    for (const body of [{ records }, { dataframe_records: records }, { instances: records }, records]) {
      expect(readTable(body)).toEqual({ ...want, absentAt: Int32Array.from([-1, -1]) });
    }
    expect(readTable({ a: 1, b: true })).toEqual({ columns: ['a', 'b'], values: [[1], [true]], rows: 1, absentAt: Int32Array.from([-1, -1]) });
  });

  test('records with different keys: the union, with the first row lacking each key', () => {
    const t = readTable({ records: [{ a: 1 }, { a: 2, b: 'x' }, { b: 'y' }, { a: 4, b: 'z' }] });
    expect(t.columns).toEqual(['a', 'b']);
    expect(t.values).toEqual([
      [1, 2, null, 4],
      [null, 'x', 'y', 'z'],
    ]);
    expect(Array.from(t.absentAt!)).toEqual([2, 0]);
  });

  test('malformed bodies are 400s that say what is wrong', () => {
    expect(error(42)).toMatch(/the body is a number, not rows/);
    expect(error(null)).toMatch(/the body is null/);
    expect(error({})).toMatch(/empty object/);
    expect(error({ columns: 'a', data: [] })).toMatch(/"columns" must be a list/);
    expect(error({ columns: ['a'], data: {} })).toMatch(/"data" must be a list of rows/);
    expect(error({ columns: [], data: [] })).toMatch(/"columns" is empty/);
    expect(error({ columns: ['a', 'a'], data: [[1, 2]] })).toMatch(/column 'a' appears twice/);
    expect(error({ columns: ['a', 3], data: [[1, 2]] })).toMatch(/"columns"\[1\] is a number/);
    expect(error({ columns: ['a'], data: [] })).toMatch(/"data" has no rows/);
    expect(error({ columns: ['a', 'b'], data: [[1, 2], [1]] })).toMatch(/"data"\[1\] has 1 cells, but there are 2 columns/);
    expect(error({ columns: ['a'], data: [5] })).toMatch(/"data"\[0\] is a number; each row is a list/);
    expect(error({ columns: ['a'], data: [[[1]]] })).toMatch(/column 'a' row 1: an array is not a cell value/);
    expect(error({ dataframe_split: [] })).toMatch(/"dataframe_split" must be an object/);
    expect(error({ records: {} })).toMatch(/"records" must be a list of records/);
    expect(error({ records: [] })).toMatch(/has no records/);
    expect(error({ records: [1] })).toMatch(/\[0\] is a number; each record is an object/);
    expect(error({ records: [{ a: { b: 1 } }] })).toMatch(/column 'a' row 1: an object is not a cell value/);
    expect(error([])).toMatch(/has no records/);
    expect(error({ a: [1, 2] })).toMatch(/key 'a' holds an array: not a single record/);
    expect(error({ inputs: [{ name: 'x' }] })).toMatch(/tensors .* go to \/v2\/models\/\{name\}\/infer/);
  });
});
