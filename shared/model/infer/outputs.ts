/**
 * Output interpretation: what the model's outputs mean (task, classes, which output is the label, which
 * the probabilities) and decoding one run's outputs into class indices + probabilities or values.
 *
 * Classifiers:
 *  - a label output (a tensor of strings or integers, [N] or [N,1]) with probabilities, either a float
 *    tensor [N, C] or a ZipMap (read as its [N, C] tensor: see model.ts); the label is the prediction,
 *    the probabilities are taken as they are;
 *  - or a single float scores output: [N, C] with C > 1 is taken as probabilities when the output comes
 *    from a Softmax node or, row by row, when the row's values are in [0, 1] and sum to 1 (within 1e-3);
 *    otherwise the row is softmaxed (logits). [N] or [N, 1] is a binary score: the sigmoid is applied
 *    unless the output comes from a Sigmoid node; the probabilities are [1 - p, p] and the prediction is
 *    class 1 when p > 0.5. The predicted class of a scores output is the argmax (the first on ties), or
 *    -1 when the row's scores are NaN (a missing value fed to a model that does not impute).
 *    `scores: 'probabilities' | 'logits'` overrides the guess.
 * Class list, first found: the `classes` option, metadata mlops.classes, the ZipMap's labels, the class
 * labels of the ai.onnx.ml classifier node that produces the label, else "0".."C-1" (integer labels must
 * then be 0..C-1; a string label with no class list is an error, since nothing says which probability
 * column is which class).
 * Regression: a float output [N] or [N, 1].
 * Task: the `task` option, else metadata mlops.task, else the outputs (a label or ZipMap output, or a
 * float output [N, C>1]: classification; a single float [N] or [N,1]: regression).
 */
import type * as ort from 'onnxruntime-node';
import { UserError } from '../../errors';
import type { LoadedModel, Task } from './model';
import type { NodeInfo } from './graph';
import { LITTLE_ENDIAN } from '../../endian';

export type ScoresMode = 'auto' | 'probabilities' | 'logits';

export interface OutputOptions {
  task?: Task;
  /** The class of each probability column. Beats mlops.classes and the classes found in the graph. */
  classes?: readonly string[];
  /** How to read a float scores output (see above). Default 'auto'. */
  scores?: ScoresMode;
  /** Name of the label output, when detection picks the wrong one. */
  labelOutput?: string;
  /** Name of the probabilities / scores / value output, when detection picks the wrong one. */
  scoreOutput?: string;
}

export interface OutputPlan {
  /** Undefined only for a float output of unknown width with no task given: decided by the first run. */
  task: Task | undefined;
  /** Outputs to fetch. */
  fetches: string[];
  label: string | undefined;
  /** The probabilities, scores or value output. */
  score: string | undefined;
  /** How `score` is read: probabilities as they are, scores to normalize (softmax/sigmoid guess). */
  scoreKind: 'probabilities' | 'scores' | 'value' | undefined;
  /** The op producing `score` (through Identity/Reshape/Cast/…): Softmax, Sigmoid, … */
  scoreProducer: string | undefined;
  scoresMode: ScoresMode;
  /** Classes, once known (from options, metadata or graph; else at the first run). */
  classes: string[] | undefined;
  /** Where the class list came from (for messages). */
  classesSource: string;
  /** Number of classes, once known. */
  width: number | undefined;
  /**
   * The label read from its class index (model.labelIndex): `fetch` is fetched instead of the label;
   * `classOf[j]` is the class index of values[j] (-1: not a class), filled at the first decode.
   */
  labelIndex?: { fetch: string; values: string[]; classOf?: Int32Array };
}

const LABEL_TYPES = new Set(['string', 'int64', 'int32']);
const FLOAT_TYPES = new Set(['float32', 'float64', 'float16']);
const PASS_THROUGH = new Set(['Identity', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Cast', 'CastLike']);

function producerOf(nodes: readonly NodeInfo[], output: string): NodeInfo | undefined {
  let name = output;
  for (let hops = 0; hops < 16; hops++) {
    const node = nodes.find((n) => n.outputs.includes(name));
    if (!node || !PASS_THROUGH.has(node.opType) || node.inputs[0] === undefined) return node;
    name = node.inputs[0];
  }
  return undefined;
}

interface OutMeta {
  name: string;
  type: string | undefined;
  shape: readonly (number | string)[] | undefined;
}

function rank(o: OutMeta): number | undefined {
  return o.shape?.length;
}

function width(o: OutMeta): number | undefined {
  if (o.shape?.length === 1) return 1;
  const w = o.shape?.[1];
  return typeof w === 'number' && w > 0 ? w : undefined;
}

const SCORE_NAME = /prob|logit|score|pred|output|variable|^y$|value/i;

/** The model's task without scoring options: mlops.task, else what the outputs say; undefined when unclear. */
export function detectTask(model: LoadedModel): Task | undefined {
  if (model.mlops.task !== undefined) return model.mlops.task;
  try {
    return planOutputs(model).task;
  } catch {
    // A classifier whose class list is missing still is a classifier.
    return model.zipmaps.size > 0 || model.session.outputMetadata.some((m) => m.isTensor && LABEL_TYPES.has(m.type)) ? 'classification' : undefined;
  }
}

export function planOutputs(model: LoadedModel, options: OutputOptions = {}): OutputPlan {
  const loc = model.location;
  // The session's outputs: a ZipMap is here already the [N, C] float tensor it wraps.
  const declared = new Set(model.signature.outputs.map((o) => o.name));
  const outs: OutMeta[] = model.session.outputMetadata.filter((m) => declared.has(m.name)).map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: m.shape.map((d) => (d === '' ? -1 : d)) } : { name: m.name, type: undefined, shape: undefined },
  );
  const describe = model.signature.outputs.map((o) => `'${o.name}' ${o.text}`).join(', ');
  const byName = (name: string, what: string): OutMeta => {
    const o = outs.find((x) => x.name === name);
    if (!o) throw new UserError(`model '${model.source}' has no output '${name}' (${what}); its outputs are ${describe}`, loc, 'Name one of the model outputs.');
    if (o.type === undefined) throw new UserError(`model output '${name}' is not a tensor (${model.signature.outputs.find((s) => s.name === name)?.text}); the scorer reads tensors and ZipMaps`, loc);
    return o;
  };
  const scoresMode = options.scores ?? 'auto';
  const task0 = options.task ?? model.mlops.task;
  const zipName = [...model.zipmaps.keys()][0];

  let label: OutMeta | undefined;
  if (options.labelOutput !== undefined) label = byName(options.labelOutput, 'the label output');
  else label = outs.find((o) => o.type !== undefined && LABEL_TYPES.has(o.type) && (rank(o) === 1 || (rank(o) === 2 && o.shape![1] === 1)));

  let score: OutMeta | undefined;
  let scoreKind: OutputPlan['scoreKind'];
  if (options.scoreOutput !== undefined) {
    score = byName(options.scoreOutput, 'the probabilities or scores output');
    if (!FLOAT_TYPES.has(score.type!)) throw new UserError(`model output '${score.name}' holds ${score.type}, not floats: it cannot be the probabilities or scores`, loc);
    scoreKind = model.zipmaps.has(score.name) || label ? 'probabilities' : undefined;
  } else if (zipName !== undefined) {
    score = outs.find((o) => o.name === zipName);
    scoreKind = 'probabilities';
  } else {
    const floats = outs.filter((o) => o.type !== undefined && FLOAT_TYPES.has(o.type) && (rank(o) === undefined || rank(o)! <= 2));
    if (label) {
      const two = floats.filter((o) => rank(o) === 2 || rank(o) === undefined);
      score = two.find((o) => /prob/i.test(o.name)) ?? two[0];
      if (score) scoreKind = 'probabilities';
    } else {
      score = floats.length === 1 ? floats[0] : (floats.find((o) => SCORE_NAME.test(o.name)) ?? floats[0]);
    }
  }

  if (!label && !score) {
    throw new UserError(
      `model '${model.source}' has no output the scorer can read (a label, probabilities, scores or a value as a float tensor [N] or [N, C]); its outputs are ${describe}`,
      loc,
      'Export the model with a tensor output: for a classifier a label and probabilities (skl2onnx does), for a regressor its prediction [N] or [N,1].',
    );
  }

  // The task.
  let task: Task | undefined = task0;
  const isClassifierOutput = label !== undefined || zipName !== undefined;
  if (task === 'regression' && isClassifierOutput) {
    throw new UserError(
      `the task is regression${options.task ? '' : ' (model metadata mlops.task)'}, but model '${model.source}' is a classifier: it outputs ${label ? `the label '${label.name}'` : `the class probabilities '${zipName}'`}`,
      options.task ? { input: 'task' } : loc,
      'Set the task to classification, or score a regression model.',
    );
  }
  if (task === undefined) {
    if (isClassifierOutput) task = 'classification';
    else if (score && (rank(score) === 1 || (rank(score) === 2 && score.shape![1] === 1))) task = 'regression';
    else if (score && width(score) !== undefined && width(score)! > 1) task = 'classification';
  }
  if (score && !scoreKind) scoreKind = task === 'regression' ? 'value' : 'scores';
  if (task === 'regression' && score && width(score) !== undefined && width(score)! > 1) {
    throw new UserError(
      `the task is regression${options.task ? '' : ' (model metadata mlops.task)'}, but model output '${score.name}' gives ${width(score)} values per row`,
      options.task ? { input: 'task' } : loc,
      'A regression model outputs one value per row ([N] or [N,1]); set the task to classification for class scores.',
    );
  }
  if (score && rank(score) !== undefined && rank(score)! > 2) {
    throw new UserError(`model output '${score.name}' has shape [${score.shape!.join(',')}]; the scorer reads [N] or [N, C]`, loc);
  }

  // Classes.
  let classes: string[] | undefined;
  let classesSource = '';
  if (options.classes !== undefined && options.classes.length > 0) {
    classes = [...options.classes];
    classesSource = 'the `classes` input';
  } else if (model.mlops.classes !== undefined) {
    classes = model.mlops.classes;
    classesSource = "the model's mlops.classes metadata";
  } else if (zipName !== undefined && (model.zipmaps.get(zipName)?.length ?? 0) > 0) {
    classes = model.zipmaps.get(zipName)!;
    classesSource = `the ZipMap of output '${zipName}'`;
  } else if (label) {
    const node = producerOf(model.info.nodes, label.name);
    const a = node?.domain === 'ai.onnx.ml' ? node.attributes : undefined;
    const found = a?.['classlabels_strings']?.strings ?? a?.['classlabels_int64s']?.ints?.map(String) ?? a?.['classlabels_ints']?.ints?.map(String);
    if (found && found.length > 0) {
      classes = found;
      classesSource = `the class labels of the ${node!.opType} node`;
    }
  }

  let w: number | undefined;
  if (task === 'classification' && score) {
    w = scoreKind === 'probabilities' ? width(score) : width(score) === 1 ? 2 : width(score);
    if (w === 1 && scoreKind === 'probabilities') w = 2; // a label + P(class 1) column
    if (zipName !== undefined && score.name === zipName && classes === undefined) w = model.zipmaps.get(zipName)?.length || w;
  }
  if (task === 'classification' && classes === undefined && label?.type === 'string') {
    throw new UserError(
      `model '${model.source}' predicts string labels (output '${label.name}') but does not say which ${score ? `column of '${score.name}'` : 'labels'} ${score ? 'belongs to which class' : 'it can predict'}`,
      loc,
      'Give the classes in the order of the probability columns: set the `classes` input, or store them in the model as metadata mlops.classes (a JSON array, e.g. ["cat","dog"]: for sklearn, list(clf.classes_)).',
    );
  }
  if (task === 'classification' && classes === undefined && !score) {
    throw new UserError(
      `model '${model.source}' outputs only labels ('${label!.name}') and no class list`,
      loc,
      'Set the `classes` input, or store them in the model as metadata mlops.classes (a JSON array).',
    );
  }
  if (classes !== undefined && w !== undefined && classes.length !== w) {
    throw new UserError(
      `model '${model.source}' gives ${w} class probabilities per row${score ? ` (output '${score.name}')` : ''}, but ${classesSource} names ${classes.length} classes: ${classes.join(', ')}`,
      classesSource === 'the `classes` input' ? { input: 'classes' } : loc,
      'List one class per probability column, in column order.',
    );
  }
  if (classes !== undefined) {
    const list = classes;
    const dup = list.find((c, i) => list.indexOf(c) !== i);
    if (dup !== undefined) throw new UserError(`class '${dup}' appears twice in ${classesSource}`, loc, 'List each class once.');
  }
  if (classes === undefined && w !== undefined && task === 'classification') {
    classes = Array.from({ length: w }, (_, i) => String(i));
    classesSource = 'the class indices (no class list given)';
  }

  const byIndex = label ? model.labelIndex.get(label.name) : undefined;
  const fetches = [byIndex ? byIndex.index : label?.name, score?.name].filter((n): n is string => n !== undefined);
  return {
    ...(byIndex ? { labelIndex: { fetch: byIndex.index, values: byIndex.values } } : {}),
    task,
    fetches,
    label: label?.name,
    score: score?.name,
    scoreKind,
    scoreProducer: score ? producerOf(model.info.nodes, score.name)?.opType : undefined,
    scoresMode,
    classes,
    classesSource,
    width: task === 'classification' ? (classes?.length ?? w) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------
// Decoding.

/** Where decoded outputs go: the batch's arrays, written from row `offset` on. */
export interface DecodeTarget {
  predicted?: Int32Array;
  probabilities?: Float64Array;
  values?: Float64Array;
}

function numericData(t: ort.Tensor): ArrayLike<number> {
  const d = t.data;
  if (d instanceof Float32Array || d instanceof Float64Array || d instanceof Int32Array) return d;
  if (d instanceof BigInt64Array) return Float64Array.from(d, (v) => Number(v));
  if (d instanceof Uint16Array && t.type === 'float16') return Float64Array.from(d, halfToFloat);
  if (ArrayBuffer.isView(d)) return d as unknown as ArrayLike<number>;
  throw new Error(`output of type ${t.type} is not numeric`);
}

/** An IEEE 754 half-precision value (a float16 tensor's Uint16Array element) as a number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/**
 * Fixes what the first run tells: the task and the number of classes of a float output whose width
 * the model does not declare.
 */
export function settleFromRun(plan: OutputPlan, model: LoadedModel, outputs: ort.InferenceSession.ReturnType): void {
  if (!plan.score) return;
  const t = outputs[plan.score]!;
  const w = t.dims.length === 1 ? 1 : (t.dims[1] ?? 1);
  if (t.dims.length > 2) throw new UserError(`model output '${plan.score}' has shape [${t.dims.join(',')}]; the scorer reads [N] or [N, C]`, model.location);
  if (plan.task === undefined) {
    plan.task = w === 1 ? 'regression' : 'classification';
    if (plan.scoreKind === undefined || plan.scoreKind === 'scores' || plan.scoreKind === 'value') plan.scoreKind = plan.task === 'regression' ? 'value' : 'scores';
  }
  if (plan.task === 'regression') {
    if (w !== 1) {
      throw new UserError(`the task is regression, but model output '${plan.score}' gives ${w} values per row`, model.location, 'A regression model outputs one value per row ([N] or [N,1]).');
    }
    return;
  }
  const c = w === 1 ? 2 : w;
  if (plan.width === undefined) {
    if (plan.classes !== undefined && plan.classes.length !== c) {
      throw new UserError(
        `model '${model.source}' gives ${c} class probabilities per row (output '${plan.score}'), but ${plan.classesSource} names ${plan.classes.length} classes: ${plan.classes.join(', ')}`,
        plan.classesSource === 'the `classes` input' ? { input: 'classes' } : model.location,
        'List one class per probability column, in column order.',
      );
    }
    plan.width = c;
    if (plan.classes === undefined) {
      plan.classes = Array.from({ length: c }, (_, i) => String(i));
      plan.classesSource = 'the class indices (no class list given)';
    }
  } else if (plan.width !== c) {
    throw new UserError(`model output '${plan.score}' gave ${c} classes in one run and ${plan.width} in another`, model.location);
  }
}

/** Decodes the outputs of one run of `rows` rows (the first `count` of which are kept) into `into` at `offset`. */
export function decodeOutputs(
  plan: OutputPlan,
  model: LoadedModel,
  outputs: ort.InferenceSession.ReturnType,
  count: number,
  rows: number,
  offset: number,
  into: DecodeTarget,
  classIndex: Map<string, number>,
): void {
  if (plan.score) {
    const t = outputs[plan.score]!;
    if (t.dims[0] !== rows) throw new UserError(`model output '${plan.score}' has ${t.dims[0]} rows for an input of ${rows}`, model.location);
  }
  if (plan.task === 'regression') {
    const d = numericData(outputs[plan.score!]!);
    const v = into.values!;
    for (let i = 0; i < count; i++) v[offset + i] = d[i]!;
    return;
  }
  const C = plan.width!;
  const probs = into.probabilities;
  const pred = into.predicted!;
  if (plan.score && probs) {
    const d = numericData(outputs[plan.score]!);
    const w = outputs[plan.score]!.dims.length === 1 ? 1 : outputs[plan.score]!.dims[1]!;
    if (w === 1) {
      // A binary score: P(class 1), or a logit.
      const sigmoid = plan.scoreKind === 'scores' && (plan.scoresMode === 'logits' || (plan.scoresMode === 'auto' && plan.scoreProducer !== 'Sigmoid'));
      for (let i = 0; i < count; i++) {
        const s = d[i]!;
        const p = sigmoid ? 1 / (1 + Math.exp(-s)) : s;
        probs[(offset + i) * 2] = 1 - p;
        probs[(offset + i) * 2 + 1] = p;
        pred[offset + i] = p > 0.5 ? 1 : p === p ? 0 : -1;
      }
    } else {
      const mode = plan.scoreKind !== 'scores' ? 'probabilities' : plan.scoresMode === 'auto' && plan.scoreProducer === 'Softmax' ? 'probabilities' : plan.scoresMode;
      for (let i = 0; i < count; i++) {
        const o = (offset + i) * C;
        const s = i * C;
        let softmax = mode === 'logits';
        if (mode === 'auto') {
          let sum = 0;
          for (let c = 0; c < C; c++) {
            const v = d[s + c]!;
            if (!(v >= 0 && v <= 1)) {
              softmax = true;
              break;
            }
            sum += v;
          }
          if (!softmax && Math.abs(sum - 1) > 1e-3) softmax = true;
        }
        let best = 0;
        if (softmax) {
          let max = -Infinity;
          for (let c = 0; c < C; c++) if (d[s + c]! > max) max = d[s + c]!;
          let sum = 0;
          for (let c = 0; c < C; c++) {
            const e = Math.exp(d[s + c]! - max);
            probs[o + c] = e;
            sum += e;
          }
          for (let c = 0; c < C; c++) probs[o + c]! /= sum;
        } else {
          for (let c = 0; c < C; c++) probs[o + c] = d[s + c]!;
        }
        let nan = probs[o]! !== probs[o]!;
        for (let c = 1; c < C; c++) {
          const v = probs[o + c]!;
          if (v > probs[o + best]!) best = c;
          else if (v !== v) nan = true;
        }
        pred[offset + i] = nan ? -1 : best;
      }
    }
  }
  const byIndex = plan.labelIndex;
  if (plan.label && byIndex) {
    const t = outputs[byIndex.fetch]!;
    if (t.dims[0] !== rows) throw new UserError(`model output '${plan.label}' has ${t.dims[0]} rows for an input of ${rows}`, model.location);
    const classOf = (byIndex.classOf ??= Int32Array.from(byIndex.values, (v) => classIndex.get(v) ?? -1));
    const n = byIndex.values.length;
    const d = t.data as Int32Array | BigInt64Array;
    // An int64 index read as its two 32-bit words: Number(bigint) per row cost ~25 ms per 10^6 rows.
    const words = d instanceof BigInt64Array && LITTLE_ENDIAN ? new Int32Array(d.buffer, d.byteOffset, 2 * d.length) : undefined;
    for (let i = 0; i < count; i++) {
      // Gather's index: negative counts from the end.
      let j: number;
      if (words) {
        const lo = words[2 * i]!;
        // the high word is the low word's sign: the index fits in 32 bits (else the exact, slow way)
        j = words[2 * i + 1] === lo >> 31 ? lo : Number(d[i]);
      } else j = Number(d[i]);
      if (j < 0) j += n;
      const k = classOf[j] ?? -1;
      if (k < 0) throw unknownLabel(plan, model, byIndex.values[j] ?? String(d[i]));
      pred[offset + i] = k;
    }
  } else if (plan.label) {
    const t = outputs[plan.label]!;
    if (t.dims[0] !== rows) throw new UserError(`model output '${plan.label}' has ${t.dims[0]} rows for an input of ${rows}`, model.location);
    const d = t.data as ArrayLike<string | number | bigint>;
    for (let i = 0; i < count; i++) {
      const key = String(d[i]);
      const k = classIndex.get(key);
      if (k === undefined) throw unknownLabel(plan, model, key);
      pred[offset + i] = k;
    }
  }
}

function unknownLabel(plan: OutputPlan, model: LoadedModel, key: string): UserError {
  return new UserError(
    `model '${model.source}' predicted the label '${key}', which is not one of its classes (${plan.classes!.join(', ')}, from ${plan.classesSource})`,
    model.location,
    'Give the class list the model was trained with: the `classes` input or metadata mlops.classes, in the order of its probability columns.',
  );
}
