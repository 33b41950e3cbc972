/**
 * Scoring the candidate and the baseline on the same rows, in one pass over the data: each batch is
 * read once and given to both models; each model's predictions feed its own metric accumulators (and
 * slices), so two models with different class orders are each scored in their own terms.
 */
import type { DatasetFile, ReadOptions, RowBatch } from '../data/types';
import { availableParallelism } from 'node:os';
import { readDataset, readsOnAThread } from '../data/dataset';
import { CELL_ESCAPED, CELL_NULL } from '../data/csv';
import { UserError } from '../errors';
import { cellText } from '../schema/values';
import { createScorer, type LoadedModel, type ScoreOptions, type ScoredBatch, type Scorer } from '../model/infer';
import {
  ClassificationAccumulator,
  ClassificationSlices,
  RegressionAccumulator,
  RegressionSlices,
  bootstrapIntervals,
  type BootstrapIntervals,
  type Metrics,
  type SliceResult,
} from '../metrics';

export interface ModelScore {
  metrics: Metrics;
  slices?: SliceResult<Metrics>[];
  intervals?: BootstrapIntervals;
  /** Rows left out: no label, a label the model does not know, or a prediction the model could not make. */
  skipped: { noLabel: number; unknownLabel: number; noPrediction: number };
  /** Residual quantiles (regression): what the report shows instead of a confusion matrix. */
  residuals?: { q05: number; q25: number; q50: number; q75: number; q95: number };
}

class ModelTally {
  cls?: ClassificationAccumulator;
  reg?: RegressionAccumulator;
  cslices?: ClassificationSlices;
  rslices?: RegressionSlices;
  skipped = { noLabel: 0, unknownLabel: 0, noPrediction: 0 };

  constructor(
    readonly scorer: Scorer,
    private readonly sliceBy: string | undefined,
    /** Whether the bootstrap will resample the rows (else a binary classifier's rows are not stored). */
    private readonly keepRows: boolean,
  ) {}

  add(s: ScoredBatch, batch: RowBatch, targetCol: number, sliceCol: number): void {
    // The rows that count: keep[0, m).
    const rows = new Int32Array(s.length);
    let m = 0;
    if (s.task === 'classification') {
      const t = s.targetIndex!;
      for (let r = 0; r < s.length; r++) {
        if (t[r]! < 0) {
          if (labelMissing(batch, targetCol, r)) this.skipped.noLabel++;
          else this.skipped.unknownLabel++;
        } else if (s.predicted[r]! < 0 || (s.probabilities !== undefined && hasNaN(s.probabilities, r, s.classes.length))) this.skipped.noPrediction++;
        else rows[m++] = r;
      }
      const keep = rows.subarray(0, m);
      this.cls ??= new ClassificationAccumulator(s.classes, { keepRows: this.keepRows });
      const k = s.classes.length;
      const all = keep.length === s.length;
      const yTrue = all ? t : Int32Array.from(keep, (r) => t[r]!);
      const yPred = all ? s.predicted : Int32Array.from(keep, (r) => s.predicted[r]!);
      let proba: Float64Array | undefined;
      if (s.probabilities) {
        if (all) proba = s.probabilities;
        else {
          proba = new Float64Array(keep.length * k);
          keep.forEach((r, i) => proba!.set(s.probabilities!.subarray(r * k, (r + 1) * k), i * k));
        }
      }
      this.cls.add(yTrue, yPred, proba);
      if (this.sliceBy !== undefined) {
        this.cslices ??= new ClassificationSlices(s.classes);
        this.cslices.add(sliceKeys(batch, sliceCol, keep), yTrue, yPred, proba);
      }
    } else {
      const t = s.targetValues!;
      for (let r = 0; r < s.length; r++) {
        if (Number.isNaN(t[r]!)) this.skipped.noLabel++;
        else if (Number.isNaN(s.values[r]!)) this.skipped.noPrediction++;
        else rows[m++] = r;
      }
      const keep = rows.subarray(0, m);
      this.reg ??= new RegressionAccumulator();
      const all = keep.length === s.length;
      const yTrue = all ? t : Float64Array.from(keep, (r) => t[r]!);
      const yPred = all ? s.values : Float64Array.from(keep, (r) => s.values[r]!);
      this.reg.add(yTrue, yPred);
      if (this.sliceBy !== undefined) {
        this.rslices ??= new RegressionSlices();
        this.rslices.add(sliceKeys(batch, sliceCol, keep), yTrue, yPred);
      }
    }
  }

  finish(bootstrap: { resamples: number; metrics: string[] } | undefined): ModelScore {
    const acc = this.cls ?? this.reg;
    if (!acc) throw new UserError('No rows to evaluate: the data is empty', { input: 'data' });
    const metrics = acc.finish();
    const out: ModelScore = { metrics, skipped: this.skipped };
    const slices = this.cslices?.finish() ?? this.rslices?.finish();
    if (slices) out.slices = slices as SliceResult<Metrics>[];
    if (bootstrap && bootstrap.resamples > 0 && metrics.count > 1) {
      const wanted = bootstrap.metrics.filter((m) => typeof (metrics as unknown as Record<string, unknown>)[m] === 'number');
      if (wanted.length) out.intervals = bootstrapIntervals(acc, wanted, { resamples: bootstrap.resamples, seed: 0, maxRows: 200_000 });
    }
    if (this.reg) {
      const d = this.reg.data();
      const res = new Float64Array(d.n);
      for (let i = 0; i < d.n; i++) res[i] = d.yPred[i]! - d.yTrue[i]!;
      res.sort();
      const q = (p: number) => res[Math.min(res.length - 1, Math.max(0, Math.round(p * (res.length - 1))))]!;
      if (res.length) out.residuals = { q05: q(0.05), q25: q(0.25), q50: q(0.5), q75: q(0.75), q95: q(0.95) };
    }
    return out;
  }
}

/** Whether row r's label is missing (null or empty) rather than unknown; reads a raw CSV batch's text. */
function labelMissing(batch: RowBatch, c: number, r: number): boolean {
  const raw = batch.raw;
  if (raw) {
    const i = r * batch.columns.length + c;
    const f = raw.flags[i];
    return f === CELL_NULL || (f !== CELL_ESCAPED && raw.starts[i] === raw.ends[i]);
  }
  const v = batch.values[c]![r];
  return v === null || v === undefined || v === '';
}

/** The slice of each kept row: its slice-by cell's text, '(null)' when missing (read in place for raw CSV). */
function sliceKeys(batch: RowBatch, c: number, keep: Int32Array): string[] {
  const out = new Array<string>(keep.length);
  const raw = batch.raw;
  if (raw) {
    const ncol = batch.columns.length;
    for (let k = 0; k < keep.length; k++) {
      const i = keep[k]! * ncol + c;
      const f = raw.flags[i];
      out[k] = f === CELL_NULL ? '(null)' : f === CELL_ESCAPED ? raw.escaped.get(i)! : raw.text.slice(raw.starts[i], raw.ends[i]);
    }
    return out;
  }
  const values = batch.values[c]!;
  for (let k = 0; k < keep.length; k++) {
    const v = values[keep[k]!] ?? null;
    out[k] = v === null ? '(null)' : cellText(v);
  }
  return out;
}

export interface ScoreRun {
  candidate: ModelScore;
  baseline?: ModelScore;
  rows: number;
}

/** What scoring takes besides the models (scoreModels adds how to read the files). */
export interface ScoreStreamOptions {
  target: string;
  features?: string[];
  manifestFeatures?: string[];
  sliceBy?: string;
  bootstrap?: { resamples: number; metrics: string[] };
  onRows?: (rows: number) => void;
}

/** The read options evaluate uses: the caller's, plus what makes scoring fast. */
export function evaluateReadOptions(read: ReadOptions): ReadOptions {
  // CSV cells as ranges of the decoded text: the scorer parses numbers in place and slices only what a
  // string input needs; the batches' `values` (a string per cell of every column) are never made. A
  // large file is read on a worker thread, so that reading overlaps scoring. An ASCII text comes as
  // bytes too: the scorer's loops read those rather than charCodeAt.
  return { ...read, raw: true, rawBytes: true, thread: true };
}

/**
 * onnxruntime's intra-op threads for scoring `files`: when a reader thread reads them (a large CSV
 * file), one fewer than loadModel's default (cores, at most 4), since that thread takes a core — on
 * 2 cores, 1: the 1M-row benchmark's whole evaluate ~50 ms faster (8 interleaved pairs), its scoring
 * thread no longer waiting on a pool thread the reader had preempted. Else loadModel's default.
 */
export function scoringThreads(files: DatasetFile[], read: ReadOptions): number | undefined {
  return readsOnAThread(files, evaluateReadOptions(read)) ? Math.max(1, Math.min(availableParallelism(), 4) - 1) : undefined;
}

export async function scoreModels(
  files: DatasetFile[],
  models: { candidate: LoadedModel; baseline?: LoadedModel },
  o: ScoreStreamOptions & { read: ReadOptions },
): Promise<ScoreRun> {
  const reading = startReading(files, o.read);
  try {
    return await scoreStream(reading.batches, models, o);
  } finally {
    await reading.close();
  }
}

/**
 * The batches scoreModels reads, started now: a large CSV file's reader thread reads the first ones
 * while the caller loads its models (onnxruntime and the sessions take ~0.1 s). Score `batches` with
 * scoreStream, and close() in any case: it ends the reading (and the thread) when scoring did not read
 * to the end. An error in the first batch is thrown to whoever iterates, not before.
 */
export function startReading(files: DatasetFile[], read: ReadOptions): { batches: AsyncIterable<RowBatch>; close(): Promise<void> } {
  // scoreStream is done with a batch when it takes the next (it keeps copies, never the arrays).
  const gen = readDataset(files, { ...evaluateReadOptions(read), recycle: true });
  const first = gen.next();
  first.catch(() => undefined);
  async function* batches(): AsyncGenerator<RowBatch> {
    const r = await first;
    if (r.done) return;
    yield r.value;
    yield* gen;
  }
  return {
    batches: batches(),
    close: async () => {
      await gen.return(undefined);
    },
  };
}

/** scoreModels over batches already at hand (the benchmark times scoring and metrics without reading). */
export async function scoreStream(
  batches: AsyncIterable<RowBatch> | Iterable<RowBatch>,
  models: { candidate: LoadedModel; baseline?: LoadedModel },
  o: ScoreStreamOptions,
): Promise<ScoreRun> {
  const opts: ScoreOptions = { target: o.target, features: o.features, manifestFeatures: o.manifestFeatures };
  const keepRows = (o.bootstrap?.resamples ?? 0) > 0;
  const cand = new ModelTally(createScorer(models.candidate, opts), o.sliceBy, keepRows);
  // The baseline is its own model: its feature order comes from its own metadata, not the candidate's.
  const base = models.baseline ? new ModelTally(createScorer(models.baseline, { target: o.target, features: o.features }), o.sliceBy, keepRows) : undefined;
  let rows = 0;
  let sliceCol = -1;
  // For MLOPS_DEBUG: whether scoring or reading bounds the pass (time spent waiting for the next batch).
  const debug = process.env.MLOPS_DEBUG ? { t0: performance.now(), cpu0: process.threadCpuUsage?.(), last: performance.now(), waited: 0, batches: 0 } : undefined;
  for await (const batch of batches) {
    if (debug) {
      debug.waited += performance.now() - debug.last;
      debug.batches++;
    }
    const targetCol = batch.columns.indexOf(o.target);
    if (targetCol < 0) {
      throw new UserError(`The target column '${o.target}' is not in ${batch.file} (columns: ${batch.columns.join(', ')})`, { input: 'target' });
    }
    if (o.sliceBy !== undefined) {
      sliceCol = batch.columns.indexOf(o.sliceBy);
      if (sliceCol < 0) throw new UserError(`The slice-by column '${o.sliceBy}' is not in the data (columns: ${batch.columns.join(', ')})`, { input: 'slice-by' });
    }
    const [c, b] = await Promise.all([cand.scorer.run(batch), base?.scorer.run(batch)]);
    cand.add(c, batch, targetCol, sliceCol);
    if (base && b) base.add(b, batch, targetCol, sliceCol);
    rows += batch.length;
    o.onRows?.(rows);
    if (debug) debug.last = performance.now();
  }
  if (debug) {
    const cpu = debug.cpu0 ? process.threadCpuUsage(debug.cpu0) : undefined;
    process.stderr.write(
      `scoring: ${rows} rows in ${debug.batches} batches, ${(performance.now() - debug.t0).toFixed(0)} ms; waited ${debug.waited.toFixed(0)} ms for batches${cpu ? `; this thread's CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms` : ''}\n`,
    );
  }
  return { candidate: cand.finish(o.bootstrap), baseline: base?.finish(o.bootstrap), rows };
}

/** Whether row r of row-major [n, k] probabilities has a NaN (a model fed a missing value it does not impute). */
function hasNaN(p: Float64Array, r: number, k: number): boolean {
  for (let j = r * k; j < (r + 1) * k; j++) if (p[j] !== p[j]) return true;
  return false;
}
