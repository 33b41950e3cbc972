/**
 * Batched inference: row batches in, predictions out, aligned with the batch rows, in constant memory
 * in rows (one batch's tensors and predictions at a time).
 */
import type * as ort from 'onnxruntime-node';
import { displayPath } from '../../data/common';
import { CELL_ESCAPED, CELL_NULL } from '../../data/csv';
import type { Cell, RawCells, RowBatch } from '../../data/types';
import { UserError } from '../../errors';
import { sniffString, newSniffed, KIND } from '../../schema/values';
import { asciiBytes, buildFeedsFor, bytesAt, cellError, keyWords, cellToFloat, planInputs, rawCell, rawToFloat, type InputOptions, type InputPlan } from './inputs';
import type { LoadedModel, Task } from './model';
import { decodeOutputs, planOutputs, settleFromRun, type DecodeTarget, type OutputOptions, type OutputPlan } from './outputs';

export interface ScoreOptions extends InputOptions, OutputOptions {
  /**
   * The label column, returned with the predictions so the caller can compute metrics. Default: the
   * model's mlops.target when the data has that column. A `target` the data lacks is an error.
   */
  target?: string;
}

interface BatchBase {
  file: string;
  /** 0-based index of the batch's first row within its file. */
  firstRow: number;
  length: number;
  /** 1-based line of each row, when the format has lines. */
  lines?: Int32Array;
  /**
   * The target column's cells (the batch's own array, not a copy), when there is a target. For a raw CSV
   * batch this builds the batch's `values` on first read: the targets below do not need it.
   */
  target?: Cell[];
}

export interface ClassificationBatch extends BatchBase {
  task: 'classification';
  classes: readonly string[];
  /**
   * Predicted class index (into `classes`) of each row: the label output's class when the model has one,
   * else the argmax of the scores; -1 when those are NaN (a missing value fed to a model that does not impute).
   */
  predicted: Int32Array;
  /** Class probabilities, row-major: row r's are [r*C, (r+1)*C). Absent when the model outputs only labels. */
  probabilities?: Float64Array;
  /** Class index of each row's target; -1 when it is missing or not one of `classes`. */
  targetIndex?: Int32Array;
}

export interface RegressionBatch extends BatchBase {
  task: 'regression';
  values: Float64Array;
  /** Each row's target as a number; NaN when missing. */
  targetValues?: Float64Array;
}

export type ScoredBatch = ClassificationBatch | RegressionBatch;

/** A model prepared for scoring with fixed options: input mapping per column set, output interpretation. */
export interface Scorer {
  readonly model: LoadedModel;
  readonly outputs: OutputPlan;
  /** The input mapping for a batch's columns (cached per column list). */
  inputPlan(batch: Pick<RowBatch, 'columns' | 'file'>): InputPlan;
  /** The input tensors of a whole batch ([batch.length, …], whatever batch size the model fixes). */
  buildFeeds(batch: RowBatch): Record<string, ort.Tensor>;
  /** Scores one batch. */
  run(batch: RowBatch): Promise<ScoredBatch>;
}

export function createScorer(model: LoadedModel, options: ScoreOptions = {}): Scorer {
  const outputs = planOutputs(model, options);
  const plans = new Map<string, { input: InputPlan; target: number }>();
  const targets = new TargetCache();
  let classIndex: Map<string, number> | undefined;
  let targetLookup: Map<string, number> | undefined;

  const planFor = (batch: Pick<RowBatch, 'columns' | 'file'>): { input: InputPlan; target: number } => {
    const key = batch.columns.join('\u0000');
    let p = plans.get(key);
    if (!p) {
      const input = planInputs(model, batch.columns, options, batch.file);
      let target = -1;
      if (options.target !== undefined && options.target !== '') {
        target = batch.columns.indexOf(options.target);
        if (target < 0) {
          throw new UserError(
            `target column '${options.target}' is not in the data '${displayPath(batch.file)}', which has ${batch.columns.map((c) => `'${c}'`).join(', ')}`,
            { file: displayPath(batch.file), input: 'target' },
            'Set `target` to the label column of the evaluation data.',
          );
        }
      } else if (model.mlops.target !== undefined) {
        target = batch.columns.indexOf(model.mlops.target);
      }
      p = { input, target };
      plans.set(key, p);
    }
    return p;
  };

  const settle = (runOutputs: ort.InferenceSession.ReturnType): void => {
    if (classIndex === undefined) {
      settleFromRun(outputs, model, runOutputs);
      if (outputs.task === 'classification') {
        classIndex = new Map(outputs.classes!.map((c, i) => [c, i]));
        targetLookup = targetIndexMap(outputs.classes!);
      } else classIndex = new Map();
    }
  };

  const run = async (batch: RowBatch): Promise<ScoredBatch> => {
    const { input, target } = planFor(batch);
    const n = batch.length;
    const chunk = input.fixedRows ?? Math.max(n, 1);
    let into: DecodeTarget | undefined;
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      const feeds = buildFeedsFor(input, batch, start, count, input.fixedRows ?? count);
      let out: ort.InferenceSession.ReturnType;
      try {
        out = await model.session.run(feeds, outputs.fetches);
      } catch (e) {
        throw new UserError(
          `model '${model.source}' failed on rows ${batch.firstRow + start + 1}–${batch.firstRow + start + count} of '${displayPath(batch.file)}': onnxruntime says: ${e instanceof Error ? e.message : String(e)}`,
          model.location,
          'Check that the data has the columns and types the model was trained on.',
        );
      }
      settle(out);
      if (!into) {
        into =
          outputs.task === 'regression'
            ? { values: new Float64Array(n) }
            : { predicted: new Int32Array(n), ...(outputs.score ? { probabilities: new Float64Array(n * outputs.width!) } : {}) };
      }
      decodeOutputs(outputs, model, out, count, input.fixedRows ?? count, start, into, classIndex!);
    }
    if (!into) {
      // An empty batch: nothing ran; the shapes still follow the plan.
      into = outputs.task === 'regression' ? { values: new Float64Array(0) } : { predicted: new Int32Array(0), ...(outputs.score ? { probabilities: new Float64Array(0) } : {}) };
    }
    const base: BatchBase = { file: batch.file, firstRow: batch.firstRow, length: n, ...(batch.lines ? { lines: batch.lines } : {}) };
    const task: Task = outputs.task ?? 'regression';
    const column = options.target ?? model.mlops.target!;
    let scored: ScoredBatch;
    if (task === 'regression') {
      scored = { ...base, task, values: into.values! };
      if (target >= 0) scored.targetValues = regressionTargets(batch, target, column);
    } else {
      scored = { ...base, task, classes: outputs.classes ?? [], predicted: into.predicted! };
      if (into.probabilities) scored.probabilities = into.probabilities;
      if (target >= 0) scored.targetIndex = classificationTargets(batch, target, targetLookup ?? targetIndexMap(outputs.classes ?? []), targets);
    }
    // The cells themselves only when asked for (a raw CSV batch makes them then).
    if (target >= 0) Object.defineProperty(scored, 'target', { get: () => batch.values[target], enumerable: true, configurable: true });
    return scored;
  };

  return {
    model,
    outputs,
    inputPlan: (batch) => planFor(batch).input,
    buildFeeds: (batch) => buildFeedsFor(planFor(batch).input, batch),
    run,
  };
}

/** Scores a stream of batches; yields one ScoredBatch per input batch, in order. */
export async function* scoreBatches(model: LoadedModel, batches: AsyncIterable<RowBatch> | Iterable<RowBatch>, options: ScoreOptions = {}): AsyncGenerator<ScoredBatch> {
  const scorer = createScorer(model, options);
  for await (const batch of batches) yield await scorer.run(batch);
}

/** Scores one batch (plans the model's inputs and outputs for it; use createScorer for many batches). */
export function runBatch(model: LoadedModel, batch: RowBatch, options: ScoreOptions = {}): Promise<ScoredBatch> {
  return createScorer(model, options).run(batch);
}

/** The input tensors of one batch, as runBatch builds them (for benchmarks against a raw session.run loop). */
export function buildFeeds(model: LoadedModel, batch: RowBatch, options: InputOptions = {}): Record<string, ort.Tensor> {
  return buildFeedsFor(planInputs(model, batch.columns, options, batch.file), batch);
}

// ---------------------------------------------------------------------------------------------------
// Targets.

/** Class name -> index, also under the canonical text of numeric names ("1.0" and "1" both find class "1"). */
function targetIndexMap(classes: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  const s = newSniffed();
  classes.forEach((c, i) => {
    m.set(c, i);
    sniffString(c, s);
    if ((s.kind === KIND.integer || s.kind === KIND.float) && !m.has(String(s.num))) m.set(String(s.num), i);
  });
  return m;
}

/** A target text's class index (-1: not a class), as the values path finds it. */
function classOf(text: string, lookup: Map<string, number>, s: ReturnType<typeof newSniffed>): number {
  let k = lookup.get(text);
  if (k === undefined) {
    sniffString(text, s);
    if (s.kind === KIND.integer || s.kind === KIND.float || s.kind === KIND.boolean) k = lookup.get(String(s.num));
  }
  return k ?? -1;
}

/**
 * A scorer's memory for the targets of raw batches: the lookup's keys, to match a cell's text in place
 * (a label column has few classes), and the class of each other text seen (e.g. "1.0" for class "1").
 */
class TargetCache {
  lookup: Map<string, number> | undefined;
  keys: string[] = [];
  /** The keys as bytes (undefined for one that is not ASCII), for batches that have RawCells.bytes. */
  keyBytes: (Uint8Array | undefined)[] = [];
  keyWords: Int32Array[] = [];
  classes: number[] = [];
  memo = new Map<string, number>();

  use(lookup: Map<string, number>): void {
    if (this.lookup === lookup) return;
    this.lookup = lookup;
    // Scanning keys beats hashing only for a few; with many classes every text goes through the memo.
    const entries = lookup.size <= 32 ? [...lookup] : [];
    this.keys = entries.map((e) => e[0]);
    this.keyBytes = this.keys.map((k) => asciiBytes(k));
    this.keyWords = this.keyBytes.map((b) => (b ? keyWords(b) : new Int32Array(0)));
    this.classes = entries.map((e) => e[1]);
    this.memo = new Map();
  }
}

/** Whether text[s, e) equals key. */
function rangeEquals(text: string, s: number, e: number, key: string): boolean {
  if (key.length !== e - s) return false;
  for (let j = 0; j < key.length; j++) if (key.charCodeAt(j) !== text.charCodeAt(s + j)) return false;
  return true;
}

function classificationTargets(batch: RowBatch, column: number, lookup: Map<string, number>, cache: TargetCache): Int32Array {
  const n = batch.length;
  const out = new Int32Array(n);
  const s = newSniffed();
  const raw = batch.raw;
  if (raw) {
    cache.use(lookup);
    const { keys, keyBytes, keyWords: words, classes, memo } = cache;
    const bytes = raw.bytes;
    // Read only without bytes (a batch from the reader thread makes its text when it is first read).
    const text = bytes ? '' : raw.text;
    const dv = bytes ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
    const ncol = batch.columns.length;
    for (let r = 0, i = column; r < n; r++, i += ncol) {
      const f = raw.flags[i];
      if (f === CELL_NULL) {
        out[r] = -1;
        continue;
      }
      if (f !== CELL_ESCAPED) {
        const st = raw.starts[i]!;
        const en = raw.ends[i]!;
        let k = -1;
        if (bytes !== undefined && dv !== undefined) {
          for (let j = 0; j < keyBytes.length; j++) {
            const key = keyBytes[j];
            if (key !== undefined && key.length === en - st && bytesAt(bytes, dv, st, key, words[j]!)) {
              k = classes[j]!;
              break;
            }
          }
        } else {
          for (let j = 0; j < keys.length; j++) {
            if (rangeEquals(text, st, en, keys[j]!)) {
              k = classes[j]!;
              break;
            }
          }
        }
        if (k >= 0) {
          out[r] = k;
          continue;
        }
      }
      // Not a class name as written: whatever the text means ("1.0", "true"), remembered.
      const cell = rawCell(raw, i)!;
      let k = memo.get(cell);
      if (k === undefined) {
        k = classOf(cell, lookup, s);
        if (memo.size < 4096) memo.set(cell, k);
      }
      out[r] = k;
    }
    return out;
  }
  const cells = batch.values[column]!;
  for (let r = 0; r < n; r++) {
    const cell = cells[r]!;
    if (cell === null) {
      out[r] = -1;
      continue;
    }
    if (typeof cell === 'string') {
      out[r] = classOf(cell, lookup, s);
      continue;
    }
    const text = cell instanceof Date ? cell.toISOString() : String(cell);
    let k = lookup.get(text);
    if (k === undefined && typeof cell === 'boolean') k = lookup.get(cell ? '1' : '0');
    out[r] = k ?? -1;
  }
  return out;
}

function regressionTargets(batch: RowBatch, column: number, name: string): Float64Array {
  const n = batch.length;
  const out = new Float64Array(n);
  const raw: RawCells | undefined = batch.raw;
  if (raw) {
    const ncol = batch.columns.length;
    for (let r = 0, i = column; r < n; r++, i += ncol) {
      const v = rawToFloat(raw, i);
      if (v === undefined) throw cellError(batch, r, name, rawCell(raw, i), 'is not a number, and the target of a regression must be one', 'Fix or remove the row, or point `target` at the numeric label column.');
      out[r] = v;
    }
    return out;
  }
  const cells = batch.values[column]!;
  for (let r = 0; r < n; r++) {
    const v = cellToFloat(cells[r]!);
    if (v === undefined) throw cellError(batch, r, name, cells[r]!, 'is not a number, and the target of a regression must be one', 'Fix or remove the row, or point `target` at the numeric label column.');
    out[r] = v;
  }
  return out;
}
