/**
 * State of the fake GitHub (plain, inspectable objects) and the renderers that turn it into
 * GitHub-shaped JSON (validated against the OpenAPI fixture on every response).
 */
import { createHash } from 'node:crypto';

export type UserType = 'User' | 'Bot' | 'Organization';

export interface UserState {
  login: string;
  id: number;
  nodeId: string;
  type: UserType;
  name: string | null;
  email: string | null;
  createdAt: string;
}

export interface TokenInfo {
  /** Login of the identity this token authenticates as. */
  login: string;
  /** Every write gets 403 "Resource not accessible by integration" (a fork PR's GITHUB_TOKEN). */
  readOnly?: boolean;
  /**
   * A GitHub App installation token (like GITHUB_TOKEN): may create check runs, but
   * GET /user answers 403. Defaults to true for Bot identities, false otherwise.
   */
  installation?: boolean;
  /** Requests per window (x-ratelimit-limit). Default 5000 (1000 for installation tokens, like GITHUB_TOKEN). */
  rateLimit?: number;
}

export interface CommitState {
  sha: string;
  parents: string[];
  message: string;
  /** Full snapshot of the files at this commit (for the contents API). */
  files: Map<string, Buffer>;
  author: { name: string; email: string; date: string };
}

export interface LabelState {
  id: number;
  nodeId: string;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface PullState {
  id: number;
  nodeId: string;
  head: { ref: string; sha: string; repo: string };
  base: { ref: string; sha: string };
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  /** Commit SHAs of the PR (for list-pull-requests-associated-with-commit). */
  commits: string[];
  maintainerCanModify: boolean;
}

export interface IssueState {
  number: number;
  id: number;
  nodeId: string;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  user: string;
  assignees: string[];
  locked: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: string | null;
  /** Set when this issue is a pull request (issues and PRs share one number space). */
  pull?: PullState;
}

export interface CommentState {
  id: number;
  nodeId: string;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface AssetState {
  id: number;
  nodeId: string;
  name: string;
  label: string | null;
  contentType: string;
  data: Buffer;
  /** 'open' = an upload that never completed (connection dropped). */
  state: 'uploaded' | 'open';
  downloadCount: number;
  createdAt: string;
  updatedAt: string;
  uploader: string;
}

export interface ReleaseState {
  id: number;
  nodeId: string;
  tagName: string;
  targetCommitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  author: string;
  assets: AssetState[];
  /** Random suffix of a draft's html_url (`releases/tag/untagged-...`). */
  untaggedId: string;
}

export interface CheckRunState {
  id: number;
  nodeId: string;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: unknown[]; images: unknown[] };
  actions: unknown[];
  checkSuiteId: number;
  creator: string;
}

export interface DeploymentStatusState {
  id: number;
  nodeId: string;
  state: string;
  creator: string;
  description: string;
  environment: string;
  targetUrl: string;
  logUrl: string;
  environmentUrl: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeploymentState {
  id: number;
  nodeId: string;
  sha: string;
  ref: string;
  task: string;
  payload: Record<string, unknown> | string;
  environment: string;
  originalEnvironment: string;
  description: string | null;
  creator: string;
  createdAt: string;
  updatedAt: string;
  transientEnvironment: boolean;
  productionEnvironment: boolean;
  statuses: DeploymentStatusState[];
}

export interface WorkflowDispatchState {
  workflowId: string;
  ref: string;
  inputs: Record<string, unknown>;
  actor: string;
  createdAt: string;
  runId: number;
}

export interface RepoState {
  id: number;
  nodeId: string;
  owner: string;
  name: string;
  fullName: string;
  private: boolean;
  fork: boolean;
  description: string | null;
  defaultBranch: string;
  hasIssues: boolean;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  pushedAt: string;
  /** Full ref name (`refs/heads/main`, `refs/tags/v1`) → commit SHA. */
  refs: Map<string, string>;
  commits: Map<string, CommitState>;
  labels: Map<string, LabelState>;
  /** Issues and pull requests by number. */
  issues: Map<number, IssueState>;
  /** Issue and PR conversation comments. */
  comments: CommentState[];
  releases: ReleaseState[];
  checkRuns: CheckRunState[];
  deployments: DeploymentState[];
  /** Workflow ids / file names accepted by workflow dispatch; null = accept any. */
  workflows: string[] | null;
  workflowDispatches: WorkflowDispatchState[];
  /** Extra commit → PR numbers associations (besides head SHAs, PR commits and merge commits). */
  commitPulls: Map<string, number[]>;
  nextNumber: number;
}

export interface Urls {
  /** API base, e.g. http://127.0.0.1:1234 */
  api: string;
  /** The "github.com" web origin (another port): html_url, browser_download_url, asset downloads. */
  web: string;
}

export const GITHUB_ACTIONS_APP_ID = 15368;

export function isoNow(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(String(id)).toString('base64').replace(/=+$/, '')}`;
}

export function gitBlobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export function fakeSha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

const enc = (s: string) => encodeURIComponent(s);
/** Encodes a ref/path keeping its slashes, as GitHub does in URLs. */
const encPath = (s: string) => s.split('/').map(enc).join('/');

export class Renderer {
  constructor(
    private readonly urls: Urls,
    private readonly user: (login: string) => UserState,
  ) {}

  simpleUser(login: string) {
    const u = this.user(login);
    const api = `${this.urls.api}/users/${enc(u.login)}`;
    return {
      login: u.login,
      id: u.id,
      node_id: u.nodeId,
      avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
      gravatar_id: '',
      url: api,
      html_url: u.type === 'Bot' ? `${this.urls.web}/apps/${enc(u.login.replace(/\[bot\]$/, ''))}` : `${this.urls.web}/${enc(u.login)}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: u.type,
      user_view_type: 'public',
      site_admin: false,
    };
  }

  privateUser(login: string) {
    const u = this.user(login);
    return {
      ...this.simpleUser(login),
      name: u.name,
      company: null,
      blog: '',
      location: null,
      email: u.email,
      hireable: null,
      bio: null,
      twitter_username: null,
      notification_email: u.email,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: u.createdAt,
      updated_at: u.createdAt,
      private_gists: 0,
      total_private_repos: 0,
      owned_private_repos: 0,
      disk_usage: 0,
      collaborators: 0,
      two_factor_authentication: true,
      plan: { name: 'free', space: 976562499, collaborators: 0, private_repos: 10000 },
    };
  }

  repository(repo: RepoState, openIssues: number) {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const html = `${this.urls.web}/${repo.fullName}`;
    return {
      id: repo.id,
      node_id: repo.nodeId,
      name: repo.name,
      full_name: repo.fullName,
      private: repo.private,
      owner: this.simpleUser(repo.owner),
      html_url: html,
      description: repo.description,
      fork: repo.fork,
      url: api,
      forks_url: `${api}/forks`,
      keys_url: `${api}/keys{/key_id}`,
      collaborators_url: `${api}/collaborators{/collaborator}`,
      teams_url: `${api}/teams`,
      hooks_url: `${api}/hooks`,
      issue_events_url: `${api}/issues/events{/number}`,
      events_url: `${api}/events`,
      assignees_url: `${api}/assignees{/user}`,
      branches_url: `${api}/branches{/branch}`,
      tags_url: `${api}/tags`,
      blobs_url: `${api}/git/blobs{/sha}`,
      git_tags_url: `${api}/git/tags{/sha}`,
      git_refs_url: `${api}/git/refs{/sha}`,
      trees_url: `${api}/git/trees{/sha}`,
      statuses_url: `${api}/statuses/{sha}`,
      languages_url: `${api}/languages`,
      stargazers_url: `${api}/stargazers`,
      contributors_url: `${api}/contributors`,
      subscribers_url: `${api}/subscribers`,
      subscription_url: `${api}/subscription`,
      commits_url: `${api}/commits{/sha}`,
      git_commits_url: `${api}/git/commits{/sha}`,
      comments_url: `${api}/comments{/number}`,
      issue_comment_url: `${api}/issues/comments{/number}`,
      contents_url: `${api}/contents/{+path}`,
      compare_url: `${api}/compare/{base}...{head}`,
      merges_url: `${api}/merges`,
      archive_url: `${api}/{archive_format}{/ref}`,
      downloads_url: `${api}/downloads`,
      issues_url: `${api}/issues{/number}`,
      pulls_url: `${api}/pulls{/number}`,
      milestones_url: `${api}/milestones{/number}`,
      notifications_url: `${api}/notifications{?since,all,participating}`,
      labels_url: `${api}/labels{/name}`,
      releases_url: `${api}/releases{/id}`,
      deployments_url: `${api}/deployments`,
      created_at: repo.createdAt,
      updated_at: repo.updatedAt,
      pushed_at: repo.pushedAt,
      git_url: `${html.replace(/^https?:/, 'git:')}.git`,
      ssh_url: `git@${new URL(this.urls.web).host}:${repo.fullName}.git`,
      clone_url: `${html}.git`,
      svn_url: html,
      homepage: null,
      size: 0,
      stargazers_count: 0,
      watchers_count: 0,
      language: null,
      has_issues: repo.hasIssues,
      has_projects: true,
      has_downloads: true,
      has_wiki: true,
      has_pages: false,
      has_discussions: false,
      forks_count: 0,
      mirror_url: null,
      archived: repo.archived,
      disabled: false,
      open_issues_count: openIssues,
      license: null,
      allow_forking: true,
      is_template: false,
      web_commit_signoff_required: false,
      topics: [],
      visibility: repo.private ? 'private' : 'public',
      forks: 0,
      open_issues: openIssues,
      watchers: 0,
      default_branch: repo.defaultBranch,
    };
  }

  fullRepository(repo: RepoState, openIssues: number, canPush: boolean) {
    return {
      ...this.repository(repo, openIssues),
      permissions: { admin: false, maintain: false, push: canPush, triage: canPush, pull: true },
      temp_clone_token: '',
      allow_squash_merge: true,
      allow_merge_commit: true,
      allow_rebase_merge: true,
      allow_auto_merge: false,
      delete_branch_on_merge: false,
      allow_update_branch: false,
      use_squash_pr_title_as_default: false,
      squash_merge_commit_message: 'COMMIT_MESSAGES',
      squash_merge_commit_title: 'COMMIT_OR_PR_TITLE',
      merge_commit_message: 'PR_TITLE',
      merge_commit_title: 'MERGE_MESSAGE',
      network_count: 0,
      subscribers_count: 0,
    };
  }

  gitRef(repo: RepoState, ref: string, sha: string) {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    return {
      ref,
      node_id: nodeId('REF', Number.parseInt(fakeSha(repo.fullName + ref).slice(0, 8), 16)),
      url: `${api}/git/${encPath(ref)}`,
      object: { sha, type: 'commit', url: `${api}/git/commits/${sha}` },
    };
  }

  asset(repo: RepoState, release: ReleaseState, asset: AssetState) {
    return {
      url: `${this.urls.api}/repos/${repo.fullName}/releases/assets/${asset.id}`,
      id: asset.id,
      node_id: asset.nodeId,
      name: asset.name,
      label: asset.label,
      uploader: this.simpleUser(asset.uploader),
      content_type: asset.contentType,
      state: asset.state,
      size: asset.data.length,
      digest: asset.state === 'uploaded' ? `sha256:${createHash('sha256').update(asset.data).digest('hex')}` : null,
      download_count: asset.downloadCount,
      created_at: asset.createdAt,
      updated_at: asset.updatedAt,
      browser_download_url: `${this.urls.web}/${repo.fullName}/releases/download/${encPath(release.tagName)}/${enc(asset.name)}`,
    };
  }

  release(repo: RepoState, release: ReleaseState) {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const tag = release.draft ? `untagged-${release.untaggedId}` : release.tagName;
    return {
      url: `${api}/releases/${release.id}`,
      assets_url: `${api}/releases/${release.id}/assets`,
      upload_url: `${this.urls.api}/repos/${repo.fullName}/releases/${release.id}/assets{?name,label}`,
      html_url: `${this.urls.web}/${repo.fullName}/releases/tag/${encPath(tag)}`,
      id: release.id,
      author: this.simpleUser(release.author),
      node_id: release.nodeId,
      tag_name: release.tagName,
      target_commitish: release.targetCommitish,
      name: release.name,
      draft: release.draft,
      immutable: false,
      prerelease: release.prerelease,
      created_at: release.createdAt,
      updated_at: release.updatedAt,
      published_at: release.publishedAt,
      assets: release.assets.map((a) => this.asset(repo, release, a)),
      tarball_url: release.draft ? null : `${api}/tarball/${encPath(release.tagName)}`,
      zipball_url: release.draft ? null : `${api}/zipball/${encPath(release.tagName)}`,
      body: release.body,
    };
  }

  label(repo: RepoState, label: LabelState, simple = false) {
    return {
      id: label.id,
      node_id: label.nodeId,
      url: `${this.urls.api}/repos/${repo.fullName}/labels/${enc(label.name)}`,
      name: label.name,
      color: label.color,
      default: label.default,
      description: simple ? (label.description ?? '') : label.description,
    };
  }

  issue(repo: RepoState, issue: IssueState, commentCount: number) {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const url = `${api}/issues/${issue.number}`;
    const html = `${this.urls.web}/${repo.fullName}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`;
    return {
      url,
      repository_url: api,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: html,
      id: issue.id,
      node_id: issue.nodeId,
      number: issue.number,
      title: issue.title,
      user: this.simpleUser(issue.user),
      labels: issue.labels.map((n) => this.label(repo, repo.labels.get(n)!)),
      state: issue.state,
      locked: issue.locked,
      assignee: issue.assignees[0] ? this.simpleUser(issue.assignees[0]) : null,
      assignees: issue.assignees.map((a) => this.simpleUser(a)),
      milestone: null,
      comments: commentCount,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      author_association: this.association(repo, issue.user),
      active_lock_reason: null,
      ...(issue.pull
        ? {
            draft: issue.pull.draft,
            pull_request: {
              url: `${api}/pulls/${issue.number}`,
              html_url: html,
              diff_url: `${html}.diff`,
              patch_url: `${html}.patch`,
              merged_at: issue.pull.mergedAt,
            },
          }
        : {}),
      body: issue.body,
      closed_by: issue.closedBy ? this.simpleUser(issue.closedBy) : null,
      timeline_url: `${url}/timeline`,
      performed_via_github_app: null,
      state_reason: issue.stateReason,
    };
  }

  association(repo: RepoState, login: string): string {
    if (login === repo.owner) return 'OWNER';
    return this.user(login).type === 'Bot' ? 'CONTRIBUTOR' : 'COLLABORATOR';
  }

  comment(repo: RepoState, comment: CommentState) {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const issue = repo.issues.get(comment.issueNumber);
    return {
      url: `${api}/issues/comments/${comment.id}`,
      html_url: `${this.urls.web}/${repo.fullName}/${issue?.pull ? 'pull' : 'issues'}/${comment.issueNumber}#issuecomment-${comment.id}`,
      issue_url: `${api}/issues/${comment.issueNumber}`,
      id: comment.id,
      node_id: comment.nodeId,
      user: this.simpleUser(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      author_association: this.association(repo, comment.user),
      body: comment.body,
      performed_via_github_app: null,
    };
  }

  private pullCommon(repos: (fullName: string) => RepoState | undefined, repo: RepoState, issue: IssueState, openIssues: (r: RepoState) => number) {
    const pull = issue.pull!;
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const html = `${this.urls.web}/${repo.fullName}/pull/${issue.number}`;
    const headRepo = repos(pull.head.repo) ?? repo;
    const link = (href: string) => ({ href });
    return {
      url: `${api}/pulls/${issue.number}`,
      id: pull.id,
      node_id: pull.nodeId,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${api}/issues/${issue.number}`,
      number: issue.number,
      state: issue.state,
      locked: issue.locked,
      title: issue.title,
      user: this.simpleUser(issue.user),
      body: issue.body,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      assignee: issue.assignees[0] ? this.simpleUser(issue.assignees[0]) : null,
      assignees: issue.assignees.map((a) => this.simpleUser(a)),
      requested_reviewers: [],
      requested_teams: [],
      milestone: null,
      draft: pull.draft,
      commits_url: `${api}/pulls/${issue.number}/commits`,
      review_comments_url: `${api}/pulls/${issue.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${issue.number}/comments`,
      statuses_url: `${api}/statuses/${pull.head.sha}`,
      head: {
        label: `${headRepo.owner}:${pull.head.ref}`,
        ref: pull.head.ref,
        sha: pull.head.sha,
        user: this.simpleUser(headRepo.owner),
        repo: this.repository(headRepo, openIssues(headRepo)),
      },
      base: {
        label: `${repo.owner}:${pull.base.ref}`,
        ref: pull.base.ref,
        sha: pull.base.sha,
        user: this.simpleUser(repo.owner),
        repo: this.repository(repo, openIssues(repo)),
      },
      _links: {
        self: link(`${api}/pulls/${issue.number}`),
        html: link(html),
        issue: link(`${api}/issues/${issue.number}`),
        comments: link(`${api}/issues/${issue.number}/comments`),
        review_comments: link(`${api}/pulls/${issue.number}/comments`),
        review_comment: link(`${api}/pulls/comments{/number}`),
        commits: link(`${api}/pulls/${issue.number}/commits`),
        statuses: link(`${api}/statuses/${pull.head.sha}`),
      },
      author_association: this.association(repo, issue.user),
      auto_merge: null,
      active_lock_reason: null,
    };
  }

  pullSimple(repos: (fullName: string) => RepoState | undefined, repo: RepoState, issue: IssueState, openIssues: (r: RepoState) => number) {
    return {
      ...this.pullCommon(repos, repo, issue, openIssues),
      labels: issue.labels.map((n) => this.label(repo, repo.labels.get(n)!, true)),
    };
  }

  pull(repos: (fullName: string) => RepoState | undefined, repo: RepoState, issue: IssueState, openIssues: (r: RepoState) => number, commentCount: number) {
    const pull = issue.pull!;
    return {
      ...this.pullCommon(repos, repo, issue, openIssues),
      labels: issue.labels.map((n) => this.label(repo, repo.labels.get(n)!)),
      merged: pull.merged,
      mergeable: issue.state === 'open' ? true : null,
      rebaseable: issue.state === 'open' ? true : null,
      mergeable_state: issue.state === 'open' ? 'clean' : 'unknown',
      merged_by: pull.mergedBy ? this.simpleUser(pull.mergedBy) : null,
      comments: commentCount,
      review_comments: 0,
      maintainer_can_modify: pull.maintainerCanModify,
      commits: Math.max(pull.commits.length, 1),
      additions: 0,
      deletions: 0,
      changed_files: 0,
    };
  }

  githubActionsApp() {
    const owner = { ...this.simpleUser('github'), type: 'Organization' };
    return {
      id: GITHUB_ACTIONS_APP_ID,
      slug: 'github-actions',
      node_id: 'MDM6QXBwMTUzNjg=',
      client_id: 'Iv1.05c79e9ad1f6bdfa',
      owner,
      name: 'GitHub Actions',
      description: 'Automate your workflow from idea to production',
      external_url: 'https://help.github.com/en/actions',
      html_url: `${this.urls.web}/apps/github-actions`,
      created_at: '2018-07-30T09:30:17Z',
      updated_at: '2024-04-10T20:33:16Z',
      permissions: { actions: 'write', checks: 'write', contents: 'write', deployments: 'write', issues: 'write', metadata: 'read', pull_requests: 'write', statuses: 'write' },
      events: ['check_run', 'check_suite', 'pull_request', 'push', 'release', 'workflow_dispatch'],
    };
  }

  checkRun(repo: RepoState, run: CheckRunState) {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const pulls = [...repo.issues.values()].filter((i) => i.pull && i.state === 'open' && i.pull.head.sha === run.headSha);
    return {
      id: run.id,
      name: run.name,
      node_id: run.nodeId,
      head_sha: run.headSha,
      external_id: run.externalId ?? '',
      url: `${api}/check-runs/${run.id}`,
      html_url: `${this.urls.web}/${repo.fullName}/runs/${run.id}`,
      details_url: run.detailsUrl ?? `${this.urls.web}/${repo.fullName}/runs/${run.id}`,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: {
        title: run.output.title,
        summary: run.output.summary,
        text: run.output.text,
        annotations_count: run.output.annotations.length,
        annotations_url: `${api}/check-runs/${run.id}/annotations`,
      },
      check_suite: { id: run.checkSuiteId },
      app: this.githubActionsApp(),
      pull_requests: pulls.map((i) => ({
        url: `${api}/pulls/${i.number}`,
        id: i.pull!.id,
        number: i.number,
        head: { ref: i.pull!.head.ref, sha: i.pull!.head.sha, repo: { id: repo.id, url: api, name: repo.name } },
        base: { ref: i.pull!.base.ref, sha: i.pull!.base.sha, repo: { id: repo.id, url: api, name: repo.name } },
      })),
    };
  }

  deployment(repo: RepoState, d: DeploymentState) {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    return {
      url: `${api}/deployments/${d.id}`,
      id: d.id,
      node_id: d.nodeId,
      task: d.task,
      original_environment: d.originalEnvironment,
      environment: d.environment,
      description: d.description,
      created_at: d.createdAt,
      updated_at: d.updatedAt,
      statuses_url: `${api}/deployments/${d.id}/statuses`,
      repository_url: api,
      creator: this.simpleUser(d.creator),
      sha: d.sha,
      ref: d.ref,
      payload: d.payload,
      transient_environment: d.transientEnvironment,
      production_environment: d.productionEnvironment,
      performed_via_github_app: null,
    };
  }

  deploymentStatus(repo: RepoState, d: DeploymentState, s: DeploymentStatusState) {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    return {
      url: `${api}/deployments/${d.id}/statuses/${s.id}`,
      id: s.id,
      node_id: s.nodeId,
      state: s.state,
      creator: this.simpleUser(s.creator),
      description: s.description,
      environment: s.environment,
      target_url: s.targetUrl,
      log_url: s.logUrl,
      environment_url: s.environmentUrl,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
      deployment_url: `${api}/deployments/${d.id}`,
      repository_url: api,
      performed_via_github_app: null,
    };
  }

  contentFile(repo: RepoState, path: string, ref: string, data: Buffer) {
    const sha = gitBlobSha(data);
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const html = `${this.urls.web}/${repo.fullName}/blob/${encPath(ref)}/${encPath(path)}`;
    const self = `${api}/contents/${encPath(path)}?ref=${enc(ref)}`;
    return {
      type: 'file' as const,
      encoding: 'base64',
      size: data.length,
      name: path.split('/').pop()!,
      path,
      content: (data.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n') + (data.length ? '\n' : ''),
      sha,
      url: self,
      git_url: `${api}/git/blobs/${sha}`,
      html_url: html,
      download_url: `${this.urls.web}/${repo.fullName}/raw/${encPath(ref)}/${encPath(path)}`,
      _links: { self, git: `${api}/git/blobs/${sha}`, html },
    };
  }

  contentDirEntry(repo: RepoState, path: string, ref: string, type: 'file' | 'dir', data?: Buffer) {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const sha = data ? gitBlobSha(data) : fakeSha(`tree:${ref}:${path}`);
    const html = `${this.urls.web}/${repo.fullName}/${type === 'file' ? 'blob' : 'tree'}/${encPath(ref)}/${encPath(path)}`;
    const self = `${api}/contents/${encPath(path)}?ref=${enc(ref)}`;
    const git = `${api}/git/${type === 'file' ? 'blobs' : 'trees'}/${sha}`;
    return {
      type,
      size: data ? data.length : 0,
      name: path.split('/').pop()!,
      path,
      sha,
      url: self,
      git_url: git,
      html_url: html,
      download_url: type === 'file' ? `${this.urls.web}/${repo.fullName}/raw/${encPath(ref)}/${encPath(path)}` : null,
      _links: { self, git, html },
    };
  }

  fileCommit(repo: RepoState, path: string, branch: string, data: Buffer, commit: CommitState) {
    const api = `${this.urls.api}/repos/${repo.fullName}`;
    const { encoding: _e, content: _c, ...content } = this.contentFile(repo, path, branch, data);
    const tree = fakeSha(`tree:${commit.sha}`);
    return {
      content,
      commit: {
        sha: commit.sha,
        node_id: nodeId('C', Number.parseInt(commit.sha.slice(0, 8), 16)),
        url: `${api}/git/commits/${commit.sha}`,
        html_url: `${this.urls.web}/${repo.fullName}/commit/${commit.sha}`,
        author: commit.author,
        committer: commit.author,
        tree: { url: `${api}/git/trees/${tree}`, sha: tree },
        message: commit.message,
        parents: commit.parents.map((p) => ({ url: `${api}/git/commits/${p}`, html_url: `${this.urls.web}/${repo.fullName}/commit/${p}`, sha: p })),
        verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
      },
    };
  }
}
