/**
 * Built-in trainers of the `train` action: no Python, the output is an ONNX model.
 *
 * ONNX conventions (every built-in trainer):
 * - Inputs: one per feature column, named like the column, shape [N, 1] ('N' = dynamic batch):
 *   numeric → tensor(float) (NaN = missing), categorical → tensor(string) ('' = missing). The
 *   preprocessing (mean imputation, standardization, one-hot) is inside the graph.
 * - Regression outputs: `variable` tensor(float) [N, 1] (skl2onnx's name).
 * - Classification outputs: `label` tensor(string) [N] (the class labels as strings, also for
 *   numeric targets: 1 → "1") and `probabilities` tensor(float) [N, C], columns in the sorted class
 *   order of `mlops.classes`.
 * - Internal tensor names start with `mlops/`.
 * - Opsets: ai.onnx 17 (IR 8), plus ai.onnx.ml 3 when there is a categorical feature (OneHotEncoder).
 * - metadata_props: mlops.task, mlops.target, mlops.features ([{name, kind}]), mlops.classes
 *   (classification), mlops.trainer, mlops.params (validated params with defaults, keys sorted).
 */
import { UserError } from '../../errors';
import { trainLogistic } from './logistic';
import { trainRidge } from './ridge';
import type { TrainedModel, TrainerName, TrainingTable, TrainOptions } from './types';

export { METADATA_KEYS, stableJson } from './common';
export { cholesky, choleskySolve } from './linalg';
export { solveLogistic, trainLogistic } from './logistic';
export type { LogisticProblem, LogisticSolution } from './logistic';
export { LogisticParamsSchema, parseParams, RidgeParamsSchema, validParamNames } from './params';
export { designColumns, fitPreprocessing, transform } from './preprocess';
export { solveRidge, trainRidge } from './ridge';
export type { RidgeSolution } from './ridge';
export * from './types';

export const TRAINER_NAMES: readonly TrainerName[] = ['ridge', 'logistic'];

/** Train one of the built-in trainers by name. `params` is validated (unknown names are an error). */
export function train(trainer: TrainerName, table: TrainingTable, params: unknown = {}, options: TrainOptions = {}): TrainedModel {
  switch (trainer) {
    case 'ridge':
      return trainRidge(table, params, options);
    case 'logistic':
      return trainLogistic(table, params, options);
    default:
      throw new UserError(`unknown trainer '${String(trainer)}'`, {}, `use one of: ${TRAINER_NAMES.join(', ')}`);
  }
}
