/**
 * A CSV file read and tokenized on a worker thread (dist/csv-worker.js). The worker runs readCsv with
 * `raw` cells and posts each batch (its text, or only its bytes when it is ASCII: LazyTextCells; its
 * cell ranges and lines; the arrays transferred, not copied) while this thread works on the one
 * before: for a consumer as busy as evaluate's scorer, reading then costs almost no time of its own.
 * The batches, their order and any error are exactly readCsv's: an error is thrown where readCsv
 * would throw it, after the batches before it. With ReadOptions.onFileHash the worker hashes the
 * bytes as it reads them; with ReadOptions.recycle the batches' arrays go back to it for reuse.
 *
 * Used for files of THREAD_MIN_BYTES and more when the worker bundle is there (not when running from
 * TypeScript sources). MLOPS_READ_THREAD=off turns it off; MLOPS_READ_THREAD_MIN_BYTES sets the size
 * (tests).
 */
import { Worker } from 'node:worker_threads';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundled } from '../bundled';
import { fromThreadError, type ThreadError } from '../errors';
import { csvBatch, type CsvReadOptions } from './csv';
import type { RowBatch } from './types';
import { LazyTextCells, cellBuffers, type PostedCells } from './cells';

export const THREAD_MIN_BYTES = 16 * 1024 * 1024;
/** Batches the worker may post before this thread has taken them: bounds memory. */
export const AHEAD = 4;

/** What the worker is started with: the reader's options that are plain data. */
export interface CsvWorkerData {
  file: string;
  options: Pick<CsvReadOptions, 'delimiter' | 'nullValues' | 'batchSize' | 'chunkSize' | 'rawBytes' | 'recycle'>;
  /** Whether to hash the bytes as they are read (ReadOptions.onFileHash). */
  hash: boolean;
}

export type FromCsvWorker =
  // `raw` without its text when it has the bytes (the text is made from them if it is read: LazyTextCells).
  | { type: 'batch'; firstRow: number; length: number; columns: string[] | undefined; lines: Int32Array; raw: PostedCells; bytesRead: number; totalBytes: number }
  | { type: 'end'; sha256: string | undefined; cpuMs?: number; buffers?: { taken: number; reused: number } }
  | ThreadError;

function workerFile(): string | undefined {
  return bundled('csv-worker.js');
}

/** To the reader thread: room for one more batch, or (with `recycle`) a taken batch's buffers. */
export type ToCsvWorker = 'more' | { spent: ArrayBuffer[] };

/** The buffers a posted batch transfers (and, with `recycle`, gets back). */
export function spentBuffers(raw: PostedCells, lines: Int32Array): ArrayBuffer[] {
  return [...cellBuffers(raw), lines.buffer as ArrayBuffer];
}

/** Whether a CSV file of `size` bytes read with `options` is read on a worker thread. */
export function readsOnThread(size: number, options: CsvReadOptions): boolean {
  if (!options.thread || !options.raw || options.pool) return false;
  if (process.env.MLOPS_READ_THREAD === 'off') return false;
  const min = Number(process.env.MLOPS_READ_THREAD_MIN_BYTES ?? THREAD_MIN_BYTES);
  return size >= min && workerFile() !== undefined;
}

/** What the reader thread is sent when it was started before its file was known (prestartCsvReader). */
export interface CsvWorkerStart {
  start: CsvWorkerData;
}

interface Prestarted {
  file: string;
  worker: Worker;
  at: number;
  failed: boolean;
}
let prestarted: Prestarted | undefined;

/**
 * Starts the reader thread for `file` now, before the caller has loaded the rest of its code: a worker
 * thread takes 40-80 ms to boot on a 2-core machine, which evaluate otherwise spent waiting for its
 * first batch (its models were loaded sooner). readCsvOnThread on the same file takes the thread;
 * until then it waits without keeping the process alive. Does nothing unless `file` is a file that
 * would be read on a thread (its size, the bundle, MLOPS_READ_THREAD).
 */
export function prestartCsvReader(file: string): void {
  if (prestarted) return;
  const script = workerFile();
  if (!script) return;
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) return;
    size = st.size;
  } catch {
    return;
  }
  if (!readsOnThread(size, { thread: true, raw: true })) return;
  const worker = new Worker(script, { workerData: null });
  worker.unref();
  const p: Prestarted = { file: resolve(file), worker, at: performance.now(), failed: false };
  // A thread that fails before it is taken is not taken (its reading starts a new one).
  worker.on('error', () => (p.failed = true));
  worker.on('exit', () => (p.failed = true));
  prestarted = p;
}

/** The prestarted thread, if it is for `file` and still there. */
function takePrestarted(file: string): Prestarted | undefined {
  const p = prestarted;
  if (!p || p.failed || p.file !== resolve(file)) return undefined;
  prestarted = undefined;
  p.worker.removeAllListeners();
  p.worker.ref();
  return p;
}

/** readCsv(file, { ...options, raw: true }), tokenized on a worker thread. */
export async function* readCsvOnThread(file: string, options: CsvReadOptions): AsyncGenerator<RowBatch> {
  const script = workerFile();
  if (!script) throw new Error('dist/csv-worker.js is missing: run the build');
  const data: CsvWorkerData = {
    file,
    options: { delimiter: options.delimiter, nullValues: options.nullValues, batchSize: options.batchSize, chunkSize: options.chunkSize, rawBytes: options.rawBytes, recycle: options.recycle },
    hash: options.onFileHash !== undefined,
  };
  const pre = takePrestarted(file);
  const early = pre ? ` (started ${(performance.now() - pre.at).toFixed(0)} ms before it was needed)` : '';
  const worker = pre ? pre.worker : new Worker(script, { workerData: data });
  if (pre) worker.postMessage({ start: data } satisfies CsvWorkerStart);
  const queue: FromCsvWorker[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  worker.on('message', (m: FromCsvWorker) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    failure = e;
    wake?.();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`the CSV reader thread stopped (exit code ${code}) before the end of ${file}`);
    wake?.();
  });
  let columns: string[] = [];
  let batches = 0;
  let withBytes = 0;
  try {
    for (;;) {
      while (queue.length === 0 && !failure) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      const m = queue.shift();
      if (!m) throw failure!;
      if (m.type === 'end') {
        if (m.sha256 !== undefined) options.onFileHash?.(file, m.sha256);
        if (process.env.MLOPS_DEBUG) process.stderr.write(`csv reader thread${early}: ${batches} batches of ${file} (${withBytes} as ASCII bytes)${m.cpuMs === undefined ? '' : `, CPU ${m.cpuMs.toFixed(0)} ms`}${m.buffers ? `, ${m.buffers.reused} of ${m.buffers.taken} buffers given back` : ''}\n`);
        return;
      }
      if (m.type === 'error') throw fromThreadError(m);
      if (m.columns) columns = m.columns;
      options.onProgress?.(m.bytesRead, m.totalBytes);
      // Room for one more batch on the way while the consumer works on this one.
      worker.postMessage('more' satisfies ToCsvWorker);
      batches++;
      if (m.raw.bytes) withBytes++;
      yield csvBatch(file, m.firstRow, m.length, columns, m.lines, new LazyTextCells(m.raw));
      // Asked for the next batch: with `recycle` this one's arrays go back to the reader's pool. A
      // buffer that arrives, and one that is let go, each count towards V8's external memory, whose
      // growth starts a full GC every ~64 MB: without this, one every 10-15 batches.
      if (options.recycle) {
        const spent = spentBuffers(m.raw, m.lines);
        worker.postMessage({ spent } satisfies ToCsvWorker, spent);
      }
    }
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}
