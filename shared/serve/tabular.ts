/**
 * The tabular JSON forms people send rows in, read into columns (the shape the scorer's input mapping
 * takes):
 *   {"columns": [...], "data": [[...], ...]}                  pandas' split orient (MLflow: dataframe_split)
 *   {"dataframe_split": {"columns": [...], "data": [[...]]}}  MLflow
 *   {"records": [{...}, ...]}, {"dataframe_records": [...]}, {"instances": [{...}, ...]}
 *   [{...}, ...]                                              a bare list of records
 *   {"age": 42, "plan": "basic", ...}                         one record (what a FastAPI handler takes)
 * Cells are numbers, strings, booleans or null (a missing value). A record that lacks a key another
 * record has is remembered (absentAt), so a column the model needs is refused when absent, while a
 * column it ignores may come and go.
 */
import type { Cell } from '../data/types';
import { badRequest, isPlainObject, kindOf } from './http';

export interface Table {
  columns: string[];
  /** values[c][r] */
  values: Cell[][];
  rows: number;
  /** Per column: the first row (0-based) whose record lacks the key; -1 when every record has it. Absent for the split form. */
  absentAt?: Int32Array;
}

const FORMS =
  'Send rows as {"columns": [...], "data": [[...], ...]}, {"dataframe_split": {"columns": [...], "data": [...]}}, {"records": [{...}, ...]} (or "dataframe_records", "instances"), a list of records, or one record {"column": value, ...}.';

const MAX_COLUMNS = 10_000;

function cellOf(v: unknown, column: string, row: number): Cell {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  throw badRequest(`column '${column}' row ${row + 1}: ${kindOf(v)} is not a cell value; a cell is a number, a string, a boolean or null (missing)`);
}

function readSplit(o: Record<string, unknown>, where: string): Table {
  const { columns, data } = o;
  if (!Array.isArray(columns)) throw badRequest(`${where}"columns" must be a list of column names, got ${kindOf(columns)}`);
  if (!Array.isArray(data)) throw badRequest(`${where}"data" must be a list of rows (each a list of cells), got ${kindOf(data)}`);
  if (columns.length === 0) throw badRequest(`${where}"columns" is empty`);
  if (columns.length > MAX_COLUMNS) throw badRequest(`${where}"columns" has ${columns.length} names; at most ${MAX_COLUMNS}`);
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    if (typeof c !== 'string') throw badRequest(`${where}"columns"[${i}] is ${kindOf(c)}; column names are strings`);
    if (seen.has(c)) throw badRequest(`${where}column '${c}' appears twice in "columns"`);
    seen.add(c);
  });
  const names = columns as string[];
  const width = names.length;
  const rows = data.length;
  if (rows === 0) throw badRequest(`${where}"data" has no rows`);
  const values: Cell[][] = names.map(() => new Array<Cell>(rows));
  for (let r = 0; r < rows; r++) {
    const row = data[r];
    if (!Array.isArray(row)) throw badRequest(`${where}"data"[${r}] is ${kindOf(row)}; each row is a list of ${width} cells, in the order of "columns"`);
    if (row.length !== width) throw badRequest(`${where}"data"[${r}] has ${row.length} cells, but there are ${width} columns`);
    for (let c = 0; c < width; c++) {
      const v = row[c];
      values[c]![r] = v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : cellOf(v, names[c]!, r);
    }
  }
  return { columns: names, values, rows };
}

function readRecords(records: unknown[], where: string): Table {
  const rows = records.length;
  if (rows === 0) throw badRequest(`${where} has no records`);
  const index = new Map<string, number>();
  const columns: string[] = [];
  const values: Cell[][] = [];
  let counts = new Int32Array(16);
  for (let r = 0; r < rows; r++) {
    const rec = records[r];
    if (!isPlainObject(rec)) throw badRequest(`${where}[${r}] is ${kindOf(rec)}; each record is an object {"column": value, ...}`);
    for (const k in rec) {
      let c = index.get(k);
      if (c === undefined) {
        if (columns.length >= MAX_COLUMNS) throw badRequest(`the records have more than ${MAX_COLUMNS} distinct keys`);
        c = columns.length;
        index.set(k, c);
        columns.push(k);
        values.push(new Array<Cell>(rows).fill(null));
        if (c >= counts.length) {
          const grown = new Int32Array(counts.length * 2);
          grown.set(counts);
          counts = grown;
        }
      }
      counts[c]!++;
      const v = rec[k];
      values[c]![r] = v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : cellOf(v, k, r);
    }
  }
  const absentAt = new Int32Array(columns.length).fill(-1);
  for (let c = 0; c < columns.length; c++) {
    if (counts[c] === rows) continue;
    const key = columns[c]!;
    for (let r = 0; r < rows; r++) {
      if (!Object.hasOwn(records[r] as object, key)) {
        absentAt[c] = r;
        break;
      }
    }
  }
  return { columns, values, rows, absentAt };
}

/** Reads a tabular request body (parsed JSON) into columns; every malformed shape is a 400 that says what is wrong. */
export function readTable(body: unknown): Table {
  if (Array.isArray(body)) return readRecords(body, 'the list of records');
  if (!isPlainObject(body)) throw badRequest(`the body is ${kindOf(body)}, not rows. ${FORMS}`);
  if ('dataframe_split' in body) {
    const s = body.dataframe_split;
    if (!isPlainObject(s)) throw badRequest(`"dataframe_split" must be an object {"columns": [...], "data": [[...]]}, got ${kindOf(s)}`);
    return readSplit(s, 'dataframe_split: ');
  }
  if ('columns' in body || 'data' in body) return readSplit(body, '');
  for (const key of ['records', 'dataframe_records', 'instances'] as const) {
    if (key in body) {
      const list = body[key];
      if (!Array.isArray(list)) throw badRequest(`"${key}" must be a list of records, got ${kindOf(list)}`);
      return readRecords(list, `"${key}"`);
    }
  }
  if ('inputs' in body && Array.isArray(body.inputs)) {
    throw badRequest(`this endpoint takes rows; tensors ({"inputs": [{"name", "shape", "datatype", "data"}]}) go to /v2/models/{name}/infer. ${FORMS}`);
  }
  const keys = Object.keys(body);
  if (keys.length === 0) throw badRequest(`the body is an empty object. ${FORMS}`);
  // One record: every value must be a cell.
  for (const k of keys) {
    const v = body[k];
    if (!(v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) {
      throw badRequest(`key '${k}' holds ${kindOf(v)}: not a single record (whose values are cells) nor a known form. ${FORMS}`);
    }
  }
  return { columns: keys, values: keys.map((k) => [body[k] as Cell]), rows: 1, absentAt: new Int32Array(keys.length).fill(-1) };
}
