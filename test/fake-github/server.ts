/**
 * An in-process fake of the GitHub REST API for tests, served over HTTP on 127.0.0.1.
 *
 *   const fake = await startFakeGitHub();
 *   const repo = fake.addRepo({ owner: 'octo-org', name: 'models' });
 *   const octokit = new Octokit({ baseUrl: fake.url, auth: DEFAULT_TOKEN });
 *   ...
 *   fake.assertNoViolations();
 *   await fake.close();
 *
 * Every request is routed by method + path template to an operation of GitHub's published
 * OpenAPI description (test/fixtures/github-openapi/operations.json); its path/query
 * parameters and JSON body are validated, and every JSON response the fake sends is
 * validated against the operation's response schema. Anything that does not match is
 * recorded in `fake.violations` (and requests are answered 404/422 like GitHub would).
 *
 * A second HTTP server (`fake.webUrl`, another port, i.e. another origin) plays github.com
 * and the release-asset storage host: `browser_download_url`s and the 302 target of an
 * asset download (`Accept: application/octet-stream`) live there. Like the real storage
 * host it rejects requests that carry an Authorization header (fetch strips it on a
 * cross-origin redirect, so octokit works; a client that forwards it does not).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  fakeSha,
  GITHUB_ACTIONS_APP_ID,
  isoNow,
  nodeId,
  Renderer,
  type AssetState,
  type CheckRunState,
  type CommentState,
  type CommitState,
  type DeploymentState,
  type IssueState,
  type LabelState,
  type ReleaseState,
  type RepoState,
  type TokenInfo,
  type UserState,
  type UserType,
} from './model';
import { formatErrors, loadSpec, type Spec, type SpecOperation } from './spec';
import type { SchemaError } from './validate';

export * from './model';
export type { SchemaError } from './validate';

/** Token of `github-actions[bot]` (an installation token, like GITHUB_TOKEN). */
export const DEFAULT_TOKEN = 'ghs_fakeDefaultInstallationToken0000000';
/** Same identity, read-only: every write gets 403 (like a fork PR's GITHUB_TOKEN). */
export const READ_ONLY_TOKEN = 'ghs_fakeReadOnlyInstallationToken000000';
/** A personal access token of user `octocat` (GET /user works; checks/create does not). */
export const USER_TOKEN = 'ghp_fakePersonalAccessToken0000000000000';
export const BOT_LOGIN = 'github-actions[bot]';
export const USER_LOGIN = 'octocat';

export interface FakeGitHubOptions {
  /** Extra tokens (token → identity). A string value is a login with default settings. */
  tokens?: Record<string, TokenInfo | string>;
  /**
   * What an unknown token is: 'default' (default) = treated like DEFAULT_TOKEN, so
   * `auth: 'anything'` works; 'reject' = 401 "Bad credentials" like GitHub.
   */
  unknownTokens?: 'default' | 'reject';
  /** Asset download with `Accept: application/octet-stream`: 302 to the storage host (default, like GitHub) or the bytes directly. */
  assetDownload?: 'redirect' | 'direct';
  /**
   * GitHub silently ignores unknown query parameters and body fields; by default the fake
   * records them as violations (they are typos in our code). Set to allow them.
   */
  allowUnknownParameters?: boolean;
  /** Clock for timestamps (default: real time). */
  now?: () => Date;
  /** Repositories to create at start. */
  repos?: AddRepoOptions[];
}

export interface AddRepoOptions {
  owner: string;
  name: string;
  ownerType?: UserType;
  defaultBranch?: string;
  /** SHA of the default branch head (default: a fresh root commit). */
  headSha?: string;
  private?: boolean;
  fork?: boolean;
  description?: string | null;
  hasIssues?: boolean;
  /** Workflow ids / file names accepted by workflow dispatch (default: any). */
  workflows?: string[];
  /** Files of the initial commit on the default branch. */
  files?: Record<string, string | Buffer>;
}

export interface AddReleaseOptions {
  tagName: string;
  name?: string | null;
  body?: string | null;
  draft?: boolean;
  prerelease?: boolean;
  /** Branch or SHA the tag is created from if missing (default: default branch). */
  targetCommitish?: string;
  author?: string;
  assets?: Array<{ name: string; data: string | Buffer; contentType?: string; label?: string | null }>;
}

export interface AddPullOptions {
  /** Head branch name (created in the head repo if missing). */
  head: string;
  headSha?: string;
  /** Full name of the head repository for a PR from a fork (created as a fork if missing). */
  headRepo?: string;
  base?: string;
  title?: string;
  body?: string | null;
  user?: string;
  state?: 'open' | 'closed';
  merged?: boolean;
  mergeCommitSha?: string;
  draft?: boolean;
  labels?: string[];
  /** Commits of the PR (for list-pull-requests-associated-with-commit); the head SHA always counts. */
  commits?: string[];
}

export interface FailureSpec {
  /** HTTP method to match (default: any). */
  method?: string;
  /**
   * Path to match: an operation path template (`/repos/{owner}/{repo}/git/refs`), a
   * concrete path (`/repos/o/r/git/refs`) or a RegExp tested on the concrete path.
   */
  path?: string | RegExp;
  operationId?: string;
  /** Status to answer with (default 500, or 403 for rate limits). */
  status?: number;
  message?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** `retry-after` header, in seconds. */
  retryAfter?: number;
  /** Answer like GitHub's secondary rate limit (403 + "You have exceeded a secondary rate limit..."). */
  secondaryRateLimit?: boolean;
  /** Answer like GitHub's primary rate limit (403, x-ratelimit-remaining: 0, x-ratelimit-reset). */
  rateLimit?: boolean;
  /** Destroy the connection instead of answering, after reading `afterBytes` of the body (default: half of it). */
  dropConnection?: boolean | { afterBytes?: number };
  /** With dropConnection on an asset upload: leave the half-uploaded asset behind (state "open"), as GitHub can. */
  leavePartialAsset?: boolean;
}

export interface FailureHandle {
  readonly spec: FailureSpec;
  /** Failures still to inject. */
  remaining: number;
  /** Requests that got this failure. */
  hits: number;
  cancel(): void;
}

export interface RecordedRequest {
  method: string;
  /** Raw path (percent-encoded as sent), without the query string. */
  path: string;
  /** Query string including '?', or ''. */
  search: string;
  operationId: string | null;
  /** Status answered; 0 if the connection was dropped. */
  status: number;
  /** Login of the token's identity, null when anonymous. */
  login: string | null;
  /** Parsed JSON body (or byte length of a binary body). */
  body?: unknown;
  injected?: boolean;
  dropped?: boolean;
}

export interface Violation {
  kind: 'unknown-route' | 'request' | 'response';
  method: string;
  path: string;
  operationId: string | null;
  status?: number;
  errors: SchemaError[];
  message: string;
}

export interface WebRequest {
  method: string;
  path: string;
  status: number;
  authorization: boolean;
}

interface Reply {
  status: number;
  body?: unknown;
  raw?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

interface Ctx {
  op: SpecOperation;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: any;
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
  url: URL;
  login: string | null;
  token: Required<TokenInfo> | null;
  repo: RepoState;
  canPush: boolean;
}

type Handler = (ctx: Ctx) => Reply;

const HEX40 = /^[0-9a-f]{40}$/;
const BODY_LIMIT = 65536;
const SECONDARY_RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
const RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';

function str(v: unknown): string {
  return String(v);
}

/** GitHub renames asset files with special characters (e.g. spaces become dots). */
export function normalizeAssetName(name: string): string {
  return name.replace(/[^A-Za-z0-9._+@-]+/g, '.').replace(/\.{2,}/g, '.').replace(/^\.+|\.+$/g, '') || 'default';
}

export class FakeGitHub {
  /** API base URL, e.g. http://127.0.0.1:PORT (use as octokit `baseUrl` / GITHUB_API_URL). */
  url = '';
  /** The github.com / storage origin (another port), e.g. for GITHUB_SERVER_URL. */
  webUrl = '';
  readonly repos = new Map<string, RepoState>();
  readonly users = new Map<string, UserState>();
  readonly tokens = new Map<string, Required<TokenInfo>>();
  readonly requests: RecordedRequest[] = [];
  readonly violations: Violation[] = [];
  readonly webRequests: WebRequest[] = [];
  readonly spec: Spec;

  private readonly options: FakeGitHubOptions;
  private readonly failures: FailureHandle[] = [];
  private readonly rateUsage = new Map<string, { used: number; reset: number }>();
  private readonly downloadTokens = new Map<string, { repo: string; assetId: number }>();
  private idCounter = 1000;
  private api?: Server;
  private web?: Server;
  private readonly render: Renderer;
  private readonly handlers: Record<string, Handler>;

  constructor(options: FakeGitHubOptions = {}) {
    this.options = options;
    this.spec = loadSpec();
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.render = new Renderer(
      {
        get api() {
          return self.url;
        },
        get web() {
          return self.webUrl;
        },
      },
      (login) => this.user(login),
    );
    this.addUser({ login: BOT_LOGIN, type: 'Bot', id: 41898282 });
    this.addUser({ login: USER_LOGIN, type: 'User', id: 583231, name: 'The Octocat', email: 'octocat@github.com' });
    this.addUser({ login: 'github', type: 'Organization', id: 9919 });
    this.addToken(DEFAULT_TOKEN, { login: BOT_LOGIN });
    this.addToken(READ_ONLY_TOKEN, { login: BOT_LOGIN, readOnly: true });
    this.addToken(USER_TOKEN, { login: USER_LOGIN });
    for (const [token, info] of Object.entries(options.tokens ?? {})) {
      this.addToken(token, typeof info === 'string' ? { login: info } : info);
    }
    for (const r of options.repos ?? []) this.addRepo(r);
    this.handlers = this.buildHandlers();
  }

  // ---------------------------------------------------------------- lifecycle

  async listen(): Promise<void> {
    this.api = createServer((req, res) => {
      this.handleApi(req, res).catch((err) => this.crash(res, err));
    });
    this.web = createServer((req, res) => {
      try {
        this.handleWeb(req, res);
      } catch (err) {
        this.crash(res, err);
      }
    });
    const listen = (server: Server) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      });
    this.url = `http://127.0.0.1:${await listen(this.api)}`;
    this.webUrl = `http://127.0.0.1:${await listen(this.web)}`;
  }

  async close(): Promise<void> {
    const close = (server?: Server) =>
      new Promise<void>((resolve) => {
        if (!server?.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    await Promise.all([close(this.api), close(this.web)]);
  }

  /** Environment for code under test (@actions/github reads GITHUB_API_URL etc.). */
  env(opts: { repo?: string; token?: string } = {}): Record<string, string> {
    return {
      GITHUB_API_URL: this.url,
      GITHUB_SERVER_URL: this.webUrl,
      GITHUB_GRAPHQL_URL: `${this.url}/graphql`,
      ...(opts.repo ? { GITHUB_REPOSITORY: opts.repo } : {}),
      ...(opts.token ? { GITHUB_TOKEN: opts.token } : {}),
    };
  }

  /** Throws (with the details) if any protocol violation was recorded. */
  assertNoViolations(): void {
    if (this.violations.length === 0) return;
    const lines = this.violations.map((v) => `- ${v.message}`);
    throw new Error(`fake GitHub recorded ${this.violations.length} protocol violation(s):\n${lines.join('\n')}`);
  }

  /** Clears recorded requests, violations and pending failures (state is kept). */
  resetRecords(): void {
    this.requests.length = 0;
    this.violations.length = 0;
    this.webRequests.length = 0;
    for (const f of this.failures) f.remaining = 0;
    this.failures.length = 0;
  }

  /** Recorded requests of one operation (e.g. 'repos/upload-release-asset'). */
  callsTo(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  // ---------------------------------------------------------------- failure injection

  failNext(spec: FailureSpec): FailureHandle {
    const failures = this.failures;
    const handle: FailureHandle = {
      spec,
      remaining: spec.times ?? 1,
      hits: 0,
      cancel() {
        handle.remaining = 0;
        const i = failures.indexOf(handle);
        if (i >= 0) failures.splice(i, 1);
      },
    };
    this.failures.push(handle);
    return handle;
  }

  private takeFailure(method: string, pathname: string, op: SpecOperation | undefined): FailureHandle | undefined {
    const handle = this.failures.find((f) => {
      if (f.remaining <= 0) return false;
      const s = f.spec;
      if (s.method && s.method.toUpperCase() !== method) return false;
      if (s.operationId && s.operationId !== op?.operationId) return false;
      if (s.path instanceof RegExp) return s.path.test(pathname);
      if (typeof s.path === 'string') {
        if (s.path.includes('{')) return op?.path === s.path;
        return s.path === pathname || safeDecode(pathname) === s.path;
      }
      return true;
    });
    if (handle) {
      handle.remaining--;
      handle.hits++;
      if (handle.remaining <= 0) this.failures.splice(this.failures.indexOf(handle), 1);
    }
    return handle;
  }

  // ---------------------------------------------------------------- seeding

  nextId(): number {
    return ++this.idCounter;
  }

  now(): string {
    return isoNow(this.options.now?.() ?? new Date());
  }

  addUser(opts: { login: string; type?: UserType; id?: number; name?: string | null; email?: string | null }): UserState {
    const existing = this.users.get(opts.login);
    if (existing) return existing;
    const id = opts.id ?? this.nextId();
    const type = opts.type ?? (opts.login.endsWith('[bot]') ? 'Bot' : 'User');
    const user: UserState = {
      login: opts.login,
      id,
      nodeId: nodeId(type === 'Bot' ? 'BOT' : type === 'Organization' ? 'O' : 'U', id),
      type,
      name: opts.name ?? null,
      email: opts.email ?? null,
      createdAt: '2020-01-01T00:00:00Z',
    };
    this.users.set(user.login, user);
    return user;
  }

  /** The user with this login (created as a plain User if unknown). */
  user(login: string): UserState {
    return this.users.get(login) ?? this.addUser({ login });
  }

  addToken(token: string, info: TokenInfo): Required<TokenInfo> {
    const user = this.user(info.login);
    const installation = info.installation ?? user.type === 'Bot';
    const full: Required<TokenInfo> = {
      login: info.login,
      readOnly: info.readOnly ?? false,
      installation,
      rateLimit: info.rateLimit ?? (installation ? 1000 : 5000),
    };
    this.tokens.set(token, full);
    return full;
  }

  addRepo(opts: AddRepoOptions): RepoState {
    const fullName = `${opts.owner}/${opts.name}`;
    if (this.repos.has(fullName.toLowerCase())) throw new Error(`repo ${fullName} already exists`);
    this.addUser({ login: opts.owner, type: opts.ownerType ?? 'Organization' });
    const id = this.nextId();
    const now = this.now();
    const repo: RepoState = {
      id,
      nodeId: nodeId('R', id),
      owner: opts.owner,
      name: opts.name,
      fullName,
      private: opts.private ?? false,
      fork: opts.fork ?? false,
      description: opts.description ?? null,
      defaultBranch: opts.defaultBranch ?? 'main',
      hasIssues: opts.hasIssues ?? true,
      archived: false,
      createdAt: now,
      updatedAt: now,
      pushedAt: now,
      refs: new Map(),
      commits: new Map(),
      labels: new Map(),
      issues: new Map(),
      comments: [],
      releases: [],
      checkRuns: [],
      deployments: [],
      workflows: opts.workflows ?? null,
      workflowDispatches: [],
      commitPulls: new Map(),
      nextNumber: 1,
    };
    this.repos.set(fullName.toLowerCase(), repo);
    const files = new Map(Object.entries(opts.files ?? {}).map(([p, c]) => [p, Buffer.from(c)]));
    const head = this.addCommit(fullName, { sha: opts.headSha, message: 'Initial commit', files });
    repo.refs.set(`refs/heads/${repo.defaultBranch}`, head.sha);
    return repo;
  }

  /** The repository `owner/name` (case-insensitive, like GitHub); throws if unknown. */
  repo(fullName: string): RepoState {
    const repo = this.findRepo(fullName);
    if (!repo) throw new Error(`fake GitHub has no repo ${fullName}`);
    return repo;
  }

  findRepo(fullName: string): RepoState | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  /** Records a commit (with a full file snapshot); optionally moves `branch` to it. */
  addCommit(
    fullName: string,
    opts: { sha?: string; parents?: string[]; message?: string; files?: Map<string, Buffer>; branch?: string } = {},
  ): CommitState {
    const repo = this.repo(fullName);
    const parents = opts.parents ?? (opts.branch && repo.refs.get(`refs/heads/${opts.branch}`) ? [repo.refs.get(`refs/heads/${opts.branch}`)!] : []);
    const files = opts.files ?? new Map(parents[0] ? repo.commits.get(parents[0])?.files : undefined);
    const commit: CommitState = {
      sha: opts.sha ?? fakeSha(`commit:${fullName}:${this.nextId()}:${randomUUID()}`),
      parents,
      message: opts.message ?? 'commit',
      files,
      author: { name: 'Fake Author', email: 'author@example.com', date: this.now() },
    };
    repo.commits.set(commit.sha, commit);
    if (opts.branch) repo.refs.set(`refs/heads/${opts.branch}`, commit.sha);
    return commit;
  }

  /** Commits `content` at `path` on `branch` (default branch by default). */
  putFile(fullName: string, path: string, content: string | Buffer, opts: { branch?: string; message?: string } = {}): CommitState {
    const repo = this.repo(fullName);
    const branch = opts.branch ?? repo.defaultBranch;
    const parent = repo.refs.get(`refs/heads/${branch}`);
    const files = new Map(parent ? repo.commits.get(parent)?.files : undefined);
    files.set(path, Buffer.from(content));
    return this.addCommit(fullName, { parents: parent ? [parent] : [], files, branch, message: opts.message ?? `Update ${path}` });
  }

  /** Sets a ref (`refs/tags/v1`, `tags/v1`, `heads/x`) to `sha`. */
  setRef(fullName: string, ref: string, sha: string): void {
    this.repo(fullName).refs.set(ref.startsWith('refs/') ? ref : `refs/${ref}`, sha);
  }

  getRef(fullName: string, ref: string): string | undefined {
    return this.repo(fullName).refs.get(ref.startsWith('refs/') ? ref : `refs/${ref}`);
  }

  addRelease(fullName: string, opts: AddReleaseOptions): ReleaseState {
    const repo = this.repo(fullName);
    const author = opts.author ?? BOT_LOGIN;
    const release = this.newRelease(repo, {
      tagName: opts.tagName,
      targetCommitish: opts.targetCommitish ?? repo.defaultBranch,
      name: opts.name ?? null,
      body: opts.body ?? null,
      draft: opts.draft ?? false,
      prerelease: opts.prerelease ?? false,
      author,
    });
    if (!release.draft) this.ensureTag(repo, release);
    for (const a of opts.assets ?? []) {
      release.assets.push(this.newAsset(a.name, Buffer.from(a.data), a.contentType ?? 'application/octet-stream', a.label ?? null, author));
    }
    return release;
  }

  addLabel(fullName: string, name: string, opts: { color?: string; description?: string | null } = {}): LabelState {
    return this.label(this.repo(fullName), name, opts);
  }

  addIssue(fullName: string, opts: { title: string; body?: string | null; state?: 'open' | 'closed'; labels?: string[]; user?: string; assignees?: string[] }): IssueState {
    const repo = this.repo(fullName);
    const issue = this.newIssue(repo, { title: opts.title, body: opts.body ?? null, user: opts.user ?? USER_LOGIN, labels: opts.labels ?? [], assignees: opts.assignees ?? [] });
    if (opts.state === 'closed') this.setIssueState(issue, 'closed', null, issue.user);
    return issue;
  }

  addPull(fullName: string, opts: AddPullOptions): IssueState {
    const repo = this.repo(fullName);
    let headRepo = repo;
    if (opts.headRepo && opts.headRepo.toLowerCase() !== repo.fullName.toLowerCase()) {
      const [owner, name] = opts.headRepo.split('/') as [string, string];
      headRepo = this.findRepo(opts.headRepo) ?? this.addRepo({ owner, name, ownerType: 'User', fork: true, defaultBranch: repo.defaultBranch });
    }
    const base = opts.base ?? repo.defaultBranch;
    const baseSha = repo.refs.get(`refs/heads/${base}`);
    if (!baseSha) throw new Error(`base branch ${base} does not exist in ${fullName}`);
    let headSha = opts.headSha ?? headRepo.refs.get(`refs/heads/${opts.head}`);
    if (!headSha) headSha = this.addCommit(headRepo.fullName, { parents: [baseSha], message: `work on ${opts.head}` }).sha;
    headRepo.refs.set(`refs/heads/${opts.head}`, headSha);
    if (headRepo !== repo) repo.commits.set(headSha, headRepo.commits.get(headSha) ?? { sha: headSha, parents: [baseSha], message: 'fork commit', files: new Map(), author: { name: 'x', email: 'x@example.com', date: this.now() } });
    const issue = this.newIssue(repo, {
      title: opts.title ?? `Merge ${opts.head} into ${base}`,
      body: opts.body ?? null,
      user: opts.user ?? (headRepo !== repo ? headRepo.owner : USER_LOGIN),
      labels: opts.labels ?? [],
      assignees: [],
    });
    const id = this.nextId();
    issue.pull = {
      id,
      nodeId: nodeId('PR', id),
      head: { ref: opts.head, sha: headSha, repo: headRepo.fullName },
      base: { ref: base, sha: baseSha },
      draft: opts.draft ?? false,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: opts.mergeCommitSha ?? null,
      commits: opts.commits ?? [headSha],
      maintainerCanModify: headRepo !== repo,
    };
    if (opts.merged) {
      const merge = opts.mergeCommitSha ?? this.addCommit(fullName, { parents: [baseSha, headSha], message: `Merge pull request #${issue.number}`, branch: base }).sha;
      issue.pull.merged = true;
      issue.pull.mergedAt = this.now();
      issue.pull.mergedBy = issue.user;
      issue.pull.mergeCommitSha = merge;
      this.setIssueState(issue, 'closed', null, issue.user);
    } else if (opts.state === 'closed') {
      this.setIssueState(issue, 'closed', null, issue.user);
    } else if (!issue.pull.mergeCommitSha) {
      issue.pull.mergeCommitSha = fakeSha(`test-merge:${fullName}:${issue.number}:${headSha}`);
    }
    return issue;
  }

  /** Merges an open pull request the way the merge button does: a merge commit on the base branch. */
  mergePull(fullName: string, number: number, opts: { user?: string } = {}): string {
    const repo = this.repo(fullName);
    const issue = repo.issues.get(number);
    if (!issue?.pull) throw new Error(`no pull request #${number} in ${fullName}`);
    if (issue.pull.merged) throw new Error(`#${number} is already merged`);
    const baseSha = repo.refs.get(`refs/heads/${issue.pull.base.ref}`)!;
    const merge = this.addCommit(fullName, { parents: [baseSha, issue.pull.head.sha], message: `Merge pull request #${number} from ${issue.pull.head.ref}`, branch: issue.pull.base.ref }).sha;
    issue.pull.merged = true;
    issue.pull.mergedAt = this.now();
    issue.pull.mergedBy = opts.user ?? USER_LOGIN;
    issue.pull.mergeCommitSha = merge;
    this.setIssueState(issue, 'closed', null, opts.user ?? USER_LOGIN);
    this.associateCommit(fullName, merge, number);
    return merge;
  }

  addComment(fullName: string, issueNumber: number, body: string, opts: { user?: string } = {}): CommentState {
    const repo = this.repo(fullName);
    if (!repo.issues.has(issueNumber)) throw new Error(`no issue #${issueNumber} in ${fullName}`);
    const id = this.nextId();
    const now = this.now();
    const comment: CommentState = { id, nodeId: nodeId('IC', id), issueNumber, body, user: opts.user ?? USER_LOGIN, createdAt: now, updatedAt: now };
    repo.comments.push(comment);
    return comment;
  }

  /** Makes list-pull-requests-associated-with-commit return PR `prNumber` for `sha`. */
  associateCommit(fullName: string, sha: string, prNumber: number): void {
    const repo = this.repo(fullName);
    repo.commitPulls.set(sha, [...(repo.commitPulls.get(sha) ?? []), prNumber]);
  }

  /** Comments on an issue/PR, oldest first. */
  commentsOn(fullName: string, issueNumber: number): CommentState[] {
    return this.repo(fullName).comments.filter((c) => c.issueNumber === issueNumber);
  }

  // ---------------------------------------------------------------- internals: state helpers

  private label(repo: RepoState, name: string, opts: { color?: string; description?: string | null } = {}): LabelState {
    const existing = [...repo.labels.values()].find((l) => l.name.toLowerCase() === name.toLowerCase());
    if (existing) return existing;
    const id = this.nextId();
    const label: LabelState = { id, nodeId: nodeId('LA', id), name, color: opts.color ?? 'ededed', description: opts.description ?? null, default: false };
    repo.labels.set(name, label);
    return label;
  }

  private newIssue(repo: RepoState, o: { title: string; body: string | null; user: string; labels: string[]; assignees: string[] }): IssueState {
    const id = this.nextId();
    const now = this.now();
    const issue: IssueState = {
      number: repo.nextNumber++,
      id,
      nodeId: nodeId('I', id),
      title: o.title,
      body: o.body,
      state: 'open',
      stateReason: null,
      labels: o.labels.map((l) => this.label(repo, l).name),
      user: o.user,
      assignees: o.assignees,
      locked: false,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      closedBy: null,
    };
    this.user(o.user);
    repo.issues.set(issue.number, issue);
    return issue;
  }

  private setIssueState(issue: IssueState, state: 'open' | 'closed', reason: string | null, by: string): void {
    if (issue.state === state) {
      if (reason) issue.stateReason = reason;
      return;
    }
    issue.state = state;
    if (state === 'closed') {
      issue.closedAt = this.now();
      issue.closedBy = by;
      issue.stateReason = issue.pull ? null : (reason ?? 'completed');
    } else {
      issue.closedAt = null;
      issue.stateReason = issue.pull ? null : 'reopened';
    }
    issue.updatedAt = this.now();
  }

  private newRelease(
    repo: RepoState,
    o: { tagName: string; targetCommitish: string; name: string | null; body: string | null; draft: boolean; prerelease: boolean; author: string },
  ): ReleaseState {
    const id = this.nextId();
    const now = this.now();
    const release: ReleaseState = {
      id,
      nodeId: nodeId('RE', id),
      ...o,
      createdAt: now,
      updatedAt: now,
      publishedAt: o.draft ? null : now,
      assets: [],
      untaggedId: randomBytes(10).toString('hex'),
    };
    repo.releases.push(release);
    return release;
  }

  private newAsset(name: string, data: Buffer, contentType: string, label: string | null, uploader: string): AssetState {
    const id = this.nextId();
    const now = this.now();
    return { id, nodeId: nodeId('RA', id), name: normalizeAssetName(name), label, contentType, data, state: 'uploaded', downloadCount: 0, createdAt: now, updatedAt: now, uploader };
  }

  /** Resolves a branch, tag, `heads/x`, `tags/x`, `refs/...` or 40-hex SHA to a commit SHA. */
  resolveRef(repo: RepoState, ref: string): string | undefined {
    if (HEX40.test(ref)) return ref;
    const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/${ref}`];
    for (const c of candidates) {
      const sha = repo.refs.get(c);
      if (sha) return sha;
    }
    // Abbreviated SHA of a known commit.
    if (/^[0-9a-f]{7,39}$/.test(ref)) return [...repo.commits.keys()].find((s) => s.startsWith(ref));
    return undefined;
  }

  private ensureTag(repo: RepoState, release: ReleaseState): void {
    const ref = `refs/tags/${release.tagName}`;
    if (repo.refs.has(ref)) return;
    const sha = this.resolveRef(repo, release.targetCommitish);
    if (!sha) throw validationFailed([{ resource: 'Release', code: 'invalid', field: 'target_commitish' }]);
    repo.refs.set(ref, sha);
  }

  private openIssues = (repo: RepoState): number => [...repo.issues.values()].filter((i) => i.state === 'open').length;

  private commentCount(repo: RepoState, number: number): number {
    return repo.comments.filter((c) => c.issueNumber === number).length;
  }

  private isAncestor(repo: RepoState, ancestor: string, of: string): boolean | undefined {
    if (!repo.commits.has(of)) return undefined;
    const seen = new Set<string>();
    const stack = [of];
    while (stack.length) {
      const sha = stack.pop()!;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      stack.push(...(repo.commits.get(sha)?.parents ?? []));
    }
    return false;
  }

  // ---------------------------------------------------------------- HTTP: API server

  private violation(v: Omit<Violation, 'message'>): void {
    const what = `${v.method} ${v.path}${v.operationId ? ` (${v.operationId})` : ''}${v.status ? ` → ${v.status}` : ''}`;
    this.violations.push({ ...v, message: `[${v.kind}] ${what}: ${formatErrors(v.errors)}` });
  }

  private crash(res: ServerResponse, err: unknown): void {
    this.violations.push({
      kind: 'response',
      method: '?',
      path: '?',
      operationId: null,
      errors: [{ path: 'fake', message: String((err as Error)?.stack ?? err) }],
      message: `[response] fake GitHub crashed: ${String((err as Error)?.stack ?? err)}`,
    });
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ message: 'Server Error', status: '500' }));
    } else {
      res.destroy();
    }
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', this.url);
    const record: RecordedRequest = { method, path: url.pathname, search: url.search, operationId: null, status: 0, login: null };
    this.requests.push(record);
    const { match, methodMismatch } = this.spec.match(method, url.pathname);
    const op = match?.operation;
    record.operationId = op?.operationId ?? null;
    const failure = this.takeFailure(method, url.pathname, op);

    if (failure?.spec.dropConnection) {
      record.dropped = true;
      record.injected = true;
      const declared = Number(req.headers['content-length'] ?? 0);
      const opt = typeof failure.spec.dropConnection === 'object' ? failure.spec.dropConnection : {};
      const after = opt.afterBytes ?? Math.floor(declared / 2);
      const received = await readBody(req, after);
      if (failure.spec.leavePartialAsset && op?.operationId === 'repos/upload-release-asset' && match) {
        const repo = this.findRepo(`${match.rawParams.owner}/${match.rawParams.repo}`);
        const release = repo?.releases.find((r) => r.id === Number(match.rawParams.release_id));
        const name = url.searchParams.get('name');
        if (release && name && !release.assets.some((a) => a.name === normalizeAssetName(name))) {
          const asset = this.newAsset(name, received, str(req.headers['content-type'] ?? 'application/octet-stream'), url.searchParams.get('label'), this.identify(req.headers).token?.login ?? BOT_LOGIN);
          asset.state = 'open';
          release.assets.push(asset);
        }
      }
      req.socket.destroy();
      return;
    }

    const rawBody = await readBody(req);
    const token = this.identify(req.headers);
    record.login = token.token?.login ?? null;

    const send = (reply: Reply) => this.send(req, res, record, op, reply, token.rateHeaders);

    if (!match || !op) {
      this.violation({
        kind: 'unknown-route',
        method,
        path: url.pathname,
        operationId: null,
        errors: [
          {
            path: 'route',
            message: methodMismatch
              ? `no ${method} operation for this path (only ${methodMismatch.map((o) => `${o.method} ${o.path}`).join(', ')})`
              : 'no operation of the fixture matches this path (add it to scripts/extract-openapi.mjs if GitHub has it)',
          },
        ],
      });
      return send(errorReply(404, 'Not Found', 'https://docs.github.com/rest'));
    }

    // --- validate the request against the description
    const allowUnknown = this.options.allowUnknownParameters ?? false;
    const checked = this.spec.checkParameters(op, match.rawParams, url.searchParams, allowUnknown);
    let body: unknown;
    const bodyErrors: SchemaError[] = [];
    let badJson = false;
    const isUpload = op.requestBody?.content['application/octet-stream'] !== undefined;
    if (isUpload) {
      body = rawBody;
      record.body = rawBody.length;
      if (!req.headers['content-type']) bodyErrors.push({ path: 'headers.content-type', message: 'Content-Type is required for an upload' });
    } else if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody.toString('utf8'));
        record.body = body;
      } catch {
        badJson = true;
        bodyErrors.push({ path: 'body', message: 'body is not valid JSON' });
      }
    }
    if (!isUpload && !badJson) bodyErrors.push(...this.spec.checkJsonBody(op, body, allowUnknown));
    const requestErrors = [...checked.pathErrors, ...checked.queryErrors, ...bodyErrors];
    if (requestErrors.length) {
      this.violation({ kind: 'request', method, path: url.pathname, operationId: op.operationId, errors: requestErrors });
    }

    const docs = op.documentationUrl ?? 'https://docs.github.com/rest';

    // --- injected failures
    if (failure) {
      record.injected = true;
      return send(this.injectedReply(failure.spec, docs));
    }

    // --- authentication, rate limit
    if (token.rejected) return send(errorReply(401, 'Bad credentials', 'https://docs.github.com/rest'));
    if (token.exceeded) {
      const who = token.token ? `${token.token.installation ? 'installation' : 'user'} ID ${this.user(token.token.login).id}` : '127.0.0.1';
      return send(errorReply(403, `API rate limit exceeded for ${who}. If you reach out to GitHub Support for help, please include the request ID ${randomUUID()}.`, RATE_LIMIT_DOCS));
    }
    const write = method !== 'GET' && method !== 'HEAD';

    // --- GitHub's order: malformed JSON 400, unknown path entity 404, permission 403, validation 422
    if (badJson) return send(errorReply(400, 'Problems parsing JSON', docs));
    if (checked.pathErrors.length) return send(errorReply(404, 'Not Found', docs));

    let repo: RepoState | undefined;
    if ('owner' in match.rawParams && 'repo' in match.rawParams) {
      repo = this.findRepo(`${match.rawParams.owner}/${match.rawParams.repo}`);
      if (!repo || (repo.private && !token.token)) return send(errorReply(404, 'Not Found', docs));
    }
    if (write && !token.token) return send(errorReply(401, 'Requires authentication', docs));
    if (write && token.token?.readOnly) return send(errorReply(403, 'Resource not accessible by integration', docs));

    if (checked.queryErrors.length || bodyErrors.length) {
      const missing = bodyErrors.find((e) => e.message === 'required property is missing' || e.message === 'request body is required');
      const message = missing
        ? `Invalid request.\n\n"${missing.path.replace(/^body\.?/, '') || 'body'}" wasn't supplied.`
        : `Invalid request.\n\n${formatErrors([...checked.queryErrors, ...bodyErrors], 3)}`;
      return send(errorReply(422, message, docs));
    }

    const ctx: Ctx = {
      op,
      params: checked.params,
      query: checked.query,
      body,
      rawBody,
      headers: req.headers,
      url,
      login: token.token?.login ?? null,
      token: token.token,
      repo: repo as RepoState,
      canPush: !!token.token && !token.token.readOnly,
    };
    const handler = this.handlers[op.operationId];
    if (!handler) throw new Error(`no handler for ${op.operationId}`);
    let reply: Reply;
    try {
      reply = handler(ctx);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      reply = { status: err.status, body: { ...err.body, documentation_url: err.body.documentation_url ?? docs, status: String(err.status) }, headers: err.headers };
    }
    return send(reply);
  }

  private injectedReply(spec: FailureSpec, docs: string): Reply {
    const headers: Record<string, string> = {};
    if (spec.retryAfter !== undefined) headers['retry-after'] = String(spec.retryAfter);
    if (spec.secondaryRateLimit) {
      return {
        ...errorReply(
          spec.status ?? 403,
          spec.message ??
            `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${randomUUID().toUpperCase()}.`,
          SECONDARY_RATE_LIMIT_DOCS,
        ),
        headers,
      };
    }
    if (spec.rateLimit) {
      const reset = Math.floor(Date.now() / 1000) + (spec.retryAfter ?? 1);
      return {
        ...errorReply(spec.status ?? 403, spec.message ?? `API rate limit exceeded for installation ID 1. If you reach out to GitHub Support for help, please include the request ID ${randomUUID()}.`, RATE_LIMIT_DOCS),
        headers: { ...headers, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'x-ratelimit-used': '5000', 'x-ratelimit-limit': '5000' },
      };
    }
    const status = spec.status ?? 500;
    const defaults: Record<number, string> = {
      401: 'Bad credentials',
      403: 'Resource not accessible by integration',
      404: 'Not Found',
      409: 'Conflict',
      422: 'Validation Failed',
      500: 'Server Error',
      502: 'Server Error',
      503: 'Service Unavailable',
    };
    return { ...errorReply(status, spec.message ?? defaults[status] ?? 'Error', status >= 500 ? 'https://docs.github.com/rest' : docs), headers };
  }

  private identify(headers: IncomingHttpHeaders): { token: Required<TokenInfo> | null; rejected: boolean; exceeded: boolean; rateHeaders: Record<string, string> } {
    const auth = headers.authorization;
    let raw: string | undefined;
    if (auth) {
      const m = /^(?:token|bearer)\s+(\S+)$/i.exec(auth);
      if (m) raw = m[1];
      else {
        const b = /^basic\s+(\S+)$/i.exec(auth);
        if (b) raw = Buffer.from(b[1]!, 'base64').toString('utf8').split(':').pop();
      }
    }
    let token: Required<TokenInfo> | null = null;
    let rejected = false;
    let key = 'anonymous';
    if (auth !== undefined) {
      token = raw !== undefined ? (this.tokens.get(raw) ?? null) : null;
      key = raw ?? 'invalid';
      if (!token) {
        if ((this.options.unknownTokens ?? 'default') === 'default' && raw !== undefined) token = this.tokens.get(DEFAULT_TOKEN)!;
        else rejected = true;
      }
    }
    const limit = token ? token.rateLimit : 60;
    const nowSec = Math.floor(Date.now() / 1000);
    let usage = this.rateUsage.get(key);
    if (!usage || usage.reset <= nowSec) {
      usage = { used: 0, reset: nowSec + 3600 };
      this.rateUsage.set(key, usage);
    }
    const exceeded = usage.used >= limit;
    if (!exceeded) usage.used++;
    return {
      token,
      rejected,
      exceeded,
      rateHeaders: {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(Math.max(0, limit - usage.used)),
        'x-ratelimit-reset': String(usage.reset),
        'x-ratelimit-used': String(usage.used),
        'x-ratelimit-resource': 'core',
      },
    };
  }

  private send(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, op: SpecOperation | undefined, reply: Reply, rateHeaders: Record<string, string>): void {
    record.status = reply.status;
    const headers: Record<string, string> = {
      'x-github-api-version-selected': str(req.headers['x-github-api-version'] ?? '2022-11-28'),
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': randomUUID().toUpperCase().slice(0, 23),
      ...rateHeaders,
      ...(reply.headers ?? {}),
    };
    let payload: Buffer | undefined;
    if (reply.raw) {
      payload = reply.raw;
      headers['content-type'] = reply.contentType ?? 'application/octet-stream';
    } else if (reply.body !== undefined) {
      payload = Buffer.from(JSON.stringify(reply.body));
      headers['content-type'] = reply.contentType ?? 'application/json; charset=utf-8';
    }
    if (op && !reply.raw) {
      const errors = this.spec.checkResponse(op, reply.status, headers['content-type'], reply.body);
      if (errors.length) {
        this.violation({ kind: 'response', method: record.method, path: record.path, operationId: op.operationId, status: reply.status, errors });
      }
    }
    if (payload) headers['content-length'] = String(payload.length);
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  // ---------------------------------------------------------------- HTTP: web / storage server

  private handleWeb(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.webUrl);
    const entry: WebRequest = { method: req.method ?? 'GET', path: url.pathname, status: 404, authorization: req.headers.authorization !== undefined };
    this.webRequests.push(entry);
    const done = (status: number, headers: Record<string, string>, body?: Buffer | string) => {
      entry.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    req.resume();
    // Signed storage URL (the 302 target of an API asset download).
    let m = /^\/_objects\/release-assets\/(\d+)$/.exec(url.pathname);
    if (m) {
      const grant = this.downloadTokens.get(url.searchParams.get('token') ?? '');
      if (!grant || grant.assetId !== Number(m[1])) return done(403, { 'content-type': 'application/xml' }, '<Error><Code>AccessDenied</Code></Error>');
      if (req.headers.authorization) {
        return done(400, { 'content-type': 'application/xml' }, '<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>');
      }
      const asset = this.findRepo(grant.repo)?.releases.flatMap((r) => r.assets).find((a) => a.id === grant.assetId);
      if (!asset) return done(404, { 'content-type': 'text/plain' }, 'Not Found');
      return done(200, { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename=${asset.name}`, 'content-length': String(asset.data.length) }, asset.data);
    }
    // browser_download_url: github.com/{owner}/{repo}/releases/download/{tag}/{name}
    m = /^\/([^/]+)\/([^/]+)\/releases\/download\/(.+)\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const repo = this.findRepo(`${safeDecode(m[1]!)}/${safeDecode(m[2]!)}`);
      const release = repo?.releases.find((r) => !r.draft && r.tagName === safeDecode(m![3]!));
      const asset = release?.assets.find((a) => a.name === safeDecode(m![4]!) && a.state === 'uploaded');
      if (!repo || repo.private || !asset) return done(404, { 'content-type': 'text/plain' }, 'Not Found');
      asset.downloadCount++;
      return done(302, { location: this.signedAssetUrl(repo, asset) });
    }
    done(404, { 'content-type': 'text/plain' }, 'Not Found');
  }

  private signedAssetUrl(repo: RepoState, asset: AssetState): string {
    const token = randomBytes(16).toString('hex');
    this.downloadTokens.set(token, { repo: repo.fullName, assetId: asset.id });
    return `${this.webUrl}/_objects/release-assets/${asset.id}?token=${token}&response-content-disposition=attachment`;
  }

  // ---------------------------------------------------------------- handlers

  private paginate<T>(ctx: Ctx, items: T[]): { items: T[]; headers: Record<string, string> } {
    const requested = typeof ctx.query.per_page === 'number' ? ctx.query.per_page : 30;
    const perPage = Math.min(Math.max(requested, 1), 100);
    const page = typeof ctx.query.page === 'number' && ctx.query.page >= 1 ? Math.floor(ctx.query.page) : 1;
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number, rel: string) => {
      const u = new URL(ctx.url.pathname + ctx.url.search, this.url);
      u.searchParams.set('page', String(p));
      return `<${u.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    return { items: slice, headers: links.length ? { link: links.join(', ') } : {} };
  }

  private buildHandlers(): Record<string, Handler> {
    const r = this.render;
    const ok = (body: unknown, headers?: Record<string, string>): Reply => ({ status: 200, body, ...(headers ? { headers } : {}) });
    const created = (body: unknown, location?: string): Reply => ({ status: 201, body, ...(location ? { headers: { location } } : {}) });
    const noContent = (): Reply => ({ status: 204 });
    const list = <T>(ctx: Ctx, items: T[], render: (t: T) => unknown): Reply => {
      const page = this.paginate(ctx, items);
      return ok(page.items.map(render), page.headers);
    };
    const num = (v: unknown) => Number(v);
    const findRelease = (ctx: Ctx, id: number): ReleaseState => {
      const release = ctx.repo.releases.find((x) => x.id === id);
      if (!release || (release.draft && !ctx.canPush)) throw notFound();
      return release;
    };
    const findAsset = (ctx: Ctx, id: number): { release: ReleaseState; asset: AssetState } => {
      for (const release of ctx.repo.releases) {
        const asset = release.assets.find((a) => a.id === id);
        if (asset && (!release.draft || ctx.canPush)) return { release, asset };
      }
      throw notFound();
    };
    const findIssue = (ctx: Ctx, n: number): IssueState => {
      const issue = ctx.repo.issues.get(n);
      if (!issue) throw notFound();
      return issue;
    };
    const findPull = (ctx: Ctx, n: number): IssueState => {
      const issue = ctx.repo.issues.get(n);
      if (!issue?.pull) throw notFound();
      return issue;
    };
    const checkBodyLength = (resource: string, text: unknown) => {
      if (typeof text === 'string' && text.length > BODY_LIMIT) {
        throw validationFailed([{ resource, code: 'custom', field: 'body', message: `body is too long (maximum is ${BODY_LIMIT} characters)` }]);
      }
    };
    const visibleReleases = (ctx: Ctx) =>
      ctx.repo.releases
        .filter((x) => !x.draft || ctx.canPush)
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id - a.id));
    const pullSimple = (ctx: Ctx, issue: IssueState) => r.pullSimple((n) => this.findRepo(n), ctx.repo, issue, this.openIssues);
    const pullFull = (ctx: Ctx, issue: IssueState) => r.pull((n) => this.findRepo(n), ctx.repo, issue, this.openIssues, this.commentCount(ctx.repo, issue.number));
    const byNewest = <T extends { createdAt: string; id: number }>(a: T, b: T) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id - a.id);
    const labelNames = (labels: unknown): string[] =>
      Array.isArray(labels) ? labels.map((l) => (typeof l === 'string' ? l : str((l as { name?: string }).name ?? ''))).filter(Boolean) : [];

    return {
      // ------------------------------------------------------------ repos, users
      'repos/get': (ctx) => ok(r.fullRepository(ctx.repo, this.openIssues(ctx.repo), ctx.canPush)),
      'users/get-authenticated': (ctx) => {
        if (!ctx.token) throw new HttpError(401, { message: 'Requires authentication' });
        if (ctx.token.installation) throw new HttpError(403, { message: 'Resource not accessible by integration' });
        return ok(r.privateUser(ctx.token.login));
      },

      // ------------------------------------------------------------ git refs
      'git/get-ref': (ctx) => {
        const ref = `refs/${str(ctx.params.ref)}`;
        const sha = ctx.repo.refs.get(ref);
        if (!sha) throw notFound();
        return ok(r.gitRef(ctx.repo, ref, sha));
      },
      'git/list-matching-refs': (ctx) => {
        const prefix = `refs/${str(ctx.params.ref)}`;
        const refs = [...ctx.repo.refs.entries()].filter(([name]) => name.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1));
        return ok(refs.map(([name, sha]) => r.gitRef(ctx.repo, name, sha)));
      },
      'git/create-ref': (ctx) => {
        const ref = str(ctx.body.ref);
        const sha = str(ctx.body.sha);
        if (!ref.startsWith('refs/') || ref.split('/').length < 3 || ref.split('/').some((s) => s === '')) {
          throw unprocessable(`Reference name must start with 'refs/' and have at least two slashes.`);
        }
        if (!HEX40.test(sha)) throw unprocessable('Object does not exist');
        if (ctx.repo.refs.has(ref)) throw unprocessable('Reference already exists');
        ctx.repo.refs.set(ref, sha);
        const body = r.gitRef(ctx.repo, ref, sha);
        return created(body, body.url);
      },
      'git/update-ref': (ctx) => {
        const ref = `refs/${str(ctx.params.ref)}`;
        const sha = str(ctx.body.sha);
        const current = ctx.repo.refs.get(ref);
        if (!current) throw unprocessable('Reference does not exist');
        if (!HEX40.test(sha)) throw unprocessable('Object does not exist');
        if (ctx.body.force !== true && current !== sha && this.isAncestor(ctx.repo, current, sha) === false) {
          throw unprocessable('Update is not a fast forward');
        }
        ctx.repo.refs.set(ref, sha);
        return ok(r.gitRef(ctx.repo, ref, sha));
      },
      'git/delete-ref': (ctx) => {
        const ref = `refs/${str(ctx.params.ref)}`;
        if (!ctx.repo.refs.delete(ref)) throw unprocessable('Reference does not exist');
        return noContent();
      },

      // ------------------------------------------------------------ releases
      'repos/create-release': (ctx) => {
        const b = ctx.body;
        const tagName = str(b.tag_name);
        if (!tagName.trim()) throw validationFailed([{ resource: 'Release', code: 'missing_field', field: 'tag_name' }]);
        if (ctx.repo.releases.some((x) => x.tagName === tagName)) {
          throw validationFailed([{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);
        }
        checkBodyLength('Release', b.body);
        const draft = b.draft === true;
        const target = b.target_commitish !== undefined ? str(b.target_commitish) : ctx.repo.defaultBranch;
        if (!ctx.repo.refs.has(`refs/tags/${tagName}`) && !this.resolveRef(ctx.repo, target)) {
          throw validationFailed([{ resource: 'Release', code: 'invalid', field: 'target_commitish' }]);
        }
        let body: string | null = b.body !== undefined ? str(b.body) : null;
        if (b.generate_release_notes === true && !body) body = `**Full Changelog**: ${this.webUrl}/${ctx.repo.fullName}/commits/${tagName}`;
        const release = this.newRelease(ctx.repo, {
          tagName,
          targetCommitish: target,
          name: b.name !== undefined ? str(b.name) : null,
          body,
          draft,
          prerelease: b.prerelease === true,
          author: ctx.login!,
        });
        if (!draft) this.ensureTag(ctx.repo, release);
        const out = r.release(ctx.repo, release);
        return created(out, out.url);
      },
      'repos/update-release': (ctx) => {
        const release = findRelease(ctx, num(ctx.params.release_id));
        const b = ctx.body ?? {};
        if (b.tag_name !== undefined && str(b.tag_name) !== release.tagName) {
          if (ctx.repo.releases.some((x) => x !== release && x.tagName === str(b.tag_name))) {
            throw validationFailed([{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);
          }
          release.tagName = str(b.tag_name);
        }
        checkBodyLength('Release', b.body);
        if (b.target_commitish !== undefined) release.targetCommitish = str(b.target_commitish);
        if (b.name !== undefined) release.name = str(b.name);
        if (b.body !== undefined) release.body = str(b.body);
        if (b.prerelease !== undefined) release.prerelease = b.prerelease === true;
        if (b.draft === false && release.draft) {
          this.ensureTag(ctx.repo, release);
          release.draft = false;
          release.publishedAt = this.now();
        } else if (b.draft === true && !release.draft) {
          release.draft = true;
          release.publishedAt = null;
        }
        if (!release.draft) this.ensureTag(ctx.repo, release);
        release.updatedAt = this.now();
        return ok(r.release(ctx.repo, release));
      },
      'repos/delete-release': (ctx) => {
        const release = findRelease(ctx, num(ctx.params.release_id));
        ctx.repo.releases.splice(ctx.repo.releases.indexOf(release), 1);
        return noContent();
      },
      'repos/get-release': (ctx) => ok(r.release(ctx.repo, findRelease(ctx, num(ctx.params.release_id)))),
      'repos/get-release-by-tag': (ctx) => {
        const release = ctx.repo.releases.find((x) => !x.draft && x.tagName === str(ctx.params.tag));
        if (!release) throw notFound();
        return ok(r.release(ctx.repo, release));
      },
      'repos/list-releases': (ctx) => list(ctx, visibleReleases(ctx), (x) => r.release(ctx.repo, x)),
      'repos/upload-release-asset': (ctx) => {
        const release = findRelease(ctx, num(ctx.params.release_id));
        const name = normalizeAssetName(str(ctx.query.name));
        if (release.assets.some((a) => a.name === name)) {
          throw validationFailed([{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }]);
        }
        const asset = this.newAsset(name, ctx.rawBody, str(ctx.headers['content-type'] ?? 'application/octet-stream'), ctx.query.label !== undefined ? str(ctx.query.label) : null, ctx.login!);
        release.assets.push(asset);
        return created(r.asset(ctx.repo, release, asset));
      },
      'repos/list-release-assets': (ctx) => {
        const release = findRelease(ctx, num(ctx.params.release_id));
        return list(ctx, [...release.assets].sort((a, b) => a.id - b.id), (a) => r.asset(ctx.repo, release, a));
      },
      'repos/get-release-asset': (ctx) => {
        const { release, asset } = findAsset(ctx, num(ctx.params.asset_id));
        const accept = str(ctx.headers.accept ?? '');
        if (/application\/octet-stream/i.test(accept)) {
          if (asset.state !== 'uploaded') throw notFound();
          asset.downloadCount++;
          if ((this.options.assetDownload ?? 'redirect') === 'direct') {
            return { status: 200, raw: asset.data, contentType: 'application/octet-stream', headers: { 'content-disposition': `attachment; filename=${asset.name}` } };
          }
          return { status: 302, headers: { location: this.signedAssetUrl(ctx.repo, asset) } };
        }
        return ok(r.asset(ctx.repo, release, asset));
      },
      'repos/delete-release-asset': (ctx) => {
        const { release, asset } = findAsset(ctx, num(ctx.params.asset_id));
        release.assets.splice(release.assets.indexOf(asset), 1);
        return noContent();
      },

      // ------------------------------------------------------------ issues and comments
      'issues/create-comment': (ctx) => {
        const issue = findIssue(ctx, num(ctx.params.issue_number));
        const text = str(ctx.body.body);
        if (!text.trim()) throw validationFailed([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
        checkBodyLength('IssueComment', text);
        if (issue.locked) throw new HttpError(403, { message: 'Unable to create comment because issue is locked.' });
        const comment = this.addComment(ctx.repo.fullName, issue.number, text, { user: ctx.login! });
        issue.updatedAt = comment.createdAt;
        const out = r.comment(ctx.repo, comment);
        return created(out, out.url);
      },
      'issues/update-comment': (ctx) => {
        const comment = ctx.repo.comments.find((c) => c.id === num(ctx.params.comment_id));
        if (!comment) throw notFound();
        const text = str(ctx.body.body);
        if (!text.trim()) throw validationFailed([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
        checkBodyLength('IssueComment', text);
        comment.body = text;
        comment.updatedAt = this.now();
        return ok(r.comment(ctx.repo, comment));
      },
      'issues/delete-comment': (ctx) => {
        const i = ctx.repo.comments.findIndex((c) => c.id === num(ctx.params.comment_id));
        if (i < 0) throw notFound();
        ctx.repo.comments.splice(i, 1);
        return noContent();
      },
      'issues/list-comments': (ctx) => {
        const issue = findIssue(ctx, num(ctx.params.issue_number));
        const since = ctx.query.since !== undefined ? Date.parse(str(ctx.query.since)) : undefined;
        const comments = ctx.repo.comments
          .filter((c) => c.issueNumber === issue.number && (since === undefined || Date.parse(c.updatedAt) >= since))
          .sort((a, b) => a.id - b.id);
        return list(ctx, comments, (c) => r.comment(ctx.repo, c));
      },
      'issues/create': (ctx) => {
        if (!ctx.repo.hasIssues) throw new HttpError(410, { message: 'Issues are disabled for this repo' });
        const b = ctx.body;
        checkBodyLength('Issue', b.body);
        const assignees: string[] = [...(Array.isArray(b.assignees) ? b.assignees.map(str) : []), ...(b.assignee ? [str(b.assignee)] : [])];
        const issue = this.newIssue(ctx.repo, { title: str(b.title), body: b.body !== undefined ? str(b.body) : null, user: ctx.login!, labels: labelNames(b.labels), assignees });
        const out = r.issue(ctx.repo, issue, 0);
        return created(out, out.url);
      },
      'issues/update': (ctx) => {
        const issue = findIssue(ctx, num(ctx.params.issue_number));
        const b = ctx.body ?? {};
        checkBodyLength('Issue', b.body);
        if (b.title !== undefined && b.title !== null) issue.title = str(b.title);
        if (b.body !== undefined) issue.body = b.body === null ? null : str(b.body);
        if (b.labels !== undefined) issue.labels = labelNames(b.labels).map((l) => this.label(ctx.repo, l).name);
        if (Array.isArray(b.assignees)) issue.assignees = b.assignees.map((a: unknown) => (typeof a === 'string' ? a : str((a as { login?: string }).login)));
        if (b.state === 'open' || b.state === 'closed') this.setIssueState(issue, b.state, b.state_reason ?? null, ctx.login!);
        issue.updatedAt = this.now();
        return ok(r.issue(ctx.repo, issue, this.commentCount(ctx.repo, issue.number)));
      },
      'issues/get': (ctx) => {
        const issue = findIssue(ctx, num(ctx.params.issue_number));
        return ok(r.issue(ctx.repo, issue, this.commentCount(ctx.repo, issue.number)));
      },
      'issues/list-for-repo': (ctx) => {
        const q = ctx.query;
        const state = str(q.state ?? 'open');
        const labels = q.labels !== undefined ? str(q.labels).split(',').map((l) => l.trim().toLowerCase()).filter(Boolean) : [];
        const since = q.since !== undefined ? Date.parse(str(q.since)) : undefined;
        const sort = str(q.sort ?? 'created');
        const asc = q.direction === 'asc';
        const key = (i: IssueState) => (sort === 'updated' ? i.updatedAt : sort === 'comments' ? String(this.commentCount(ctx.repo, i.number)).padStart(9, '0') : i.createdAt);
        const issues = [...ctx.repo.issues.values()]
          .filter((i) => state === 'all' || i.state === state)
          .filter((i) => labels.every((l) => i.labels.some((x) => x.toLowerCase() === l)))
          .filter((i) => q.creator === undefined || i.user === q.creator)
          .filter((i) => q.assignee === undefined || (q.assignee === 'none' ? i.assignees.length === 0 : q.assignee === '*' ? i.assignees.length > 0 : i.assignees.includes(str(q.assignee))))
          .filter((i) => since === undefined || Date.parse(i.updatedAt) >= since)
          .sort((a, b) => {
            const c = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.number - b.number;
            return asc ? c : -c;
          });
        return list(ctx, issues, (i) => r.issue(ctx.repo, i, this.commentCount(ctx.repo, i.number)));
      },

      // ------------------------------------------------------------ pull requests
      'pulls/get': (ctx) => ok(pullFull(ctx, findPull(ctx, num(ctx.params.pull_number)))),
      'pulls/list': (ctx) => {
        const q = ctx.query;
        const state = str(q.state ?? 'open');
        const sort = str(q.sort ?? 'created');
        const asc = q.direction !== undefined ? q.direction === 'asc' : sort !== 'created';
        let headOwner: string | undefined;
        let headRef: string | undefined;
        if (q.head !== undefined) {
          const h = str(q.head);
          const i = h.indexOf(':');
          [headOwner, headRef] = i >= 0 ? [h.slice(0, i), h.slice(i + 1)] : [h, undefined];
        }
        const pulls = [...ctx.repo.issues.values()]
          .filter((i) => i.pull && (state === 'all' || i.state === state))
          .filter((i) => q.base === undefined || i.pull!.base.ref === q.base)
          .filter((i) => {
            if (headOwner === undefined) return true;
            const headRepo = this.findRepo(i.pull!.head.repo);
            return headRepo?.owner.toLowerCase() === headOwner.toLowerCase() && (headRef === undefined || i.pull!.head.ref === headRef);
          })
          .sort((a, b) => {
            const ka = sort === 'updated' ? a.updatedAt : a.createdAt;
            const kb = sort === 'updated' ? b.updatedAt : b.createdAt;
            const c = ka < kb ? -1 : ka > kb ? 1 : a.number - b.number;
            return asc ? c : -c;
          });
        return list(ctx, pulls, (i) => pullSimple(ctx, i));
      },
      'pulls/create': (ctx) => {
        const b = ctx.body;
        const base = str(b.base);
        let head = str(b.head);
        let headRepo = ctx.repo;
        if (head.includes(':')) {
          const [owner, ref] = [head.slice(0, head.indexOf(':')), head.slice(head.indexOf(':') + 1)];
          head = ref;
          if (owner.toLowerCase() !== ctx.repo.owner.toLowerCase()) {
            const fork = [...this.repos.values()].find((x) => x.owner.toLowerCase() === owner.toLowerCase() && x.name.toLowerCase() === ctx.repo.name.toLowerCase());
            if (!fork) throw validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
            headRepo = fork;
          }
        }
        if (b.title === undefined && b.issue === undefined) throw validationFailed([{ resource: 'PullRequest', code: 'missing_field', field: 'title' }]);
        checkBodyLength('PullRequest', b.body);
        const baseSha = ctx.repo.refs.get(`refs/heads/${base}`);
        if (!baseSha) throw validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
        const headSha = headRepo.refs.get(`refs/heads/${head}`);
        if (!headSha) throw validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
        if (headRepo === ctx.repo && (head === base || headSha === baseSha)) {
          throw validationFailed([{ resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` }]);
        }
        const dup = [...ctx.repo.issues.values()].find((i) => i.pull && i.state === 'open' && i.pull.head.ref === head && i.pull.base.ref === base && i.pull.head.repo === headRepo.fullName);
        if (dup) throw validationFailed([{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${headRepo.owner}:${head}.` }]);
        const issue = this.addPull(ctx.repo.fullName, {
          head,
          headSha,
          headRepo: headRepo.fullName,
          base,
          title: b.title !== undefined ? str(b.title) : `Issue #${b.issue}`,
          body: b.body !== undefined ? str(b.body) : null,
          user: ctx.login!,
          draft: b.draft === true,
        });
        if (b.maintainer_can_modify !== undefined) issue.pull!.maintainerCanModify = b.maintainer_can_modify === true;
        const out = pullFull(ctx, issue);
        return created(out, out.url);
      },
      'repos/list-pull-requests-associated-with-commit': (ctx) => {
        const sha = str(ctx.params.commit_sha);
        const explicit = ctx.repo.commitPulls.get(sha) ?? [];
        const pulls = [...ctx.repo.issues.values()]
          .filter((i) => i.pull && (explicit.includes(i.number) || i.pull.head.sha === sha || i.pull.commits.includes(sha) || (i.pull.merged && i.pull.mergeCommitSha === sha)))
          .sort((a, b) => b.number - a.number);
        return list(ctx, pulls, (i) => pullSimple(ctx, i));
      },

      // ------------------------------------------------------------ checks
      'checks/create': (ctx) => {
        if (!ctx.token?.installation) throw new HttpError(403, { message: 'You must authenticate via a GitHub App.' });
        const b = ctx.body;
        const headSha = str(b.head_sha);
        if (!HEX40.test(headSha)) throw unprocessable(`No commit found for SHA: ${headSha}`);
        const id = this.nextId();
        const run: CheckRunState = {
          id,
          nodeId: nodeId('CR', id),
          name: str(b.name),
          headSha,
          status: 'queued',
          conclusion: null,
          startedAt: b.started_at !== undefined ? str(b.started_at) : this.now(),
          completedAt: null,
          externalId: b.external_id !== undefined ? str(b.external_id) : null,
          detailsUrl: b.details_url !== undefined ? str(b.details_url) : null,
          output: { title: null, summary: null, text: null, annotations: [], images: [] },
          actions: [],
          checkSuiteId: 5000000 + (Number.parseInt(headSha.slice(0, 6), 16) % 1000000),
          creator: ctx.login!,
        };
        applyCheckRunUpdate(run, b, this.now());
        ctx.repo.checkRuns.push(run);
        const out = r.checkRun(ctx.repo, run);
        return created(out);
      },
      'checks/update': (ctx) => {
        const run = ctx.repo.checkRuns.find((c) => c.id === num(ctx.params.check_run_id));
        if (!run) throw notFound();
        if (!ctx.token?.installation) throw new HttpError(403, { message: 'You must authenticate via a GitHub App.' });
        applyCheckRunUpdate(run, ctx.body ?? {}, this.now());
        return ok(r.checkRun(ctx.repo, run));
      },
      'checks/list-for-ref': (ctx) => {
        const ref = str(ctx.params.ref);
        const sha = this.resolveRef(ctx.repo, ref);
        if (!sha) throw unprocessable(`No commit found for SHA: ${ref}`);
        const q = ctx.query;
        let runs = ctx.repo.checkRuns
          .filter((c) => c.headSha === sha)
          .filter((c) => q.check_name === undefined || c.name === q.check_name)
          .filter((c) => q.status === undefined || c.status === q.status)
          .filter((c) => q.app_id === undefined || q.app_id === GITHUB_ACTIONS_APP_ID)
          .sort((a, b) => b.id - a.id);
        if ((q.filter ?? 'latest') === 'latest') {
          const seen = new Set<string>();
          runs = runs.filter((c) => (seen.has(c.name) ? false : (seen.add(c.name), true)));
        }
        const page = this.paginate(ctx, runs);
        return ok({ total_count: runs.length, check_runs: page.items.map((c) => r.checkRun(ctx.repo, c)) }, page.headers);
      },

      // ------------------------------------------------------------ deployments
      'repos/create-deployment': (ctx) => {
        const b = ctx.body;
        const ref = str(b.ref);
        const sha = this.resolveRef(ctx.repo, ref);
        if (!sha) throw unprocessable(`No ref found for: ${ref}`);
        const environment = b.environment !== undefined ? str(b.environment) : 'production';
        const id = this.nextId();
        const now = this.now();
        let payload: Record<string, unknown> | string = {};
        if (typeof b.payload === 'string') {
          try {
            payload = JSON.parse(b.payload) as Record<string, unknown>;
          } catch {
            payload = b.payload;
          }
        } else if (b.payload && typeof b.payload === 'object') payload = b.payload as Record<string, unknown>;
        const d: DeploymentState = {
          id,
          nodeId: nodeId('DE', id),
          sha,
          ref,
          task: b.task !== undefined ? str(b.task) : 'deploy',
          payload,
          environment,
          originalEnvironment: environment,
          description: b.description ?? null,
          creator: ctx.login!,
          createdAt: now,
          updatedAt: now,
          transientEnvironment: b.transient_environment === true,
          productionEnvironment: b.production_environment ?? environment === 'production',
          statuses: [],
        };
        ctx.repo.deployments.push(d);
        const out = r.deployment(ctx.repo, d);
        return created(out, out.url);
      },
      'repos/list-deployments': (ctx) => {
        const q = ctx.query;
        const deployments = ctx.repo.deployments
          .filter((d) => q.sha === undefined || d.sha === q.sha)
          .filter((d) => q.ref === undefined || d.ref === q.ref)
          .filter((d) => q.task === undefined || d.task === q.task)
          .filter((d) => q.environment === undefined || q.environment === null || d.environment === q.environment)
          .sort(byNewest);
        return list(ctx, deployments, (d) => r.deployment(ctx.repo, d));
      },
      'repos/create-deployment-status': (ctx) => {
        const d = ctx.repo.deployments.find((x) => x.id === num(ctx.params.deployment_id));
        if (!d) throw notFound();
        const b = ctx.body;
        const id = this.nextId();
        const now = this.now();
        if (b.environment !== undefined) d.environment = str(b.environment);
        const logUrl = str(b.log_url ?? b.target_url ?? '');
        const status = {
          id,
          nodeId: nodeId('DES', id),
          state: str(b.state),
          creator: ctx.login!,
          description: str(b.description ?? ''),
          environment: d.environment,
          targetUrl: str(b.target_url ?? logUrl),
          logUrl,
          environmentUrl: str(b.environment_url ?? ''),
          createdAt: now,
          updatedAt: now,
        };
        d.statuses.push(status);
        d.updatedAt = now;
        if (status.state === 'success' && b.auto_inactive !== false) {
          for (const other of ctx.repo.deployments) {
            if (other === d || other.environment !== d.environment || other.transientEnvironment || other.productionEnvironment) continue;
            const latest = other.statuses.at(-1);
            if (!latest || latest.state === 'inactive') continue;
            const sid = this.nextId();
            other.statuses.push({ ...status, id: sid, nodeId: nodeId('DES', sid), state: 'inactive', environment: other.environment, description: '' });
          }
        }
        const out = r.deploymentStatus(ctx.repo, d, status);
        return created(out, out.url);
      },
      'repos/list-deployment-statuses': (ctx) => {
        const d = ctx.repo.deployments.find((x) => x.id === num(ctx.params.deployment_id));
        if (!d) throw notFound();
        return list(ctx, [...d.statuses].sort(byNewest), (s) => r.deploymentStatus(ctx.repo, d, s));
      },

      // ------------------------------------------------------------ actions
      'actions/create-workflow-dispatch': (ctx) => {
        const workflowId = str(ctx.params.workflow_id);
        if (ctx.repo.workflows && !ctx.repo.workflows.includes(workflowId)) throw notFound();
        const ref = str(ctx.body.ref);
        const sha = this.resolveRef(ctx.repo, ref.replace(/^refs\/(heads|tags)\//, ''));
        if (!sha || HEX40.test(ref)) throw unprocessable(`No ref found for: ${ref}`);
        const runId = this.nextId();
        ctx.repo.workflowDispatches.push({ workflowId, ref, inputs: (ctx.body.inputs ?? {}) as Record<string, unknown>, actor: ctx.login!, createdAt: this.now(), runId });
        if (ctx.body.return_run_details === true) {
          return ok({ workflow_run_id: runId, run_url: `${this.url}/repos/${ctx.repo.fullName}/actions/runs/${runId}`, html_url: `${this.webUrl}/${ctx.repo.fullName}/actions/runs/${runId}` });
        }
        return noContent();
      },

      // ------------------------------------------------------------ contents
      'repos/get-content': (ctx) => {
        const ref = ctx.query.ref !== undefined ? str(ctx.query.ref) : ctx.repo.defaultBranch;
        const sha = this.resolveRef(ctx.repo, ref);
        if (!sha) throw notFound(`No commit found for the ref ${ref}`);
        const files = ctx.repo.commits.get(sha)?.files ?? new Map<string, Buffer>();
        const path = str(ctx.params.path).replace(/^\/+|\/+$/g, '');
        const data = files.get(path);
        if (data) {
          if (/application\/vnd\.github(\.v3)?\.raw/i.test(str(ctx.headers.accept ?? ''))) {
            return { status: 200, raw: data, contentType: 'application/vnd.github.raw; charset=utf-8' };
          }
          return ok(r.contentFile(ctx.repo, path, ref, data));
        }
        const prefix = `${path}/`;
        const entries = new Map<string, ReturnType<typeof r.contentDirEntry>>();
        for (const [p, d] of files) {
          if (!p.startsWith(prefix)) continue;
          const rest = p.slice(prefix.length);
          const slash = rest.indexOf('/');
          const name = slash < 0 ? rest : rest.slice(0, slash);
          if (!entries.has(name)) entries.set(name, slash < 0 ? r.contentDirEntry(ctx.repo, prefix + name, ref, 'file', d) : r.contentDirEntry(ctx.repo, prefix + name, ref, 'dir'));
        }
        if (entries.size === 0) throw notFound();
        return ok([...entries.values()].sort((a, b) => (a.name < b.name ? -1 : 1)));
      },
      'repos/create-or-update-file-contents': (ctx) => {
        const b = ctx.body;
        const path = str(ctx.params.path).replace(/^\/+|\/+$/g, '');
        const branch = b.branch !== undefined ? str(b.branch) : ctx.repo.defaultBranch;
        const parent = ctx.repo.refs.get(`refs/heads/${branch}`);
        if (!parent) throw notFound(`Branch ${branch} not found`);
        const content = str(b.content);
        if (!/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(content)) throw unprocessable('content is not valid Base64');
        const data = Buffer.from(content, 'base64');
        const files = new Map(ctx.repo.commits.get(parent)?.files);
        const existing = files.get(path);
        if (existing) {
          const currentSha = createHash('sha1').update(`blob ${existing.length}\0`).update(existing).digest('hex');
          if (b.sha === undefined) throw unprocessable(`Invalid request.\n\n"sha" wasn't supplied.`);
          if (str(b.sha) !== currentSha) throw new HttpError(409, { message: `${path} does not match ${str(b.sha)}` });
        }
        files.set(path, data);
        const commit = this.addCommit(ctx.repo.fullName, { parents: [parent], files, branch, message: str(b.message) });
        if (b.committer?.name) commit.author = { name: str(b.committer.name), email: str(b.committer.email), date: commit.author.date };
        if (b.author?.name) commit.author = { name: str(b.author.name), email: str(b.author.email), date: commit.author.date };
        ctx.repo.pushedAt = this.now();
        return { status: existing ? 200 : 201, body: r.fileCommit(ctx.repo, path, branch, data, commit) };
      },
    };
  }
}

function applyCheckRunUpdate(run: CheckRunState, b: Record<string, any>, now: string): void {
  if (b.name !== undefined) run.name = String(b.name);
  if (b.details_url !== undefined) run.detailsUrl = String(b.details_url);
  if (b.external_id !== undefined) run.externalId = String(b.external_id);
  if (b.started_at !== undefined) run.startedAt = String(b.started_at);
  if (b.status !== undefined) run.status = String(b.status);
  if (b.conclusion !== undefined && b.conclusion !== null) {
    run.conclusion = String(b.conclusion);
    run.status = 'completed';
  }
  if (b.completed_at !== undefined) run.completedAt = String(b.completed_at);
  if (run.status === 'completed') {
    if (!run.conclusion) throw unprocessable('Invalid request.\n\nWhen status is completed, conclusion is required.');
    run.completedAt ??= now;
  }
  if (b.output) {
    if (b.output.title !== undefined) run.output.title = String(b.output.title);
    if (b.output.summary !== undefined) run.output.summary = String(b.output.summary);
    if (b.output.text !== undefined) run.output.text = String(b.output.text);
    if (Array.isArray(b.output.annotations)) run.output.annotations.push(...b.output.annotations);
    if (Array.isArray(b.output.images)) run.output.images.push(...b.output.images);
  }
  if (Array.isArray(b.actions)) run.actions = b.actions;
}

function errorReply(status: number, message: string, documentationUrl: string): Reply {
  return { status, body: { message, documentation_url: documentationUrl, status: String(status) } };
}

function notFound(message = 'Not Found'): HttpError {
  return new HttpError(404, { message });
}

function unprocessable(message: string): HttpError {
  return new HttpError(422, { message });
}

function validationFailed(errors: Array<Record<string, string>>): HttpError {
  return new HttpError(422, { message: 'Validation Failed', errors });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Reads the request body; with `limit`, stops (and returns) once at least `limit` bytes arrived. */
function readBody(req: IncomingMessage, limit?: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    };
    if (limit !== undefined && limit <= 0) return finish();
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      chunks.push(chunk);
      size += chunk.length;
      if (limit !== undefined && size >= limit) {
        req.pause();
        finish();
      }
    });
    req.on('end', finish);
    req.on('error', (err) => (done ? undefined : reject(err)));
    req.on('close', finish);
  });
}

/** Starts a fake GitHub on 127.0.0.1 (random ports). Remember `await fake.close()`. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fake = new FakeGitHub(options);
  await fake.listen();
  return fake;
}
