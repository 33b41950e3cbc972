/**
 * Batched inference: row batches in, predictions out, aligned with the batch rows, in constant memory
 * in rows (one batch's tensors and predictions at a time).
 */
import type * as ort from 'onnxruntime-node';
import { displayPath } from '../../data/common';
import type { Cell, RowBatch } from '../../data/types';
import { UserError } from '../../errors';
import { sniffString, newSniffed, KIND } from '../../schema/values';
import { buildFeedsFor, cellError, cellToFloat, planInputs, type InputOptions, type InputPlan } from './inputs';
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
  /** The target column's cells (the batch's own array, not a copy), when there is a target. */
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
    const targetCells = target >= 0 ? batch.values[target]! : undefined;
    if (targetCells) base.target = targetCells;
    const task: Task = outputs.task ?? 'regression';
    if (task === 'regression') {
      const scored: RegressionBatch = { ...base, task, values: into.values! };
      if (targetCells) scored.targetValues = regressionTargets(batch, targetCells, options.target ?? model.mlops.target!);
      return scored;
    }
    const scored: ClassificationBatch = { ...base, task, classes: outputs.classes ?? [], predicted: into.predicted! };
    if (into.probabilities) scored.probabilities = into.probabilities;
    if (targetCells) scored.targetIndex = classificationTargets(targetCells, targetLookup ?? targetIndexMap(outputs.classes ?? []));
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

function classificationTargets(cells: readonly Cell[], lookup: Map<string, number>): Int32Array {
  const out = new Int32Array(cells.length);
  const s = newSniffed();
  for (let r = 0; r < cells.length; r++) {
    const cell = cells[r]!;
    if (cell === null) {
      out[r] = -1;
      continue;
    }
    const text = typeof cell === 'string' ? cell : cell instanceof Date ? cell.toISOString() : String(cell);
    let k = lookup.get(text);
    if (k === undefined && typeof cell === 'string') {
      sniffString(cell, s);
      if (s.kind === KIND.integer || s.kind === KIND.float) k = lookup.get(String(s.num));
      else if (s.kind === KIND.boolean) k = lookup.get(String(s.num));
    } else if (k === undefined && typeof cell === 'boolean') {
      k = lookup.get(cell ? '1' : '0');
    }
    out[r] = k ?? -1;
  }
  return out;
}

function regressionTargets(batch: RowBatch, cells: readonly Cell[], column: string): Float64Array {
  const out = new Float64Array(cells.length);
  for (let r = 0; r < cells.length; r++) {
    const v = cellToFloat(cells[r]!);
    if (v === undefined) throw cellError(batch, r, column, cells[r]!, 'is not a number, and the target of a regression must be one', 'Fix or remove the row, or point `target` at the numeric label column.');
    out[r] = v;
  }
  return out;
}
