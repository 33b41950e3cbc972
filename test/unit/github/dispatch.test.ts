import { describe, expect, it } from 'vitest';
import { dispatchWorkflow } from '../../../shared/github/dispatch';
import { isUserError } from '../../../shared/errors';
import { READ_ONLY_TOKEN } from '../../fake-github/server';
import { useFakeGitHub } from '../../fake-github/vitest';
import { countCalls, fastClient, recordingLogger } from './helpers';

const OWNER = 'octo-org';
const REPO = 'models';
const FULL = `${OWNER}/${REPO}`;
const base = { owner: OWNER, repo: REPO };

const gh = useFakeGitHub({ repos: [{ owner: OWNER, name: REPO, workflows: ['retrain.yml', '4242'] }] });

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('dispatchWorkflow', () => {
  it('dispatches by file name with inputs as strings (1 call) and returns the run', async () => {
    const client = fastClient(gh.fake, recordingLogger());
    const run = await countCalls(gh.fake, () =>
      dispatchWorkflow(client, { ...base, workflow: '.github/workflows/retrain.yml', ref: 'main', inputs: { model: 'churn', epochs: 3, dry_run: false } }),
    );
    expect(run.calls).toEqual({ 'actions/create-workflow-dispatch': 1 });
    expect(gh.fake.repo(FULL).workflowDispatches).toEqual([
      expect.objectContaining({ workflowId: 'retrain.yml', ref: 'main', inputs: { model: 'churn', epochs: '3', dry_run: 'false' } }),
    ]);
    expect(run.result).toEqual({ runId: gh.fake.repo(FULL).workflowDispatches[0]!.runId, runUrl: expect.stringMatching(/\/octo-org\/models\/actions\/runs\/\d+$/) });
  });

  it('dispatches by numeric id, without inputs', async () => {
    await dispatchWorkflow(fastClient(gh.fake, recordingLogger()), { ...base, workflow: 4242, ref: 'main' });
    expect(gh.fake.repo(FULL).workflowDispatches[0]).toMatchObject({ workflowId: '4242', inputs: {} });
  });

  it('404: a clear UserError (no such workflow, or no workflow_dispatch trigger)', async () => {
    const err = await failure(dispatchWorkflow(fastClient(gh.fake, recordingLogger()), { ...base, workflow: 'nope.yml', ref: 'main' }));
    expect(isUserError(err)).toBe(true);
    expect(err.message).toMatch(/^Cannot dispatch workflow nope\.yml in octo-org\/models on main: GitHub has no such workflow \(GitHub API POST .* → 404: Not Found/);
    expect((err as { hint?: string }).hint).toMatch(/\.github\/workflows\/nope\.yml exists on the default branch .* `on: workflow_dispatch`/);
  });

  it('422 unexpected inputs: names the inputs and how to declare them', async () => {
    gh.fake.failNext({ operationId: 'actions/create-workflow-dispatch', status: 422, message: 'Unexpected inputs provided: ["learning_rate"]' });
    const err = await failure(dispatchWorkflow(fastClient(gh.fake, recordingLogger()), { ...base, workflow: 'retrain.yml', ref: 'main', inputs: { learning_rate: 0.1 } }));
    expect(isUserError(err)).toBe(true);
    expect(err.message).toMatch(/the workflow does not accept the inputs 'learning_rate' \(.*422: Unexpected inputs provided: \["learning_rate"\]/);
    expect((err as { hint?: string }).hint).toMatch(/on\.workflow_dispatch\.inputs/);
  });

  it('422 no workflow_dispatch trigger, 422 unknown ref', async () => {
    const client = fastClient(gh.fake, recordingLogger());
    gh.fake.failNext({ operationId: 'actions/create-workflow-dispatch', status: 422, message: "Workflow does not have 'workflow_dispatch' trigger" });
    expect((await failure(dispatchWorkflow(client, { ...base, workflow: 'retrain.yml', ref: 'main' }))).message).toMatch(/has no workflow_dispatch trigger/);
    const ref = await failure(dispatchWorkflow(client, { ...base, workflow: 'retrain.yml', ref: 'no-such-branch' }));
    expect(ref.message).toMatch(/no branch or tag 'no-such-branch' \(.*422: No ref found for: no-such-branch/);
  });

  it('403 (read-only token) fails with the permission to add; more than 25 inputs fail before any call', async () => {
    const ro = await failure(dispatchWorkflow(fastClient(gh.fake, recordingLogger(), READ_ONLY_TOKEN), { ...base, workflow: 'retrain.yml', ref: 'main' }));
    expect(ro.message).toMatch(/403: Resource not accessible by integration/);
    expect((ro as { hint?: string }).hint).toMatch(/actions: write/);
    const inputs = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`in${i}`, i]));
    const run = await countCalls(gh.fake, () => failure(dispatchWorkflow(fastClient(gh.fake, recordingLogger()), { ...base, workflow: 'retrain.yml', ref: 'main', inputs })));
    expect(run.result.message).toMatch(/26 inputs given, GitHub accepts at most 25/);
    expect(run.total).toBe(0);
  });
});
