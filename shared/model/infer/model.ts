/**
 * Loading an ONNX model for scoring: an onnxruntime-node InferenceSession on the CPU, the model's
 * signature, its metadata props (and the `mlops.*` conventions read from them), and the sha256 of its
 * bytes (what a report cites as the model's identity).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { loadOrt } from './ort';
import { displayPath } from '../../data/common';
import { UserError, type Location } from '../../errors';
import { detectTask } from './outputs';
import { type Dim, type OneHotInput, type OnnxModelInfo, ProtoError, type TypeDesc, decodeOnnx, readOnnxModel, rewriteOneHotInputs, rewriteZipMaps, typeText, exposeLabelIndex, type LabelIndexOutput } from './graph';
import { encodeModelView, type ModelView } from '../onnx';

export type { Dim } from './graph';

export type Task = 'classification' | 'regression';

/** One input or output of the model. */
export interface ValueSignature {
  name: string;
  /** False for sequences and maps (a ZipMap output is a sequence of maps). */
  isTensor: boolean;
  /** The tensor element type as onnxruntime-common names it (float32, int64, string, …); undefined for non-tensors. */
  type: Ort.Tensor.Type | undefined;
  /** Tensor shape: a number for a fixed size, the name of a symbolic dimension, -1 for an unnamed dynamic one. Undefined when the model does not say. */
  shape: Dim[] | undefined;
  /** Readable type: `float32[N,3]`, `seq(map(string,float32))`. */
  text: string;
}

export interface ModelSignature {
  inputs: ValueSignature[];
  outputs: ValueSignature[];
}

/** The `mlops.*` metadata props, decoded. */
export interface MlopsMetadata {
  /** `mlops.task`: classification or regression. */
  task?: Task;
  /** `mlops.features`: the column of each position of a [N, F] input (a JSON array of names or of {name}). */
  features?: string[];
  /** The same, with the `kind` of each feature when the metadata gives one ({name, kind}, as the built-in trainers write). */
  featureSpecs?: { name: string; kind?: string }[];
  /** `mlops.classes`: the class of each probability column (a JSON array of strings or numbers). */
  classes?: string[];
  /** `mlops.target`: the label column of the training data. */
  target?: string;
}

export interface LoadedModel {
  session: Ort.InferenceSession;
  /** Path as given (for messages: relative to the workspace when inside it), or the `name` option for bytes. */
  source: string;
  /** sha256 (hex) of the model file's bytes. */
  sha256: string;
  /** Size of the model in bytes. */
  size: number;
  /** The model's inputs and outputs as the file declares them. */
  signature: ModelSignature;
  /** All metadata props (`metadata_props` of the ModelProto). */
  metadata: Record<string, string>;
  mlops: MlopsMetadata;
  /**
   * The task: metadata mlops.task, else what the outputs say (a label or ZipMap output, or float scores
   * [N, C>1]: classification; one float value per row: regression); undefined when they do not say.
   * Scoring options can override it (see outputs.ts).
   */
  task: Task | undefined;
  /** Graph facts (nodes, producer, opsets) used to interpret outputs. */
  info: OnnxModelInfo;
  /**
   * ZipMap outputs (sequences of {class: probability}), which onnxruntime-node cannot return: the session
   * runs a rewritten graph in which each is its [N, C] probability tensor; `classes` are the ZipMap's
   * labels, in column order.
   */
  zipmaps: Map<string, string[]>;
  /**
   * String inputs whose OneHotEncoder the scorer computes (loaded with `encodeOneHot`; see
   * rewriteOneHotInputs): the session takes each one's `feed` instead. Empty otherwise.
   */
  oneHot: Map<string, OneHotInput>;
  /**
   * Label outputs whose gathered class index the session also outputs (loaded with `labelIndex`; see
   * exposeLabelIndex), by label output. Empty otherwise.
   */
  labelIndex: Map<string, LabelIndexOutput>;
  /** Where an error about the model points (file, input). */
  location: Location;
  release(): Promise<void>;
}

export interface LoadModelOptions {
  /** Threads one operator may use. Default: the available cores, at most 4 (2 on a GitHub-hosted runner). */
  intraOpNumThreads?: number;
  /** Threads running independent operators in parallel; default 1 (sequential execution). */
  interOpNumThreads?: number;
  /** Default 'all'. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Whether idle intra-op threads spin waiting for work. Default false: between two runs the main thread
   * parses the next batch, and a spinning worker would take one of the runner's two cores from it.
   */
  allowSpinning?: boolean;
  /**
   * Compute the one-hot encoding of string inputs in the scorer instead of onnxruntime (see
   * rewriteOneHotInputs): several times faster for categorical features. For callers that feed the
   * session through planInputs/buildFeedsFor only (evaluate, monitor's performance check), not `serve`, whose
   * requests name the model's own inputs. Default false.
   */
  encodeOneHot?: boolean;
  /**
   * Expose the class index behind a label output that gathers a constant class list (see
   * exposeLabelIndex), for a scorer to fetch instead of the label strings. Default false.
   */
  labelIndex?: boolean;
  /** Name shown in messages when the model is given as bytes; default '<model bytes>'. */
  name?: string;
  /** Name of the action input the model came through (for error locations); default 'model'. */
  input?: string;
}

const MIB = 1024 * 1024;
const DECODER = new TextDecoder();

/** Loads an ONNX model from a file path or from its bytes. Every problem with the model is a UserError. */
export async function loadModel(model: string | Uint8Array, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const source = typeof model === 'string' ? displayPath(model) : (options.name ?? '<model bytes>');
  const location: Location = typeof model === 'string' ? { file: source, input: options.input ?? 'model' } : { input: options.input ?? 'model' };
  let bytes: Uint8Array;
  if (typeof model === 'string') {
    try {
      bytes = await readFile(model);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UserError(
        code === 'ENOENT' ? `model file '${source}' does not exist` : `cannot read model file '${source}': ${(e as Error).message}`,
        location,
        'Check the `model` path (relative to the workspace), and that the model is there at this step (downloaded or trained earlier in the job).',
      );
    }
  } else {
    bytes = model;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length < 1024 && DECODER.decode(bytes.subarray(0, 64)).startsWith('version https://git-lfs.github.com/spec/')) {
    throw new UserError(
      `'${source}' is a Git LFS pointer, not the model itself`,
      location,
      'Fetch the LFS objects before this step: `lfs: true` on actions/checkout, or `git lfs pull`.',
    );
  }

  const sessionOptions: Ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads(options.intraOpNumThreads, Math.min(availableParallelism(), 4)),
    interOpNumThreads: threads(options.interOpNumThreads, 1),
    executionMode: 'sequential',
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' } } },
  };

  const ortModule = await loadOrt();
  const create = (m: string | Uint8Array): Promise<Ort.InferenceSession> =>
    typeof m === 'string' ? ortModule.InferenceSession.create(m, sessionOptions) : ortModule.InferenceSession.create(m, sessionOptions);

  // The graph first: the rewrites below need it. A file that does not decode is still judged by
  // onnxruntime first, so its reason is the one reported.
  let view: ModelView | undefined;
  let info: OnnxModelInfo | undefined;
  let protoError: ProtoError | undefined;
  try {
    view = decodeOnnx(bytes);
    info = readOnnxModel(view);
  } catch (e) {
    if (!(e instanceof ProtoError)) throw e;
    protoError = e;
  }

  const zipmaps = new Map<string, string[]>();
  const oneHot = new Map<string, OneHotInput>();
  const labelIndex = new Map<string, LabelIndexOutput>();
  let session: Ort.InferenceSession | undefined;
  let zipOnly: ReturnType<typeof rewriteZipMaps>;
  if (view && info) {
    // The scorer's rewrites (the same function, computed faster) and the ZipMap rewrite, in one graph,
    // loaded instead of the file as it is: one session, not one per step (a large model loads once).
    let faster = view;
    const encoded = options.encodeOneHot ? rewriteOneHotInputs(faster, info) : undefined;
    if (encoded) faster = encoded.model;
    const labels = options.labelIndex ? exposeLabelIndex(faster, info) : undefined;
    if (labels) faster = labels.model;
    const zips = rewriteZipMaps(faster, info);
    if (faster !== view || zips) {
      try {
        session = await create(zips?.bytes ?? encodeModelView(faster));
        for (const o of encoded?.inputs ?? []) oneHot.set(o.input, o);
        for (const l of labels?.outputs ?? []) labelIndex.set(l.output, l);
        for (const z of zips?.rewrites ?? []) zipmaps.set(z.output, z.classes);
      } catch {
        // Not a UserError yet: the file as it is decides (below).
      }
    }
    if (!session && faster !== view) zipOnly = rewriteZipMaps(view, info);
  }
  if (!session) {
    try {
      session = await create(typeof model === 'string' ? model : bytes);
    } catch (e) {
      throw new UserError(
        `'${source}' is not a valid ONNX model (${bytes.length < MIB ? `${bytes.length} bytes` : `${(bytes.length / MIB).toFixed(1)} MiB`}): onnxruntime says: ${ortReason(e)}`,
        location,
        'Export the model to ONNX again (skl2onnx, torch.onnx.export, tf2onnx, …) and check the file is complete: a model stored with Git LFS must be pulled (`lfs: true` on actions/checkout), and a download must have finished.',
      );
    }
    if (protoError || !view || !info) {
      await session.release();
      throw new UserError(`'${source}' is not a readable ONNX protobuf: ${protoError?.message ?? 'no graph'}`, location);
    }
    // The model loads as it is but not rewritten: score it as it is, with the ZipMap rewrite alone when it
    // has a ZipMap (which onnxruntime-node cannot return), or not at all.
    const rewritten = zipOnly ?? rewriteZipMaps(view, info);
    if (rewritten) {
      await session.release();
      try {
        session = await create(rewritten.bytes);
      } catch (e) {
        throw new UserError(
          `cannot score '${source}': its ZipMap output(s) ${rewritten.rewrites.map((z) => `'${z.output}'`).join(', ')} must be read as probability tensors, and the rewritten graph does not load: ${ortReason(e)}`,
          location,
          'Export the classifier without ZipMap (skl2onnx: options={id(model): {"zipmap": False}}), so it outputs a label and a [N, classes] probability tensor.',
        );
      }
      for (const z of rewritten.rewrites) zipmaps.set(z.output, z.classes);
    }
  }

  if (!info) throw new Error('internal: a session without a decoded graph');
  const declared = new Map<string, TypeDesc | undefined>();
  for (const v of [...info.inputs, ...info.outputs]) declared.set(v.name, v.type);
  // The inputs as the file declares them, whatever graph the session runs: a one-hot feed stands for
  // its string input, declared [..., K] where that one is [...].
  const byFeed = new Map([...oneHot.values()].map((o) => [o.feed, o]));
  const inputSignatures = session.inputMetadata.map((m) => {
    const o = byFeed.get(m.name);
    const original: Ort.InferenceSession.ValueMetadata = o && m.isTensor ? { name: o.input, isTensor: true, type: 'string', shape: m.shape.slice(0, -1) } : m;
    return valueSignature(original, declared.get(original.name));
  });

  let mlops: MlopsMetadata;
  try {
    mlops = readMlopsMetadata(info.metadata, source, location);
  } catch (e) {
    await session.release();
    throw e;
  }

  const declaredOutputs = new Set(info.outputs.map((o) => o.name));
  const signature: ModelSignature = {
    inputs: inputSignatures,
    // The outputs the file declares (not an index exposeLabelIndex added).
    outputs: session.outputMetadata.filter((m) => declaredOutputs.has(m.name)).map((m) => (zipmaps.has(m.name) ? valueSignature({ name: m.name, isTensor: false }, declared.get(m.name)) : valueSignature(m, declared.get(m.name)))),
  };

  const s = session;
  const loaded: LoadedModel = {
    session: s,
    source,
    sha256,
    size: bytes.length,
    signature,
    metadata: info.metadata,
    mlops,
    task: mlops.task,
    info,
    zipmaps,
    oneHot,
    labelIndex,
    location,
    release: () => s.release(),
  };
  loaded.task = detectTask(loaded);
  return loaded;
}

function threads(n: number | undefined, fallback: number): number {
  if (n === undefined || !Number.isFinite(n) || n < 1) return Math.max(1, fallback);
  return Math.floor(n);
}

/** onnxruntime's message without its stack or the repeated path prefix. */
function ortReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/^Load model from .*? failed:\s*/s, '').replace(/\s+$/, '');
}

function valueSignature(m: Ort.InferenceSession.ValueMetadata, declared: TypeDesc | undefined): ValueSignature {
  if (!m.isTensor) {
    return { name: m.name, isTensor: false, type: undefined, shape: undefined, text: typeText(declared) };
  }
  const declaredShape = declared?.kind === 'tensor' ? declared.shape : undefined;
  const shape: Dim[] | undefined = declaredShape === undefined && m.shape.length === 0 ? undefined : m.shape.map((d) => (d === '' ? -1 : d));
  return {
    name: m.name,
    isTensor: true,
    type: m.type,
    shape,
    text: `${m.type}${shape ? `[${shape.map((d) => (d === -1 ? '?' : String(d))).join(',')}]` : ''}`,
  };
}

const TASKS: Record<string, Task> = {
  classification: 'classification',
  classifier: 'classification',
  binary: 'classification',
  multiclass: 'classification',
  'binary-classification': 'classification',
  'multiclass-classification': 'classification',
  regression: 'regression',
  regressor: 'regression',
};

/** Decodes `mlops.task`, `mlops.features`, `mlops.classes`, `mlops.target`; a malformed value is a UserError. */
export function readMlopsMetadata(metadata: Record<string, string>, source: string, location: Location = {}): MlopsMetadata {
  const out: MlopsMetadata = {};
  const bad = (key: string, what: string, value: string): UserError =>
    new UserError(
      `model '${source}' has metadata ${key} = ${clip(value)}, which is not ${what}`,
      location,
      `Write ${key} as ${what} when exporting the model (for example onnx_model.metadata_props.add(key="${key}", value=json.dumps(...))), or remove it.`,
    );

  const task = metadata['mlops.task'];
  if (task !== undefined && task.trim() !== '') {
    const t = TASKS[task.trim().toLowerCase()];
    if (t === undefined) throw bad('mlops.task', '"classification" or "regression"', task);
    out.task = t;
  }

  const features = metadata['mlops.features'];
  if (features !== undefined && features.trim() !== '') {
    const what = 'a JSON array of column names (or of {"name": ...} objects)';
    let parsed: unknown;
    try {
      parsed = JSON.parse(features);
    } catch {
      throw bad('mlops.features', what, features);
    }
    if (!Array.isArray(parsed) || parsed.length === 0) throw bad('mlops.features', what, features);
    const names: string[] = [];
    const specs: { name: string; kind?: string }[] = [];
    for (const f of parsed) {
      if (typeof f === 'string') {
        names.push(f);
        specs.push({ name: f });
      } else if (f !== null && typeof f === 'object' && typeof (f as { name?: unknown }).name === 'string') {
        const { name, kind } = f as { name: string; kind?: unknown };
        names.push(name);
        specs.push(typeof kind === 'string' ? { name, kind } : { name });
      } else throw bad('mlops.features', what, features);
    }
    out.features = names;
    out.featureSpecs = specs;
  }

  const classes = metadata['mlops.classes'];
  if (classes !== undefined && classes.trim() !== '') {
    const what = 'a JSON array of class labels (strings or numbers)';
    let parsed: unknown;
    try {
      parsed = JSON.parse(classes);
    } catch {
      throw bad('mlops.classes', what, classes);
    }
    if (!Array.isArray(parsed) || parsed.length === 0) throw bad('mlops.classes', what, classes);
    const names: string[] = [];
    for (const c of parsed) {
      if (typeof c === 'string') names.push(c);
      else if (typeof c === 'number' || typeof c === 'boolean') names.push(String(c));
      else throw bad('mlops.classes', what, classes);
    }
    out.classes = names;
  }

  const target = metadata['mlops.target'];
  if (target !== undefined && target.trim() !== '') out.target = target;
  return out;
}

function clip(s: string, max = 80): string {
  const t = JSON.stringify(s);
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
