/**
 * A sticky issue per (kind, name) — e.g. one drift issue per model for the monitor action — found again
 * by the hidden marker on the first line of its body.
 *
 *  state 'open':   no issue → create it; open issue → update title/body/labels (no call when nothing
 *                  changed); closed issue → REOPEN it with the new title/body.
 *  state 'closed': open issue → comment (closingComment, else the body) and close it as completed;
 *                  closed issue or none → nothing.
 *
 * Reopen policy: a problem that comes back after a clean period reopens the same issue rather than
 * opening a new one. One issue per model keeps its whole history (each episode's closing comment, the
 * closed/reopened events) in one timeline with a stable number to link to, and the people who took part
 * before are still subscribed and get notified. Someone who closes the issue while the problem persists
 * sees it reopened on the next run: to silence it, change the monitor's thresholds, not the issue.
 *
 * Finding it: issues of the repository, state all, newest first, 100 per page; the listing stops at the
 * first page that has a marked issue (pull requests are filtered out). Identity works as for sticky
 * comments (see comments.ts): the marker on the first line is what makes an issue ours; with `author`
 * (the token's login, when the caller knows it) the listing asks GitHub for that creator's issues only;
 * otherwise a Bot-authored marked issue is preferred over others.
 *
 * Labels are added, never removed (a person's triage labels stay). Degrade: a write refused with 403 /
 * 404 (read-only token, no `issues: write`) or 410 (issues disabled) returns `{ action: 'skipped' }` with
 * a warning. API calls: ⌈pages up to ours⌉ list calls + 0 (unchanged) / 1 (create, update, reopen) /
 * 2 (comment + close).
 */
import type { Logger } from '../runtime/context';
import { marker } from '../report/markdown';
import { assertMarkerPart, COMMENT_BODY_LIMIT, fitToLimit, hasMarker, sameText, withMarker } from './body';
import { apiMessage, GitHubApiError, isApiError, parseApiError, readOnlyHint, writeRefusal, type GitHubClient } from './client';

export interface MarkedIssueParams {
  owner: string;
  repo: string;
  kind: string;
  name: string;
  title: string;
  /** Markdown; the marker is put on top if missing; cut to 65,536 characters with a note. */
  body: string;
  /** Labels to put on the issue (added to the ones it has). */
  labels?: string[];
  /** 'open': the problem is there; 'closed': it is gone. */
  state: 'open' | 'closed';
  /** Comment posted when closing (default: the body). */
  closingComment?: string;
  log: Logger;
  /** The token's login when the caller knows it: then only issues created by it are considered. */
  author?: string;
}

export type MarkedIssueResult =
  | { action: 'created' | 'updated' | 'reopened' | 'closed' | 'unchanged'; number: number; url: string; truncated: boolean }
  /** state 'closed' and there was never an issue. */
  | { action: 'none' }
  | { action: 'skipped'; reason: string };

interface ListedIssue {
  number: number;
  title: string;
  body?: string | null | undefined;
  state: string;
  html_url: string;
  created_at: string;
  labels: Array<string | { name?: string | undefined }>;
  pull_request?: unknown;
  user: { login: string; type?: string } | null;
}

function labelNames(labels: ListedIssue['labels']): string[] {
  return labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean);
}

function refusalOf(err: unknown): string | undefined {
  if (isApiError(err) && err.response && err.status === 410) return `GitHub answered 410 Gone: ${apiMessage(err)}`;
  return writeRefusal(err);
}

export async function upsertMarkedIssue(client: GitHubClient, p: MarkedIssueParams): Promise<MarkedIssueResult> {
  const { owner, repo, log } = p;
  const where = `${owner}/${repo}`;
  assertMarkerPart('kind', p.kind);
  assertMarkerPart('name', p.name);
  const mark = marker(p.kind, p.name);
  const { text: body, truncated } = fitToLimit(withMarker(p.body, mark), COMMENT_BODY_LIMIT);
  if (truncated) log.warning(`The ${p.kind} issue for ${p.name} is longer than GitHub's limit of ${COMMENT_BODY_LIMIT.toLocaleString('en-US')} characters; it was truncated.`);

  // ---- find it: newest first, stop at the first page with a marked issue
  const marked: ListedIssue[] = [];
  try {
    await client.paginate(
      client.rest.issues.listForRepo,
      { owner, repo, state: 'all', sort: 'created', direction: 'desc', per_page: 100, ...(p.author ? { creator: p.author } : {}) },
      (response, stop) => {
        const found = (response.data as ListedIssue[]).filter((i) => !i.pull_request && hasMarker(i.body, mark));
        marked.push(...found);
        if (found.length) stop();
        return [];
      },
    );
  } catch (err) {
    throw new GitHubApiError(`Cannot list the issues of ${where}`, err);
  }
  const mine = p.author ? marked.filter((i) => i.user?.login.toLowerCase() === p.author!.toLowerCase()) : marked;
  const issue = mine.find((i) => i.user?.type === 'Bot') ?? mine[0];
  if (issue && mine.length > 1) {
    log.warning(`Several issues carry the marker ${mark} (${mine.map((i) => `#${i.number}`).join(', ')}); using #${issue.number}.`);
  }

  const refused = (what: string, err: unknown): MarkedIssueResult => {
    const reason = refusalOf(err)!;
    const why = isApiError(err) && err.status === 410 ? `issues are disabled in ${where}` : `${readOnlyHint(err)}; this needs \`permissions: issues: write\``;
    log.warning(`Could not ${what}: ${why}. The job summary has the report. (${parseApiError(err)})`);
    return { action: 'skipped', reason };
  };
  const fail = (what: string, err: unknown): never => {
    throw new GitHubApiError(`Cannot ${what}`, err);
  };
  const done = (action: 'created' | 'updated' | 'reopened' | 'closed' | 'unchanged', number: number, url: string): MarkedIssueResult => {
    log.info(`Issue ${where}#${number} ${action}: ${url}`);
    return { action, number, url, truncated };
  };

  // ---- closed: close ours if open
  if (p.state === 'closed') {
    if (!issue) return { action: 'none' };
    if (issue.state === 'closed') return done('unchanged', issue.number, issue.html_url);
    const what = `close ${where}#${issue.number}`;
    try {
      const comment = fitToLimit(p.closingComment ?? p.body, COMMENT_BODY_LIMIT).text;
      await client.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: comment });
      const { data } = await client.rest.issues.update({ owner, repo, issue_number: issue.number, state: 'closed', state_reason: 'completed' });
      return done('closed', data.number, data.html_url);
    } catch (err) {
      return refusalOf(err) ? refused(what, err) : fail(what, err);
    }
  }

  // ---- open: create, update or reopen
  const wanted = p.labels ?? [];
  if (!issue) {
    const what = `open an issue in ${where}`;
    try {
      const { data } = await client.rest.issues.create({ owner, repo, title: p.title, body, ...(wanted.length ? { labels: wanted } : {}) });
      return done('created', data.number, data.html_url);
    } catch (err) {
      return refusalOf(err) ? refused(what, err) : fail(what, err);
    }
  }
  const have = labelNames(issue.labels);
  const missing = wanted.filter((l) => !have.some((h) => h.toLowerCase() === l.toLowerCase()));
  const reopen = issue.state !== 'open';
  const change = {
    ...(issue.title !== p.title ? { title: p.title } : {}),
    ...(!sameText(issue.body, body) ? { body } : {}),
    ...(missing.length ? { labels: [...have, ...missing] } : {}),
    ...(reopen ? { state: 'open' as const, state_reason: 'reopened' as const } : {}),
  };
  if (Object.keys(change).length === 0) return done('unchanged', issue.number, issue.html_url);
  const what = `${reopen ? 'reopen' : 'update'} ${where}#${issue.number}`;
  try {
    const { data } = await client.rest.issues.update({ owner, repo, issue_number: issue.number, ...change });
    return done(reopen ? 'reopened' : 'updated', data.number, data.html_url);
  } catch (err) {
    return refusalOf(err) ? refused(what, err) : fail(what, err);
  }
}
