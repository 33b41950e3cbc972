/**
 * A partial decoding of ONNX models, for reading (and editing the graph of) large ones: ONNX's schema
 * (descriptor.generated.ts, read by wire.ts) in which the bulky fields stay encoded: each node's
 * attributes, the graph's initializers, training info and functions are the bytes of their messages
 * (views into the model's bytes, not copies). A random forest exported by skl2onnx carries millions
 * of values in its node attributes; `decodeModel` turns every one into a JavaScript number (seconds and
 * gigabytes at 100 MB), this view skips them by their length. An attribute is decoded on demand
 * (`attributeName`, `decodeAttribute`), and a view encodes back into a model in which those parts are
 * the same bytes.
 */
import type { INamespace } from 'protobufjs/light';
import { ONNX_PROTO_DESCRIPTOR } from './descriptor.generated';
import { OnnxDecodeError } from './proto';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto } from './proto';
import { decodeWire, encodeWire, messageSpecs, WireError, type MessageSpec } from './wire';

export interface NodeView extends Omit<NodeProto, 'attribute'> {
  /** Each AttributeProto, encoded. */
  attribute?: Uint8Array[];
}

export interface GraphView extends Omit<GraphProto, 'node' | 'initializer'> {
  node?: NodeView[];
  /** Each TensorProto, encoded. */
  initializer?: Uint8Array[];
  /** Each SparseTensorProto, encoded. */
  sparse_initializer?: Uint8Array[];
}

export interface ModelView extends Omit<ModelProto, 'graph'> {
  graph?: GraphView;
  /** Each TrainingInfoProto, encoded. */
  training_info?: Uint8Array[];
  /** Each FunctionProto, encoded. */
  functions?: Uint8Array[];
}

/** Message → the fields of it kept encoded (declared `bytes`, which is how a message travels anyway). */
const OPAQUE: Record<string, readonly string[]> = {
  ModelProto: ['training_info', 'functions'],
  GraphProto: ['initializer', 'sparse_initializer'],
  NodeProto: ['attribute'],
};

interface MessageJson {
  fields: Record<string, { type: string; rule?: string; id: number; options?: Record<string, unknown> }>;
}

/** The part of the ONNX descriptor's shape read here: the messages of package `onnx`. */
type OnnxDescriptorJson = { nested: { onnx: { nested: Record<string, MessageJson> } } };

let specs: Map<string, MessageSpec> | undefined;

/**
 * The view's message types: the ONNX schema with the OPAQUE fields made `repeated bytes`, read by
 * wire.ts (protobufjs would generate code for each type first: most of a small model's load time).
 */
function viewSpec(name: 'ModelProto' | 'AttributeProto' | 'TensorProto'): MessageSpec {
  if (!specs) {
    const descriptor = structuredClone(ONNX_PROTO_DESCRIPTOR) as OnnxDescriptorJson;
    for (const [message, fields] of Object.entries(OPAQUE)) {
      const m = descriptor.nested.onnx.nested[message];
      if (!m) throw new Error(`onnx.${message} is not in the schema`);
      for (const f of fields) {
        const field = m.fields[f];
        if (!field || field.rule !== 'repeated') throw new Error(`onnx.${message}.${f} is not a repeated field of the schema`);
        m.fields[f] = { rule: 'repeated', type: 'bytes', id: field.id };
      }
    }
    specs = messageSpecs(descriptor as unknown as INamespace);
  }
  return specs.get(`onnx.${name}`)!;
}

function decode<T>(spec: MessageSpec, bytes: Uint8Array): T {
  try {
    return decodeWire<T>(spec, bytes);
  } catch (e) {
    if (e instanceof WireError) throw new OnnxDecodeError(e.message);
    throw e;
  }
}

/** Decode a model with its bulky parts left encoded (see above). Throws OnnxDecodeError. */
export function decodeModelView(bytes: Uint8Array): ModelView {
  return decode<ModelView>(viewSpec('ModelProto'), bytes);
}

/** Serialize a (possibly edited) view. Throws if the object does not fit the schema. */
export function encodeModelView(model: ModelView): Uint8Array {
  try {
    return encodeWire(viewSpec('ModelProto'), model);
  } catch (e) {
    if (e instanceof WireError) throw new Error(`invalid ONNX ModelProto: ${e.message}`);
    throw e;
  }
}

const nameOnly = new Map<string, MessageSpec>();

/** The `name` field of an encoded onnx.<message>, without decoding the rest. Throws OnnxDecodeError. */
function nameOf(message: 'AttributeProto' | 'TensorProto', bytes: Uint8Array): string {
  let spec = nameOnly.get(message);
  if (!spec) {
    const field = viewSpec(message).fields.find((f) => f.name === 'name')!;
    spec = { name: `onnx.${message}`, fields: [field], byId: new Map([[field.id, field]]) };
    nameOnly.set(message, spec);
  }
  return decode<{ name?: string }>(spec, bytes).name ?? '';
}

/** The name of an encoded AttributeProto, without decoding its values. Throws OnnxDecodeError. */
export function attributeName(bytes: Uint8Array): string {
  return nameOf('AttributeProto', bytes);
}

/**
 * An encoded AttributeProto, decoded. Throws OnnxDecodeError. In the view's schema: the same message,
 * except that a graph attribute (`g`, `graphs`: an If's or Loop's body) is a GraphView.
 */
export function decodeAttribute(bytes: Uint8Array): AttributeProto {
  return decode<AttributeProto>(viewSpec('AttributeProto'), bytes);
}

/** The name of an encoded TensorProto (an initializer), without decoding its values. Throws OnnxDecodeError. */
export function tensorName(bytes: Uint8Array): string {
  return nameOf('TensorProto', bytes);
}

/** An encoded TensorProto, decoded. Throws OnnxDecodeError. */
export function decodeTensor(bytes: Uint8Array): TensorProto {
  return decode<TensorProto>(viewSpec('TensorProto'), bytes);
}
