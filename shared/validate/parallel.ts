/**
 * validate-data on several cores. For one large CSV file, this thread reads and tokenizes the file (the
 * cheap, sequential part: it knows every row's line) and worker threads type, check and profile the
 * batches (the expensive part); when every worker has its batches in hand, this thread checks the next
 * batch itself rather than wait, so there is one worker fewer than cores and no core idles or is
 * shared by three threads. Workers hand back each batch's row fingerprints, which this thread checks
 * for duplicates in file order; at the end the findings, column tallies and profiles (the workers' and
 * this thread's) merge. The result is the serial pass's, except that the profile's randomized sketches
 * (KLL, reservoir) are merges of the parts' sketches: equal within their stated error, not bit for bit.
 * For a file of 256 MiB or more, "this thread" is a coordinator worker (inCoordinator), not the main
 * thread, so that its heap's young generation stays small over the long run.
 *
 * Not used (serial pass instead) for several files, JSON Lines or Parquet, files under 32 MiB, a schema
 * with `unique` columns (one set must see every value), one CPU, or where the worker bundle is absent
 * (running from TypeScript sources). MLOPS_PARALLEL=off turns it off; MLOPS_PARALLEL_MIN_BYTES lowers the
 * size threshold (tests); MLOPS_PARALLEL=<n> sets the number of workers (default: cores − 1, at most 3).
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { DatasetFile, RowBatch } from '../data/types';
import { cellBuffers, postable } from '../data/cells';
import { formatOf, readDataset } from '../data/dataset';
import { BufferPool } from '../data/pool';
import { DEFAULT_CHUNK_SIZE } from '../data/common';
import { bundled } from '../bundled';
import { fromThreadError, type ThreadError } from '../errors';
import { mergeParsedProfiles, type DatasetProfile, type ProfileKind } from '../profile/profile';
import { Findings, type Finding } from './findings';
import { DuplicateFinder } from './duplicates';
import {
  Validator,
  fileChecks,
  guessKind,
  mergeTallies,
  tableChecks,
  type ColumnTally,
  type ValidationOutcome,
  type ValidationPlan,
  type ValidatorInit,
} from './engine';
import { profileKindFor, type ReferenceColumn } from './profiling';

export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
/** Batches in flight per worker: enough to keep it busy, few enough to bound memory. */
const IN_FLIGHT = Number(process.env.MLOPS_IN_FLIGHT ?? 3);

/** Plain-data form of ValidatorInit (Sets become arrays) for postMessage. */
export interface WireInit extends Omit<ValidatorInit, 'reference'> {
  reference?: [string, { min?: number; max?: number; categories?: string[] }][];
}

export interface WorkerPart {
  findings: Finding[];
  profile: DatasetProfile;
  tallies: Record<string, ColumnTally>;
  rows: number;
}

export type FromWorker =
  // `spent`: the batch's cell arrays and lines, transferred back for the reader's pool.
  | { type: 'fingerprints'; seq: number; hashes: Int32Array | undefined; spent: ArrayBuffer[]; lines: Int32Array | undefined }
  | { type: 'done'; part: WorkerPart }
  | ThreadError;

type Fingerprints = Extract<FromWorker, { type: 'fingerprints' }>;

export function toWire(init: ValidatorInit): WireInit {
  const { reference, ...rest } = init;
  return { ...rest, reference: referenceToWire(reference) };
}

export function fromWire(w: WireInit): ValidatorInit {
  const { reference, ...rest } = w;
  return { ...rest, reference: referenceFromWire(reference) };
}

function referenceToWire(reference: Map<string, ReferenceColumn> | undefined): WireInit['reference'] {
  return reference ? [...reference].map(([k, v]) => [k, { min: v.min, max: v.max, categories: v.categories ? [...v.categories] : undefined }]) : undefined;
}

export function referenceFromWire(reference: WireInit['reference']): Map<string, ReferenceColumn> | undefined {
  return reference
    ? new Map<string, ReferenceColumn>(reference.map(([k, v]) => [k, { min: v.min, max: v.max, categories: v.categories ? new Set(v.categories) : undefined }]))
    : undefined;
}

export function workerFile(): string | undefined {
  return bundled('validate-worker.js');
}

export function workerCount(): number {
  const env = process.env.MLOPS_PARALLEL;
  if (env === 'off' || env === '0') return 0;
  if (env && /^\d+$/.test(env)) return Number(env);
  // This thread takes a share of the checking too (see the module comment).
  return Math.min(4, availableParallelism()) - 1;
}

class WorkerHandle {
  readonly worker: Worker;
  inFlight = 0;
  done: Promise<WorkerPart>;
  private failed: Error | undefined;

  /** Starts the worker; it checks nothing before start(). */
  constructor(file: string, display: string, onFingerprints: (m: Fingerprints) => void) {
    // A small young generation: memory stays flat while streaming.
    this.worker = new Worker(file, { workerData: { display }, resourceLimits: { maxYoungGenerationSizeMb: 12 } });
    this.done = new Promise<WorkerPart>((resolve, reject) => {
      this.worker.on('message', (m: FromWorker) => {
        if (m.type === 'fingerprints') {
          this.inFlight--;
          onFingerprints(m);
        } else if (m.type === 'done') resolve(m.part);
        else {
          this.failed = fromThreadError(m);
          reject(this.failed);
        }
      });
      this.worker.on('error', (e) => {
        this.failed = e;
        reject(e);
      });
    });
    this.done.catch(() => undefined);
  }

  /** What to check the batches against: the first message, once the first batch has decided the kinds. */
  start(init: WireInit): void {
    this.worker.postMessage({ type: 'init', init });
  }

  /** Throws the worker's error, if it failed. */
  check(): void {
    if (this.failed) throw this.failed;
  }

  send(seq: number, batch: RowBatch): void {
    // An ASCII batch goes as its bytes, without its text: no 1 MB string to copy into the worker's heap.
    const raw = postable(batch.raw!);
    this.inFlight++;
    this.worker.postMessage(
      { type: 'batch', seq, file: batch.file, firstRow: batch.firstRow, length: batch.length, columns: batch.columns, lines: batch.lines, raw },
      [...cellBuffers(raw), ...(batch.lines ? [batch.lines.buffer] : [])] as ArrayBuffer[],
    );
  }
}

export async function tryParallel(
  files: DatasetFile[],
  plan: ValidationPlan,
  onRows?: (rows: number) => void,
): Promise<ValidationOutcome | undefined> {
  const file = files[0];
  if (files.length !== 1 || !file) return undefined;
  const minBytes = Number(process.env.MLOPS_PARALLEL_MIN_BYTES ?? PARALLEL_MIN_BYTES);
  if (file.size < minBytes || formatOf(file.path, plan.read.format) !== 'csv') return undefined;
  if (plan.schema && Object.values(plan.schema.columns).some((c) => c.unique)) return undefined;
  const n = workerCount();
  const script = workerFile();
  if (n < 1 || !script) return undefined;
  const coordinator = file.size >= COORDINATOR_MIN_BYTES ? bundled('validate-coordinator.js') : undefined;
  return coordinator ? inCoordinator(coordinator, file, plan, onRows) : parallelPass(file, plan, n, script, onRows);
}

/**
 * From this size the parallel pass runs on a coordinator thread (inCoordinator). Below it the run is
 * short: the main thread's young generation has not grown far (bench/validate's data, Node 24: peak
 * RSS 245 MB at 127 MB of CSV, 252 MB at 384 MB), and the coordinator's start-up (~0.1 s, loading
 * its bundle) would be 4% of a 127 MB run. MLOPS_COORDINATOR_MIN_BYTES overrides it (tests).
 */
const COORDINATOR_MIN_BYTES = Number(process.env.MLOPS_COORDINATOR_MIN_BYTES ?? 256 * 1024 * 1024);

/** Plain-data form of a ValidationPlan for one file (functions become flags, the Map an array). */
export interface WirePlan extends Omit<ValidationPlan, 'reference' | 'display' | 'read'> {
  reference: WireInit['reference'];
  display: string;
  read: Pick<ValidationPlan['read'], 'format' | 'delimiter' | 'batchSize' | 'nullValues'>;
  progress: boolean;
  fileHash: boolean;
}

export type FromCoordinator =
  | { type: 'progress'; done: number; total: number }
  | { type: 'file-hash'; file: string; sha256: string }
  | { type: 'rows'; rows: number }
  | { type: 'done'; rows: number; columns: string[]; findings: Finding[]; profile: DatasetProfile }
  | ThreadError;

/**
 * The parallel pass on a worker thread of its own (dist/validate-coordinator.js), so that its reading,
 * tokenizing and share of the checking run in a heap with a small young generation, like the workers'.
 * On the main thread the young generation grows to tens of MiB over a long run (V8 sizes it by
 * survival, and batches in flight survive): at 10^7 rows (1.28 GB of CSV) the process peaked at
 * 295-340 MB that way, and at 257 MB with the pass on this thread. The main thread waits.
 */
function inCoordinator(script: string, file: DatasetFile, plan: ValidationPlan, onRows?: (rows: number) => void): Promise<ValidationOutcome> {
  const { reference, display, read, ...rest } = plan;
  const wire: WirePlan = {
    ...rest,
    reference: referenceToWire(reference),
    display: display(file.path),
    read: { format: read.format, delimiter: read.delimiter, batchSize: read.batchSize, nullValues: read.nullValues },
    progress: read.onProgress !== undefined,
    fileHash: read.onFileHash !== undefined,
  };
  return new Promise<ValidationOutcome>((resolve, reject) => {
    const worker = new Worker(script, { workerData: { file, plan: wire }, resourceLimits: { maxYoungGenerationSizeMb: 12 } });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    worker.on('message', (m: FromCoordinator) => {
      if (m.type === 'progress') read.onProgress?.(m.done, m.total);
      else if (m.type === 'file-hash') read.onFileHash?.(m.file, m.sha256);
      else if (m.type === 'rows') onRows?.(m.rows);
      else if (m.type === 'done') {
        const findings = new Findings();
        findings.absorb(m.findings);
        settle(() => resolve({ rows: m.rows, columns: m.columns, findings, profile: m.profile }));
      } else settle(() => reject(fromThreadError(m)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the validate-data coordinator thread exited (code ${code}) before its result`))));
  });
}

/** The parallel pass itself: reads `file` on this thread, checks its batches on `n` workers and here. */
export async function parallelPass(file: DatasetFile, plan: ValidationPlan, n: number, script: string, onRows?: (rows: number) => void): Promise<ValidationOutcome> {
  const files = [file];
  const display = plan.display(file.path);
  const findings = new Findings();
  const dupSeverity = plan.skipDuplicates ? undefined : plan.schema ? (plan.schema.table['duplicate-rows'] === 'ignore' ? undefined : plan.schema.table['duplicate-rows']) : 'warning';
  const dupes = dupSeverity ? new DuplicateFinder(undefined, plan.tempDir) : undefined;
  const metas = new Map<number, Pick<RowBatch, 'length' | 'firstRow'>>();
  const arrived = new Map<number, { hashes: Int32Array | undefined; lines: Int32Array | undefined }>();
  const pool = new BufferPool();
  let nextSeq = 0;
  const onFingerprints = (m: Pick<Fingerprints, 'seq' | 'hashes' | 'spent' | 'lines'>) => {
    for (const b of m.spent) pool.give(b);
    arrived.set(m.seq, m);
    // Duplicates are decided in file order, so "the later row is the duplicate" holds as in a serial pass.
    while (arrived.has(nextSeq)) {
      const { hashes: h, lines } = arrived.get(nextSeq)!;
      const meta = metas.get(nextSeq)!;
      if (dupes && h) dupes.addBatch(h, meta.firstRow, lines, meta.length);
      if (lines) pool.give(lines.buffer as ArrayBuffer);
      arrived.delete(nextSeq);
      metas.delete(nextSeq);
      nextSeq++;
    }
  };

  // The workers load their code while this thread reads the first batch and types its columns.
  let workers = Array.from({ length: n }, () => new WorkerHandle(script, display, onFingerprints));
  /** This thread's own share of the checking. */
  let local: Validator | undefined;
  const endWorkers = () => Promise.all(workers.splice(0).map((w) => w.worker.terminate()));
  let seq = 0;
  let rows = 0;
  let columns: string[] = [];
  let bytesRead = 0;
  const read = {
    ...plan.read,
    raw: true,
    rawBytes: true,
    pool,
    onProgress: (done: number, total: number) => {
      bytesRead = done;
      plan.read.onProgress?.(done, total);
    },
  };
  try {
    for await (const batch of readDataset(files, read)) {
      if (!local) {
        columns = batch.columns.slice();
        fileChecks(findings, plan, display, columns);
        // Workers must profile each column as the same kind: decide from this first batch.
        const kinds: Record<string, ProfileKind> = {};
        batch.columns.forEach((name, c) => {
          if (plan.only && !plan.only.includes(name)) return;
          const spec = plan.schema?.columns[name];
          kinds[name] = plan.layout?.kinds[name] ?? (spec ? profileKindFor(spec.type) : guessKind(batch, c));
        });
        const init = toWire({ schema: plan.schema, reference: plan.reference, label: plan.label, kinds, binEdges: plan.layout?.binEdges, fingerprints: dupSeverity ? 'return' : 'off', only: plan.only });
        for (const w of workers) w.start(init);
        local = new Validator(fromWire(init));
      }
      let target = workers[0]!;
      for (const w of workers) if (w.inFlight < target.inFlight) target = w;
      metas.set(seq, { length: batch.length, firstRow: batch.firstRow });
      for (const w of workers) w.check();
      // Near the end of the file a worker is sent a batch only when it has none waiting, so that this
      // thread does not run out of batches while the workers still have several each to check.
      const limit = file.size - bytesRead < n * IN_FLIGHT * DEFAULT_CHUNK_SIZE ? 1 : IN_FLIGHT;
      if (target.inFlight >= limit) {
        // Every worker has its batches: check this one here instead of waiting.
        const hashes = local!.batch(batch, display);
        onFingerprints({ seq: seq++, hashes, spent: cellBuffers(batch.raw!), lines: batch.lines });
      } else target.send(seq++, batch);
      rows += batch.length;
      onRows?.(rows);
    }
    // (readDataset yields a batch, if empty, for every CSV file it reads without an error)
    if (!local) throw new Error('internal error: no batch read from the CSV file');
    for (const w of workers) w.worker.postMessage({ type: 'end' });
    // This thread's part is made while the workers finish their last batches.
    const own: WorkerPart = { findings: local.findings.list(), profile: local.profile.finish(local.columnOrder, local.rows), tallies: local.tallies(), rows: local.rows };
    const parts = await Promise.all(workers.map((w) => w.done));
    if (process.env.MLOPS_DEBUG) process.stderr.write(`this thread: ${local.rows} rows checked here\n`);
    parts.push(own);
    // The parts are here: end the workers now, so that their heaps are not held through the duplicate
    // check and the merge (at 10⁷ rows that was the peak RSS, over 300 MB on Node 24).
    await endWorkers();
    for (const p of parts) findings.absorb(p.findings);
    if (dupes) {
      for (const d of dupes.finish()) {
        findings.add('duplicate-rows', dupSeverity!, undefined, 'each row once', 'a repeated row', { file: display, row: d.row, ...(d.line > 0 ? { line: d.line } : {}) });
      }
    }
    const withRows = parts.filter((p) => p.rows > 0);
    let profile = withRows[0]?.profile ?? parts[0]!.profile;
    // the parts are this pass's own profiles: merged without checking them again
    for (const p of withRows.slice(1)) profile = mergeParsedProfiles(profile, p.profile);
    profile = { ...profile, createdAt: new Date().toISOString() };
    tableChecks(findings, plan, rows, mergeTallies(parts.map((p) => p.tallies)), profile, display);
    return { rows, columns, findings, profile };
  } finally {
    dupes?.dispose();
    await endWorkers();
  }
}
