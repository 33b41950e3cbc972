/**
 * Scoring ONNX models with onnxruntime-node: load a model, map data columns to its inputs, read its
 * outputs as class predictions or values, batch by batch.
 */
export { loadModel, readMlopsMetadata } from './model';
export type { Dim, LoadModelOptions, LoadedModel, MlopsMetadata, ModelSignature, Task, ValueSignature } from './model';
export { planInputs, buildFeedsFor, cellToFloat } from './inputs';
export type { ColumnFeed, InputOptions, InputPlan } from './inputs';
export { detectTask, planOutputs } from './outputs';
export type { OutputOptions, OutputPlan, ScoresMode } from './outputs';
export { buildFeeds, createScorer, runBatch, scoreBatches } from './score';
export type { ClassificationBatch, RegressionBatch, ScoreOptions, ScoredBatch, Scorer } from './score';
export { readOnnxModel, rewriteZipMaps } from './graph';
export type { OnnxModelInfo } from './graph';
