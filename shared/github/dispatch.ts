/**
 * Starts a workflow with a workflow_dispatch event (e.g. retraining from the monitor). Unlike comments
 * and checks, a refused dispatch fails: it is what the step was asked to do. Errors name the cause: the
 * workflow (404: no such file or id), the trigger, the inputs or the ref (422), the permission (403).
 * One API call.
 */
import { UserError } from '../errors';
import { apiMessage, GitHubApiError, isApiError, parseApiError, type GitHubClient } from './client';

export interface DispatchParams {
  owner: string;
  repo: string;
  /** The workflow's file name (`retrain.yml`) or numeric id. */
  workflow: string | number;
  /** Branch or tag to run it on (not a SHA: GitHub wants a ref). */
  ref: string;
  /** workflow_dispatch inputs (at most 25); numbers and booleans are sent as strings, as the UI does. */
  inputs?: Record<string, string | number | boolean>;
}

export interface DispatchResult {
  /** Known when GitHub returns the run (return_run_details); older servers answer 204 without it. */
  runId?: number;
  runUrl?: string;
}

const MAX_INPUTS = 25;

export async function dispatchWorkflow(client: GitHubClient, p: DispatchParams): Promise<DispatchResult> {
  const { owner, repo, ref } = p;
  const workflow = typeof p.workflow === 'string' ? p.workflow.replace(/^\.github\/workflows\//, '') : p.workflow;
  const inputs = Object.fromEntries(Object.entries(p.inputs ?? {}).map(([k, v]) => [k, String(v)]));
  const names = Object.keys(inputs);
  if (names.length > MAX_INPUTS) {
    throw new UserError(
      `Cannot dispatch ${workflow}: ${names.length} inputs given, GitHub accepts at most ${MAX_INPUTS}.`,
      {},
      'pass fewer inputs (e.g. one JSON-encoded input)',
    );
  }
  const what = `workflow ${workflow} in ${owner}/${repo} on ${ref}`;
  try {
    const res = await client.rest.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: workflow,
      ref,
      ...(names.length ? { inputs } : {}),
      return_run_details: true,
    });
    // The endpoint types only know the 204 answer; with return_run_details GitHub answers 200 + the run.
    const status: number = res.status;
    const data = (status === 200 ? res.data : undefined) as { workflow_run_id?: number; html_url?: string } | undefined;
    return { ...(data?.workflow_run_id !== undefined ? { runId: data.workflow_run_id } : {}), ...(data?.html_url ? { runUrl: data.html_url } : {}) };
  } catch (err) {
    if (!isApiError(err) || !err.response) throw new GitHubApiError(`Cannot dispatch ${what}`, err);
    const msg = apiMessage(err);
    const detail = parseApiError(err);
    if (err.status === 404) {
      throw new UserError(
        `Cannot dispatch ${what}: GitHub has no such workflow (${detail}).`,
        {},
        `check that .github/workflows/${typeof workflow === 'string' ? workflow : '<file>'} exists on the default branch of ${owner}/${repo} and declares \`on: workflow_dispatch\`, and that the token can see the repository`,
      );
    }
    if (err.status === 422) {
      if (/workflow_dispatch/i.test(msg)) {
        throw new UserError(`Cannot dispatch ${what}: the workflow has no workflow_dispatch trigger (${detail}).`, {}, 'add `on: workflow_dispatch:` (with its inputs) to the workflow');
      }
      if (/unexpected inputs|input/i.test(msg)) {
        throw new UserError(
          `Cannot dispatch ${what}: the workflow does not accept the inputs ${names.map((n) => `'${n}'`).join(', ') || '(none)'} (${detail}).`,
          {},
          'declare them under `on.workflow_dispatch.inputs` in the workflow (on the ref dispatched), or stop passing them',
        );
      }
      if (/ref/i.test(msg)) {
        throw new UserError(`Cannot dispatch ${what}: no branch or tag '${ref}' (${detail}).`, {}, 'pass an existing branch or tag name as the ref (not a commit SHA)');
      }
    }
    if (err.status === 403) {
      throw new GitHubApiError(`Cannot dispatch ${what}`, err, 'the token needs `permissions: actions: write` (a fork PR\'s GITHUB_TOKEN cannot dispatch workflows)');
    }
    throw new GitHubApiError(`Cannot dispatch ${what}`, err);
  }
}
