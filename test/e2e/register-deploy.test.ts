// Promote by merging, end to end on the fake GitHub API: PR → train → evaluate → register (candidate);
// the push of the PR's merge commit → deploy promotes exactly that candidate (same sha256) with a
// successful GitHub Deployment; `version: <previous>` rolls back; the history shows every move.
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ROOT, runAction, type RunOptions, type RunResult } from './harness';
import { startFakeGitHub, type FakeGitHub } from '../fake-github';
import { dispatchEvent, pullRequestEvent, pushEvent } from './events';

const REPO = 'octo-org/churn-model';
type Ev = { name: string; payload: unknown; sha: string; ref: string };

describe('register and deploy: promotion by merging (built bundles, fake GitHub)', () => {
  let fake: FakeGitHub;
  let ws: string;
  const step = (action: string, ev: Ev, inputs: RunOptions['inputs']) =>
    runAction({ action, workspace: ws, event: ev, sha: ev.sha, ref: ev.ref, repository: REPO, apiUrl: fake.url, inputs });
  const calls = () => fake.requests.length;

  /** One PR's workflow: train, evaluate against production, register the candidate. */
  async function prRun(number: number, features: string): Promise<{ train: RunResult; evaluate: RunResult; register: RunResult; registerCalls: number }> {
    const ev = pullRequestEvent(fake, REPO, number);
    const train = await step('train', ev, { data: 'train.csv', target: 'churned', 'model-name': 'churn', features });
    expect(train.exitCode, train.stdout).toBe(0);
    const evaluate = await step('evaluate', ev, {
      model: train.outputs.model!,
      manifest: train.outputs.manifest!,
      data: 'next-month.csv',
      'model-name': 'churn',
      thresholds: 'gates:\n  roc_auc: { min: 0.6, max-regression: 0.02 }\n',
    });
    expect(evaluate.exitCode, evaluate.stdout).toBe(0);
    const before = calls();
    const register = await step('register', ev, {
      model: train.outputs.model!,
      manifest: train.outputs.manifest!,
      evaluation: evaluate.outputs.evaluation!,
      'model-name': 'churn',
      notes: 'Predicts churn for the retention team. Not for pricing decisions.',
    });
    expect(register.exitCode, register.stdout).toBe(0);
    return { train, evaluate, register, registerCalls: calls() - before };
  }

  async function mergeAndDeploy(number: number): Promise<{ deploy: RunResult; deployCalls: number; sha: string }> {
    const before = fake.getRef(REPO, 'refs/heads/main')!;
    const sha = fake.mergePull(REPO, number);
    const start = calls();
    const deploy = await step('deploy', pushEvent(REPO, sha, before), { 'model-name': 'churn' });
    return { deploy, deployCalls: calls() - start, sha };
  }

  let first: Awaited<ReturnType<typeof prRun>>;
  let second: Awaited<ReturnType<typeof prRun>>;
  let firstDeploy: Awaited<ReturnType<typeof mergeAndDeploy>>;
  let secondDeploy: Awaited<ReturnType<typeof mergeAndDeploy>>;

  beforeAll(async () => {
    fake = await startFakeGitHub({ repos: [{ owner: 'octo-org', name: 'churn-model' }] });
    ws = mkdtempSync(join(tmpdir(), 'ws-deploy-'));
    for (const f of ['train.csv', 'next-month.csv']) copyFileSync(join(ROOT, 'examples/churn', f), join(ws, f));
    fake.addPull(REPO, { head: 'first-model', title: 'First churn model' });
    first = await prRun(1, 'age, tenure_months, monthly_charges, support_calls');
    firstDeploy = await mergeAndDeploy(1);
    fake.addPull(REPO, { head: 'better-model', title: 'Add plan and contract' });
    second = await prRun(2, 'age, tenure_months, monthly_charges, support_calls, plan, contract, payment_method');
    secondDeploy = await mergeAndDeploy(2);
  });
  afterAll(async () => {
    fake.assertNoViolations();
    await fake.close();
  });

  it('register makes the PR\'s candidate a published release with its assets and model card', () => {
    expect(first.register.outputs).toMatchObject({ version: '1', tag: 'churn/v1', created: 'true' });
    const release = fake.repo(REPO).releases.find((r) => r.tagName === 'churn/v1')!;
    expect(release.draft).toBe(false);
    expect(release.assets.map((a) => a.name).sort()).toEqual(['evaluation.json', 'manifest.json', 'model-card.md', 'model.onnx', 'profile.json']);
    expect(release.body).toMatch(/^---\nmodel_name: churn\nversion: 1\n/);
    expect(release.body).toContain('## Intended use');
    expect(release.body).toContain('Not for pricing decisions.');
    expect(release.body).toContain('[#1](https://github.com/octo-org/churn-model/pull/1)');
    const stored = release.assets.find((a) => a.name === 'model.onnx')!.data;
    expect(`sha256:${createHash('sha256').update(stored).digest('hex')}`).toBe(first.register.outputs['model-digest']);
    expect(first.register.outputs['model-digest']).toBe(first.train.outputs['model-digest']);
  });

  it('the second PR is evaluated against production (v1), and says so', () => {
    expect(first.evaluate.summary).toContain('no baseline: there is no churn@production yet');
    expect(second.evaluate.summary).toMatch(/baseline `churn@production \(v1\)`/);
    expect(second.register.outputs.version).toBe('2');
    const card = fake.repo(REPO).releases.find((r) => r.tagName === 'churn/v2')!.body!;
    expect(card).toContain('| parent version | v1 |');
  });

  it('deploy on the merge promotes exactly the evaluated candidate (same sha256), with a successful deployment', () => {
    expect(firstDeploy.deploy.exitCode, firstDeploy.deploy.stdout).toBe(0);
    expect(secondDeploy.deploy.exitCode, secondDeploy.deploy.stdout).toBe(0);
    expect(secondDeploy.deploy.outputs).toMatchObject({ version: '2', 'previous-version': '1' });
    const trained = `sha256:${createHash('sha256').update(readFileSync(join(ws, second.train.outputs.model!))).digest('hex')}`;
    expect(second.register.outputs['model-digest']).toBe(trained);
    expect(secondDeploy.deploy.outputs['model-digest']).toBe(trained);
    const deployments = fake.repo(REPO).deployments;
    const d = deployments.find((x) => String(x.id) === secondDeploy.deploy.outputs['deployment-id'])!;
    expect(d).toMatchObject({ environment: 'production', sha: secondDeploy.sha });
    expect(d.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(d.statuses.at(-1)!.logUrl).toMatch(/\/actions\/runs\/\d+$/);
    expect(d.statuses.at(-1)!.environmentUrl).toContain('/releases/tag/churn/v2');
  });

  it('API calls: register ≤ 10 with 5 assets, deploy ≤ 6', () => {
    // The very first registration also creates the registry branch.
    expect(second.registerCalls).toBeLessThanOrEqual(10);
    expect(secondDeploy.deployCalls).toBeLessThanOrEqual(6);
    console.log(`API calls: register ${first.registerCalls} (first ever) / ${second.registerCalls}; deploy ${firstDeploy.deployCalls} / ${secondDeploy.deployCalls}`);
  });

  it('version: <previous> rolls back, and the history shows all three moves', async () => {
    const sha = fake.getRef(REPO, 'refs/heads/main')!;
    const rollback = await step('deploy', dispatchEvent(REPO, sha, { version: '1' }), { 'model-name': 'churn', version: '1' });
    expect(rollback.exitCode, rollback.stdout).toBe(0);
    expect(rollback.outputs).toMatchObject({ version: '1', 'previous-version': '2' });
    const index = await (await fetch(`${fake.url}/repos/${REPO}/contents/models/churn.json?ref=mlops-registry`, { headers: { authorization: 'token x' } })).json() as { content: string };
    const book = JSON.parse(Buffer.from(index.content, 'base64').toString());
    expect(book.aliases).toEqual({ production: 1 });
    expect(book.history.map((h: { from: number | null; to: number; reason: string }) => [h.from, h.to, h.reason])).toEqual([
      [null, 1, 'candidate of PR #1'],
      [1, 2, 'candidate of PR #2'],
      [2, 1, 'explicit version v1'],
    ]);
  });

  it('deploy refuses a candidate whose gates failed unless forced', async () => {
    fake.addPull(REPO, { head: 'worse', title: 'Worse model' });
    const ev = pullRequestEvent(fake, REPO, 3);
    const train = await step('train', ev, { data: 'train.csv', target: 'churned', 'model-name': 'churn', features: 'age' });
    const evaluate = await step('evaluate', ev, { model: train.outputs.model!, data: 'next-month.csv', 'model-name': 'churn', thresholds: 'gates:\n  roc_auc: { max-regression: 0.001 }\n', 'fail-on-gate': 'false' });
    expect(evaluate.outputs.passed).toBe('false');
    const reg = await step('register', ev, { model: train.outputs.model!, evaluation: evaluate.outputs.evaluation!, 'model-name': 'churn' });
    expect(reg.exitCode).toBe(0);
    const { deploy } = await mergeAndDeploy(3);
    expect(deploy.exitCode).toBe(1);
    expect(deploy.stdout).toMatch(/churn v3 failed its evaluation gates: not deploying it to production/);
    const forced = await step('deploy', pushEvent(REPO, fake.getRef(REPO, 'refs/heads/main')!, 'x'.repeat(40)), { 'model-name': 'churn', version: '3', force: 'true' });
    expect(forced.exitCode, forced.stdout).toBe(0);
  });
});
