/**
 * Against scikit-learn on real public data (breast cancer, wine, diabetes as shipped with sklearn):
 * same train/test split (test/fixtures/trainers, made by scripts/fixtures/trainers_reference.py),
 * our trainer vs make_pipeline(StandardScaler(), LogisticRegression(C=1)) / (…, Ridge(alpha=1)).
 * Scores come from running our ONNX model in onnxruntime, i.e. what a user would deploy.
 */
import { describe, expect, it } from 'vitest';
import { trainLogistic, trainRidge } from '../../../../shared/model/trainers';
import { maxAbsDiff, maxRelDiff, readFixtureTable, readReference, runOnnx } from './helpers';

const reference = readReference();

function accuracy(labels: readonly string[], truth: Float64Array): number {
  let ok = 0;
  labels.forEach((l, i) => (ok += l === String(truth[i]) ? 1 : 0));
  return ok / labels.length;
}

function centered(v: ArrayLike<number>): number[] {
  const a = Array.from(v);
  if (a.length < 2) return a;
  const mean = a.reduce((x, y) => x + y, 0) / a.length;
  return a.map((x) => x - mean);
}

describe.each(['breast_cancer', 'wine'] as const)('logistic vs sklearn LogisticRegression: %s', (name) => {
  const ref = reference.datasets[name];
  const train = readFixtureTable(`${name}_train.csv`);
  const test = readFixtureTable(`${name}_test.csv`);
  const model = trainLogistic(train, { C: 1 });

  it('reads the fixture as sklearn split it', () => {
    expect(train.target.values.length).toBe(ref.n_train);
    expect(test.target.values.length).toBe(ref.n_test);
    expect(model.classes).toEqual(ref.classes.map(String));
    expect(model.fit.converged).toBe(true);
    // The fitted scaler is StandardScaler's.
    expect(maxRelDiff(model.preprocessing.numeric.map((s) => s.mean), ref.scaler_mean)).toBeLessThan(1e-12);
    expect(maxRelDiff(model.preprocessing.numeric.map((s) => s.std), ref.scaler_scale)).toBeLessThan(1e-12);
  });

  it('test accuracy (onnxruntime) within 1 point of sklearn', async () => {
    const out = await runOnnx(model.onnx, test);
    const labels = out.label!.data as string[];
    const acc = accuracy(labels, test.target.values as Float64Array);
    console.log(`${name}: accuracy ours ${acc.toFixed(4)} sklearn ${ref.test_accuracy.toFixed(4)} (newton-cg exact ${ref.exact.test_accuracy.toFixed(4)}); Newton iterations ${model.fit.iterations}`);
    expect(Math.abs(acc - ref.test_accuracy)).toBeLessThanOrEqual(0.01);
    // And the JS model and the ONNX model agree on the test rows.
    const js = model.predict(test);
    expect(maxAbsDiff(out.probabilities!.data as Float32Array, js.probabilities)).toBeLessThan(1e-5);
  });

  it('coefficients match sklearn: 1e-6 of the exact optimum, 1e-3 of lbfgs defaults', () => {
    expect([1, model.designColumns.length]).toEqual(name === 'wine' ? [1, 13] : [1, 30]);
    expect(model.coefficients.length).toBe(ref.coef.length);
    const exact = maxAbsDiff(model.coefficients, ref.exact.coef);
    // Multinomial intercepts are only determined up to a common shift (softmax is shift-invariant
    // and intercepts are not penalized): compare them centered. Ours (and lbfgs's) sum to 0.
    const exactB = maxAbsDiff(centered(model.intercepts), centered(ref.exact.intercept));
    if (model.intercepts.length > 1) expect(Math.abs(model.intercepts.reduce((a, b) => a + b, 0))).toBeLessThan(1e-9);
    const lbfgs = maxAbsDiff(model.coefficients, ref.coef);
    console.log(`${name}: max |coef − sklearn newton-cg| ${exact.toExponential(2)}, intercept ${exactB.toExponential(2)}; vs lbfgs default ${lbfgs.toExponential(2)}`);
    expect(exact).toBeLessThan(1e-6);
    expect(exactB).toBeLessThan(1e-6);
    expect(lbfgs).toBeLessThan(1e-3);
    expect(maxAbsDiff(model.intercepts, ref.intercept)).toBeLessThan(1e-3);
  });

  it('test probabilities match sklearn predict_proba', () => {
    const js = model.predict(test);
    expect(maxAbsDiff(js.probabilities, ref.exact.test_proba)).toBeLessThan(1e-6);
    expect(maxAbsDiff(js.probabilities, ref.test_proba)).toBeLessThan(1e-3);
  });
});

describe('ridge vs sklearn Ridge: diabetes', () => {
  const ref = reference.datasets.diabetes;
  const train = readFixtureTable('diabetes_train.csv');
  const test = readFixtureTable('diabetes_test.csv');
  const model = trainRidge(train, { alpha: 1 });

  it('test RMSE (onnxruntime) within 1% of sklearn', async () => {
    const out = await runOnnx(model.onnx, test);
    const pred = out.variable!.data as Float32Array;
    const y = test.target.values as Float64Array;
    let se = 0;
    for (let i = 0; i < y.length; i++) se += ((pred[i] as number) - (y[i] as number)) ** 2;
    const rmse = Math.sqrt(se / y.length);
    console.log(`diabetes: RMSE ours ${rmse.toFixed(4)} sklearn ${ref.test_rmse.toFixed(4)}`);
    expect(Math.abs(rmse - ref.test_rmse) / ref.test_rmse).toBeLessThan(0.01);
    expect(maxRelDiff(pred, model.predict(test))).toBeLessThan(1e-5);
  });

  it('coefficients and predictions match sklearn to float64 precision', () => {
    expect(maxRelDiff(model.coefficients, ref.coef)).toBeLessThan(1e-9);
    expect(Math.abs(model.intercept - ref.intercept)).toBeLessThan(1e-9);
    expect(maxRelDiff(model.predict(test), ref.test_pred)).toBeLessThan(1e-9);
  });
});
