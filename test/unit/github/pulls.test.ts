import { describe, expect, it } from 'vitest';
import { mergedPullOf, pullRequestFromEvent, pullsForCommit } from '../../../shared/github/pulls';
import { isUserError } from '../../../shared/errors';
import type { GitHubInfo } from '../../../shared/runtime/github-context';
import { useFakeGitHub } from '../../fake-github/vitest';
import { countCalls, fastClient, recordingLogger } from './helpers';

const OWNER = 'octo-org';
const REPO = 'models';
const FULL = `${OWNER}/${REPO}`;

const HEAD = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const BASE = '9049f1265b7d61be4a8904a9a27120d2064dab3b';

function info(eventName: string, payload: unknown): GitHubInfo {
  return {
    eventName,
    payload,
    sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
    ref: 'refs/pull/42/merge',
    owner: OWNER,
    repo: REPO,
    runId: '1',
    runAttempt: '1',
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    actor: 'octocat',
    workflow: 'ci',
    job: 'validate',
    runUrl: 'https://github.com/octo-org/models/actions/runs/1',
  };
}

/** A trimmed `pull_request` webhook payload (opened), shaped like GitHub's. */
function prPayload(headRepo: { full_name: string; fork: boolean } | null) {
  return {
    action: 'opened',
    number: 42,
    pull_request: {
      url: 'https://api.github.com/repos/octo-org/models/pulls/42',
      id: 1,
      node_id: 'PR_kwDOA',
      html_url: 'https://github.com/octo-org/models/pull/42',
      number: 42,
      state: 'open',
      locked: false,
      title: 'Retrain churn model on March data',
      user: { login: 'contributor', id: 2, type: 'User' },
      body: null,
      draft: false,
      merged: false,
      merge_commit_sha: null,
      head: {
        label: headRepo ? `${headRepo.full_name.split('/')[0]}:retrain-march` : 'unknown:retrain-march',
        ref: 'retrain-march',
        sha: HEAD,
        user: { login: 'contributor', id: 2, type: 'User' },
        repo: headRepo && { id: 3, name: headRepo.full_name.split('/')[1], full_name: headRepo.full_name, private: false, fork: headRepo.fork, owner: { login: headRepo.full_name.split('/')[0] } },
      },
      base: {
        label: 'octo-org:main',
        ref: 'main',
        sha: BASE,
        user: { login: 'octo-org', id: 1, type: 'Organization' },
        repo: { id: 4, name: 'models', full_name: FULL, private: false, fork: false, owner: { login: 'octo-org' } },
      },
    },
    repository: { id: 4, name: 'models', full_name: FULL },
    sender: { login: 'contributor', id: 2, type: 'User' },
  };
}

describe('pullRequestFromEvent', () => {
  it('a same-repository pull request', () => {
    expect(pullRequestFromEvent(info('pull_request', prPayload({ full_name: FULL, fork: false })))).toEqual({
      number: 42,
      title: 'Retrain churn model on March data',
      url: 'https://github.com/octo-org/models/pull/42',
      headSha: HEAD,
      headRef: 'retrain-march',
      baseRef: 'main',
      baseSha: BASE,
      headRepo: FULL,
      baseRepo: FULL,
      isFork: false,
      draft: false,
    });
  });

  it('a pull request from a fork, and from a deleted fork (head.repo null)', () => {
    expect(pullRequestFromEvent(info('pull_request_target', prPayload({ full_name: 'contributor/models', fork: true })))).toMatchObject({ headRepo: 'contributor/models', isFork: true });
    expect(pullRequestFromEvent(info('pull_request', prPayload(null)))).toMatchObject({ headRepo: null, isFork: true });
  });

  it('other events: undefined; a malformed payload: a UserError naming the field', () => {
    expect(pullRequestFromEvent(info('push', { ref: 'refs/heads/main', after: HEAD }))).toBeUndefined();
    expect(pullRequestFromEvent(info('workflow_dispatch', null))).toBeUndefined();
    const bad = prPayload({ full_name: FULL, fork: false });
    (bad.pull_request.head as { sha: unknown }).sha = 12;
    let err: unknown;
    try {
      pullRequestFromEvent(info('pull_request', bad));
    } catch (e) {
      err = e;
    }
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(/pull_request\.head\.sha/);
  });
});

describe('pullsForCommit', () => {
  const gh = useFakeGitHub({ repos: [{ owner: OWNER, name: REPO }] });

  it('finds the merged PR of a push to main (1 call)', async () => {
    const fake = gh.fake;
    fake.addPull(FULL, { head: 'other' });
    const merged = fake.addPull(FULL, { head: 'retrain', title: 'Retrain', merged: true });
    const sha = merged.pull!.mergeCommitSha!;
    const client = fastClient(fake, recordingLogger());
    const run = await countCalls(fake, () => pullsForCommit(client, OWNER, REPO, sha));
    expect(run.total).toBe(1);
    expect(run.result).toEqual([
      expect.objectContaining({ number: merged.number, title: 'Retrain', state: 'closed', merged: true, mergeCommitSha: sha, headRef: 'retrain', baseRef: 'main' }),
    ]);
    expect(mergedPullOf(run.result, sha)?.number).toBe(merged.number);
    expect(await pullsForCommit(client, OWNER, REPO, 'f'.repeat(40))).toEqual([]);
  });

  it('an open PR containing the commit is listed but is not "merged"', async () => {
    const fake = gh.fake;
    const open = fake.addPull(FULL, { head: 'wip' });
    const pulls = await pullsForCommit(fastClient(fake, recordingLogger()), OWNER, REPO, open.pull!.head.sha);
    expect(pulls.map((p) => [p.number, p.state, p.merged])).toEqual([[open.number, 'open', false]]);
    expect(mergedPullOf(pulls, open.pull!.head.sha)).toBeUndefined();
  });
});
