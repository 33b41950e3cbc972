/**
 * A completed check run with a markdown report (shows in the PR's Checks tab and on the commit).
 *
 * Degrade like comments: a write refused with 403 / 404 (no `checks: write`, a fork PR's read-only token,
 * or a personal access token — only GitHub Apps, GITHUB_TOKEN included, may create check runs) returns
 * `{ action: 'skipped', reason }` with a warning instead of failing the step. One API call.
 */
import type { Logger } from '../runtime/context';
import { CHECK_OUTPUT_LIMIT, fitToLimit } from './body';
import { apiMessage, GitHubApiError, parseApiError, readOnlyHint, writeRefusal, type GitHubClient } from './client';

export type CheckConclusion = 'success' | 'failure' | 'neutral';

export interface CheckRunParams {
  owner: string;
  repo: string;
  headSha: string;
  /** The check's name in the PR (e.g. 'mlops / validate-data'). */
  name: string;
  conclusion: CheckConclusion;
  /** One line shown next to the check. */
  title: string;
  /** Markdown, cut to GitHub's 65,535 characters with a note. */
  summary: string;
  /** More markdown below the summary (same limit). */
  text?: string;
  /** Link of "Details" (e.g. the run's log page). */
  detailsUrl?: string;
  log: Logger;
}

export type CheckRunResult = { action: 'created'; id: number; url: string; truncated: boolean } | { action: 'skipped'; reason: string };

/** The title shows on one line next to the check: no line breaks, and not a paragraph. */
function oneLineTitle(title: string): string {
  const t = title.replace(/\s+/g, ' ').trim() || 'Report';
  return t.length > 250 ? `${t.slice(0, 249)}…` : t;
}

export async function createCheckRun(client: GitHubClient, p: CheckRunParams): Promise<CheckRunResult> {
  const { owner, repo, log } = p;
  const summary = fitToLimit(p.summary, CHECK_OUTPUT_LIMIT, 'the job summary of this run');
  const text = p.text !== undefined ? fitToLimit(p.text, CHECK_OUTPUT_LIMIT, 'the job summary of this run') : undefined;
  const truncated = summary.truncated || !!text?.truncated;
  if (truncated) log.warning(`The check run "${p.name}" report is longer than GitHub's limit of ${CHECK_OUTPUT_LIMIT.toLocaleString('en-US')} characters; it was truncated.`);
  try {
    const { data } = await client.rest.checks.create({
      owner,
      repo,
      name: p.name,
      head_sha: p.headSha,
      status: 'completed',
      conclusion: p.conclusion,
      ...(p.detailsUrl ? { details_url: p.detailsUrl } : {}),
      output: { title: oneLineTitle(p.title), summary: summary.text, ...(text ? { text: text.text } : {}) },
    });
    const url = data.html_url ?? data.details_url ?? data.url;
    log.info(`Check run "${p.name}" (${p.conclusion}): ${url}`);
    return { action: 'created', id: data.id, url, truncated };
  } catch (err) {
    const refusal = writeRefusal(err);
    if (refusal) {
      const hint = /GitHub App/i.test(apiMessage(err))
        ? 'only a GitHub App token (such as GITHUB_TOKEN) may create check runs, not a personal access token'
        : `${readOnlyHint(err)}; a check run needs \`permissions: checks: write\``;
      log.warning(`Could not create the check run "${p.name}": ${hint}. The job summary has the report. (${parseApiError(err)})`);
      return { action: 'skipped', reason: refusal };
    }
    throw new GitHubApiError(`Cannot create the check run "${p.name}" on ${owner}/${repo}@${p.headSha.slice(0, 12)}`, err);
  }
}
