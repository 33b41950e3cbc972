/**
 * The CSV reader thread (see csv-thread.ts): reads one file with readCsv and posts its raw batches,
 * at most AHEAD of what the owner has taken, then 'end' (with the file's sha256 when asked) or the
 * error that stopped it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toThreadError } from '../errors';
import { readCsv } from './csv';
import { AHEAD, spentBuffers, type CsvWorkerData, type CsvWorkerStart, type FromCsvWorker, type ToCsvWorker } from './csv-thread';
import { BufferPool } from './pool';
import { postable } from './cells';

const port = parentPort!;
// Started ahead of its file (prestartCsvReader): the job is the first message.
const { file, options, hash } =
  (workerData as CsvWorkerData | null) ?? (await new Promise<CsvWorkerData>((resolve) => port.once('message', (m: CsvWorkerStart) => resolve(m.start))));
let credit = AHEAD;
let wake: (() => void) | undefined;
// With `recycle`, the batches' arrays are views of buffers the owner gives back once it is done.
const pool = options.recycle ? new BufferPool() : undefined;
port.on('message', (m: ToCsvWorker) => {
  if (m === 'more') {
    credit++;
    wake?.();
  } else for (const b of m.spent) pool!.give(b);
});

function post(m: FromCsvWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

let bytesRead = 0;
let totalBytes = 0;
let sha256: string | undefined;
try {
  let first = true;
  const batches = readCsv(file, {
    ...options,
    raw: true,
    pool,
    onProgress: (n, total) => {
      bytesRead = n;
      totalBytes = total;
    },
    ...(hash ? { onFileHash: (_: string, hex: string) => (sha256 = hex) } : {}),
  });
  for await (const b of batches) {
    while (credit === 0) await new Promise<void>((r) => (wake = r));
    credit--;
    const raw = postable(b.raw!);
    const lines = b.lines!;
    post(
      { type: 'batch', firstRow: b.firstRow, length: b.length, columns: first ? b.columns : undefined, lines, raw, bytesRead, totalBytes },
      spentBuffers(raw, lines),
    );
    first = false;
  }
  // This thread's CPU time, for MLOPS_DEBUG (process.threadCpuUsage is Node 23.9 and later).
  const cpu = process.threadCpuUsage?.();
  post({ type: 'end', sha256, ...(cpu ? { cpuMs: (cpu.user + cpu.system) / 1000 } : {}), ...(pool ? { buffers: { taken: pool.taken, reused: pool.reused } } : {}) });
} catch (err) {
  post(toThreadError(err));
}
