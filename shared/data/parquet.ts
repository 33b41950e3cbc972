/**
 * Parquet reader on hyparquet. Reads one row group at a time (memory is bounded by the largest row
 * group, not the file), and emits it as batches of at most `batchSize` rows.
 *
 * Cells: int64 becomes a number when it is a safe integer, else a bigint; dates and timestamps are
 * Dates (hyparquet converts them); strings, numbers and booleans stay; nested values (lists, structs,
 * maps) become their JSON text; raw binary becomes base64 text.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { UserError } from '../errors';
import { DEFAULT_BATCH_SIZE, displayPath, positiveInt, type ReaderOptions } from './common';
import type { Cell, RowBatch } from './types';

export interface ParquetReadOptions extends ReaderOptions {}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export async function* readParquet(file: string, options: ParquetReadOptions = {}): AsyncGenerator<RowBatch> {
  const batchSize = positiveInt(options.batchSize, DEFAULT_BATCH_SIZE);
  const where = displayPath(file);
  // hyparquet is loaded on the first Parquet file: CSV and JSONL runs do not compile it at start-up.
  const { parquetMetadataAsync, parquetRead, parquetSchema } = await import('hyparquet');
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const buffer = fileBuffer(fh, size);
    let metadata: FileMetaData;
    let columns: string[];
    try {
      metadata = await parquetMetadataAsync(buffer);
      columns = parquetSchema(metadata).children.map((c) => c.element.name);
    } catch (e) {
      throw notParquet(where, e);
    }
    const totalRows = Number(metadata.num_rows);
    const index = new Map(columns.map((name, i) => [name, i]));
    let groupStart = 0;
    let emitted = false;
    for (const group of metadata.row_groups) {
      const n = Number(group.num_rows);
      if (n === 0) continue;
      const data: Cell[][] = columns.map(() => new Array<Cell>(n).fill(null));
      try {
        await parquetRead({
          file: buffer,
          metadata,
          rowStart: groupStart,
          rowEnd: groupStart + n,
          onChunk(chunk) {
            const c = index.get(chunk.columnName);
            if (c === undefined) return;
            copyCells(chunk.columnData, chunk.rowStart - groupStart, data[c]!, n);
          },
        });
      } catch (e) {
        throw notParquet(where, e);
      }
      for (let s = 0; s < n; s += batchSize) {
        const e = Math.min(n, s + batchSize);
        const values = s === 0 && e === n ? data : data.map((col) => col.slice(s, e));
        emitted = true;
        yield { file, firstRow: groupStart + s, length: e - s, columns, values };
      }
      groupStart += n;
      options.onProgress?.(totalRows > 0 ? Math.round((size * groupStart) / totalRows) : size, size);
    }
    if (!emitted) yield { file, firstRow: 0, length: 0, columns, values: columns.map(() => []) };
    options.onProgress?.(size, size);
  } finally {
    await fh.close();
  }
}

/** An AsyncBuffer reading ranges of an open file. */
function fileBuffer(fh: FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? size, size);
      const length = Math.max(0, stop - start);
      const bytes = new Uint8Array(length);
      let off = 0;
      while (off < length) {
        const { bytesRead } = await fh.read(bytes, off, length - off, start + off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return bytes.buffer;
    },
  };
}

/** Copies decoded values into `dst` starting at row `offset` of the group (values outside are dropped). */
function copyCells(src: ArrayLike<unknown>, offset: number, dst: Cell[], n: number): void {
  const from = Math.max(0, -offset);
  const to = Math.min(src.length, n - offset);
  if (src instanceof Float64Array || src instanceof Float32Array || src instanceof Int32Array || src instanceof Uint32Array) {
    for (let i = from; i < to; i++) dst[offset + i] = src[i]!;
    return;
  }
  for (let i = from; i < to; i++) dst[offset + i] = toCell(src[i]);
}

export function toCell(v: unknown): Cell {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return v;
    case 'bigint':
      return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
    case 'undefined':
      return null;
    case 'object':
      if (v === null || v instanceof Date) return v;
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
      return JSON.stringify(v, jsonReplacer);
    default:
      return String(v);
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return value;
}

function notParquet(file: string, e: unknown): UserError {
  const reason = (e instanceof Error ? e.message : String(e)).replace(/^parquet /, '');
  if (/unsupported compression codec/.test(reason)) {
    return new UserError(
      `cannot read Parquet file: ${reason}`,
      { file },
      'Write the file with SNAPPY compression or none (e.g. pandas: df.to_parquet(path, compression="snappy")).',
    );
  }
  return new UserError(
    `not a Parquet file or truncated: ${reason}`,
    { file },
    'Check that the file is a complete Parquet file (an interrupted upload or a Git LFS pointer file looks like this), or set the `format` input if it is not Parquet.',
  );
}
