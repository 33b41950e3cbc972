/**
 * A partial decoding of ONNX models, for reading (and editing the graph of) large ones: the schema of
 * proto.ts (ONNX's onnx.proto through protobufjs) in which the bulky fields stay encoded: each node's
 * attributes, the graph's initializers, training info and functions are the bytes of their messages
 * (views into the model's bytes, not copies). A random forest exported by skl2onnx carries millions
 * of values in its node attributes; `decodeModel` turns every one into a JavaScript number (seconds and
 * gigabytes at 100 MB), this view skips them by their length. An attribute is decoded on demand
 * (`attributeName`, `decodeAttribute`), and a view encodes back into a model in which those parts are
 * the same bytes.
 */
import protobuf from 'protobufjs/light';
import { ONNX_PROTO_DESCRIPTOR } from './descriptor.generated';
import { decodeMessage, encodeMessage, onnxModelType, onnxRoot } from './proto';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto } from './proto';

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

/** A copy of the ONNX descriptor with `edit` applied to the named messages of package `onnx`. */
function variantRoot(edit: Record<string, (m: MessageJson) => void>): protobuf.Root {
  const descriptor = structuredClone(ONNX_PROTO_DESCRIPTOR) as OnnxDescriptorJson;
  for (const [name, f] of Object.entries(edit)) {
    const message = descriptor.nested.onnx.nested[name];
    if (!message) throw new Error(`onnx.${name} is not in the schema`);
    f(message);
  }
  return onnxRoot(descriptor as protobuf.INamespace);
}

let viewModelType: protobuf.Type | undefined;
let attributeType: protobuf.Type | undefined;
let tensorType: protobuf.Type | undefined;

function viewType(): protobuf.Type {
  viewModelType ??= variantRoot(
    Object.fromEntries(
      Object.entries(OPAQUE).map(([name, fields]) => [
        name,
        (m: MessageJson) => {
          for (const f of fields) {
            const field = m.fields[f];
            if (!field || field.rule !== 'repeated') throw new Error(`onnx.${name}.${f} is not a repeated field of the schema`);
            m.fields[f] = { rule: 'repeated', type: 'bytes', id: field.id };
          }
        },
      ]),
    ),
  ).lookupType('onnx.ModelProto');
  return viewModelType;
}

/** Decode a model with its bulky parts left encoded (see above). Throws OnnxDecodeError. */
export function decodeModelView(bytes: Uint8Array): ModelView {
  return decodeMessage<ModelView>(viewType(), bytes);
}

/** Serialize a (possibly edited) view. Throws if the object does not fit the schema. */
export function encodeModelView(model: ModelView): Uint8Array {
  return encodeMessage(viewType(), model);
}

const nameOnlyTypes = new Map<string, protobuf.Type>();

/** The `name` field of an encoded onnx.<message>, without decoding the rest. Throws OnnxDecodeError. */
function nameOf(message: 'AttributeProto' | 'TensorProto', bytes: Uint8Array): string {
  let type = nameOnlyTypes.get(message);
  if (!type) {
    // A one-field type with the schema's `name` field: no copy of the whole schema to load (~2.5 ms each).
    const name = (ONNX_PROTO_DESCRIPTOR as unknown as OnnxDescriptorJson).nested.onnx.nested[message]!.fields['name']!;
    type = new protobuf.Type(message).add(new protobuf.Field('name', name.id, name.type));
    nameOnlyTypes.set(message, type);
  }
  return decodeMessage<{ name?: string }>(type, bytes).name ?? '';
}

/** The name of an encoded AttributeProto, without decoding its values. Throws OnnxDecodeError. */
export function attributeName(bytes: Uint8Array): string {
  return nameOf('AttributeProto', bytes);
}

/** An encoded AttributeProto, decoded. Throws OnnxDecodeError. */
export function decodeAttribute(bytes: Uint8Array): AttributeProto {
  attributeType ??= onnxModelType().root.lookupType('onnx.AttributeProto');
  return decodeMessage<AttributeProto>(attributeType, bytes);
}

/** The name of an encoded TensorProto (an initializer), without decoding its values. Throws OnnxDecodeError. */
export function tensorName(bytes: Uint8Array): string {
  return nameOf('TensorProto', bytes);
}

/** An encoded TensorProto, decoded. Throws OnnxDecodeError. */
export function decodeTensor(bytes: Uint8Array): TensorProto {
  tensorType ??= onnxModelType().root.lookupType('onnx.TensorProto');
  return decodeMessage<TensorProto>(tensorType, bytes);
}
