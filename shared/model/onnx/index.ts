export {
  attr,
  DEFAULT_IR_VERSION,
  DEFAULT_OPSET,
  ELEM_TYPE_CODES,
  floatTensor,
  GraphBuilder,
  int64Tensor,
  ML_DOMAIN,
  ML_OPSET,
  ModelBuilder,
  PRODUCER_NAME,
  stringTensor,
  tensorValueInfo,
} from './builder';
export type { Attribute, Dim, ElemType, ModelOptions, NodeOptions } from './builder';
export { elemTypeName, modelInfo, readInitializer, readModelInfo, tensorValues } from './inspect';
export type { ModelInfo, TensorSignature } from './inspect';
export { AttributeType, DataType, decodeModel, encodeModelProto, OnnxDecodeError, onnxModelType } from './proto';
export type {
  AttributeProto,
  GraphProto,
  ModelProto,
  NodeProto,
  OperatorSetIdProto,
  StringStringEntryProto,
  TensorProto,
  TypeProto,
  ValueInfoProto,
} from './proto';
export { attributeName, decodeAttribute, decodeModelView, decodeTensor, encodeModelView, tensorName } from './view';
export type { GraphView, ModelView, NodeView } from './view';
