// The PR moment, end to end: a pull_request event; train (built-in logistic) and evaluate against a
// baseline run as the runner runs them, against the fake GitHub API. Exactly one PR comment with the
// metric table, the gates and a chart; a rerun edits it; a failing gate fails the step and says why;
// a fork's read-only token writes only the summary.
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runAction, type RunResult } from './harness';
import { startFakeGitHub, DEFAULT_TOKEN, READ_ONLY_TOKEN, BOT_LOGIN, type FakeGitHub } from '../fake-github';
import { pullRequestEvent } from './events';

const REPO = 'octo-org/churn-model';

describe('train → evaluate in a pull request (built bundles, fake GitHub)', () => {
  let fake: FakeGitHub;
  let ws: string;
  let event: ReturnType<typeof pullRequestEvent>;
  let train: RunResult;
  let baseline: RunResult;

  const evaluate = (inputs: Record<string, string>, token = DEFAULT_TOKEN, ev = event) =>
    runAction({
      action: 'evaluate',
      workspace: ws,
      event: ev,
      sha: ev.sha,
      ref: ev.ref,
      repository: REPO,
      token,
      apiUrl: fake.url,
      inputs: {
        model: train.outputs.model!,
        manifest: train.outputs.manifest!,
        baseline: baseline.outputs.model!,
        data: 'next-month.csv',
        'model-name': 'churn',
        thresholds: 'thresholds.yml',
        ...inputs,
      },
    });

  beforeAll(async () => {
    fake = await startFakeGitHub({ repos: [{ owner: 'octo-org', name: 'churn-model' }] });
    fake.addPull(REPO, { head: 'better-features', title: 'Use plan and contract' });
    event = pullRequestEvent(fake, REPO, 1);
    ws = mkdtempSync(join(tmpdir(), 'ws-pr-'));
    for (const f of ['train.csv', 'next-month.csv']) copyFileSync(join(ROOT, 'examples/churn', f), join(ws, f));
    writeFileSync(join(ws, 'thresholds.yml'), 'gates:\n  accuracy: { min: 0.6 }\n  roc_auc: { min: 0.7, max-regression: 0.01 }\n');
    const common = { event, sha: event.sha, ref: event.ref, repository: REPO, apiUrl: fake.url, workspace: ws };
    train = await runAction({ ...common, action: 'train', inputs: { data: 'train.csv', target: 'churned', trainer: 'logistic', 'model-name': 'churn', features: 'age, tenure_months, monthly_charges, plan, contract, payment_method, support_calls' } });
    baseline = await runAction({ ...common, action: 'train', inputs: { data: 'train.csv', target: 'churned', 'model-name': 'production', features: 'age, tenure_months' } });
  });
  afterAll(async () => {
    fake.assertNoViolations();
    await fake.close();
  });

  it('train writes a model, a manifest and a profile', () => {
    expect(train.exitCode, train.stdout).toBe(0);
    expect(train.outputs.model).toBe('.mlops/train/churn/model.onnx');
    expect(train.outputs['model-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    const manifest = JSON.parse(readFileSync(join(ws, train.outputs.manifest!), 'utf8'));
    expect(manifest.run.pullRequest).toBe(1);
    expect(manifest.git).toMatchObject({ repository: REPO, sha: event.sha });
    // Not on a runner with the Actions runtime: no artifact id, and the log says why.
    expect(train.outputs['artifact-id']).toBe('');
    expect(train.stdout).toContain('not uploaded');
  });

  it('evaluate posts exactly one comment with the table, the gates and a chart; a rerun edits it', async () => {
    const first = await evaluate({});
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.outputs.passed).toBe('true');
    let comments = fake.commentsOn(REPO, 1);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(comments[0]!.user).toBe(BOT_LOGIN);
    expect(body.startsWith('<!-- mlops-actions:evaluate:churn -->')).toBe(true);
    expect(body).toMatch(/\| metric \| candidate \| baseline \| Δ \| Δ% \|/);
    expect(body).toMatch(/\| roc_auc \| 0\.\d{4} \| 0\.\d{4} \| \+0\.\d{4} \| \+[\d.]+% \| 🟢 ▲ \| ✅ ≥ 0\.7<br>✅ may drop at most 0\.01 \|/);
    expect(body).toContain('### Gates');
    expect(body).toContain('```mermaid\nxychart-beta');
    expect(first.outputs['comment-url']).toMatch(new RegExp(`/pull/1#issuecomment-${comments[0]!.id}$`));
    // The check run carries the verdict on the PR's head commit.
    const checks = fake.repo(REPO).checkRuns;
    expect(checks.at(-1)).toMatchObject({ name: 'mlops-actions / evaluate (churn)', headSha: fake.repo(REPO).issues.get(1)!.pull!.head.sha, conclusion: 'success' });

    // The same result again: nothing to change, no write.
    const same = await evaluate({});
    expect(same.exitCode).toBe(0);
    expect(fake.callsTo('issues/update-comment')).toHaveLength(0);
    // A rerun with a different result (now with slices) edits the one comment in place.
    const again = await evaluate({ 'slice-by': 'plan' });
    expect(again.exitCode).toBe(0);
    comments = fake.commentsOn(REPO, 1);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('Slices by `plan`');
    expect(fake.callsTo('issues/create-comment')).toHaveLength(1);
    expect(fake.callsTo('issues/update-comment')).toHaveLength(1);
  });

  it('a failing gate fails the step and the comment says why', async () => {
    writeFileSync(join(ws, 'strict.yml'), 'gates:\n  accuracy: { min: 0.95 }\n  roc_auc: { min-improvement: 0.5 }\n');
    const res = await evaluate({ thresholds: 'strict.yml' });
    expect(res.exitCode).toBe(1);
    expect(res.outputs.passed).toBe('false');
    expect(res.stdout).toMatch(/::error::2 gates failed for churn: accuracy ≥ 0\.95 \(accuracy 0\.\d+ < 0\.95\)/);
    const comments = fake.commentsOn(REPO, 1);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('fails 2 of 2 gates');
    expect(comments[0]!.body).toMatch(/❌ \*\*roc_auc\*\* improve by ≥ 0\.5: roc_auc improved by 0\.\d+ \(0\.\d+ → 0\.\d+\), less than the required 0\.5/);
    expect(fake.repo(REPO).checkRuns.at(-1)).toMatchObject({ conclusion: 'failure' });
  });

  it('a fork PR (read-only token): the summary has the report, a warning says why, no comment is written', async () => {
    fake.addPull(REPO, { head: 'contrib', headRepo: 'someone/churn-model', title: 'From a fork' });
    const forkEvent = pullRequestEvent(fake, REPO, 2);
    const res = await evaluate({}, READ_ONLY_TOKEN, forkEvent);
    expect(res.exitCode, res.stdout).toBe(0);
    expect(fake.commentsOn(REPO, 2)).toHaveLength(0);
    expect(res.summary).toContain('<!-- mlops-actions:evaluate:churn -->');
    expect(res.annotations.some((a) => a.level === 'warning' && /cannot write|fork/i.test(a.message))).toBe(true);
    expect(res.outputs['comment-url']).toBe('');
    fake.resetRecords();
  });

  it('a 502 on the comment update is retried and succeeds', async () => {
    fake.failNext({ operationId: 'issues/update-comment', status: 502, times: 1 });
    const res = await evaluate({ 'check-run': 'false' });
    expect(res.exitCode, res.stdout).toBe(0);
    expect(fake.commentsOn(REPO, 1)).toHaveLength(1);
    const updates = fake.callsTo('issues/update-comment');
    expect(updates.filter((u) => u.status === 502)).toHaveLength(1);
    expect(updates.at(-1)!.status).toBe(200);
  });
});
