// The full loop, as the templates in workflows-templates/ run it: every step of each template, with the
// inputs written in the template, through the e2e harness (built bundles), against the fake GitHub API and
// the Actions results-service emulation (Azurite), by test/e2e/workflow-runner.ts.
//
//   pr.yml (PR #1)        → validate, train (artifact) | evaluate (artifact downloaded), register:
//                           one sticky comment with the metrics, a check run, candidate v1
//   merge + main.yml      → production = v1 (train's digest), deployment in_progress → success
//   monitor.yml (cron)    → drifted production data: one issue, one dispatch of mlops-retrain.yml
//   retrain.yml           → with the dispatch's inputs: trains, evaluates against production, opens a PR
//   pr.yml (retrain PR)   → its own single comment, candidate v2 (still one comment on PR #1)
//   merge + main.yml      → production = v2
//   rollback.yml (v 1)    → production back at v1; the registry's alias history shows the three moves
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NODE24, ROOT } from './harness';
import { dispatchEvent, pullRequestEvent, pushEvent } from './events';
import { condition, interpolate, runWorkflow, type Lookup, type RunStepContext, type WorkflowEvent, type WorkflowResult, type WorkflowRunOptions } from './workflow-runner';
import { DEFAULT_TOKEN, USER_LOGIN, USER_TOKEN, startFakeGitHub, type FakeGitHub } from '../fake-github';
import { startAzurite, startResultsService, type Azurite, type ResultsService } from '../fake-actions';

const REPO = 'octo-org/churn-model';
const CRON = '17 6 * * *';
const lines = (file: string) => readFileSync(join(ROOT, 'examples/churn', file), 'utf8').trimEnd().split('\n');
const csv = (header: string, rows: string[]) => `${[header, ...rows].join('\n')}\n`;
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('the full loop through the templates (fake GitHub, artifact emulator)', () => {
  let azurite: Azurite;
  let svc: ResultsService;
  let fake: FakeGitHub;
  /** The repository's content at the ref being checked out (the test moves it along as PRs merge). */
  let repoDir: string;
  const started = Date.now();

  const [trainHeader, ...trainRows] = lines('train.csv');
  const [nextHeader, ...nextRows] = lines('next-month.csv');
  // Labelled rows of the month after training: the first half is the test set, the second half is
  // what production served (drifted: plan mix, monthly_charges, support_calls) and, once labelled, the
  // fresh training data of the retrain.
  const testRows = nextRows.slice(0, 1000);
  const recentRows = nextRows.slice(1000);

  /** What the test does for the template's `run:` steps that matter to the scenario. */
  const runSteps: RunStepContext[] = [];
  const retrainPulls: number[] = [];
  async function onRun(step: RunStepContext): Promise<boolean> {
    runSteps.push(step);
    const ws = (p: string) => join(step.workspace, p);
    if (step.workflow === 'monitor.yml' && step.name === 'Fetch production data') {
      mkdirSync(ws('data/production'), { recursive: true });
      writeFileSync(ws('data/production/served.csv'), csv(nextHeader!, recentRows));
      return true;
    }
    if (step.workflow === 'retrain.yml' && step.name === 'Fetch fresh training data') {
      writeFileSync(ws('data/train.csv'), csv(trainHeader!, [...trainRows, ...recentRows]));
      return true;
    }
    if (step.workflow === 'retrain.yml' && step.name === 'Open the pull request') {
      // git switch -c / add / commit / push, then gh pr create --body-file "$REPORT".
      const { MODEL, REASON, REPORT, GH_TOKEN, GITHUB_RUN_ID } = step.env as Record<string, string>;
      expect(GH_TOKEN).toBe(USER_TOKEN); // secrets.MLOPS_BOT_TOKEN wins over github.token
      const report = readFileSync(ws(REPORT!), 'utf8');
      mkdirSync(join(repoDir, 'mlops/retrain'), { recursive: true });
      writeFileSync(join(repoDir, `mlops/retrain/${MODEL}.md`), report);
      cpSync(ws('data/train.csv'), join(repoDir, 'data/train.csv'));
      const pr = fake.addPull(REPO, { head: `mlops/retrain-${MODEL}-${GITHUB_RUN_ID}`, title: `Retrain ${MODEL} (${REASON})`, body: report, labels: ['mlops'], user: USER_LOGIN });
      retrainPulls.push(pr.number);
      return true;
    }
    return false;
  }

  const runs: WorkflowResult[] = [];
  const run = async (template: string, event: WorkflowEvent, extra: Partial<WorkflowRunOptions> = {}) =>
    {
      const r = await runWorkflow({ template, event, fake, service: svc, repository: REPO, checkout: repoDir, secrets: { MLOPS_BOT_TOKEN: USER_TOKEN }, onRun, ...extra });
      runs.push(r);
      return r;
    };
  /** No problem in the run but the known ones (each of which must still be there: fixed, it is to be removed). */
  const ok = (r: WorkflowResult, known: RegExp[] = []) => {
    const problems = r.problems();
    expect(problems.filter((p) => !known.some((k) => k.test(p))), problems.join('\n\n')).toEqual([]);
    for (const k of known) expect(problems.some((p) => k.test(p)), `known problem ${k} is gone from ${r.template}: update the test`).toBe(true);
    for (const job of Object.values(r.jobs)) expect(job.status, `${r.template} job ${job.id}`).toBe('success');
    return r;
  };
  const evaluateComments = (n: number) => fake.commentsOn(REPO, n).filter((c) => c.body.includes('churn'));
  const mainSha = () => fake.getRef(REPO, 'refs/heads/main')!;
  async function registryBook(): Promise<{ aliases: Record<string, number>; history: Array<{ from: number | null; to: number; reason: string }>; versions: Array<{ version: number; digest: string; pullRequest?: number }> }> {
    const res = await fetch(`${fake.url}/repos/${REPO}/contents/models/churn.json?ref=mlops-registry`, { headers: { authorization: `token ${DEFAULT_TOKEN}` }, signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(200);
    const index = (await res.json()) as { content: string };
    return JSON.parse(Buffer.from(index.content, 'base64').toString());
  }
  async function mergeAndPromote(number: number) {
    const before = mainSha();
    const sha = fake.mergePull(REPO, number);
    return { sha, run: ok(await run('main.yml', pushEvent(REPO, sha, before))) };
  }

  let pr1: WorkflowResult;
  let promote1: { sha: string; run: WorkflowResult };
  let monitor: WorkflowResult;
  let retrain: WorkflowResult;
  let pr2: WorkflowResult;
  let retrainPr: number;
  let promote2: { sha: string; run: WorkflowResult };
  let rollback: WorkflowResult;

  beforeAll(async () => {
    azurite = await startAzurite();
    svc = await startResultsService({ azurite });
    fake = await startFakeGitHub({ repos: [{ owner: 'octo-org', name: 'churn-model', workflows: ['mlops-retrain.yml'] }] });
    repoDir = mkdtempSync(join(tmpdir(), 'e2e-full-loop-repo-'));
    const put = (p: string, text: string) => {
      mkdirSync(dirname(join(repoDir, p)), { recursive: true });
      writeFileSync(join(repoDir, p), text);
    };
    put('data/train.csv', csv(trainHeader!, trainRows));
    put('data/test.csv', csv(nextHeader!, testRows));
    put('mlops/params.yml', 'C: 1.0\n');
    put('mlops/thresholds.yml', 'gates:\n  roc_auc: { min: 0.6, max-regression: 0.05 }\n');
    // Two or more columns of nine drifting is dataset drift.
    put('mlops/monitor.yml', 'ignore: [customer_id, signup_date, churned]\nperformance: false\ndrift-share: 0.2\n');
    const infer = spawnSync(NODE24, [join(ROOT, 'dist/cli.js'), 'schema', 'infer', '--data', 'data/train.csv', '--target', 'churned', '--output', 'mlops/schema.yml'], { cwd: repoDir, encoding: 'utf8', timeout: 30_000 });
    expect(infer.status, `${infer.stdout}\n${infer.stderr}`).toBe(0);

    fake.addPull(REPO, { head: 'churn-model', title: 'Churn model: logistic regression' });
    const changed1 = ['data/train.csv', 'data/test.csv', 'mlops/schema.yml', 'mlops/params.yml', 'mlops/thresholds.yml', 'mlops/monitor.yml'];
    pr1 = ok(await run('pr.yml', pullRequestEvent(fake, REPO, 1), { changedFiles: changed1 }));
    promote1 = await mergeAndPromote(1);
    const schedule = { name: 'schedule', payload: { schedule: CRON }, sha: mainSha(), ref: 'refs/heads/main' };
    monitor = ok(await run('monitor.yml', schedule));
    const dispatch = fake.repo(REPO).workflowDispatches[0];
    expect(dispatch, 'monitor dispatched no retraining').toBeDefined();
    retrain = ok(await run('retrain.yml', dispatchEvent(REPO, mainSha(), dispatch!.inputs as Record<string, string>)));
    expect(retrainPulls, 'the retrain did not reach "Open the pull request"').toHaveLength(1);
    retrainPr = retrainPulls[0]!;
    pr2 = ok(await run('pr.yml', pullRequestEvent(fake, REPO, retrainPr), { changedFiles: ['data/train.csv', 'mlops/retrain/churn.md'] }));
    promote2 = await mergeAndPromote(retrainPr);
    rollback = ok(await run('rollback.yml', dispatchEvent(REPO, mainSha(), { version: '1' })));
  }, 150_000);

  afterAll(async () => {
    const timings = runs.flatMap((r) => Object.values(r.jobs).flatMap((j) => j.steps.filter((s) => s.durationMs !== undefined).map((s) => `${r.template}/${j.id}/${s.id}: ${s.durationMs} ms`)));
    if (process.env.FULL_LOOP_DEBUG) for (const r of runs) for (const j of Object.values(r.jobs)) for (const st of j.steps) if (st.stdout) console.log(`----- ${r.template}/${j.id}/${st.id}\n${st.stdout}\n${st.result?.stderr}`);
    console.log(`full loop: ${((Date.now() - started) / 1000).toFixed(1)} s\n${timings.join('\n')}`);
    try {
      fake?.assertNoViolations();
      svc?.assertNoViolations();
    } finally {
      await fake?.close();
      await svc?.close();
      await azurite?.close();
    }
  });

  it('a PR is opened: validate and train in job train (artifact uploaded), evaluate and register in job evaluate (artifact downloaded)', () => {
    expect(pr1.order).toEqual(['train', 'evaluate']);
    const train = pr1.job('train');
    expect(train.steps.map((s) => [s.id ?? s.name, s.status])).toEqual([
      ['Run actions/checkout@v4', 'success'],
      ['validate', 'success'],
      ['train', 'success'],
    ]);
    expect(train.step('validate').inputs).toEqual({ data: 'data/train.csv', schema: 'mlops/schema.yml', target: 'churned' });
    expect(train.step('train').inputs).toEqual({ data: 'data/train.csv', target: 'churned', 'model-name': 'churn', trainer: 'logistic', params: 'mlops/params.yml', 'artifact-name': 'model-churn' });
    expect(train.outputs).toEqual({ 'model-digest': train.step('train').outputs['model-digest'], rows: '4000' });
    expect(train.outputs['model-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);

    const artifact = svc.artifacts.find((a) => a.name === 'model-churn' && a.id === train.step('train').outputs['artifact-id']);
    expect(artifact?.state).toBe('finalized');
    expect(artifact!.runBackendId).toBe(svc.backendIds(train.runtime).runBackendId);
    expect(artifact!.jobBackendId).toBe(svc.backendIds(train.runtime).jobBackendId);
    const evaluate = pr1.job('evaluate');
    expect(evaluate.runtime.run).toBe(train.runtime.run);
    expect(svc.calls.filter((c) => c.job?.run === evaluate.runtime.run && c.job.job === 'evaluate').map((c) => c.method)).toContain('GetSignedArtifactURL');
    // The evaluate job has its own workspace: it evaluated the downloaded model, the bytes train made.
    const downloaded = readFileSync(join(evaluate.workspace, '.mlops/artifacts-in/model-churn/model.onnx'));
    expect(sha256(downloaded)).toBe(train.outputs['model-digest']);

    expect(evaluate.steps.map((s) => [s.id ?? s.name, s.status])).toEqual([
      ['Run actions/checkout@v4', 'success'],
      ['evaluate', 'success'],
      ['register', 'success'],
      ['Summary', 'not-run'],
    ]);
    expect(evaluate.step('register').inputs).toEqual({ artifact: 'model-churn', evaluation: evaluate.step('evaluate').outputs.evaluation, 'model-name': 'churn' });
    const summary = evaluate.steps.find((s) => s.name === 'Summary')!;
    expect(summary.script).toContain(`candidate ${train.outputs['model-digest']} passed=true version=1`);
    expect(pr1.concurrencyGroup).toBe('mlops-pr-1');
  });

  it('→ exactly one sticky comment on PR #1 with the metric table, a check run, candidate v1', async () => {
    const comments = fake.commentsOn(REPO, 1);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body).toMatch(/\|\s*roc_auc\s*\|/);
    expect(body).toMatch(/\|\s*accuracy\s*\|/);
    expect(body).toContain('no baseline');
    const pull = fake.repo(REPO).issues.get(1)!.pull!;
    const checks = fake.repo(REPO).checkRuns.filter((c) => c.headSha === pull.head.sha);
    expect(checks.map((c) => [c.name, c.status, c.conclusion])).toEqual([['mlops-actions / evaluate (churn)', 'completed', 'success']]);
    const register = pr1.job('evaluate').step('register');
    expect(register.outputs).toMatchObject({ version: '1', tag: 'churn/v1', created: 'true', 'model-digest': pr1.job('train').outputs['model-digest'] });
    const release = fake.repo(REPO).releases.find((r) => r.tagName === 'churn/v1')!;
    expect(sha256(release.assets.find((a) => a.name === 'model.onnx')!.data)).toBe(pr1.job('train').outputs['model-digest']);
    expect(release.body).toContain('[#1](https://github.com/octo-org/churn-model/pull/1)');
  });

  it('the PR is merged → main.yml moves production to its candidate (train\'s digest); the deployment goes in_progress → success', () => {
    const job = promote1.run.job('deploy');
    const deploy = job.step('deploy');
    expect(deploy.inputs).toEqual({ 'model-name': 'churn', environment: 'production' });
    expect(deploy.outputs).toMatchObject({ version: '1', 'previous-version': '', 'model-digest': pr1.job('train').outputs['model-digest'] });
    expect(job.environment).toEqual({ name: 'production', url: 'https://github.com/octo-org/churn-model/releases/tag/churn/v1' });
    const d = fake.repo(REPO).deployments.find((x) => String(x.id) === deploy.outputs['deployment-id'])!;
    expect(d).toMatchObject({ environment: 'production', sha: promote1.sha });
    expect(d.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(d.statuses.at(-1)!.logUrl).toBe(`https://github.com/${REPO}/actions/runs/${promote1.run.runId}`);
    expect(job.steps.at(-1)!.script).toBe('echo "production is now v1 (was v)"');
  });

  it('cron with drifted production data → drift detected, one issue opened, one dispatch of mlops-retrain.yml', () => {
    const job = monitor.job('monitor');
    expect(job.steps.map((s) => [s.id ?? s.name, s.status])).toEqual([
      ['Run actions/checkout@v4', 'success'],
      ['Fetch production data', 'performed-by-test'],
      ['monitor', 'success'],
      ['Run echo "drift in ${{ steps.monitor.outputs.drifted-columns }}; issue #${{ steps.monitor.outputs.issue-number }}"', 'not-run'],
    ]);
    const out = job.step('monitor').outputs;
    expect(out).toMatchObject({ 'drift-detected': 'true', version: '1' });
    const drifted = out['drifted-columns']!.split(',');
    expect(drifted).toEqual(expect.arrayContaining(['monthly_charges', 'support_calls']));
    const issues = [...fake.repo(REPO).issues.values()].filter((i) => !i.pull);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ state: 'open', number: Number(out['issue-number']) });
    expect(issues[0]!.body).toContain('<!-- mlops-actions:drift:churn -->');
    // The last step's script survives YAML whole (a plain scalar would lose everything after ` #`).
    expect(job.steps.at(-1)!.script!.trim()).toBe(`echo "drift in ${out['drifted-columns']}; issue #${out['issue-number']}"`);
    expect(job.steps.at(-1)!.syntaxError).toBeUndefined();
    const dispatches = fake.repo(REPO).workflowDispatches;
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0]).toMatchObject({ workflowId: 'mlops-retrain.yml', ref: 'main' });
    expect(Object.keys(dispatches[0]!.inputs).sort()).toEqual(['model-name', 'reason']);
    expect(dispatches[0]!.inputs['model-name']).toBe('churn');
    expect(String(dispatches[0]!.inputs.reason)).toContain('monthly_charges');
  });

  it('retrain, with the dispatch\'s inputs: trains on fresh data, evaluates against production, opens a PR with the report', () => {
    const job = retrain.job('retrain');
    expect(retrain.concurrencyGroup).toBe('mlops-retrain-churn');
    expect(job.steps.map((s) => [s.id ?? s.name, s.status])).toEqual([
      ['Run actions/checkout@v4', 'success'],
      ['Fetch fresh training data', 'performed-by-test'],
      ['validate', 'success'],
      ['train', 'success'],
      ['evaluate', 'success'],
      ['Open the pull request', 'performed-by-test'],
    ]);
    expect(job.step('validate').outputs.rows).toBe(String(trainRows.length + recentRows.length));
    const evaluate = job.step('evaluate');
    expect(evaluate.inputs).toMatchObject({ model: job.step('train').outputs.model, manifest: job.step('train').outputs.manifest, 'fail-on-gate': 'false' });
    expect(evaluate.stdout).toBeDefined();
    expect(evaluate.result!.summary).toMatch(/baseline `churn@production \(v1\)`/);
    const pull = fake.repo(REPO).issues.get(retrainPr)!;
    expect(pull.title).toBe(`Retrain churn (${String(fake.repo(REPO).workflowDispatches[0]!.inputs.reason)})`);
    expect(pull.body).toBe(readFileSync(join(job.workspace, evaluate.outputs.report!), 'utf8'));
    expect(pull.labels).toEqual(['mlops']);
    // A workflow_dispatch run has no PR: no comment, no check run from the retrain itself.
    expect(evaluate.outputs['comment-url']).toBe('');
    expect(evaluate.outputs['check-run-url']).toBe('');
  });

  it('→ pr.yml on the retrain PR: its own single comment, candidate v2; still exactly one comment on PR #1', () => {
    expect(fake.commentsOn(REPO, retrainPr)).toHaveLength(1);
    expect(fake.commentsOn(REPO, 1)).toHaveLength(1);
    expect(evaluateComments(retrainPr)[0]!.body).toMatch(/baseline `churn@production \(v1\)`/);
    const register = pr2.job('evaluate').step('register');
    expect(register.outputs).toMatchObject({ version: '2', tag: 'churn/v2', created: 'true', 'model-digest': pr2.job('train').outputs['model-digest'] });
    expect(pr2.job('train').outputs['model-digest']).not.toBe(pr1.job('train').outputs['model-digest']);
    expect(pr2.job('train').outputs.rows).toBe(String(trainRows.length + recentRows.length));
    // The report the retrain put in the PR's body is about the very model pr.yml then trained and registered.
    expect(retrain.job('retrain').step('train').outputs['model-digest']).toBe(pr2.job('train').outputs['model-digest']);
    const pull = fake.repo(REPO).issues.get(retrainPr)!.pull!;
    expect(fake.repo(REPO).checkRuns.filter((c) => c.headSha === pull.head.sha).map((c) => c.conclusion)).toEqual(['success']);
  });

  it('the retrain PR merged → production v2; rollback.yml with version 1 → production back at v1, the history shows the three moves', async () => {
    const deploy2 = promote2.run.job('deploy').step('deploy');
    expect(deploy2.outputs).toMatchObject({ version: '2', 'previous-version': '1', 'model-digest': pr2.job('train').outputs['model-digest'] });
    expect(promote2.run.job('deploy').environment!.url).toBe('https://github.com/octo-org/churn-model/releases/tag/churn/v2');

    const job = rollback.job('rollback');
    expect(job.environment).toEqual({ name: 'production' });
    expect(job.step('deploy').inputs).toEqual({ 'model-name': 'churn', environment: 'production', version: '1', force: 'false' });
    expect(job.step('deploy').outputs).toMatchObject({ version: '1', 'previous-version': '2', 'model-digest': pr1.job('train').outputs['model-digest'] });
    expect(job.steps.at(-1)!.script).toBe('echo "production is now v1 (was v2)"');
    const d = fake.repo(REPO).deployments.find((x) => String(x.id) === job.step('deploy').outputs['deployment-id'])!;
    expect(d.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);

    const book = await registryBook();
    expect(book.aliases).toEqual({ production: 1 });
    expect(book.history.map((h) => [h.from, h.to, h.reason])).toEqual([
      [null, 1, 'candidate of PR #1'],
      [1, 2, `candidate of PR #${retrainPr}`],
      [2, 1, 'explicit version v1'],
    ]);
  });

  it('every template ran within the permissions it declares; the run steps the test did not perform are recorded', () => {
    for (const r of [pr1, promote1.run, monitor, retrain, pr2, promote2.run, rollback]) {
      for (const job of Object.values(r.jobs)) expect(job.permissionProblems, `${r.template} ${job.id}`).toEqual([]);
    }
    expect(runSteps.map((s) => `${s.workflow}: ${s.name}`)).toEqual([
      'pr.yml: Summary',
      'main.yml: Run echo "production is now v${{ steps.deploy.outputs.version }} (was v${{ steps.deploy.outputs.previous-version }})"',
      'monitor.yml: Fetch production data',
      'monitor.yml: Run echo "drift in ${{ steps.monitor.outputs.drifted-columns }}; issue #${{ steps.monitor.outputs.issue-number }}"',
      'retrain.yml: Fetch fresh training data',
      'retrain.yml: Open the pull request',
      'pr.yml: Summary',
      'main.yml: Run echo "production is now v${{ steps.deploy.outputs.version }} (was v${{ steps.deploy.outputs.previous-version }})"',
      'rollback.yml: Run echo "${{ inputs.environment }} is now v${{ steps.deploy.outputs.version }} (was v${{ steps.deploy.outputs.previous-version }})"',
    ]);
  });
  it('the runner evaluates the expressions the templates use as GitHub does, and refuses what it does not implement', async () => {
    const ctx: Record<string, unknown> = { 'steps.d.outputs.version': '3', 'steps.d.outputs.empty': '', 'github.repository': 'o/r', 'secrets.NONE': null, 'github.token': 't' };
    const lookup: Lookup = (path) => {
      const k = path.join('.');
      if (!(k in ctx)) throw new Error(`no ${k}`);
      return ctx[k];
    };
    expect(interpolate("${{ steps.d.outputs.version && format('{0}/v{1}', github.repository, steps.d.outputs.version) }}", lookup)).toBe('o/r/v3');
    expect(interpolate("${{ steps.d.outputs.empty && format('{0}', github.repository) }}", lookup)).toBe('');
    expect(interpolate('${{ secrets.NONE || github.token }}', lookup)).toBe('t');
    expect(interpolate("a-${{ format('{{{0}}}', 'x') }}-b", lookup)).toBe('a-{x}-b');
    expect(condition("steps.d.outputs.version == '3'", lookup)).toBe(true);
    expect(condition("${{ github.repository == 'O/R' }}", lookup)).toBe(true); // strings compare case-insensitively
    expect(condition("steps.d.outputs.version != 3 || !github.token", lookup)).toBe(false); // '3' == 3 by number
    expect(() => interpolate("${{ contains(github.repository, 'o') }}", lookup)).toThrow(/does not implement the function contains/);
    expect(() => interpolate('${{ github.event.pull_request.labels[0] }}', lookup)).toThrow(/does not implement/);

    const dir = mkdtempSync(join(tmpdir(), 'e2e-runner-'));
    const attempt = (steps: string, inputs: Record<string, string> = { x: 'y' }) => {
      const file = join(dir, `t${Math.random().toString(36).slice(2)}.yml`);
      writeFileSync(file, `name: t\non:\n  workflow_dispatch:\n    inputs:\n      x: { required: true, type: string }\nenv:\n  A: a\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`);
      return run(file, dispatchEvent(REPO, mainSha(), inputs));
    };
    const deploy = (extra: string) => `      - id: d\n        uses: mlops-actions/mlops-actions/actions/deploy@v1\n${extra}`;
    await expect(attempt(deploy(`        if: steps.d.outputs.verson == '1'\n        with: { model-name: m }\n`))).rejects.toThrow(/deploy action has no output 'verson'/);
    await expect(attempt(deploy(`        with: { model-name: '\${{ env.B }}' }\n`))).rejects.toThrow(/env\.B is not defined/);
    await expect(attempt(deploy(`        with: { model-name: '\${{ vars.M }}' }\n`))).rejects.toThrow(/does not implement the context 'vars'/);
    await expect(attempt(deploy(`        with: { model-name: '\${{ inputs.y }}' }\n`))).rejects.toThrow(/declares no such input/);
    await expect(attempt(deploy(`        with: { model: m }\n`))).rejects.toThrow(/deploy declares no input 'model'/);
    await expect(attempt(deploy(`        continue-on-error: true\n        with: { model-name: m }\n`))).rejects.toThrow(/does not interpret 'continue-on-error'/);
    await expect(attempt('      - uses: actions/setup-node@v4\n')).rejects.toThrow(/does not run actions\/setup-node@v4/);
    await expect(attempt(deploy('        with: { model-name: m }\n'), { x: 'y', z: '1' })).rejects.toThrow(/unexpected input 'z'/);
    await expect(attempt(deploy('        with: { model-name: m }\n'), {})).rejects.toThrow(/required input 'x' not provided/);
    await expect(run('main.yml', dispatchEvent(REPO, mainSha()))).rejects.toThrow(/main\.yml does not run on workflow_dispatch/);
  });
});
