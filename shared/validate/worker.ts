/**
 * A validate-data worker thread (see parallel.ts): checks and profiles the raw CSV batches it is sent,
 * returns each batch's row fingerprints, and its findings, tallies and profile at the end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import type { RowBatch } from '../data/types';
import { LazyTextCells, cellBuffers, type PostedCells } from '../data/cells';
import { toThreadError } from '../errors';
import { Validator } from './engine';
import { fromWire, type FromWorker, type WireInit } from './parallel';

const port = parentPort!;
const { display } = workerData as { display: string };
/** Made from the first message (WorkerHandle.start in parallel.ts). */
let v: Validator;
const t0 = performance.now();
let busy = 0;

function post(m: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

port.on('message', (m: ({ type: 'batch'; seq: number; raw: PostedCells } & Omit<RowBatch, 'values' | 'raw'>) | { type: 'init'; init: WireInit } | { type: 'end' }) => {
  try {
    if (m.type === 'init') {
      v = new Validator(fromWire(m.init));
      return;
    }
    if (m.type === 'end') {
      const f0 = performance.now();
      const part = { findings: v.findings.list(), profile: v.profile.finish(v.columnOrder, v.rows), tallies: v.tallies(), rows: v.rows };
      if (process.env.MLOPS_DEBUG) {
        process.stderr.write(`worker: ${v.rows} rows, busy ${busy.toFixed(0)} ms, finish ${(performance.now() - f0).toFixed(0)} ms, alive ${(performance.now() - t0).toFixed(0)} ms\n`);
        const h = getHeapStatistics();
        process.stderr.write(`worker heap: total ${(h.total_heap_size / 2 ** 20).toFixed(0)} MiB, used ${(h.used_heap_size / 2 ** 20).toFixed(0)} MiB, malloced peak ${(h.peak_malloced_memory / 2 ** 20).toFixed(0)} MiB, external ${(h.external_memory / 2 ** 20).toFixed(0)} MiB\n`);
      }
      post({ type: 'done', part });
      return;
    }
    const batch: RowBatch = {
      file: m.file,
      firstRow: m.firstRow,
      length: m.length,
      columns: m.columns,
      lines: m.lines,
      raw: new LazyTextCells(m.raw),
      get values(): never {
        throw new Error('a worker batch has raw cells only');
      },
    };
    const b0 = performance.now();
    const hashes = v.batch(batch, display);
    busy += performance.now() - b0;
    // The cell arrays go back to the reader's pool; the lines too, after the duplicate check has read them.
    const spent = cellBuffers(m.raw);
    const lines = m.lines;
    post({ type: 'fingerprints', seq: m.seq, hashes, spent, lines }, [...(hashes ? [hashes.buffer as ArrayBuffer] : []), ...spent, ...(lines ? [lines.buffer as ArrayBuffer] : [])]);
  } catch (err) {
    post(toThreadError(err));
  }
});
