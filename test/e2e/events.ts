/** Event payloads as GitHub sends them (the fields our actions read, and the usual neighbours). */
import type { FakeGitHub } from '../fake-github';

export function pullRequestEvent(fake: FakeGitHub, repo: string, number: number, action: 'opened' | 'synchronize' | 'closed' = 'opened') {
  const issue = fake.repo(repo).issues.get(number);
  if (!issue?.pull) throw new Error(`no PR #${number} in ${repo}`);
  const p = issue.pull;
  const [owner, name] = repo.split('/') as [string, string];
  const repoObj = (full: string) => ({ full_name: full, name: full.split('/')[1], owner: { login: full.split('/')[0] }, html_url: `https://github.com/${full}` });
  return {
    name: 'pull_request',
    payload: {
      action,
      number,
      pull_request: {
        number,
        title: issue.title,
        html_url: `https://github.com/${owner}/${name}/pull/${number}`,
        state: issue.state,
        draft: p.draft,
        merged: p.merged,
        merge_commit_sha: p.mergeCommitSha,
        head: { ref: p.head.ref, sha: p.head.sha, repo: repoObj(p.head.repo) },
        base: { ref: p.base.ref, sha: p.base.sha, repo: repoObj(repo) },
        user: { login: issue.user },
      },
      repository: repoObj(repo),
      sender: { login: issue.user },
    },
    sha: p.mergeCommitSha ?? p.head.sha,
    ref: `refs/pull/${number}/merge`,
  };
}

/** The push event of a merge to the default branch. */
export function pushEvent(repo: string, sha: string, before: string, branch = 'main') {
  const [owner, name] = repo.split('/') as [string, string];
  return {
    name: 'push',
    payload: {
      ref: `refs/heads/${branch}`,
      before,
      after: sha,
      head_commit: { id: sha, message: 'Merge pull request', timestamp: new Date().toISOString() },
      repository: { full_name: repo, name, owner: { login: owner, name: owner } },
      pusher: { name: 'octocat' },
      sender: { login: 'octocat' },
    },
    sha,
    ref: `refs/heads/${branch}`,
  };
}

/** A workflow_dispatch event (rollback, retrain). */
export function dispatchEvent(repo: string, sha: string, inputs: Record<string, string> = {}) {
  const [owner, name] = repo.split('/') as [string, string];
  return {
    name: 'workflow_dispatch',
    payload: { inputs, ref: 'refs/heads/main', repository: { full_name: repo, name, owner: { login: owner } }, sender: { login: 'octocat' } },
    sha,
    ref: 'refs/heads/main',
  };
}
