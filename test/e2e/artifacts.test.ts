// Workflow artifacts for real: the built train bundle, run as the runner runs it with the Actions runtime
// environment of the fake results service (test/fake-actions, Azurite as the blob store), uploads its model
// with the real @actions/artifact client; `artifact-id` is the id the service gave; the real client, in
// another job of the run, downloads the same model.onnx (its sha256 is train's `model-digest`); and the
// built evaluate bundle takes the model by `artifact: model-churn` in a fresh workspace of a later job.
// The GitHub REST API (evaluate looks for a production baseline in the registry) is test/fake-github.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runAction, type RunResult } from './harness';
import { startAzurite, startResultsService, runClients, valueOf, type Azurite, type ResultsService } from '../fake-actions';
import { startFakeGitHub, type FakeGitHub } from '../fake-github';

const REPO = 'octo-org/churn-model';

describe('train uploads its model as a workflow artifact (real client, fake results service, Azurite)', () => {
  let azurite: Azurite;
  let svc: ResultsService;
  let github: FakeGitHub;
  let ws: string;
  let train: RunResult;

  beforeAll(async () => {
    azurite = await startAzurite();
    svc = await startResultsService({ azurite });
    github = await startFakeGitHub({ repos: [{ owner: 'octo-org', name: 'churn-model' }] });
    ws = mkdtempSync(join(tmpdir(), 'e2e-artifacts-'));
    copyFileSync(join(ROOT, 'examples/churn/train.csv'), join(ws, 'train.csv'));
    train = await runAction({
      action: 'train',
      workspace: ws,
      repository: REPO,
      apiUrl: github.url,
      env: svc.env({ job: 'train' }),
      inputs: { data: 'train.csv', target: 'churned', trainer: 'logistic', 'model-name': 'churn' },
    });
  });
  afterAll(async () => {
    github?.assertNoViolations();
    await github?.close();
    await svc?.close();
    await azurite?.close();
  });

  it('train succeeds and its artifact-id is the id the service gave the finalized artifact', () => {
    expect(train.exitCode, `${train.stdout}\n${train.stderr}`).toBe(0);
    expect(train.annotations.filter((a) => a.level === 'error' || a.level === 'warning')).toEqual([]);
    const record = svc.artifacts.find((a) => a.name === 'model-churn');
    expect(record, JSON.stringify(svc.calls, null, 2)).toBeDefined();
    expect(record!.state).toBe('finalized');
    expect(train.outputs['artifact-id']).toMatch(/^\d+$/);
    expect(train.outputs['artifact-id']).toBe(record!.id);
    expect(svc.calls.filter((c) => c.job?.job === 'train' && /Artifact/.test(c.method)).map((c) => c.method)).toEqual(['CreateArtifact', 'FinalizeArtifact']);
    // The training data's profile was computed and cached under its content hash.
    expect(svc.calls.filter((c) => c.job?.job === 'train' && /Cache/.test(c.method)).map((c) => c.method)).toEqual(['GetCacheEntryDownloadURL', 'CreateCacheEntry', 'FinalizeCacheEntryUpload']);
    svc.assertNoViolations();
  });

  it('a later run on the same data restores the profile from the Actions cache instead of profiling again', async () => {
    const again = await runAction({
      action: 'train',
      workspace: ws,
      repository: REPO,
      apiUrl: github.url,
      env: svc.env({ run: 'second-run', job: 'train' }),
      inputs: { data: 'train.csv', target: 'churned', trainer: 'logistic', 'model-name': 'churn', 'output-dir': 'again' },
    });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/Training data profile restored from the cache \(mlops-profile-v1-[0-9a-f]{64}\)/);
    expect(again.stdout).not.toContain('Profiling the training data');
    expect(readFileSync(join(ws, 'again/profile.json'), 'utf8')).toBe(readFileSync(join(ws, train.outputs.profile!), 'utf8'));
    expect(again.outputs['model-digest']).toBe(train.outputs['model-digest']);
    svc.assertNoViolations();
  });

  it('another job downloads the artifact with the real client: model.onnx is the model train reported', async () => {
    const dest = mkdtempSync(join(tmpdir(), 'e2e-artifacts-dl-'));
    const id = Number(train.outputs['artifact-id']);
    const down = await runClients(svc.env({ job: 'check' }), [{ op: 'download', id, path: dest }], { workspace: dest });
    valueOf(down, 0);
    const onnx = readFileSync(join(dest, 'model.onnx'));
    expect(`sha256:${createHash('sha256').update(onnx).digest('hex')}`).toBe(train.outputs['model-digest']);
    expect(onnx.equals(readFileSync(join(ws, train.outputs.model!)))).toBe(true);
    expect(readdirSync(dest)).toEqual(expect.arrayContaining(['model.onnx', 'manifest.json', 'profile.json']));
    svc.assertNoViolations();
  });

  it('evaluate, in a later job and a fresh workspace, takes the model by `artifact: model-churn`', async () => {
    const ws2 = mkdtempSync(join(tmpdir(), 'e2e-artifacts-eval-'));
    copyFileSync(join(ROOT, 'examples/churn/next-month.csv'), join(ws2, 'next-month.csv'));
    const evaluate = await runAction({
      action: 'evaluate',
      workspace: ws2,
      repository: REPO,
      apiUrl: github.url,
      env: svc.env({ job: 'evaluate' }),
      inputs: { artifact: 'model-churn', data: 'next-month.csv', 'model-name': 'churn', 'no-baseline': 'pass', comment: 'false', 'check-run': 'false' },
    });
    expect(evaluate.exitCode, `${evaluate.stdout}\n${evaluate.stderr}`).toBe(0);
    const onnx = readFileSync(join(ws2, '.mlops/artifacts-in/model-churn/model.onnx'));
    expect(`sha256:${createHash('sha256').update(onnx).digest('hex')}`).toBe(train.outputs['model-digest']);
    expect(svc.calls.filter((c) => c.job?.job === 'evaluate').map((c) => c.method)).toEqual(['ListArtifacts', 'ListArtifacts', 'GetSignedArtifactURL']);
    svc.assertNoViolations();
  });
});
