/**
 * The GitHub context, read from the runner's environment and event payload with zod (the same variables
 * @actions/github reads, but parsed, so a missing or malformed one is a clear error, not an undefined).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors';

export interface GitHubInfo {
  eventName: string;
  /** The webhook payload of the event, parsed as JSON; each consumer narrows it with its own zod schema. */
  payload: unknown;
  sha: string;
  ref: string;
  owner: string;
  repo: string;
  runId: string;
  runAttempt: string;
  serverUrl: string;
  apiUrl: string;
  actor: string;
  workflow: string;
  job: string;
  /** The URL of this run's log page. */
  runUrl: string;
}

const Env = z.object({
  GITHUB_EVENT_NAME: z.string().min(1),
  GITHUB_EVENT_PATH: z.string().optional(),
  GITHUB_SHA: z.string().default(''),
  GITHUB_REF: z.string().default(''),
  GITHUB_REPOSITORY: z.string().regex(/^[^/]+\/[^/]+$/, { error: 'must look like owner/repo' }),
  GITHUB_RUN_ID: z.string().default('0'),
  GITHUB_RUN_ATTEMPT: z.string().default('1'),
  GITHUB_SERVER_URL: z.string().default('https://github.com'),
  GITHUB_API_URL: z.string().default('https://api.github.com'),
  GITHUB_ACTOR: z.string().default(''),
  GITHUB_WORKFLOW: z.string().default(''),
  GITHUB_JOB: z.string().default(''),
});

/** Reads the GitHub context from an environment; undefined when the environment is not a GitHub run. */
export function readGitHubInfo(env: NodeJS.ProcessEnv): GitHubInfo | undefined {
  if (!env.GITHUB_EVENT_NAME || !env.GITHUB_REPOSITORY) return undefined;
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `The GitHub environment is malformed: ${String(issue?.path.join('.'))} ${issue?.message ?? ''}`,
      {},
      'this action must run in a GitHub Actions job (or set the GITHUB_* variables as the runner does)',
    );
  }
  const e = parsed.data;
  let payload: unknown = {};
  if (e.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(readFileSync(e.GITHUB_EVENT_PATH, 'utf8'));
    } catch (err) {
      throw new UserError(
        `Cannot read the event payload: ${(err as Error).message}`,
        { file: e.GITHUB_EVENT_PATH },
        'GITHUB_EVENT_PATH must name the JSON payload file the runner writes',
      );
    }
  }
  const [owner, repo] = e.GITHUB_REPOSITORY.split('/') as [string, string];
  return {
    eventName: e.GITHUB_EVENT_NAME,
    payload,
    sha: e.GITHUB_SHA,
    ref: e.GITHUB_REF,
    owner,
    repo,
    runId: e.GITHUB_RUN_ID,
    runAttempt: e.GITHUB_RUN_ATTEMPT,
    serverUrl: e.GITHUB_SERVER_URL,
    apiUrl: e.GITHUB_API_URL,
    actor: e.GITHUB_ACTOR,
    workflow: e.GITHUB_WORKFLOW,
    job: e.GITHUB_JOB,
    runUrl: `${e.GITHUB_SERVER_URL}/${owner}/${repo}/actions/runs/${e.GITHUB_RUN_ID}`,
  };
}
