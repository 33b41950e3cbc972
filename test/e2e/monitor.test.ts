// monitor on the fake GitHub API, through the built bundle: clean production data → no issue; data
// with two columns shifted → exactly those columns flagged, one issue opened, retraining dispatched; a
// second drifted run updates the same issue; a clean run closes it.
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runAction, type RunOptions } from './harness';
import { startFakeGitHub, type FakeGitHub } from '../fake-github';
import { dispatchEvent } from './events';

const REPO = 'octo-org/churn-model';

/** Rows of the sample data with some columns shifted by a constant. */
function shifted(csv: string, shifts: Record<string, number>, from: number, to: number): string {
  const lines = csv.trimEnd().split('\n');
  const header = lines[0]!.split(',');
  const out = [lines[0]!];
  for (const line of lines.slice(from, to)) {
    const cells = line.split(',');
    for (const [col, by] of Object.entries(shifts)) {
      const i = header.indexOf(col);
      cells[i] = String(Number(cells[i]) + by);
    }
    out.push(cells.join(','));
  }
  return `${out.join('\n')}\n`;
}

describe('monitor (built bundle, fake GitHub)', () => {
  let fake: FakeGitHub;
  let ws: string;
  const schedule = () => ({ name: 'schedule', payload: { schedule: '17 6 * * *' }, sha: fake.getRef(REPO, 'refs/heads/main')!, ref: 'refs/heads/main' });
  const step = (action: string, ev: { name: string; payload: unknown; sha: string; ref: string }, inputs: RunOptions['inputs']) =>
    runAction({ action, workspace: ws, event: ev, sha: ev.sha, ref: ev.ref, repository: REPO, apiUrl: fake.url, inputs });
  const monitor = (data: string) =>
    step('monitor', schedule(), { 'model-name': 'churn', data, config: 'monitor.yml', retrain: 'mlops-retrain.yml' });

  beforeAll(async () => {
    fake = await startFakeGitHub({ repos: [{ owner: 'octo-org', name: 'churn-model', workflows: ['mlops-retrain.yml'] }] });
    ws = mkdtempSync(join(tmpdir(), 'ws-monitor-'));
    const csv = readFileSync(join(ROOT, 'examples/churn/train.csv'), 'utf8');
    // Train on the first half; production data comes from the second half.
    writeFileSync(join(ws, 'train.csv'), shifted(csv, {}, 1, 2001));
    writeFileSync(join(ws, 'clean.csv'), shifted(csv, {}, 2001, 4001));
    writeFileSync(join(ws, 'drifted.csv'), shifted(csv, { monthly_charges: 25, support_calls: 3 }, 2001, 4001));
    writeFileSync(join(ws, 'monitor.yml'), 'ignore: [customer_id, signup_date, churned]\nperformance: false\n');
    copyFileSync(join(ROOT, 'examples/churn/next-month.csv'), join(ws, 'next-month.csv'));
    const ev = dispatchEvent(REPO, fake.getRef(REPO, 'refs/heads/main')!);
    const train = await step('train', ev, { data: 'train.csv', target: 'churned', 'model-name': 'churn' });
    expect(train.exitCode, train.stdout).toBe(0);
    const reg = await step('register', ev, { model: train.outputs.model!, manifest: train.outputs.manifest!, 'model-name': 'churn' });
    expect(reg.exitCode, reg.stdout).toBe(0);
    const dep = await step('deploy', ev, { 'model-name': 'churn', version: '1' });
    expect(dep.exitCode, dep.stdout).toBe(0);
  });
  afterAll(async () => {
    fake.assertNoViolations();
    await fake.close();
  });

  const driftIssues = () => [...fake.repo(REPO).issues.values()].filter((i) => !i.pull && (i.body ?? '').startsWith('<!-- mlops-actions:drift:churn -->'));

  it('clean production data: no drift, no issue, no dispatch', async () => {
    const res = await monitor('clean.csv');
    expect(res.exitCode, res.stdout).toBe(0);
    expect(res.outputs).toMatchObject({ 'drift-detected': 'false', 'drifted-columns': '', version: '1', 'issue-number': '' });
    expect(driftIssues()).toHaveLength(0);
    expect(fake.repo(REPO).workflowDispatches).toHaveLength(0);
  });

  it('two columns shifted: exactly those flagged, one issue opened, retraining dispatched', async () => {
    const res = await monitor('drifted.csv');
    expect(res.exitCode, res.stdout).toBe(0);
    expect(res.outputs['drift-detected']).toBe('false'); // 2 of 9 columns: below the 50% dataset threshold
    expect(res.outputs['drifted-columns']!.split(',').sort()).toEqual(['monthly_charges', 'support_calls']);
  });

  it('with a lower drift share the same data is dataset drift: issue opened, dispatch sent, then updated, then closed', async () => {
    writeFileSync(join(ws, 'monitor.yml'), 'ignore: [customer_id, signup_date, churned]\nperformance: false\ndrift-share: 0.2\n');
    const first = await monitor('drifted.csv');
    expect(first.outputs['drift-detected']).toBe('true');
    expect(first.outputs['drifted-columns']!.split(',').sort()).toEqual(['monthly_charges', 'support_calls']);
    expect(driftIssues()).toHaveLength(1);
    const issue = driftIssues()[0]!;
    expect(first.outputs['issue-number']).toBe(String(issue.number));
    expect(issue.state).toBe('open');
    expect(issue.title).toBe('Data drift: churn (2 of 9 columns)');
    expect(issue.body).toContain('```mermaid\nxychart-beta');
    const dispatches = fake.repo(REPO).workflowDispatches;
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0]).toMatchObject({ workflowId: 'mlops-retrain.yml', ref: 'main' });
    expect(dispatches[0]!.inputs['model-name']).toBe('churn');
    expect(dispatches[0]!.inputs.reason).toContain('monthly_charges');

    const second = await monitor('drifted.csv');
    expect(second.outputs['issue-number']).toBe(String(issue.number));
    expect(driftIssues()).toHaveLength(1);

    const clean = await monitor('clean.csv');
    expect(clean.outputs['drift-detected']).toBe('false');
    expect(driftIssues()).toHaveLength(1);
    expect(driftIssues()[0]!.state).toBe('closed');
    const comments = fake.commentsOn(REPO, issue.number);
    expect(comments.at(-1)!.body).toContain('No drift in the latest run');
  });
});
