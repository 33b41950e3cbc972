/**
 * `mlops serve`: a model server for a registry reference or an ONNX file. Open Inference Protocol v2
 * REST plus a tabular JSON endpoint, micro-batching, hot reload without failed requests, Prometheus
 * metrics and a sampled prediction log. See server.ts for the endpoints.
 */
export { serve, DEFAULT_MAX_BODY, SERVER_NAME, SERVER_VERSION } from './server';
export type { RunningServer, ServeOptions } from './server';
export { FileSource, ModelHost, RegistrySource, profileBuckets } from './host';
export type { Fetched, HostOptions, ModelSource, ReloadResult, Target } from './host';
export { Batcher } from './batcher';
export type { BatchJob, BatcherOptions } from './batcher';
export { ServedModel } from './served-model';
export type { InferResult, TabularResult } from './served-model';
export { readTable } from './tabular';
export type { Table } from './tabular';
export { readInferRequest, tensorMetadata, v2Datatype, v2Dim } from './v2';
export type { InferRequest, OutputTensor, TensorMetadata } from './v2';
export { PredictionLog, logFieldNames, LOG_FIELDS } from './predlog';
export { ServeTelemetry } from './telemetry';
export * from './metrics';
export { HttpError } from './http';
