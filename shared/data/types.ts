import type { BufferPool } from './pool';

/**
 * The data layer's contract. Readers stream a dataset as batches of rows in columnar form, with the
 * physical line each row starts on (so a check can point at file:line), in constant memory in rows.
 */
export type DataFormat = 'csv' | 'jsonl' | 'parquet';

/**
 * A raw cell as the file holds it. CSV cells are strings (a null marker becomes null); JSONL cells are
 * the parsed JSON values (objects and arrays are kept as JSON text); Parquet cells are decoded values
 * (int64 as bigint when it does not fit a double exactly, dates as Date).
 */
export type Cell = string | number | boolean | bigint | Date | null;

export interface RowBatch {
  /** File the rows came from, as matched by the pattern. */
  file: string;
  /** 0-based index of the first row of this batch within its file. */
  firstRow: number;
  /** Number of rows in this batch. */
  length: number;
  /** Column names, in the order the file has them (for JSONL: first-seen order across the file). */
  columns: string[];
  /** values[c][r]: the cell of column c in row r of this batch. Absent JSONL keys are null. */
  values: Cell[][];
  /**
   * 1-based line on which each row starts (CSV: a quoted field may span lines; JSONL: the line of the
   * object). Absent for Parquet, whose rows have no lines: report `row N` instead.
   */
  lines?: Int32Array;
  /**
   * CSV read with `raw: true`: the cells as ranges of one decoded text, so a consumer can type and hash
   * them without allocating a string per cell. `values` is then built only when first read.
   */
  raw?: RawCells;
}

export interface RawCells {
  text: string;
  /** Cell (row r, column c) is text[starts[i], ends[i]) with i = r * columns.length + c (quotes excluded). */
  starts: Int32Array;
  ends: Int32Array;
  /** 0 plain, 1 quoted, 2 quoted with doubled quotes (the value is in `escaped`), 3 null marker. */
  flags: Uint8Array;
  escaped: Map<number, string>;
  /**
   * The text's characters one byte each, when every one is ASCII and the reader was asked for them
   * (ReadOptions.rawBytes): typed-array reads are about half the cost of charCodeAt, so a consumer that
   * scans cells (parses numbers, matches categories) reads these when they are there. The consumer's own copy.
   */
  bytes?: Uint8Array;
}

export interface ReadOptions {
  /** Overrides the format inferred from the file extension. */
  format?: DataFormat;
  /** CSV field delimiter; default ',' (and '\t' for .tsv). */
  delimiter?: string;
  /** Rows per batch; default 65536. */
  batchSize?: number;
  /** CSV strings read as null; default ['', 'NA', 'N/A', 'null', 'NULL', 'None', '<NA>']. */
  nullValues?: string[];
  /** CSV only: also provide `raw` cell ranges (see RowBatch.raw); batches then end at chunk boundaries. */
  raw?: boolean;
  /**
   * With `raw`: take each batch's cell arrays and `lines` from this pool (views of its buffers). The
   * consumer gives the buffers back when it is done with a batch; else they are left to the GC.
   */
  pool?: BufferPool;
  /** With `raw`: give each batch whose text is all ASCII its bytes as well (RawCells.bytes). */
  rawBytes?: boolean;
  /**
   * With `raw`: read and tokenize a large CSV file (16 MiB and more) on a worker thread, so that the
   * consumer's work on one batch overlaps the reading of the next (see csv-thread.ts). The batches are
   * the same; each one is the consumer's to keep (no pool), unless `recycle`.
   */
  thread?: boolean;
  /**
   * With `thread`: the consumer is done with a batch when it asks for the next one, so its arrays go
   * back to the reader thread for the batches after (no new buffers, no garbage on either thread).
   */
  recycle?: boolean;
  /**
   * CSV: also hash each file's bytes as they are read, and call this with its sha256 (hex) at its end,
   * so the caller need not read the file again for hashDataset (see its `known`).
   */
  onFileHash?: (file: string, sha256: string) => void;
  /** Receives bytes read so far for progress display. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface DatasetFile {
  path: string;
  size: number;
}
