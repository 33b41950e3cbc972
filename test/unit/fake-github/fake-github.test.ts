import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BOT_LOGIN,
  DEFAULT_TOKEN,
  READ_ONLY_TOKEN,
  USER_TOKEN,
  startFakeGitHub,
  type FakeGitHub,
} from '../../fake-github/server';

const OWNER = 'octo-org';
const REPO = 'models';
const FULL = `${OWNER}/${REPO}`;

const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

let fake: FakeGitHub;

function octokit(token = DEFAULT_TOKEN): Octokit {
  return new Octokit({ baseUrl: fake.url, auth: token, log: SILENT });
}

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    return (err as { status: number }).status;
  }
}

interface RequestFailure {
  status: number;
  message: string;
  response: { headers: Record<string, string | undefined>; data: unknown };
}

/** The RequestError of a call that must fail. */
async function failure(p: Promise<unknown>): Promise<RequestFailure> {
  try {
    await p;
  } catch (err) {
    return err as RequestFailure;
  }
  throw new Error('expected the request to fail');
}

beforeEach(async () => {
  fake = await startFakeGitHub();
  fake.addRepo({ owner: OWNER, name: REPO, files: { 'README.md': '# models\n' } });
});

afterEach(async () => {
  try {
    fake.assertNoViolations();
  } finally {
    await fake.close();
  }
});

describe('fake GitHub: basics', () => {
  it('serves repos/get and users/get-authenticated with GitHub-shaped, schema-valid bodies', async () => {
    const { data: repo, headers } = await octokit().rest.repos.get({ owner: OWNER, repo: REPO });
    expect(repo.full_name).toBe(FULL);
    expect(repo.default_branch).toBe('main');
    expect(headers['x-ratelimit-limit']).toBe('1000');
    expect(headers['content-type']).toBe('application/json; charset=utf-8');

    // An installation token (GITHUB_TOKEN) cannot read /user, like on GitHub; a PAT can.
    expect(await status(octokit().rest.users.getAuthenticated())).toBe(403);
    const { data: me } = await octokit(USER_TOKEN).rest.users.getAuthenticated();
    expect(me.login).toBe('octocat');

    // Unknown repository → 404
    expect(await status(octokit().rest.repos.get({ owner: OWNER, repo: 'nope' }))).toBe(404);
    expect(fake.requests.map((r) => [r.operationId, r.status])).toEqual([
      ['repos/get', 200],
      ['users/get-authenticated', 403],
      ['users/get-authenticated', 200],
      ['repos/get', 404],
    ]);
  });

  it('works through @actions/github with GITHUB_API_URL pointing at it', async () => {
    const saved = process.env.GITHUB_API_URL;
    process.env.GITHUB_API_URL = fake.url;
    try {
      vi.resetModules();
      const github = await import('@actions/github');
      const client = github.getOctokit(DEFAULT_TOKEN);
      const { data } = await client.rest.issues.create({ owner: OWNER, repo: REPO, title: 'from @actions/github' });
      expect(data.user?.login).toBe(BOT_LOGIN);
      expect(fake.repo(FULL).issues.get(data.number)?.title).toBe('from @actions/github');
    } finally {
      if (saved === undefined) delete process.env.GITHUB_API_URL;
      else process.env.GITHUB_API_URL = saved;
    }
  });
});

describe('fake GitHub: pagination', () => {
  it('paginates list operations with GitHub Link headers (per_page default 30, max 100)', async () => {
    for (let i = 0; i < 75; i++) fake.addRelease(FULL, { tagName: `v0.${i}.0` });
    const kit = octokit();

    const first = await kit.rest.repos.listReleases({ owner: OWNER, repo: REPO });
    expect(first.data).toHaveLength(30);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain('rel="last"');
    expect(first.headers.link).not.toContain('rel="prev"');
    expect(first.headers.link).toMatch(/[?&]page=3>; rel="last"/);

    const middle = await kit.rest.repos.listReleases({ owner: OWNER, repo: REPO, per_page: 20, page: 2 });
    const rels = [...(middle.headers.link ?? '').matchAll(/<([^>]+)>; rel="(\w+)"/g)].map((m) => [new URL(m[1]!).searchParams.get('page'), m[2]]);
    expect(rels).toEqual([
      ['1', 'prev'],
      ['3', 'next'],
      ['4', 'last'],
      ['1', 'first'],
    ]);

    const big = await kit.rest.repos.listReleases({ owner: OWNER, repo: REPO, per_page: 500 });
    expect(big.data).toHaveLength(75);
    expect(big.headers.link).toBeUndefined();

    fake.resetRecords();
    const all = await kit.paginate(kit.rest.repos.listReleases, { owner: OWNER, repo: REPO, per_page: 20 });
    expect(all).toHaveLength(75);
    expect(new Set(all.map((r) => r.tag_name)).size).toBe(75);
    // Newest first, like GitHub.
    expect(all[0]!.tag_name).toBe('v0.74.0');
    expect(fake.callsTo('repos/list-releases')).toHaveLength(4);
  });

  it('paginates wrapped lists (check runs) and comments', async () => {
    const sha = fake.getRef(FULL, 'heads/main')!;
    const kit = octokit();
    for (let i = 0; i < 5; i++) {
      await kit.rest.checks.create({ owner: OWNER, repo: REPO, name: `check-${i}`, head_sha: sha, status: 'completed', conclusion: 'success' });
    }
    const runs = await kit.paginate(kit.rest.checks.listForRef, { owner: OWNER, repo: REPO, ref: 'main', per_page: 2 });
    expect(runs).toHaveLength(5);

    const issue = fake.addIssue(FULL, { title: 'discussion' });
    for (let i = 0; i < 7; i++) fake.addComment(FULL, issue.number, `comment ${i}`);
    const comments = await kit.paginate(kit.rest.issues.listComments, { owner: OWNER, repo: REPO, issue_number: issue.number, per_page: 3 });
    expect(comments.map((c) => c.body)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `comment ${i}`));
  });
});

describe('fake GitHub: failure injection', () => {
  it('a 502 is retried by @octokit/plugin-retry', async () => {
    const RetryOctokit = Octokit.plugin(retry);
    const kit = new RetryOctokit({ baseUrl: fake.url, auth: DEFAULT_TOKEN, retry: { retryAfterBaseValue: 10 }, log: SILENT });
    const failure = fake.failNext({ method: 'GET', path: '/repos/{owner}/{repo}', status: 502, times: 2 });
    const { data } = await kit.rest.repos.get({ owner: OWNER, repo: REPO });
    expect(data.name).toBe(REPO);
    expect(failure.hits).toBe(2);
    expect(fake.callsTo('repos/get').map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('a secondary rate limit 403 with retry-after is waited on by @octokit/plugin-throttling', async () => {
    const ThrottledOctokit = Octokit.plugin(throttling);
    const onSecondaryRateLimit = vi.fn(() => true);
    const kit = new ThrottledOctokit({
      baseUrl: fake.url,
      auth: DEFAULT_TOKEN,
      log: SILENT,
      throttle: { onSecondaryRateLimit, onRateLimit: () => false },
    });
    // (A GET: plugin-throttling paces writes by itself, 1-3 s apart, which would blur the measurement.)
    fake.failNext({ path: /\/releases\/tags\//, method: 'GET', secondaryRateLimit: true, retryAfter: 1 });
    fake.addRelease(FULL, { tagName: 'v1' });
    const started = Date.now();
    const { data } = await kit.rest.repos.getReleaseByTag({ owner: OWNER, repo: REPO, tag: 'v1' });
    const elapsed = Date.now() - started;
    expect(data.tag_name).toBe('v1');
    expect(onSecondaryRateLimit).toHaveBeenCalledTimes(1);
    expect((onSecondaryRateLimit.mock.calls[0] as unknown[])[0]).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(2500);
    const [limited, okay] = fake.callsTo('repos/get-release-by-tag');
    expect([limited?.status, okay?.status]).toEqual([403, 200]);
  });

  it('a primary rate limit looks like GitHub (x-ratelimit-remaining: 0)', async () => {
    fake.failNext({ operationId: 'repos/get', rateLimit: true, retryAfter: 30 });
    const err = await failure(octokit().rest.repos.get({ owner: OWNER, repo: REPO }));
    expect(err.status).toBe(403);
    expect(err.response.headers['x-ratelimit-remaining']).toBe('0');
    expect(err.message).toMatch(/API rate limit exceeded/);
  });

  it('enforces the token rate limit itself', async () => {
    fake.addToken('ghs_tiny', { login: BOT_LOGIN, rateLimit: 2 });
    const kit = octokit('ghs_tiny');
    await kit.rest.repos.get({ owner: OWNER, repo: REPO });
    await kit.rest.repos.get({ owner: OWNER, repo: REPO });
    expect(await status(kit.rest.repos.get({ owner: OWNER, repo: REPO }))).toBe(403);
  });

  it('404 / 500 injection with times, and cancel()', async () => {
    const h = fake.failNext({ path: `/repos/${FULL}`, status: 404, times: 5 });
    expect(await status(octokit().rest.repos.get({ owner: OWNER, repo: REPO }))).toBe(404);
    expect(h.remaining).toBe(4);
    h.cancel();
    expect(await status(octokit().rest.repos.get({ owner: OWNER, repo: REPO }))).toBe(200);
  });
});

describe('fake GitHub: releases and assets', () => {
  it('uploads via upload_url (RFC 6570 template) and downloads the same bytes (302 to storage)', async () => {
    const kit = octokit();
    const { data: release } = await kit.rest.repos.createRelease({ owner: OWNER, repo: REPO, tag_name: 'model-v1', name: 'Model v1' });
    expect(release.upload_url).toBe(`${fake.url}/repos/${FULL}/releases/${release.id}/assets{?name,label}`);
    expect(fake.getRef(FULL, 'tags/model-v1')).toBe(fake.getRef(FULL, 'heads/main'));

    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 256));
    const { data: asset } = await kit.rest.repos.uploadReleaseAsset({
      owner: OWNER,
      repo: REPO,
      release_id: release.id,
      url: release.upload_url,
      name: 'model weights.onnx',
      label: 'weights',
      data: bytes as unknown as string,
      headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.length },
    });
    expect(asset.name).toBe('model.weights.onnx'); // GitHub replaces spaces
    expect(asset.size).toBe(bytes.length);
    expect(asset.state).toBe('uploaded');
    expect(asset.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const download = await kit.rest.repos.getReleaseAsset({ owner: OWNER, repo: REPO, asset_id: asset.id, headers: { accept: 'application/octet-stream' } });
    expect(Buffer.from(download.data as unknown as ArrayBuffer).equals(bytes)).toBe(true);
    // The redirect went to another origin, and fetch dropped the Authorization header.
    expect(fake.webRequests.at(-1)).toMatchObject({ status: 200, authorization: false });

    // Duplicate asset name → 422 already_exists
    const dup = await kit.rest.repos
      .uploadReleaseAsset({ owner: OWNER, repo: REPO, release_id: release.id, url: release.upload_url, name: 'model weights.onnx', data: 'x', headers: { 'content-type': 'text/plain' } })
      .catch((e: { status: number; response: { data: unknown } }) => e);
    expect(dup).toMatchObject({ status: 422, response: { data: { errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }] } } });

    // browser_download_url works anonymously for a public repo
    const res = await fetch(asset.browser_download_url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    const { data: assets } = await kit.rest.repos.listReleaseAssets({ owner: OWNER, repo: REPO, release_id: release.id });
    expect(assets.map((a) => [a.name, a.label, a.download_count])).toEqual([['model.weights.onnx', 'weights', 2]]);
  });

  it('can serve asset bytes directly (assetDownload: "direct")', async () => {
    const direct = await startFakeGitHub({ assetDownload: 'direct' });
    try {
      direct.addRepo({ owner: OWNER, name: REPO });
      const release = direct.addRelease(FULL, { tagName: 'v1', assets: [{ name: 'a.bin', data: Buffer.from('hello') }] });
      const kit = new Octokit({ baseUrl: direct.url, auth: DEFAULT_TOKEN });
      const { data, status: st } = await kit.rest.repos.getReleaseAsset({ owner: OWNER, repo: REPO, asset_id: release.assets[0]!.id, headers: { accept: 'application/octet-stream' } });
      expect(st).toBe(200);
      expect(Buffer.from(data as unknown as ArrayBuffer).toString()).toBe('hello');
      direct.assertNoViolations();
    } finally {
      await direct.close();
    }
  });

  it('drafts are invisible to get-release-by-tag; publishing creates the tag', async () => {
    const kit = octokit();
    const { data: draft } = await kit.rest.repos.createRelease({ owner: OWNER, repo: REPO, tag_name: 'v2', draft: true });
    expect(draft.draft).toBe(true);
    expect(draft.published_at).toBeNull();
    expect(fake.getRef(FULL, 'tags/v2')).toBeUndefined();
    expect(await status(kit.rest.repos.getReleaseByTag({ owner: OWNER, repo: REPO, tag: 'v2' }))).toBe(404);
    expect((await kit.rest.repos.getRelease({ owner: OWNER, repo: REPO, release_id: draft.id })).data.draft).toBe(true);
    // A read-only token does not see drafts.
    expect(await status(octokit(READ_ONLY_TOKEN).rest.repos.getRelease({ owner: OWNER, repo: REPO, release_id: draft.id }))).toBe(404);

    const { data: published } = await kit.rest.repos.updateRelease({ owner: OWNER, repo: REPO, release_id: draft.id, draft: false });
    expect(published.published_at).not.toBeNull();
    expect(fake.getRef(FULL, 'tags/v2')).toBeDefined();
    expect((await kit.rest.repos.getReleaseByTag({ owner: OWNER, repo: REPO, tag: 'v2' })).data.id).toBe(draft.id);

    // Same tag again → 422 already_exists
    expect(await status(kit.rest.repos.createRelease({ owner: OWNER, repo: REPO, tag_name: 'v2' }))).toBe(422);
    await kit.rest.repos.deleteRelease({ owner: OWNER, repo: REPO, release_id: draft.id });
    expect(await status(kit.rest.repos.getRelease({ owner: OWNER, repo: REPO, release_id: draft.id }))).toBe(404);
  });

  it('a connection dropped mid-upload fails the request; plugin-retry re-uploads', async () => {
    const kit = octokit();
    const { data: release } = await kit.rest.repos.createRelease({ owner: OWNER, repo: REPO, tag_name: 'v3' });
    const bytes = Buffer.alloc(512 * 1024, 7);
    const upload = (client: Octokit) =>
      client.rest.repos.uploadReleaseAsset({
        owner: OWNER,
        repo: REPO,
        release_id: release.id,
        url: release.upload_url,
        name: 'big.bin',
        data: bytes as unknown as string,
        headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.length },
      });

    fake.failNext({ operationId: 'repos/upload-release-asset', dropConnection: { afterBytes: 64 * 1024 } });
    const err = await upload(kit).catch((e: { status: number }) => e);
    expect(err).toMatchObject({ status: 500 });
    expect(fake.callsTo('repos/upload-release-asset').at(-1)).toMatchObject({ dropped: true, status: 0 });
    expect(fake.repo(FULL).releases[0]!.assets).toHaveLength(0);

    const RetryOctokit = Octokit.plugin(retry);
    const retrying = new RetryOctokit({ baseUrl: fake.url, auth: DEFAULT_TOKEN, retry: { retryAfterBaseValue: 10 }, log: SILENT });
    fake.failNext({ operationId: 'repos/upload-release-asset', dropConnection: true });
    const { data: asset } = await upload(retrying);
    expect(asset.size).toBe(bytes.length);
    expect(fake.callsTo('repos/upload-release-asset').map((r) => r.status)).toEqual([0, 0, 201]);
  });

  it('leavePartialAsset: a dropped upload can leave a half-uploaded asset that blocks the name', async () => {
    const kit = octokit();
    const { data: release } = await kit.rest.repos.createRelease({ owner: OWNER, repo: REPO, tag_name: 'v4' });
    const bytes = Buffer.alloc(256 * 1024, 1);
    fake.failNext({ operationId: 'repos/upload-release-asset', dropConnection: true, leavePartialAsset: true });
    const args = { owner: OWNER, repo: REPO, release_id: release.id, url: release.upload_url, name: 'w.bin', data: bytes as unknown as string, headers: { 'content-type': 'application/octet-stream' } };
    expect(await status(kit.rest.repos.uploadReleaseAsset(args))).toBe(500);
    const { data: assets } = await kit.rest.repos.listReleaseAssets({ owner: OWNER, repo: REPO, release_id: release.id });
    expect(assets).toHaveLength(1);
    expect(assets[0]!.state).toBe('open');
    expect(await status(kit.rest.repos.uploadReleaseAsset(args))).toBe(422);
    await kit.rest.repos.deleteReleaseAsset({ owner: OWNER, repo: REPO, asset_id: assets[0]!.id });
    expect(await status(kit.rest.repos.uploadReleaseAsset(args))).toBe(200);
  });
});

describe('fake GitHub: refs', () => {
  it('create-ref is a compare-and-swap: a duplicate is 422 "Reference already exists"', async () => {
    const kit = octokit();
    const sha = fake.getRef(FULL, 'heads/main')!;
    const { data: ref, status: st } = await kit.rest.git.createRef({ owner: OWNER, repo: REPO, ref: 'refs/tags/registry/model@1', sha });
    expect(st).toBe(201);
    expect(ref.object.sha).toBe(sha);
    const err = await kit.rest.git.createRef({ owner: OWNER, repo: REPO, ref: 'refs/tags/registry/model@1', sha }).catch((e: { status: number; response: { data: { message: string } } }) => e);
    expect(err).toMatchObject({ status: 422, response: { data: { message: 'Reference already exists' } } });

    // Concurrent creates: exactly one wins.
    const results = await Promise.all(
      Array.from({ length: 8 }, () => status(kit.rest.git.createRef({ owner: OWNER, repo: REPO, ref: 'refs/tags/race', sha }))),
    );
    expect(results.filter((s) => s === 200)).toHaveLength(1);
    expect(results.filter((s) => s === 422)).toHaveLength(7);

    // get / list-matching / update (fast-forward check) / delete; refs with slashes are URL-encoded by octokit.
    expect((await kit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: 'tags/registry/model@1' })).data.ref).toBe('refs/tags/registry/model@1');
    const matching = await kit.rest.git.listMatchingRefs({ owner: OWNER, repo: REPO, ref: 'tags/r' });
    expect(matching.data.map((r) => r.ref)).toEqual(['refs/tags/race', 'refs/tags/registry/model@1']);

    const child = fake.addCommit(FULL, { parents: [sha], message: 'child' });
    await kit.rest.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha: child.sha });
    expect(await status(kit.rest.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha }))).toBe(422); // not a fast forward
    await kit.rest.git.updateRef({ owner: OWNER, repo: REPO, ref: 'heads/main', sha, force: true });
    expect(fake.getRef(FULL, 'heads/main')).toBe(sha);

    await kit.rest.git.deleteRef({ owner: OWNER, repo: REPO, ref: 'tags/race' });
    expect(await status(kit.rest.git.getRef({ owner: OWNER, repo: REPO, ref: 'tags/race' }))).toBe(404);
    expect(await status(kit.rest.git.deleteRef({ owner: OWNER, repo: REPO, ref: 'tags/race' }))).toBe(422);
  });
});

describe('fake GitHub: tokens', () => {
  it('a read-only token (fork PR) gets 403 "Resource not accessible by integration" on every write', async () => {
    const pr = fake.addPull(FULL, { head: 'feature', headRepo: 'forker/models', user: 'forker' });
    const ro = octokit(READ_ONLY_TOKEN);
    const sha = fake.getRef(FULL, 'heads/main')!;
    const writes = [
      ro.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: pr.number, body: 'hi' }),
      ro.rest.git.createRef({ owner: OWNER, repo: REPO, ref: 'refs/tags/x', sha }),
      ro.rest.repos.createRelease({ owner: OWNER, repo: REPO, tag_name: 'x' }),
      ro.rest.checks.create({ owner: OWNER, repo: REPO, name: 'c', head_sha: sha }),
      ro.rest.actions.createWorkflowDispatch({ owner: OWNER, repo: REPO, workflow_id: 'train.yml', ref: 'main' }),
    ];
    for (const w of writes) {
      const err = await w.catch((e: { status: number; response: { data: { message: string } } }) => e);
      expect(err).toMatchObject({ status: 403, response: { data: { message: 'Resource not accessible by integration' } } });
    }
    // Reads work.
    const { data } = await ro.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: pr.number });
    expect(data.head.repo?.full_name).toBe('forker/models');
    expect(fake.repo(FULL).comments).toHaveLength(0);
  });

  it('comments are authored by the token identity; unknown tokens can be rejected', async () => {
    const pr = fake.addPull(FULL, { head: 'feature' });
    const { data } = await octokit().rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: pr.number, body: 'report' });
    expect(data.user?.login).toBe(BOT_LOGIN);
    expect(data.user?.type).toBe('Bot');

    const strict = await startFakeGitHub({ unknownTokens: 'reject' });
    try {
      strict.addRepo({ owner: OWNER, name: REPO });
      const kit = new Octokit({ baseUrl: strict.url, auth: 'wrong', log: SILENT });
      expect(await status(kit.rest.repos.get({ owner: OWNER, repo: REPO }))).toBe(401);
      strict.assertNoViolations();
    } finally {
      await strict.close();
    }
  });
});

describe('fake GitHub: protocol violations', () => {
  it('records an invalid request body (missing required field) and answers 422', async () => {
    const kit = octokit();
    const err = await kit.request('POST /repos/{owner}/{repo}/git/refs' as string, { owner: OWNER, repo: REPO, ref: 'refs/heads/x' }).catch((e: { status: number }) => e);
    expect(err).toMatchObject({ status: 422 });
    expect(fake.violations).toHaveLength(1);
    expect(fake.violations[0]).toMatchObject({ kind: 'request', operationId: 'git/create-ref' });
    expect(fake.violations[0]!.message).toMatch(/body\.sha: required property is missing/);
    expect(() => fake.assertNoViolations()).toThrow(/1 protocol violation/);
    fake.resetRecords();
  });

  it('records wrong types, unknown fields, unknown query parameters and unknown routes', async () => {
    const kit = octokit();
    await kit.request('POST /repos/{owner}/{repo}/issues' as string, { owner: OWNER, repo: REPO, title: 'x', labels: 'bug' }).catch(() => undefined);
    await kit.request('POST /repos/{owner}/{repo}/issues' as string, { owner: OWNER, repo: REPO, title: 'x', lables: ['bug'] }).catch(() => undefined);
    await kit.request('GET /repos/{owner}/{repo}/releases' as string, { owner: OWNER, repo: REPO, perPage: 5 }).catch(() => undefined);
    await kit.request('GET /repos/{owner}/{repo}/branches', { owner: OWNER, repo: REPO }).catch(() => undefined);
    await kit.request('PUT /repos/{owner}/{repo}/releases', { owner: OWNER, repo: REPO }).catch(() => undefined);
    expect(fake.violations.map((v) => v.kind)).toEqual(['request', 'request', 'request', 'unknown-route', 'unknown-route']);
    expect(fake.violations[0]!.message).toMatch(/body\.labels: expected array/);
    expect(fake.violations[1]!.message).toMatch(/body\.lables: unknown field/);
    expect(fake.violations[2]!.message).toMatch(/query\.perPage: unknown query parameter/);
    expect(fake.violations[4]!.message).toMatch(/no PUT operation for this path \(only POST/);
    expect(fake.requests.map((r) => r.status)).toEqual([422, 422, 422, 404, 404]);
    fake.resetRecords();
  });

  it('checks its own responses against the description', () => {
    const op = fake.spec.operation('repos/get-release');
    const release = fake.addRelease(FULL, { tagName: 'v9' });
    // A release missing upload_url, with a numeric tag_name, is caught.
    const errors = fake.spec.checkResponse(op, 200, 'application/json', { ...JSON.parse(JSON.stringify({ id: release.id })), tag_name: 9 });
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(['response.upload_url', 'response.tag_name']));
    expect(fake.spec.checkResponse(op, 201, 'application/json', {})[0]!.message).toMatch(/not declared/);
  });
});
