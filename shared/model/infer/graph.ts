/**
 * What onnxruntime-node does not expose about a model, read from its ONNX protobuf (through
 * `shared/model/onnx`, protobufjs with ONNX's onnx.proto): the metadata props, the graph's nodes (which
 * op produces an output, a classifier's class labels) and the types of non-tensor outputs (a ZipMap's
 * sequence of maps); and the one rewrite loadModel needs, of ZipMap outputs into tensors.
 *
 * The model is decoded as a view (`decodeModelView`): node attributes and initializers stay encoded, so
 * a model with large initializers or tree-ensemble attributes is read in time proportional to its
 * number of nodes and attributes, not its bytes. Only the attributes named in WANTED_ATTRIBUTES are
 * decoded.
 */
import { OnnxDecodeError, attributeName, decodeAttribute, decodeModelView, decodeTensor, encodeModelView, tensorName, tensorValues } from '../onnx';
import type { AttributeProto, ModelView, NodeView, TypeProto, ValueInfoProto } from '../onnx';

/** Raised for bytes that are not a well-formed ONNX protobuf message. */
export class ProtoError extends Error {}

/** ONNX TensorProto.DataType numbers and the names onnxruntime-common gives them. */
export const ELEM_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

export function elemTypeName(t: number): string {
  return ELEM_TYPE_NAMES[t] ?? `type#${t}`;
}

/** A dimension: a fixed size, a symbolic name, or -1 for an unnamed dynamic dimension. */
export type Dim = number | string;

export type TypeDesc =
  | { kind: 'tensor'; elemType: number; shape: Dim[] | undefined }
  | { kind: 'sequence'; elem: TypeDesc | undefined }
  | { kind: 'map'; keyType: number; value: TypeDesc | undefined }
  | { kind: 'optional'; elem: TypeDesc | undefined }
  | { kind: 'other' };

export interface ValueInfo {
  name: string;
  type: TypeDesc | undefined;
}

/** Attribute values this reader decodes (others are skipped). */
export interface AttributeValue {
  i?: number;
  f?: number;
  s?: string;
  ints?: number[];
  floats?: number[];
  strings?: string[];
}

export interface NodeInfo {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
}

export interface OnnxModelInfo {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  opsets: { domain: string; version: number }[];
  /** metadata_props, in file order (a repeated key keeps its last value). */
  metadata: Record<string, string>;
  graphName: string;
  nodes: NodeInfo[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

/** Attributes decoded on every node; the others are not. */
const WANTED_ATTRIBUTES = new Set([
  'classlabels_strings',
  'classlabels_int64s',
  'classlabels_ints',
  'post_transform',
  'axis',
  'to',
  // OneHotEncoder's, for rewriteOneHotInputs
  'cats_strings',
  'zeros',
]);

const DECODER = new TextDecoder('utf-8', { fatal: false });

/** protobufjs's reason for a decode failure, in the words of this module's messages. */
function protoError(e: OnnxDecodeError): ProtoError {
  return new ProtoError(/^index out of range/.test(e.reason) ? `a field runs past the end of its message (${e.reason})` : e.reason);
}

/** Runs a decode, turning protobufjs's failures into ProtoErrors. */
function decoding<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof OnnxDecodeError) throw protoError(e);
    throw e;
  }
}

function typeDesc(t: TypeProto, depth = 0): TypeDesc {
  if (depth > 32) throw new ProtoError('type nested too deeply');
  const elem = (e: TypeProto | undefined): TypeDesc | undefined => (e ? typeDesc(e, depth + 1) : undefined);
  if (t.tensor_type) {
    const { elem_type, shape } = t.tensor_type;
    return {
      kind: 'tensor',
      elemType: elem_type ?? 0,
      shape: shape ? (shape.dim ?? []).map((d) => (d.dim_value !== undefined ? d.dim_value : d.dim_param ? d.dim_param : -1)) : undefined,
    };
  }
  if (t.sequence_type) return { kind: 'sequence', elem: elem(t.sequence_type.elem_type) };
  if (t.map_type) return { kind: 'map', keyType: t.map_type.key_type ?? 0, value: elem(t.map_type.value_type) };
  if (t.optional_type) return { kind: 'optional', elem: elem(t.optional_type.elem_type) };
  return { kind: 'other' };
}

function valueInfo(v: ValueInfoProto): ValueInfo {
  return { name: v.name ?? '', type: v.type ? typeDesc(v.type) : undefined };
}

function attributeValue(a: AttributeProto): AttributeValue {
  const v: AttributeValue = {};
  if (a.f !== undefined) v.f = a.f;
  if (a.i !== undefined) v.i = a.i;
  if (a.s !== undefined) v.s = DECODER.decode(a.s);
  if (a.floats?.length) v.floats = a.floats;
  if (a.ints?.length) v.ints = a.ints;
  if (a.strings?.length) v.strings = a.strings.map((s) => DECODER.decode(s));
  return v;
}

function nodeInfo(n: NodeView): NodeInfo {
  const attributes: Record<string, AttributeValue> = {};
  for (const bytes of n.attribute ?? []) {
    if (!WANTED_ATTRIBUTES.has(attributeName(bytes))) continue;
    const a = decodeAttribute(bytes);
    attributes[a.name ?? ''] = attributeValue(a);
  }
  return {
    opType: n.op_type ?? '',
    domain: n.domain ?? '',
    name: n.name ?? '',
    inputs: n.input ?? [],
    outputs: n.output ?? [],
    attributes,
  };
}

/** Decode model bytes as the view the functions below take. Throws ProtoError on malformed bytes. */
export function decodeOnnx(bytes: Uint8Array): ModelView {
  return decoding(() => decodeModelView(bytes));
}

/** The parts of a ModelProto described above. Throws ProtoError on malformed bytes. */
export function readOnnxModel(model: Uint8Array | ModelView): OnnxModelInfo {
  const m = model instanceof Uint8Array ? decodeOnnx(model) : model;
  const metadata: Record<string, string> = {};
  for (const p of m.metadata_props ?? []) metadata[p.key ?? ''] = p.value ?? '';
  const g = m.graph;
  return {
    irVersion: m.ir_version ?? 0,
    producerName: m.producer_name ?? '',
    producerVersion: m.producer_version ?? '',
    domain: m.domain ?? '',
    modelVersion: m.model_version ?? 0,
    docString: m.doc_string ?? '',
    opsets: (m.opset_import ?? []).map((o) => ({ domain: o.domain ?? '', version: o.version ?? 0 })),
    metadata,
    graphName: g?.name ?? '',
    nodes: decoding(() => (g?.node ?? []).map(nodeInfo)),
    inputs: (g?.input ?? []).map(valueInfo),
    outputs: (g?.output ?? []).map(valueInfo),
  };
}

/** A readable type: `float32[N,3]`, `seq(map(string,float32))`. */
export function typeText(t: TypeDesc | undefined): string {
  if (t === undefined) return '?';
  switch (t.kind) {
    case 'tensor':
      return `${elemTypeName(t.elemType)}${t.shape ? `[${t.shape.map((d) => (d === -1 ? '?' : String(d))).join(',')}]` : ''}`;
    case 'sequence':
      return `seq(${typeText(t.elem)})`;
    case 'map':
      return `map(${elemTypeName(t.keyType)},${typeText(t.value)})`;
    case 'optional':
      return `optional(${typeText(t.elem)})`;
    default:
      return 'unknown';
  }
}

/** The model's opsets, with the default domain's added when absent: the rewrites' Identity nodes need it, and a model of ai.onnx.ml ops alone may not import it. */
function withDefaultOpset(m: ModelView): NonNullable<ModelView['opset_import']> {
  const opsets = m.opset_import ?? [];
  return opsets.some((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx') ? opsets : [...opsets, { domain: '', version: 13 }];
}

/** What a ZipMap rewrite did: the output now holds the ZipMap's input tensor, [N, classes]. */
export interface ZipMapRewrite {
  output: string;
  classes: string[];
}

/** TensorProto.DataType FLOAT. */
const FLOAT = 1;

/**
 * onnxruntime-node cannot return non-tensor outputs ("Non tensor type is temporarily not supported"),
 * so a ZipMap (ai.onnx.ml, a sequence of {class: probability} maps, which skl2onnx adds to classifiers)
 * cannot be fetched. This rewrites each ZipMap whose output is a graph output into an Identity of its
 * input (the [N, C] float probability tensor) and declares that output as float [?, C]; the output keeps
 * its name. `info` is readOnnxModel of the same model. Returns undefined when the model has no such ZipMap.
 */
export function rewriteZipMaps(model: Uint8Array | ModelView, info: OnnxModelInfo): { bytes: Uint8Array; rewrites: ZipMapRewrite[] } | undefined {
  const outputNames = new Set(info.outputs.map((o) => o.name));
  const isZipMap = (n: NodeInfo): boolean =>
    n.opType === 'ZipMap' && n.domain === 'ai.onnx.ml' && n.inputs.length === 1 && n.outputs.length === 1 && outputNames.has(n.outputs[0]!);
  if (!info.nodes.some(isZipMap)) return undefined;

  const m = model instanceof Uint8Array ? decodeOnnx(model) : model;
  const graph = m.graph ?? {};
  const nodes = graph.node ?? [];
  if (nodes.length !== info.nodes.length) throw new Error('rewriteZipMaps: info does not describe this model');
  const rewrites: ZipMapRewrite[] = [];
  const byOutput = new Map<string, number>();
  const node = nodes.map((n, i): NodeView => {
    const z = info.nodes[i]!;
    if (!isZipMap(z)) return n;
    if (n.op_type !== z.opType || n.output?.[0] !== z.outputs[0]) throw new Error('rewriteZipMaps: info does not describe this model');
    const a = z.attributes;
    const classes = a['classlabels_strings']?.strings ?? a['classlabels_int64s']?.ints?.map(String) ?? [];
    rewrites.push({ output: z.outputs[0]!, classes });
    byOutput.set(z.outputs[0]!, classes.length);
    return { input: [z.inputs[0]!], output: [z.outputs[0]!], name: z.name || `zipmap_${z.outputs[0]}`, op_type: 'Identity' };
  });
  const output = (graph.output ?? []).map((o): ValueInfoProto => {
    const c = byOutput.get(o.name ?? '');
    if (c === undefined) return o;
    // ValueInfoProto{name, type: TypeProto{tensor_type: {elem_type: FLOAT, shape: [?, C]}}}
    return { name: o.name, type: { tensor_type: { elem_type: FLOAT, ...(c > 0 ? { shape: { dim: [{}, { dim_value: c }] } } : {}) } } };
  });
  // a value_info entry for the ZipMap output is dropped (its map type no longer holds)
  const valueInfos = (graph.value_info ?? []).filter((v) => !byOutput.has(v.name ?? ''));
  const rewritten: ModelView = { ...m, opset_import: withDefaultOpset(m), graph: { ...graph, node, output, value_info: valueInfos } };
  return { bytes: encodeModelView(rewritten), rewrites };
}

/** TensorProto.DataType STRING. */
const STRING = 8;

/** A string input whose OneHotEncoder the scorer now computes: feed `feed`, float [..., categories]. */
export interface OneHotInput {
  /** The model input (a string tensor [N] or [N, 1]), as the file declares it. */
  input: string;
  /** The float input of the rewritten graph that takes the one-hot rows in its place. */
  feed: string;
  /** cats_strings: the category of each one-hot position. */
  categories: string[];
  /** The input's rank (1 or 2): the one-hot tensor is [N, K] or [N, 1, K]. */
  rank: 1 | 2;
}

/**
 * onnxruntime-node copies every string of a string tensor into the native heap, and OneHotEncoder then
 * looks each one up: for a model with categorical inputs that is nearly all of the run (0.6 s of 0.67 s
 * for 1M rows × 4 categorical columns in bench/evaluate). When a string graph input feeds exactly one
 * node, an ai.onnx.ml OneHotEncoder with distinct cats_strings that maps unknown categories to zeros
 * (zeros=1, the default), the scorer can compute the same one-hot rows itself: this rewrites that node into an
 * Identity of a new float input (`feed`), declared with the encoder's output shape, and drops the
 * string input. The graph computes the same function of the same rows. `info` is readOnnxModel of the
 * same model. Returns the rewritten model view (node count unchanged, so rewriteZipMaps applies after
 * it with the same `info`), or undefined when no input qualifies.
 */
export function rewriteOneHotInputs(model: ModelView, info: OnnxModelInfo): { model: ModelView; inputs: OneHotInput[] } | undefined {
  const graph = model.graph ?? {};
  const nodes = graph.node ?? [];
  if (nodes.length !== info.nodes.length) throw new Error('rewriteOneHotInputs: info does not describe this model');
  const consumers = new Map<string, number>();
  for (const n of info.nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const graphOutputs = new Set(info.outputs.map((o) => o.name));
  const stringInputs = new Map<string, 1 | 2>();
  for (const i of info.inputs) {
    const t = i.type;
    if (t?.kind !== 'tensor' || t.elemType !== STRING || !t.shape) continue;
    if (t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1)) stringInputs.set(i.name, t.shape.length as 1 | 2);
  }
  const taken = new Set([...info.inputs.map((i) => i.name), ...info.nodes.flatMap((n) => n.outputs)]);
  const found: OneHotInput[] = [];
  const node = nodes.map((n, k): NodeView => {
    const z = info.nodes[k]!;
    const source = z.inputs[0];
    const rank = source !== undefined ? stringInputs.get(source) : undefined;
    const cats = z.attributes['cats_strings']?.strings;
    const ok =
      z.opType === 'OneHotEncoder' &&
      z.domain === 'ai.onnx.ml' &&
      z.inputs.length === 1 &&
      z.outputs.length === 1 &&
      rank !== undefined &&
      consumers.get(source!) === 1 &&
      !graphOutputs.has(source!) &&
      cats !== undefined &&
      cats.length > 0 &&
      new Set(cats).size === cats.length &&
      (z.attributes['zeros']?.i ?? 1) !== 0;
    if (!ok) return n;
    if (n.op_type !== z.opType || n.output?.[0] !== z.outputs[0]) throw new Error('rewriteOneHotInputs: info does not describe this model');
    let feed = `${source}__mlops_one_hot`;
    while (taken.has(feed)) feed += '_';
    taken.add(feed);
    found.push({ input: source!, feed, categories: cats, rank });
    return { input: [feed], output: [z.outputs[0]!], name: z.name || `one_hot_${source}`, op_type: 'Identity' };
  });
  if (found.length === 0) return undefined;
  const bySource = new Map(found.map((f) => [f.input, f]));
  const input = (graph.input ?? []).map((v): ValueInfoProto => {
    const f = bySource.get(v.name ?? '');
    if (!f) return v;
    const dims = v.type?.tensor_type?.shape?.dim ?? [];
    // [N] → [N, K]; [N, 1] → [N, 1, K], N as the string input declared it.
    return { name: f.feed, type: { tensor_type: { elem_type: FLOAT, shape: { dim: [...dims, { dim_value: f.categories.length }] } } } };
  });
  return {
    model: { ...model, opset_import: withDefaultOpset(model), graph: { ...graph, node, input } },
    inputs: found,
  };
}

/** TensorProto.DataType INT32 and INT64. */
const INT32 = 6;
const INT64 = 7;

/** A label output that gathers from a constant class list: fetch `index` and look the label up in `values`. */
export interface LabelIndexOutput {
  /** The label graph output (Gather(values, index)). */
  output: string;
  /** The gathered index tensor, now a graph output as well (int32 or int64). */
  index: string;
  /** The constant list, as text (String() of each value). */
  values: string[];
}

/**
 * onnxruntime-node turns a string output into a JavaScript string per row: for a classifier whose label
 * output is strings, fetching it took 110 of 180 ms of onnxruntime's time over 1M rows (bench/evaluate),
 * more than the model itself. When a label output is Gather(constant 1-D list, index) along axis 0 (as
 * the built-in trainers make it: ArgMax over the probabilities, then the class names), the index is
 * declared a graph output too, so a scorer can fetch the integers and look the label up in the list
 * itself: the same labels, with no strings crossing over. Nothing else changes (no node is added or
 * removed, so rewriteZipMaps applies after it with the same `info`). The index's element type must be
 * known: from the graph's value_info, or its producer (ArgMax/ArgMin: int64; Cast to int32/int64).
 * Returns undefined when no output qualifies.
 */
export function exposeLabelIndex(model: ModelView, info: OnnxModelInfo): { model: ModelView; outputs: LabelIndexOutput[] } | undefined {
  const graph = model.graph ?? {};
  const wanted = new Set(info.outputs.map((o) => o.name));
  const gathers = info.nodes.filter(
    (n) =>
      n.opType === 'Gather' &&
      (n.domain === '' || n.domain === 'ai.onnx') &&
      n.inputs.length === 2 &&
      n.outputs.length === 1 &&
      wanted.has(n.outputs[0]!) &&
      (n.attributes['axis']?.i ?? 0) === 0,
  );
  if (gathers.length === 0) return undefined;
  const declared = new Map<string, number | undefined>();
  for (const v of [...(graph.value_info ?? []), ...(graph.output ?? []), ...(graph.input ?? [])]) declared.set(v.name ?? '', v.type?.tensor_type?.elem_type);
  const producers = new Map<string, NodeInfo>();
  for (const n of info.nodes) for (const o of n.outputs) producers.set(o, n);
  const elemTypeOf = (name: string): number | undefined => {
    const d = declared.get(name);
    if (d !== undefined) return d;
    const p = producers.get(name);
    if (!p || (p.domain !== '' && p.domain !== 'ai.onnx')) return undefined;
    if (p.opType === 'ArgMax' || p.opType === 'ArgMin') return INT64;
    if (p.opType === 'Cast') return p.attributes['to']?.i;
    return undefined;
  };
  const dataNames = new Set(gathers.map((g) => g.inputs[0]!));
  const constants = new Map<string, string[]>();
  for (const bytes of graph.initializer ?? []) {
    const name = tensorName(bytes);
    if (!dataNames.has(name)) continue;
    const t = decodeTensor(bytes);
    if ((t.dims ?? []).length !== 1 || (t.data_type !== STRING && t.data_type !== INT64 && t.data_type !== INT32)) continue;
    constants.set(name, tensorValues(t).map(String));
  }
  const graphInputs = new Set(info.inputs.map((i) => i.name));
  const graphOutputs = new Set(info.outputs.map((o) => o.name));
  const found: LabelIndexOutput[] = [];
  for (const g of gathers) {
    const values = constants.get(g.inputs[0]!);
    const index = g.inputs[1]!;
    const t = elemTypeOf(index);
    if (!values || values.length === 0 || graphInputs.has(index) || (t !== INT32 && t !== INT64)) continue;
    found.push({ output: g.outputs[0]!, index, values });
  }
  if (found.length === 0) return undefined;
  const added = [...new Set(found.map((f) => f.index))].filter((name) => !graphOutputs.has(name));
  const output: ValueInfoProto[] = [...(graph.output ?? []), ...added.map((name): ValueInfoProto => ({ name, type: { tensor_type: { elem_type: elemTypeOf(name)! } } }))];
  return { model: { ...model, graph: { ...graph, output } }, outputs: found };
}
