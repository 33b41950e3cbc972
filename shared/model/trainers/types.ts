/**
 * The trainers' contract: a training table in columnar form (built by whoever reads the data; no
 * file format here), the trained model (ONNX bytes plus the same model in JS), and the ONNX graph
 * conventions every built-in trainer follows.
 */

export type FeatureKind = 'numeric' | 'categorical';

/** A numeric feature: NaN is a missing value. */
export interface NumericColumn {
  name: string;
  kind: 'numeric';
  values: Float64Array;
}

/** A categorical feature: '' or null is a missing value. */
export interface CategoricalColumn {
  name: string;
  kind: 'categorical';
  values: readonly (string | null)[];
}

export type FeatureColumn = NumericColumn | CategoricalColumn;

export interface TargetColumn {
  name: string;
  /**
   * Regression: numbers (no missing values). Classification: class values, as numbers (classes are
   * then ordered numerically and labelled with `String(v)`: 0 → "0") or strings (ordered by code unit).
   */
  values: Float64Array | readonly (string | null)[];
}

export interface TrainingTable {
  columns: FeatureColumn[];
  target: TargetColumn;
}

/** Rows to score: the feature columns, looked up by name (order and extra columns do not matter). */
export interface FeatureTable {
  columns: FeatureColumn[];
}

export interface FeatureSpec {
  name: string;
  kind: FeatureKind;
}

export type TrainerName = 'ridge' | 'logistic';
export type Task = 'regression' | 'classification';

export interface TrainOptions {
  /**
   * Seed for anything random. Both built-in trainers are deterministic without one (closed form,
   * and Newton's method from zero), so it does not change the model today; it is accepted so a
   * caller can pass one seed to every trainer.
   */
  seed?: number;
}

/** Fitted preprocessing, as built into the graph. */
export interface NumericStats {
  name: string;
  /** Mean of the non-missing training values; also the value missing entries are imputed with. */
  mean: number;
  /** Population standard deviation after imputation (0 is replaced by 1). */
  std: number;
  missing: number;
}

export interface CategoricalStats {
  name: string;
  /** Categories seen in training, sorted by UTF-16 code unit; one design column each. */
  categories: string[];
  missing: number;
}

export interface Preprocessing {
  numeric: NumericStats[];
  categorical: CategoricalStats[];
}

interface TrainedBase {
  trainer: TrainerName;
  task: Task;
  /** The serialized ONNX model. */
  onnx: Uint8Array;
  /** The model's metadata_props, as written. */
  metadata: Record<string, string>;
  target: string;
  features: FeatureSpec[];
  preprocessing: Preprocessing;
  /**
   * Names of the columns of the design matrix the linear model sees, in order: the numeric features
   * (standardized) in table order, then each categorical feature's categories as `name=category`.
   */
  designColumns: string[];
}

export interface RidgeParams {
  alpha: number;
}

export interface LogisticParams {
  C: number;
  max_iter: number;
  tol: number;
}

export interface TrainedRidge extends TrainedBase {
  trainer: 'ridge';
  task: 'regression';
  params: RidgeParams;
  /** One per design column. */
  coefficients: Float64Array;
  intercept: number;
  /** The model in JS (float64): what the ONNX graph computes, up to float32 rounding. */
  predict(table: FeatureTable): Float64Array;
}

export interface ClassifierPrediction {
  labels: string[];
  /** Row-major [rows, classes], classes in `classes` order. */
  probabilities: Float64Array;
}

export interface FitReport {
  iterations: number;
  converged: boolean;
  /** max |gradient| of the mean objective (loss/n + ‖W‖²/(2·C·n)) at the end. */
  gradient: number;
  /** Final objective C·Σloss + ½‖W‖² (sklearn's). */
  objective: number;
}

export interface TrainedLogistic extends TrainedBase {
  trainer: 'logistic';
  task: 'classification';
  params: LogisticParams;
  /** Class labels, sorted; the order of the probability columns. */
  classes: string[];
  /**
   * sklearn's `coef_` layout: row-major [1, design] for two classes (the coefficients of the
   * second class's log-odds), [classes, design] for more (multinomial).
   */
  coefficients: Float64Array;
  /** sklearn's `intercept_`: 1 value for two classes, one per class for more. */
  intercepts: Float64Array;
  fit: FitReport;
  predict(table: FeatureTable): ClassifierPrediction;
}

export type TrainedModel = TrainedRidge | TrainedLogistic;

/** Graph input/output names shared by the trainers (see README of this folder / docs in index.ts). */
export const REGRESSION_OUTPUT = 'variable';
export const LABEL_OUTPUT = 'label';
export const PROBABILITIES_OUTPUT = 'probabilities';
/** Prefix of every internal tensor name; feature names may not start with it. */
export const INTERNAL_PREFIX = 'mlops/';
export const BATCH_DIM = 'N';
