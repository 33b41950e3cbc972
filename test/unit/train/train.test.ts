// train: the built-in trainers on the sample data, a real external trainer (Python, Debian's
// scikit-learn and onnx), and the ways a training command fails.
import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainModel, parseFeatures, type TrainInputs } from '../../../shared/train/action';
import { readManifest } from '../../../shared/model/manifest';
import { parseProfile } from '../../../shared/profile/format';
import { loadModel } from '../../../shared/model/infer';
import { UserError } from '../../../shared/errors';
import { testContext } from '../helpers';
import { ROOT } from '../../e2e/harness';

const PY = '/usr/bin/python3';

function setup() {
  const ctx = testContext();
  copyFileSync(join(ROOT, 'examples/churn/train.csv'), join(ctx.workspace, 'train.csv'));
  copyFileSync(join(ROOT, 'examples/churn/train.py'), join(ctx.workspace, 'train.py'));
  const run = (over: Partial<TrainInputs>) => trainModel({ data: 'train.csv', target: 'churned', trainer: 'logistic', 'model-name': 'churn', seed: 0, ...over }, ctx);
  return { ctx, run };
}

async function failure(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('train', () => {
  it('built-in logistic: model, manifest with lineage, profile, artifact folder', async () => {
    const { ctx, run } = setup();
    const res = await run({ features: 'age, tenure_months, monthly_charges, plan, contract, support_calls', params: '{C: 0.5}' });
    expect(res.outputs.model).toBe('.mlops/train/churn/model.onnx');
    expect(res.outputs['model-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    const m = await readManifest(join(ctx.workspace, res.outputs.manifest), 'manifest');
    expect(m).toMatchObject({ modelName: 'churn', task: 'classification', target: 'churned', classes: ['0', '1'], trainer: { kind: 'logistic', seed: 0 } });
    expect(m.trainer.params).toMatchObject({ C: 0.5 });
    expect(m.features.map((f) => `${f.name}:${f.kind}`)).toEqual(['age:numeric', 'tenure_months:numeric', 'monthly_charges:numeric', 'plan:categorical', 'contract:categorical', 'support_calls:numeric']);
    expect(m.data.rows).toBe(4000);
    expect(m.data.hash).toMatch(/^sha256:/);
    expect(m.model.sha256).toBe(res.outputs['model-digest']);
    const profile = parseProfile(readFileSync(join(ctx.workspace, res.outputs.profile), 'utf8'));
    expect(profile.rows).toBe(4000);
    expect(profile.dataHash).toBe(m.data.hash);
    // The model runs and takes raw columns.
    const model = await loadModel(join(ctx.workspace, res.outputs.model));
    expect(model.signature.inputs.map((i) => i.name)).toEqual(['age', 'tenure_months', 'monthly_charges', 'plan', 'contract', 'support_calls']);
    await model.release();
    expect(existsSync(join(ctx.workspace, '.mlops/artifacts/model-churn/model.onnx'))).toBe(true);
    expect(ctx.summaries.join('')).toContain('Trained `churn`');
  });

  it('the training profile is cached by the data\'s content hash: the second run restores it', async () => {
    const { ctx, run } = setup();
    const first = await run({});
    expect(ctx.logs.join('\n')).not.toContain('restored from the cache');
    const second = await run({ 'output-dir': 'again' });
    expect(ctx.logs.join('\n')).toMatch(/Training data profile restored from the cache \(mlops-profile-v1-[0-9a-f]{64}\)/);
    expect(readFileSync(join(ctx.workspace, second.outputs.profile), 'utf8')).toBe(readFileSync(join(ctx.workspace, first.outputs.profile), 'utf8'));
    // Other data: another key, profiled again.
    writeFileSync(join(ctx.workspace, 'other.csv'), readFileSync(join(ctx.workspace, 'train.csv'), 'utf8').replace('C000001', 'C999999'));
    const logs = ctx.logs.length;
    await run({ data: 'other.csv', 'output-dir': 'other' });
    expect(ctx.logs.slice(logs).join('\n')).not.toContain('restored from the cache');
  });

  it('the same data and seed give the same bytes', async () => {
    const a = await setup().run({});
    const b = await setup().run({});
    expect(a.outputs['model-digest']).toBe(b.outputs['model-digest']);
  });

  it('ridge regression on a numeric target; a non-numeric target is a clear error', async () => {
    const { run } = setup();
    const res = await run({ trainer: 'ridge', target: 'monthly_charges', features: 'plan, age', 'model-name': 'charges' });
    expect(res.outputs.model).toContain('charges/model.onnx');
    const err = await failure(run({ trainer: 'ridge', target: 'plan' }));
    expect(err.message).toContain("A regression target must be numeric; 'plan' has 'premium'");
  });

  it('unknown columns, unknown params and empty labels are clear errors', async () => {
    const { ctx, run } = setup();
    expect((await failure(run({ target: 'nope' }))).message).toContain("The target column 'nope' is not in the data");
    expect((await failure(run({ features: 'age, nope' }))).message).toContain("'nope' not in the data");
    expect((await failure(run({ params: '{alpah: 1}' }))).message).toMatch(/alpah/);
    writeFileSync(join(ctx.workspace, 'gap.csv'), 'a,y\n1,0\n2,\n3,1\n');
    const gap = await failure(run({ data: 'gap.csv', target: 'y' }));
    expect(gap.message).toContain("The target 'y' is empty in row 2");
    expect(gap.location).toMatchObject({ file: 'gap.csv', line: 3 });
  });

  it('parses feature lists', () => {
    expect(parseFeatures('a, b ,c')).toEqual(['a', 'b', 'c']);
    expect(parseFeatures('[a, "b c"]')).toEqual(['a', 'b c']);
    expect(parseFeatures('- a\n- b\n')).toEqual(['a', 'b']);
    expect(parseFeatures(undefined)).toBeUndefined();
  });
});

describe('train with trainer: command (a real Python trainer)', () => {
  it('runs the script under the contract and records its metrics and params', async () => {
    const { ctx, run } = setup();
    const res = await run({ trainer: 'command', command: `${PY} train.py`, params: '{C: 2.0}', seed: 7 });
    const m = await readManifest(join(ctx.workspace, res.outputs.manifest), 'manifest');
    expect(m.trainer).toMatchObject({ kind: 'command', command: `${PY} train.py`, seed: 7 });
    expect(m.trainer.params).toEqual({ C: 2, max_iter: 1000 });
    expect(m.metrics?.train_accuracy).toBeGreaterThan(0.6);
    expect(m.task).toBe('classification');
    expect(m.classes).toEqual(['0', '1']);
    expect(m.features.map((f) => f.name)).toEqual(['age', 'tenure_months', 'monthly_charges', 'total_charges', 'support_calls']);
    expect(ctx.logs.join('\n')).toContain('training LogisticRegression on 4000 rows');
    expect(readFileSync(join(ctx.workspace, '.mlops/train/churn/train.log'), 'utf8')).toContain('train accuracy');
  });

  it('a command that exits non-zero fails with its last lines', async () => {
    const { run } = setup();
    const err = await failure(run({ trainer: 'command', command: 'echo loading; echo "ValueError: bad column" >&2; exit 3' }));
    expect(err.message).toContain('exited with code 3');
    expect(err.message).toContain('ValueError: bad column');
  });

  it('a command that leaves no model fails and says where the model should be', async () => {
    const { run } = setup();
    const err = await failure(run({ trainer: 'command', command: 'echo done' }));
    expect(err.message).toContain('left no model at .mlops/train/churn/model.onnx');
    expect(err.hint).toContain('$MLOPS_OUTPUT_DIR/model.onnx');
  });

  it('a corrupt model fails with onnxruntime\'s reason', async () => {
    const { run } = setup();
    const err = await failure(run({ trainer: 'command', command: 'head -c 300 /dev/urandom > "$MLOPS_OUTPUT_DIR/model.onnx"' }));
    expect(err.message).toContain('is not a valid ONNX model');
  });

  it('trainer: command without a command', async () => {
    const { run } = setup();
    expect((await failure(run({ trainer: 'command' }))).message).toContain('needs the `command` input');
  });
});
