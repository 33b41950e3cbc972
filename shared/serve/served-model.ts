/**
 * One loaded model version as the server runs it: its onnxruntime session, how rows map to its inputs
 * (the scorer's input mapping, cached per column list), how its outputs read as predictions (the
 * scorer's output plan), and its own micro-batcher.
 *
 * A request is pinned to the ServedModel that was current when it arrived (acquire/release): its
 * tensors were built for that model's inputs, and it runs in that model's batches even if a newer
 * version is swapped in meanwhile. A retired model is released once its last request is done.
 */
import type * as Ort from 'onnxruntime-node';
import { ort } from '../model/infer/ort';
import type { RowBatch } from '../data/types';
import { isUserError } from '../errors';
import { buildFeedsFor, planInputs, type InputPlan, type LoadedModel } from '../model/infer';
import { decodeOutputs, planOutputs, settleFromRun, type DecodeTarget, type OutputPlan } from '../model/infer/outputs';
import { Batcher, type BatchJob, type BatcherOptions } from './batcher';
import { HttpError, badRequest } from './http';
import type { Table } from './tabular';
import { outputSlice, tensorMetadata, type InferRequest, type OutputTensor, type TensorMetadata } from './v2';

/** What the server learns from each batch (metrics). */
export interface BatchObserver {
  batch(model: ServedModel, rows: number, requests: number, seconds: number): void;
  /** Decoded predictions of rows [offset, offset + count) of a batch. */
  predictions(model: ServedModel, decoded: DecodeTarget, offset: number, count: number): void;
}

export interface ServedModelInit {
  name: string;
  /** The version as the protocol shows it ("3"). */
  version: string;
  /** sha256:<hex> of model.onnx. */
  digest: string;
  /** Where it came from, for logs: churn@production (v3) in .mlops/registry, model.onnx. */
  origin: string;
  loaded: LoadedModel;
  batch?: BatcherOptions;
  observer?: BatchObserver;
  /** Buckets for the histogram of predicted values (regression), e.g. the target's bins in the training profile. */
  valueBuckets?: number[];
}

/** Rows of one batch's run that belong to one job. */
interface BatchResult {
  outputs: Ort.InferenceSession.ReturnType;
  offset: number;
  /** The outputs are not split by rows (a model whose outputs do not follow the batch dimension): return them whole. */
  whole: boolean;
  decoded: DecodeTarget | undefined;
}

interface Job extends BatchJob {
  feeds: Record<string, Ort.Tensor>;
  /** Rows of the feeds (more than `rows` when padded up to a model's fixed batch size). */
  tensorRows: number;
  fetches: readonly string[];
  resolve(result: BatchResult): void;
}

export interface TabularResult {
  task: 'classification' | 'regression';
  /** Class index per row (classification; -1 when the scores were NaN) */
  predicted?: Int32Array;
  /** Row-major [rows, classes] (classification with probabilities). */
  probabilities?: Float64Array;
  values?: Float64Array;
  rows: number;
  /** The data columns the model read, in the order of its inputs (for the prediction log). */
  used: { name: string; column: number }[];
}

export interface InferResult {
  outputs: OutputTensor[];
  /** Decoded predictions of the rows, when the model's outputs read as predictions (for metrics and the log). */
  decoded?: { target: DecodeTarget; offset: number };
}

const PLAN_CACHE = 64;

/** A class label as JSON: numbers for classes that are written as numbers ("0", "1" → 0, 1). */
function jsonLabels(classes: readonly string[]): (string | number)[] {
  const numeric = classes.every((c) => c.trim() !== '' && String(Number(c)) === c);
  return numeric ? classes.map(Number) : [...classes];
}

type TypedCtor = new (n: number) => ArrayLike<number | bigint> & { set(a: ArrayLike<number | bigint>, offset?: number): void };

function concatFeeds(jobs: readonly Job[], rows: number): Record<string, Ort.Tensor> {
  const out: Record<string, Ort.Tensor> = {};
  for (const name of Object.keys(jobs[0]!.feeds)) {
    const first = jobs[0]!.feeds[name]!;
    const inner = first.dims.slice(1);
    const width = inner.reduce((a, b) => a * b, 1);
    if (first.type === 'string') {
      const data: string[] = new Array<string>(rows * width);
      let k = 0;
      for (const j of jobs) {
        const d = j.feeds[name]!.data as string[];
        for (let i = 0; i < d.length; i++) data[k++] = d[i]!;
      }
      out[name] = new (ort().Tensor)('string', data, [rows, ...inner]);
      continue;
    }
    const Ctor = (first.data as object).constructor as TypedCtor;
    const data = new Ctor(rows * width);
    let k = 0;
    for (const j of jobs) {
      const d = j.feeds[name]!.data as ArrayLike<number>;
      data.set(d, k);
      k += d.length;
    }
    out[name] = new (ort().Tensor)(first.type, data as Float32Array, [rows, ...inner]);
  }
  return out;
}

/** The batching key of feeds: input names, types and inner dimensions. */
function feedKey(feeds: Record<string, Ort.Tensor>): string {
  let k = '';
  for (const name in feeds) {
    const t = feeds[name]!;
    k += `${name}\u0000${t.type}\u0000${t.dims.slice(1).join(',')}\u0001`;
  }
  return k;
}

export class ServedModel {
  readonly name: string;
  readonly version: string;
  readonly digest: string;
  readonly origin: string;
  readonly loaded: LoadedModel;
  readonly loadedAt = new Date();
  readonly batcher: Batcher<Job>;
  readonly valueBuckets: number[] | undefined;
  /** The output plan, when the outputs read as predictions (else /predict is refused with `whyNoPredictions`). */
  outputPlan: OutputPlan | undefined;
  whyNoPredictions = '';
  /** Class labels as the JSON responses show them, once known. */
  labels: (string | number)[] | undefined;
  readonly inputs: TensorMetadata[];
  readonly outputs: TensorMetadata[];
  readonly outputNames: readonly string[];
  private classIndex: Map<string, number> | undefined;
  private readonly plans = new Map<string, InputPlan>();
  private readonly observer: BatchObserver | undefined;
  /** False once a run showed outputs that do not follow the batch dimension: jobs then run alone. */
  private batchable = true;
  private refs = 0;
  private retired = false;
  private released = false;

  constructor(init: ServedModelInit) {
    this.name = init.name;
    this.version = init.version;
    this.digest = init.digest;
    this.origin = init.origin;
    this.loaded = init.loaded;
    this.observer = init.observer;
    this.valueBuckets = init.valueBuckets;
    this.batcher = new Batcher<Job>((jobs) => this.execute(jobs), init.batch);
    const session = init.loaded.session;
    this.outputNames = session.outputNames;
    this.inputs = init.loaded.signature.inputs.map((i) => tensorMetadata(i.name, i.type, i.shape));
    // What /infer returns: the session's outputs (a ZipMap is already its [N, C] probability tensor).
    this.outputs = session.outputMetadata.map((m) => (m.isTensor ? tensorMetadata(m.name, m.type, m.shape.map((d) => (typeof d === 'number' ? d : -1))) : tensorMetadata(m.name, undefined, undefined)));
    try {
      this.outputPlan = planOutputs(init.loaded);
      if (this.outputPlan.task !== undefined && this.outputPlan.classes !== undefined) this.settleClasses();
    } catch (e) {
      if (!isUserError(e)) throw e;
      this.outputPlan = undefined;
      this.whyNoPredictions = e.message;
    }
  }

  get task(): 'classification' | 'regression' | undefined {
    return this.outputPlan?.task;
  }

  // ---- lifetime ----------------------------------------------------------------------------------

  acquire(): void {
    this.refs++;
  }

  release(): void {
    this.refs--;
    if (this.refs === 0 && this.retired) void this.free();
  }

  /** No new requests will come: release the session once the last one is done. */
  retire(): void {
    this.retired = true;
    if (this.refs === 0) void this.free();
  }

  get inFlight(): number {
    return this.refs;
  }

  get isReleased(): boolean {
    return this.released;
  }

  private async free(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.batcher.idle();
    await this.loaded.release();
  }

  // ---- requests ----------------------------------------------------------------------------------

  /** The input mapping for a list of columns (a 400 when the columns cannot feed the model). */
  inputPlan(columns: readonly string[]): InputPlan {
    const key = columns.join('\u0000');
    let plan = this.plans.get(key);
    if (plan) return plan;
    try {
      plan = planInputs(this.loaded, columns);
    } catch (e) {
      if (isUserError(e)) throw badRequest(e.message);
      throw e;
    }
    if (this.plans.size >= PLAN_CACHE) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(key, plan);
    return plan;
  }

  /** Scores rows given as columns. */
  async predictTable(table: Table): Promise<TabularResult> {
    if (!this.outputPlan) throw badRequest(`model '${this.name}' has outputs that do not read as predictions (${this.whyNoPredictions}); send tensors to /v2/models/${this.name}/infer`);
    const plan = this.inputPlan(table.columns);
    const used = plan.kind === 'matrix' ? plan.features.map((name, j) => ({ name, column: plan.columns[j]! })) : plan.feeds.map((f) => ({ name: f.columnName, column: f.column }));
    if (table.absentAt) {
      for (const u of used) {
        const r = table.absentAt[u.column]!;
        if (r >= 0) throw badRequest(`record ${r + 1} has no '${u.name}', which the model needs${plan.kind === 'matrix' ? ` (feature of input '${plan.input}')` : ''}; send null for a missing value`);
      }
    }
    const batch: RowBatch = { file: 'request', firstRow: 0, length: table.rows, columns: table.columns, values: table.values };
    const fixed = plan.fixedRows;
    const results: Promise<BatchResult>[] = [];
    const spans: [number, number][] = [];
    const fetches = this.outputPlan.fetches;
    try {
      if (fixed !== undefined) {
        for (let start = 0; start < table.rows; start += fixed) {
          const count = Math.min(fixed, table.rows - start);
          const feeds = buildFeedsFor(plan, batch, start, count, fixed);
          spans.push([start, count]);
          results.push(this.submit(feeds, count, fixed, fetches, ''));
        }
      } else {
        const feeds = buildFeedsFor(plan, batch);
        spans.push([0, table.rows]);
        results.push(this.submit(feeds, table.rows, table.rows, fetches, this.batchable ? feedKey(feeds) : ''));
      }
    } catch (e) {
      if (isUserError(e)) throw badRequest(e.message);
      throw e;
    }
    const done = await Promise.all(results);
    const n = table.rows;
    const task = this.outputPlan.task ?? 'regression';
    const out: TabularResult = { task, rows: n, used };
    if (task === 'regression') out.values = new Float64Array(n);
    else {
      out.predicted = new Int32Array(n);
      if (done[0]!.decoded?.probabilities) out.probabilities = new Float64Array(n * (this.outputPlan.width ?? 0));
    }
    const C = this.outputPlan.width ?? 0;
    done.forEach((r, k) => {
      const [start, count] = spans[k]!;
      const d = r.decoded!;
      if (out.values) out.values.set(d.values!.subarray(r.offset, r.offset + count), start);
      if (out.predicted) out.predicted.set(d.predicted!.subarray(r.offset, r.offset + count), start);
      if (out.probabilities) out.probabilities.set(d.probabilities!.subarray(r.offset * C, (r.offset + count) * C), start * C);
    });
    return out;
  }

  /** Runs an inference request's tensors; returns its rows of the requested outputs. */
  async infer(req: InferRequest): Promise<InferResult> {
    const fetches = this.outputPlan ? [...new Set([...req.outputs, ...this.outputPlan.fetches])] : req.outputs;
    const key = req.batchable && this.batchable ? feedKey(req.feeds) : '';
    const r = await this.submit(req.feeds, req.rows, req.rows, fetches, key);
    const outputs = req.outputs.map((name) => outputSlice(name, r.outputs[name]!, r.offset, req.rows, r.whole));
    return r.decoded ? { outputs, decoded: { target: r.decoded, offset: r.offset } } : { outputs };
  }

  private submit(feeds: Record<string, Ort.Tensor>, rows: number, tensorRows: number, fetches: readonly string[], key: string): Promise<BatchResult> {
    return new Promise<BatchResult>((resolve, reject) => {
      this.batcher.submit({ rows, tensorRows, key, feeds, fetches, resolve, fail: reject });
    });
  }

  // ---- batches -----------------------------------------------------------------------------------

  private settleClasses(): void {
    const plan = this.outputPlan!;
    if (plan.task === 'classification' && plan.classes) {
      this.classIndex = new Map(plan.classes.map((c, i) => [c, i]));
      this.labels = jsonLabels(plan.classes);
    } else this.classIndex = new Map();
  }

  private async execute(jobs: Job[]): Promise<void> {
    const started = performance.now();
    const single = jobs.length === 1;
    const tensorRows = single ? jobs[0]!.tensorRows : jobs.reduce((s, j) => s + j.rows, 0);
    const feeds = single ? jobs[0]!.feeds : concatFeeds(jobs, tensorRows);
    const fetches = single ? jobs[0]!.fetches : [...new Set(jobs.flatMap((j) => j.fetches))];
    let outputs: Ort.InferenceSession.ReturnType;
    try {
      outputs = await this.loaded.session.run(feeds, fetches as string[]);
    } catch (e) {
      if (!single) {
        // One request's data may be what onnxruntime refuses: run each alone, so only that one fails.
        for (const j of jobs) await this.execute([j]);
        return;
      }
      jobs[0]!.fail(new HttpError(400, `the model failed on this input: onnxruntime says: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`));
      return;
    }
    const aligned = fetches.every((f) => outputs[f]!.dims.length > 0 && outputs[f]!.dims[0] === tensorRows);
    if (!aligned && !single) {
      this.batchable = false;
      for (const j of jobs) await this.execute([j]);
      return;
    }
    let decoded: DecodeTarget | undefined;
    const plan = this.outputPlan;
    const validRows = single ? jobs[0]!.rows : tensorRows;
    if (plan && aligned && plan.fetches.every((f) => outputs[f] !== undefined)) {
      try {
        if (!this.classIndex || plan.task === undefined || (plan.task === 'classification' && plan.width === undefined)) {
          settleFromRun(plan, this.loaded, outputs);
          this.settleClasses();
        }
        decoded =
          plan.task === 'regression'
            ? { values: new Float64Array(tensorRows) }
            : { predicted: new Int32Array(tensorRows), ...(plan.score ? { probabilities: new Float64Array(tensorRows * plan.width!) } : {}) };
        decodeOutputs(plan, this.loaded, outputs, validRows, tensorRows, 0, decoded, this.classIndex!);
      } catch (e) {
        const err = new HttpError(500, `cannot read the model's outputs as predictions: ${e instanceof Error ? e.message : String(e)}`);
        for (const j of jobs) j.fail(err);
        return;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    this.observer?.batch(this, validRows, jobs.length, seconds);
    let offset = 0;
    for (const j of jobs) {
      if (decoded) this.observer?.predictions(this, decoded, offset, j.rows);
      j.resolve({ outputs, offset, whole: !aligned, decoded });
      offset += j.rows;
    }
  }

  /**
   * Runs the model once on a row of zeros (empty strings for string inputs, dynamic dimensions of 1):
   * the first request does not pay for onnxruntime's lazy setup, and an output plan that needs a run
   * (a float output of unknown width) is settled. A model that cannot run on zeros is still served:
   * the reason is returned as a warning.
   */
  async warmup(): Promise<string | undefined> {
    const feeds: Record<string, Ort.Tensor> = {};
    for (const i of this.loaded.signature.inputs) {
      if (!i.isTensor || !i.type || !i.shape) return `no warm-up run: input '${i.name}' (${i.text}) has no declared tensor shape`;
      const dims = i.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
      const size = dims.reduce((a, b) => a * b, 1);
      let data: unknown;
      switch (i.type) {
        case 'string':
          data = new Array<string>(size).fill('');
          break;
        case 'float32':
          data = new Float32Array(size);
          break;
        case 'float64':
          data = new Float64Array(size);
          break;
        case 'int64':
          data = new BigInt64Array(size);
          break;
        case 'uint64':
          data = new BigUint64Array(size);
          break;
        case 'int32':
          data = new Int32Array(size);
          break;
        case 'bool':
        case 'uint8':
          data = new Uint8Array(size);
          break;
        default:
          return `no warm-up run: input '${i.name}' is ${i.type}`;
      }
      feeds[i.name] = new (ort().Tensor)(i.type, data as Float32Array, dims);
    }
    try {
      const out = await this.loaded.session.run(feeds);
      const plan = this.outputPlan;
      if (plan && (!this.classIndex || plan.task === undefined || (plan.task === 'classification' && plan.width === undefined))) {
        try {
          settleFromRun(plan, this.loaded, out);
          this.settleClasses();
        } catch (e) {
          if (!isUserError(e)) throw e;
          this.outputPlan = undefined;
          this.whyNoPredictions = e.message;
        }
      }
      return undefined;
    } catch (e) {
      return `the warm-up run on zeros failed (requests may still succeed): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    }
  }

  /** The v2 model metadata. */
  metadata(): Record<string, unknown> {
    const plan = this.outputPlan;
    return {
      name: this.name,
      versions: [this.version],
      platform: 'onnxruntime',
      inputs: this.inputs,
      outputs: this.outputs,
      parameters: {
        digest: this.digest,
        origin: this.origin,
        loaded_at: this.loadedAt.toISOString(),
        ...(plan?.task ? { task: plan.task } : {}),
        ...(this.labels ? { classes: this.labels } : {}),
        ...(this.loaded.mlops.features ? { features: this.loaded.mlops.features } : {}),
        ...(this.loaded.mlops.target ? { target: this.loaded.mlops.target } : {}),
      },
    };
  }
}
