/**
 * The sticky PR comment: one comment per (kind, name) on a pull request (or issue), found again by the
 * hidden marker `<!-- mlops-actions:<kind>:<name> -->` on its first line and updated in place, so a
 * rerun or a new push never adds a second one.
 *
 * Whose comments count (identity policy). We do not ask who the token is: `GET /user` costs a call and
 * is 403 for installation tokens (GITHUB_TOKEN, GitHub Apps), the usual case. The marker itself says
 * "ours": it is invisible in the rendered comment, so it only gets into a body by a tool writing it, and
 * it must be on the first line (a quote of our comment starts with `> `). Among marked comments:
 *  - when the caller knows the token's login (`author`), only that author's comments count;
 *  - otherwise the keeper is the newest marked comment written by a Bot (GITHUB_TOKEN is
 *    github-actions[bot], an App is <app>[bot]), else the newest marked comment of anyone (a PAT);
 *  - extra copies are deleted only when they have the keeper's author (left by an older bug or by two
 *    concurrent jobs). Another author's marked comment is never deleted, only mentioned in the debug log.
 * So a workflow that switches from GITHUB_TOKEN to a PAT keeps updating the bot's comment (someone with
 * write access may edit any comment) instead of starting a second one.
 *
 * Degrade (fork PRs, read-only tokens): a write refused with 403 (not a rate limit) or 404 does not
 * throw: the result is `{ action: 'skipped', reason }` and a warning says the token cannot write and
 * that the job summary has the report. Reads that fail throw a GitHubApiError (a UserError).
 *
 * API calls: ⌈comments / 100⌉ list calls, then 0 (unchanged), 1 (create or update) or 1 + one delete
 * per extra copy.
 */
import type { Logger } from '../runtime/context';
import { marker } from '../report/markdown';
import { assertMarkerPart, COMMENT_BODY_LIMIT, fitToLimit, hasMarker, sameText, withMarker } from './body';
import { GitHubApiError, isApiError, parseApiError, readOnlyHint, writeRefusal, type GitHubClient } from './client';

export interface StickyCommentParams {
  owner: string;
  repo: string;
  /** Pull request (or issue) number. */
  issueNumber: number;
  /** What the comment is (e.g. 'validate-data'); with `name`, the marker. */
  kind: string;
  /** Which one of that kind (e.g. the dataset or model name). */
  name: string;
  /** Markdown; the marker is put on top if missing; cut to GitHub's 65,536 characters with a note. */
  body: string;
  log: Logger;
  /** The token's login when the caller knows it: then only that author's comments are considered ours. */
  author?: string;
}

export type StickyCommentResult =
  | {
      action: 'created' | 'updated' | 'unchanged';
      id: number;
      /** The comment's html_url. */
      url: string;
      /** The body was longer than GitHub's limit and was cut. */
      truncated: boolean;
      /** Ids of extra marked copies that were deleted. */
      deleted: number[];
    }
  | { action: 'skipped'; reason: string };

interface Listed {
  id: number;
  body?: string | undefined;
  html_url: string;
  created_at: string;
  user: { login: string; type?: string } | null;
}

function newestFirst(a: Listed, b: Listed): number {
  return a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id - a.id;
}

/** The marked comment to keep and the extra copies to delete (see the identity policy above). */
export function pickSticky(
  comments: Listed[],
  mark: string,
  author?: string,
): { keep: Listed | undefined; extras: Listed[]; foreign: Listed[] } {
  const marked = comments.filter((c) => hasMarker(c.body, mark)).sort(newestFirst);
  const login = (c: Listed) => c.user?.login.toLowerCase();
  const mine = author ? marked.filter((c) => login(c) === author.toLowerCase()) : marked;
  const keep = mine.find((c) => c.user?.type === 'Bot') ?? mine[0];
  if (!keep) return { keep: undefined, extras: [], foreign: marked };
  const extras = mine.filter((c) => c !== keep && login(c) === login(keep));
  const foreign = marked.filter((c) => c !== keep && !extras.includes(c));
  return { keep, extras, foreign };
}

function skipped(log: Logger, what: string, err: unknown): { action: 'skipped'; reason: string } {
  const reason = writeRefusal(err)!;
  log.warning(`Could not ${what}: ${readOnlyHint(err)}. The job summary has the report. (${parseApiError(err)})`);
  return { action: 'skipped', reason };
}

/** Creates or updates the sticky comment `marker(kind, name)` on a pull request or issue. */
export async function upsertStickyComment(client: GitHubClient, p: StickyCommentParams): Promise<StickyCommentResult> {
  const { owner, repo, issueNumber: issue_number, log } = p;
  const where = `${owner}/${repo}#${issue_number}`;
  assertMarkerPart('kind', p.kind);
  assertMarkerPart('name', p.name);
  const mark = marker(p.kind, p.name);
  const { text: body, truncated } = fitToLimit(withMarker(p.body, mark), COMMENT_BODY_LIMIT);
  if (truncated) {
    log.warning(`The ${p.kind} comment for ${p.name} is longer than GitHub's limit of ${COMMENT_BODY_LIMIT.toLocaleString('en-US')} characters; it was truncated (the job summary has the full report).`);
  }

  let comments: Listed[];
  try {
    comments = await client.paginate(client.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
  } catch (err) {
    throw new GitHubApiError(`Cannot list the comments of ${where}`, err);
  }
  const { keep, extras, foreign } = pickSticky(comments, mark, p.author);
  if (foreign.length) {
    log.debug(`Sticky comment ${mark}: ignoring ${foreign.length} marked comment(s) by other authors (${foreign.map((c) => `${c.id} by ${c.user?.login ?? 'ghost'}`).join(', ')}).`);
  }

  let result: StickyCommentResult;
  if (!keep) {
    try {
      const { data } = await client.rest.issues.createComment({ owner, repo, issue_number, body });
      result = { action: 'created', id: data.id, url: data.html_url, truncated, deleted: [] };
    } catch (err) {
      if (writeRefusal(err)) return skipped(log, `comment on ${where}`, err);
      throw new GitHubApiError(`Cannot comment on ${where}`, err);
    }
  } else if (sameText(keep.body, body)) {
    result = { action: 'unchanged', id: keep.id, url: keep.html_url, truncated, deleted: [] };
  } else {
    try {
      const { data } = await client.rest.issues.updateComment({ owner, repo, comment_id: keep.id, body });
      result = { action: 'updated', id: data.id, url: data.html_url, truncated, deleted: [] };
    } catch (err) {
      if (writeRefusal(err)) return skipped(log, `update the comment ${keep.html_url}`, err);
      throw new GitHubApiError(`Cannot update the comment ${keep.id} on ${where}`, err);
    }
  }

  for (const extra of extras) {
    try {
      await client.rest.issues.deleteComment({ owner, repo, comment_id: extra.id });
      result.deleted.push(extra.id);
    } catch (err) {
      // Already gone (a concurrent job deleted it) or not ours to delete: the keeper is in place anyway.
      if (isApiError(err) && err.status === 404) continue;
      log.warning(`Could not delete the duplicate comment ${extra.html_url}: ${parseApiError(err)}`);
    }
  }
  if (result.deleted.length) log.info(`Deleted ${result.deleted.length} duplicate ${p.kind} comment(s) on ${where}.`);
  log.info(`Sticky comment on ${where} ${result.action}: ${result.url}`);
  return result;
}
