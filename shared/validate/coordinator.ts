/**
 * The validate-data coordinator thread (see parallel.ts, inCoordinator): runs the parallel pass over
 * one CSV file (reading, tokenizing, its share of the checking, the duplicate check, the merge) and
 * posts the outcome; progress, the file's content hash and row counts go to the main thread as they come.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DatasetFile } from '../data/types';
import { toThreadError } from '../errors';
import type { ValidationPlan } from './engine';
import { parallelPass, referenceFromWire, workerCount, workerFile, type FromCoordinator, type WirePlan } from './parallel';

const port = parentPort!;
const { file, plan: wire } = workerData as { file: DatasetFile; plan: WirePlan };
const post = (m: FromCoordinator) => port.postMessage(m);

const { reference, display, read, progress, fileHash, ...rest } = wire;
const plan: ValidationPlan = {
  ...rest,
  reference: referenceFromWire(reference),
  display: () => display,
  read: {
    ...read,
    onProgress: progress ? (done, total) => post({ type: 'progress', done, total }) : undefined,
    onFileHash: fileHash ? (f, sha256) => post({ type: 'file-hash', file: f, sha256 }) : undefined,
  },
};

try {
  const script = workerFile();
  if (!script) throw new Error('dist/validate-worker.js is missing beside the coordinator');
  const out = await parallelPass(file, plan, workerCount(), script, (rows) => post({ type: 'rows', rows }));
  if (process.env.MLOPS_DEBUG) process.stderr.write(`coordinator thread: ${out.rows} rows\n`);
  post({ type: 'done', rows: out.rows, columns: out.columns, findings: out.findings.list(), profile: out.profile });
} catch (err) {
  post(toThreadError(err));
}
