/**
 * Ridge regression (sklearn's `Ridge` on standardized features): minimize
 *   ‖y − X·w − b‖² + alpha·‖w‖²     (the intercept b is not penalized)
 * in closed form: center X and y, solve (XcᵀXc + alpha·I)·w = Xcᵀyc by Cholesky, b = ȳ − x̄·w.
 *
 * Graph: raw columns → preprocessing → MatMul(W [d, 1]) → Add(b [1]) → `variable` float [N, 1].
 */
import { UserError } from '../../errors';
import { cholesky, choleskySolve } from './linalg';
import { parseParams } from './params';
import { designColumns, emitPreprocessing, featureSpecs, fitPreprocessing, regressionTarget, transform, validateTable } from './preprocess';
import { metadataFor, newModel } from './common';
import { BATCH_DIM, INTERNAL_PREFIX, REGRESSION_OUTPUT } from './types';
import type { FeatureTable, TrainedRidge, TrainingTable, TrainOptions } from './types';

export interface RidgeSolution {
  coefficients: Float64Array;
  intercept: number;
}

/** Solve ridge on a row-major design matrix x [n, d]. */
export function solveRidge(x: Float64Array, n: number, d: number, y: Float64Array, alpha: number): RidgeSolution {
  const xbar = new Float64Array(d);
  let ybar = 0;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) xbar[j] = (xbar[j] as number) + (x[row + j] as number);
    ybar += y[i] as number;
  }
  for (let j = 0; j < d; j++) xbar[j] = (xbar[j] as number) / n;
  ybar /= n;

  // Gram matrix of the centered design (lower triangle) and the right-hand side, in one pass.
  const gram = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  const xc = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) xc[j] = (x[row + j] as number) - (xbar[j] as number);
    const yc = (y[i] as number) - ybar;
    for (let j = 0; j < d; j++) {
      const v = xc[j] as number;
      if (v === 0) continue;
      rhs[j] = (rhs[j] as number) + v * yc;
      const gj = j * d;
      for (let k = 0; k <= j; k++) gram[gj + k] = (gram[gj + k] as number) + v * (xc[k] as number);
    }
  }
  for (let j = 0; j < d; j++) gram[j * d + j] = (gram[j * d + j] as number) + alpha;

  const l = cholesky(gram, d);
  if (!l) {
    throw new UserError(
      'ridge: the features are linearly dependent (constant or collinear columns), so the least-squares problem has no unique solution',
      {},
      alpha === 0 ? 'use alpha > 0 (e.g. the default 1.0), or drop the redundant columns' : 'drop the redundant columns',
    );
  }
  const w = choleskySolve(l, d, rhs);
  let intercept = ybar;
  for (let j = 0; j < d; j++) intercept -= (xbar[j] as number) * (w[j] as number);
  return { coefficients: w, intercept };
}

function linearPredict(x: Float64Array, n: number, d: number, s: RidgeSolution): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = s.intercept;
    const row = i * d;
    for (let j = 0; j < d; j++) z += (x[row + j] as number) * (s.coefficients[j] as number);
    out[i] = z;
  }
  return out;
}

export function trainRidge(table: TrainingTable, params: unknown = {}, _options: TrainOptions = {}): TrainedRidge {
  const p = parseParams('ridge', params);
  validateTable(table, [REGRESSION_OUTPUT]);
  const y = regressionTarget(table.target);
  const features = featureSpecs(table);
  const pre = fitPreprocessing(table);
  const { x, n, d } = transform(pre, table);
  const solution = solveRidge(x, n, d, y, p.alpha);

  const header = { trainer: 'ridge' as const, task: 'regression' as const, target: table.target.name, features, params: p };
  const m = newModel(header, pre);
  const g = m.graph;
  const design = emitPreprocessing(g, features, pre);
  g.addFloatInitializer(`${INTERNAL_PREFIX}coef`, solution.coefficients, [d, 1]);
  g.addFloatInitializer(`${INTERNAL_PREFIX}intercept`, [solution.intercept], [1]);
  g.addNode('MatMul', [design, `${INTERNAL_PREFIX}coef`], [`${INTERNAL_PREFIX}linear`]);
  g.addNode('Add', [`${INTERNAL_PREFIX}linear`, `${INTERNAL_PREFIX}intercept`], [REGRESSION_OUTPUT]);
  g.addOutput(REGRESSION_OUTPUT, 'float', [BATCH_DIM, 1], `predicted ${table.target.name}`);

  return {
    trainer: 'ridge',
    task: 'regression',
    onnx: m.encodeModel(),
    metadata: metadataFor(header),
    target: table.target.name,
    features,
    preprocessing: pre,
    designColumns: designColumns(pre),
    params: p,
    coefficients: solution.coefficients,
    intercept: solution.intercept,
    predict(rows: FeatureTable): Float64Array {
      const t = transform(pre, rows);
      return linearPredict(t.x, t.n, t.d, solution);
    },
  };
}
