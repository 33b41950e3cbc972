/** Pull requests: the one an event is about, and the ones a commit belongs to. */
import { z } from 'zod';
import { UserError } from '../errors';
import type { GitHubInfo } from '../runtime/github-context';
import { GitHubApiError, type GitHubClient } from './client';

export interface PullRequestInfo {
  number: number;
  title: string;
  url: string;
  headSha: string;
  headRef: string;
  baseRef: string;
  baseSha: string;
  /** owner/name of the head repository; null when the fork was deleted. */
  headRepo: string | null;
  /** owner/name of the base repository (where the PR lives). */
  baseRepo: string;
  /** The head is another repository (a fork, or a deleted one): the run's GITHUB_TOKEN is read-only. */
  isFork: boolean;
  draft: boolean;
}

const Repo = z.object({ full_name: z.string().regex(/^[^/]+\/[^/]+$/) });

const PullPayload = z.object({
  number: z.number().int().positive(),
  title: z.string().default(''),
  html_url: z.string().default(''),
  draft: z.boolean().optional(),
  head: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/i), ref: z.string().min(1), repo: Repo.nullable() }),
  base: z.object({ sha: z.string().default(''), ref: z.string().min(1), repo: Repo }),
});

/**
 * The pull request an event is about (pull_request, pull_request_target, pull_request_review…: any event
 * whose payload has a `pull_request`), or undefined for other events. A malformed payload is a
 * UserError naming the field.
 */
export function pullRequestFromEvent(info: GitHubInfo): PullRequestInfo | undefined {
  const payload = info.payload;
  if (typeof payload !== 'object' || payload === null || !('pull_request' in payload)) return undefined;
  const raw = (payload as { pull_request: unknown }).pull_request;
  if (raw === null || raw === undefined) return undefined;
  const parsed = PullPayload.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `The ${info.eventName} event payload has a malformed pull_request: ${['pull_request', ...(issue?.path ?? [])].join('.')} ${issue?.message ?? ''}`.trim(),
      {},
      'run this action on a pull_request event as GitHub sends it (the payload is GITHUB_EVENT_PATH)',
    );
  }
  const pr = parsed.data;
  const baseRepo = pr.base.repo.full_name;
  const headRepo = pr.head.repo?.full_name ?? null;
  return {
    number: pr.number,
    title: pr.title,
    url: pr.html_url,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    baseSha: pr.base.sha,
    headRepo,
    baseRepo,
    isFork: headRepo === null || headRepo.toLowerCase() !== baseRepo.toLowerCase(),
    draft: pr.draft ?? false,
  };
}

export interface CommitPull {
  number: number;
  title: string;
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  headSha: string;
  headRef: string;
  baseRef: string;
}

/**
 * Pull requests that contain `sha` (repos/list-pull-requests-associated-with-commit): on a push to main,
 * the merged PR whose merge commit it is. Newest first, as GitHub returns them. One API call (a commit
 * in more than 100 pull requests is not a case worth a second page).
 */
export async function pullsForCommit(client: GitHubClient, owner: string, repo: string, sha: string): Promise<CommitPull[]> {
  try {
    const { data } = await client.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha, per_page: 100 });
    return data.map((p) => ({
      number: p.number,
      title: p.title,
      url: p.html_url,
      state: p.state === 'open' ? 'open' : 'closed',
      merged: p.merged_at !== null && p.merged_at !== undefined,
      mergedAt: p.merged_at ?? null,
      mergeCommitSha: p.merge_commit_sha ?? null,
      headSha: p.head.sha,
      headRef: p.head.ref,
      baseRef: p.base.ref,
    }));
  } catch (err) {
    throw new GitHubApiError(`Cannot list the pull requests of commit ${sha.slice(0, 12)} in ${owner}/${repo}`, err);
  }
}

/** The merged pull request that produced `sha` (its merge commit, else the newest merged one containing it). */
export function mergedPullOf(pulls: CommitPull[], sha: string): CommitPull | undefined {
  const merged = pulls.filter((p) => p.merged);
  return merged.find((p) => p.mergeCommitSha === sha) ?? merged[0];
}
