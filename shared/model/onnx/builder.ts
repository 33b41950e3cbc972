/**
 * A small typed builder for ONNX graphs over the protobuf messages of `proto.ts`.
 *
 *   const m = new ModelBuilder({ graphName: 'g', opsets: { '': 17 } });
 *   const x = m.graph.addInput('x', 'float', ['N', 1]);
 *   const w = m.graph.addFloatInitializer('w', [2], [1, 1]);
 *   m.graph.addNode('MatMul', [x, w], ['y']);
 *   m.graph.addOutput('y', 'float', ['N', 1]);
 *   m.setMetadata('k', 'v');
 *   const bytes = m.encodeModel();
 *
 * It checks what is cheap to check and easy to get wrong: every node input is defined before use
 * (graph input, initializer or an earlier node's output), no name is defined twice, every graph
 * output is defined, initializer sizes match their dims, every node's domain has an opset import.
 * Output is deterministic: the same calls give byte-identical models (node names are counters, no
 * timestamps, metadata in insertion order).
 */
import { AttributeType, DataType, encodeModelProto } from './proto';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from './proto';

export const PRODUCER_NAME = 'mlops-actions';
/** Default-domain opset the trainers target (ONNX 1.12+, onnxruntime 1.12+). */
export const DEFAULT_OPSET = 17;
/** `ai.onnx.ml` opset (OneHotEncoder, LabelEncoder, ZipMap, …). */
export const ML_OPSET = 3;
export const ML_DOMAIN = 'ai.onnx.ml';
/** IR version 8 is the one that goes with opset 17 (ONNX 1.12). */
export const DEFAULT_IR_VERSION = 8;

export type ElemType = 'float' | 'double' | 'int64' | 'int32' | 'string' | 'bool';
/** A dimension: a fixed size, or a symbolic name such as 'N' for the batch. */
export type Dim = number | string;

export const ELEM_TYPE_CODES: Record<ElemType, number> = {
  float: DataType.FLOAT,
  double: DataType.DOUBLE,
  int64: DataType.INT64,
  int32: DataType.INT32,
  string: DataType.STRING,
  bool: DataType.BOOL,
};

/** A typed attribute value; make them with `attr.*`. */
export type Attribute =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'strings'; value: readonly string[] }
  | { kind: 'tensor'; value: TensorProto };

export const attr = {
  float: (value: number): Attribute => ({ kind: 'float', value }),
  int: (value: number): Attribute => ({ kind: 'int', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  strings: (value: readonly string[]): Attribute => ({ kind: 'strings', value }),
  tensor: (value: TensorProto): Attribute => ({ kind: 'tensor', value }),
};

const utf8 = new TextEncoder();

function checkInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new Error(`${name}: ${v} is not an integer`);
}

function toAttributeProto(name: string, a: Attribute): AttributeProto {
  switch (a.kind) {
    case 'float':
      return { name, type: AttributeType.FLOAT, f: a.value };
    case 'int':
      checkInt(`attribute ${name}`, a.value);
      return { name, type: AttributeType.INT, i: a.value };
    case 'string':
      return { name, type: AttributeType.STRING, s: utf8.encode(a.value) };
    case 'floats':
      return { name, type: AttributeType.FLOATS, floats: [...a.value] };
    case 'ints':
      for (const v of a.value) checkInt(`attribute ${name}`, v);
      return { name, type: AttributeType.INTS, ints: [...a.value] };
    case 'strings':
      return { name, type: AttributeType.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
    case 'tensor':
      return { name, type: AttributeType.TENSOR, t: a.value };
  }
}

function checkDims(what: string, dims: readonly number[], count: number): void {
  for (const d of dims) if (!Number.isSafeInteger(d) || d < 0) throw new Error(`${what}: bad dimension ${d}`);
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== count) throw new Error(`${what}: ${count} values do not fill dims [${dims.join(', ')}] (${size})`);
}

/** A float32 tensor (values are rounded to float32), stored little-endian in raw_data. */
export function floatTensor(name: string, values: ArrayLike<number>, dims: readonly number[]): TensorProto {
  checkDims(`tensor ${name}`, dims, values.length);
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return { name, dims: [...dims], data_type: DataType.FLOAT, raw_data: raw };
}

/** An int64 tensor, stored little-endian in raw_data. */
export function int64Tensor(name: string, values: ArrayLike<number | bigint>, dims: readonly number[]): TensorProto {
  checkDims(`tensor ${name}`, dims, values.length);
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number | bigint;
    if (typeof v === 'number') checkInt(`tensor ${name}`, v);
    view.setBigInt64(i * 8, BigInt(v), true);
  }
  return { name, dims: [...dims], data_type: DataType.INT64, raw_data: raw };
}

/** A string tensor (UTF-8, in string_data: strings have no raw_data form). */
export function stringTensor(name: string, values: readonly string[], dims: readonly number[]): TensorProto {
  checkDims(`tensor ${name}`, dims, values.length);
  return { name, dims: [...dims], data_type: DataType.STRING, string_data: values.map((s) => utf8.encode(s)) };
}

export function tensorValueInfo(name: string, elemType: ElemType, shape: readonly Dim[], docString?: string): ValueInfoProto {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: ELEM_TYPE_CODES[elemType],
        shape: {
          dim: shape.map((d) => {
            if (typeof d === 'string') return { dim_param: d };
            checkInt(`shape of ${name}`, d);
            return { dim_value: d };
          }),
        },
      },
    },
    ...(docString ? { doc_string: docString } : {}),
  };
}

export interface NodeOptions {
  /** Operator domain: '' (default, ai.onnx) or e.g. 'ai.onnx.ml'. */
  domain?: string;
  /** Node name; defaults to `<op_type>_<counter>`. */
  name?: string;
  docString?: string;
}

export class GraphBuilder {
  readonly name: string;
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly valueInfos: ValueInfoProto[] = [];
  /** Every tensor name defined so far (inputs, initializers, node outputs). */
  private readonly defined = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private readonly domainsUsed = new Set<string>();
  private counter = 0;
  docString: string | undefined;

  constructor(name: string) {
    this.name = name;
  }

  private define(name: string, what: string): void {
    if (!name) throw new Error(`${what}: empty tensor name`);
    if (this.defined.has(name)) throw new Error(`${what}: tensor name '${name}' is already defined in graph ${this.name}`);
    this.defined.add(name);
  }

  /** Is this tensor name taken (input, initializer or node output)? */
  has(name: string): boolean {
    return this.defined.has(name);
  }

  addInput(name: string, elemType: ElemType, shape: readonly Dim[], docString?: string): string {
    this.define(name, 'input');
    this.inputs.push(tensorValueInfo(name, elemType, shape, docString));
    return name;
  }

  /** Declare a graph output; the tensor must be produced by a node (checked in toProto). */
  addOutput(name: string, elemType: ElemType, shape: readonly Dim[], docString?: string): string {
    if (this.outputs.some((o) => o.name === name)) throw new Error(`output '${name}' declared twice`);
    this.outputs.push(tensorValueInfo(name, elemType, shape, docString));
    return name;
  }

  /** Type/shape annotation of an intermediate tensor. */
  addValueInfo(name: string, elemType: ElemType, shape: readonly Dim[]): string {
    this.valueInfos.push(tensorValueInfo(name, elemType, shape));
    return name;
  }

  addInitializer(tensor: TensorProto): string {
    const name = tensor.name ?? '';
    this.define(name, 'initializer');
    this.initializers.push(tensor);
    return name;
  }

  addFloatInitializer(name: string, values: ArrayLike<number>, dims: readonly number[]): string {
    return this.addInitializer(floatTensor(name, values, dims));
  }

  addInt64Initializer(name: string, values: ArrayLike<number | bigint>, dims: readonly number[]): string {
    return this.addInitializer(int64Tensor(name, values, dims));
  }

  addStringInitializer(name: string, values: readonly string[], dims: readonly number[]): string {
    return this.addInitializer(stringTensor(name, values, dims));
  }

  /**
   * Append a node. Inputs must already be defined ('' stands for an omitted optional input);
   * outputs must be new names. Returns the output names.
   */
  addNode(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Record<string, Attribute> = {},
    options: NodeOptions = {},
  ): string[] {
    const name = options.name ?? `${opType}_${this.counter++}`;
    if (this.nodeNames.has(name)) throw new Error(`node name '${name}' is used twice`);
    for (const i of inputs) {
      if (i !== '' && !this.defined.has(i)) throw new Error(`node ${name} (${opType}): input '${i}' is not defined yet`);
    }
    if (outputs.length === 0) throw new Error(`node ${name} (${opType}) has no outputs`);
    for (const o of outputs) this.define(o, `node ${name} (${opType})`);
    this.nodeNames.add(name);
    const domain = options.domain ?? '';
    this.domainsUsed.add(domain);
    const node: NodeProto = { input: [...inputs], output: [...outputs], name, op_type: opType };
    if (domain) node.domain = domain;
    const attrs = Object.entries(attributes).map(([k, v]) => toAttributeProto(k, v));
    if (attrs.length) node.attribute = attrs;
    if (options.docString) node.doc_string = options.docString;
    this.nodes.push(node);
    return [...outputs];
  }

  /** Domains of the nodes added so far ('' = default domain). */
  domains(): string[] {
    return [...this.domainsUsed];
  }

  toProto(): GraphProto {
    for (const o of this.outputs) {
      if (!this.defined.has(o.name)) throw new Error(`graph output '${o.name}' is not produced by any node`);
    }
    if (this.outputs.length === 0) throw new Error(`graph ${this.name} has no outputs`);
    const graph: GraphProto = {
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    };
    if (this.valueInfos.length) graph.value_info = this.valueInfos;
    if (this.docString) graph.doc_string = this.docString;
    return graph;
  }
}

export interface ModelOptions {
  graphName: string;
  /** Opset per domain: `{ '': 17, 'ai.onnx.ml': 3 }`. */
  opsets: Record<string, number>;
  irVersion?: number;
  producerVersion?: string;
  docString?: string;
}

export class ModelBuilder {
  readonly graph: GraphBuilder;
  private readonly options: ModelOptions;
  private readonly metadata = new Map<string, string>();

  constructor(options: ModelOptions) {
    this.options = options;
    this.graph = new GraphBuilder(options.graphName);
  }

  /** Set a `metadata_props` entry (later calls with the same key replace the value in place). */
  setMetadata(key: string, value: string): this {
    this.metadata.set(key, value);
    return this;
  }

  toProto(): ModelProto {
    const { opsets } = this.options;
    for (const d of this.graph.domains()) {
      if (opsets[d] === undefined) throw new Error(`nodes use domain '${d || 'ai.onnx'}' but the model imports no opset for it`);
    }
    const model: ModelProto = {
      ir_version: this.options.irVersion ?? DEFAULT_IR_VERSION,
      opset_import: Object.entries(opsets).map(([domain, version]) => (domain ? { domain, version } : { version })),
      producer_name: PRODUCER_NAME,
      graph: this.graph.toProto(),
      metadata_props: [...this.metadata].map(([key, value]) => ({ key, value })),
    };
    if (this.options.producerVersion) model.producer_version = this.options.producerVersion;
    if (this.options.docString) model.doc_string = this.options.docString;
    return model;
  }

  /** The serialized model, ready for onnxruntime or a file. */
  encodeModel(): Uint8Array {
    return encodeModelProto(this.toProto());
  }
}
