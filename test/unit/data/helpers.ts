/** Test helpers for the data readers (not a test file itself). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { UserError } from '../../../shared/errors';
import type { Cell, RowBatch } from '../../../shared/data/types';

/** A fresh temp directory, removed after the test file. */
export async function tempDir(prefix = 'mlops-data-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

let counter = 0;
/** Writes `content` to a new file named `name` (made unique) in `dir` and returns its path. */
export async function fixture(dir: string, name: string, content: string | Uint8Array): Promise<string> {
  const dot = name.lastIndexOf('.');
  const unique = dot > 0 ? `${name.slice(0, dot)}-${++counter}${name.slice(dot)}` : `${name}-${++counter}`;
  const path = join(dir, unique);
  await writeFile(path, content);
  return path;
}

export interface Collected {
  batches: RowBatch[];
  columns: string[];
  /** Rows in row-major form, across batches. */
  rows: Cell[][];
  lines: number[];
}

export async function collect(gen: AsyncIterable<RowBatch>): Promise<Collected> {
  const batches: RowBatch[] = [];
  const rows: Cell[][] = [];
  const lines: number[] = [];
  let columns: string[] = [];
  for await (const b of gen) {
    batches.push(b);
    columns = b.columns;
    expect(b.values.length).toBe(b.columns.length);
    for (const col of b.values) expect(col.length).toBe(b.length);
    for (let r = 0; r < b.length; r++) {
      rows.push(b.values.map((col) => col[r]!));
      if (b.lines) lines.push(b.lines[r]!);
    }
  }
  return { batches, columns, rows, lines };
}

/** The UserError a promise rejects with (fails the test when it resolves or rejects otherwise). */
export async function userError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError, but it succeeded');
}
