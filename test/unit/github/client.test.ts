import { describe, expect, it } from 'vitest';
import { createGitHubClient, GitHubApiError, githubClientFromEnvironment, parseApiError, writeRefusal } from '../../../shared/github/client';
import { isUserError } from '../../../shared/errors';
import { DEFAULT_TOKEN, READ_ONLY_TOKEN } from '../../fake-github/server';
import { useFakeGitHub } from '../../fake-github/vitest';
import { countCalls, fastClient, recordingLogger } from './helpers';

const OWNER = 'octo-org';
const REPO = 'models';
const FULL = `${OWNER}/${REPO}`;
const base = { owner: OWNER, repo: REPO };

const gh = useFakeGitHub({ repos: [{ owner: OWNER, name: REPO }] });

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('createGitHubClient: retries', () => {
  it('retries a 5xx and succeeds, logging the retry', async () => {
    const log = recordingLogger();
    gh.fake.failNext({ operationId: 'repos/get', status: 503, times: 2 });
    const run = await countCalls(gh.fake, () => fastClient(gh.fake, log).rest.repos.get(base));
    expect(run.result.data.full_name).toBe(FULL);
    expect(run.calls).toEqual({ 'repos/get': 3 });
    expect(log.infos()).toEqual([
      expect.stringMatching(/^GitHub API: GET \/repos\/\{owner\}\/\{repo\} answered 503; retrying in 5 ms \(retry 1 of 3\)\.$/),
      expect.stringMatching(/answered 503; retrying in 20 ms \(retry 2 of 3\)\.$/),
    ]);
  });

  it('retries a dropped connection (a network error)', async () => {
    const log = recordingLogger();
    gh.fake.failNext({ operationId: 'repos/get', dropConnection: true });
    const run = await countCalls(gh.fake, () => fastClient(gh.fake, log).rest.repos.get(base));
    expect(run.result.status).toBe(200);
    expect(run.calls).toEqual({ 'repos/get': 2 });
    expect(log.infos()[0]).toMatch(/GET \/repos\/\{owner\}\/\{repo\} failed \(.+\); retrying/);
  });

  it('gives up after `retries` and reports the last error', async () => {
    const log = recordingLogger();
    gh.fake.failNext({ operationId: 'repos/get', status: 500, times: 10 });
    const client = fastClient(gh.fake, log, DEFAULT_TOKEN, { retry: { retries: 2, retryAfterBaseValue: 1 } });
    const run = await countCalls(gh.fake, () => caught(client.rest.repos.get(base)));
    expect(run.calls).toEqual({ 'repos/get': 3 });
    expect(parseApiError(run.result)).toBe('GitHub API GET /repos/octo-org/models → 500: Server Error (docs: https://docs.github.com/rest)');
    gh.fake.resetRecords(); // the 8 unused injected failures
  });

  it('does not retry 4xx (404, 422, a permission 403)', async () => {
    const log = recordingLogger();
    const client = fastClient(gh.fake, log);
    const missing = await countCalls(gh.fake, () => caught(client.rest.issues.get({ ...base, issue_number: 42 })));
    expect(missing.total).toBe(1);
    gh.fake.failNext({ operationId: 'repos/get', status: 422 });
    expect((await countCalls(gh.fake, () => caught(client.rest.repos.get(base)))).total).toBe(1);
    const ro = fastClient(gh.fake, log, READ_ONLY_TOKEN);
    const forbidden = await countCalls(gh.fake, () => caught(ro.rest.issues.create({ ...base, title: 'x' })));
    expect(forbidden.total).toBe(1);
    expect(writeRefusal(forbidden.result)).toMatch(/403 Forbidden: Resource not accessible by integration/);
    expect(log.infos()).toEqual([]);
  });
});

describe('createGitHubClient: rate limits', () => {
  it('secondary rate limit as 429 with retry-after is waited on (scaled) and retried', async () => {
    const log = recordingLogger();
    gh.fake.failNext({ operationId: 'repos/get', status: 429, secondaryRateLimit: true, retryAfter: 7 });
    const run = await countCalls(gh.fake, () => fastClient(gh.fake, log).rest.repos.get(base));
    expect(run.result.status).toBe(200);
    expect(run.calls).toEqual({ 'repos/get': 2 }); // once by plugin-throttling, not again by plugin-retry
    expect(log.infos()).toEqual([expect.stringMatching(/secondary rate limit \(GET \/repos\/\{owner\}\/\{repo\}\); waiting 7 seconds as GitHub asks \(retry 1 of 3\)/)]);
  });

  it('secondary rate limit: gives up after maxSecondaryRetries with a warning', async () => {
    const log = recordingLogger();
    gh.fake.failNext({ operationId: 'repos/get', secondaryRateLimit: true, retryAfter: 1, times: 3 });
    const client = fastClient(gh.fake, log, DEFAULT_TOKEN, { throttle: { retryAfterBaseValue: 1, maxSecondaryRetries: 2, pacing: false } });
    const run = await countCalls(gh.fake, () => caught(client.rest.repos.get(base)));
    expect(run.calls).toEqual({ 'repos/get': 3 });
    expect(log.warnings()).toEqual([expect.stringMatching(/secondary rate limit .* gave up after 2 retries/)]);
    expect(writeRefusal(run.result)).toBeUndefined(); // a rate limit is not a permission problem
    const err = new GitHubApiError('Cannot read the repository', run.result);
    expect(err.message).toMatch(/→ 403: You have exceeded a secondary rate limit/);
    expect(err.hint).toMatch(/rate limit/);
  });

  it('primary rate limit: waits for a near reset and retries', async () => {
    const log = recordingLogger();
    gh.fake.failNext({ operationId: 'repos/get', rateLimit: true, retryAfter: 1 });
    const run = await countCalls(gh.fake, () => fastClient(gh.fake, log).rest.repos.get(base));
    expect(run.result.status).toBe(200);
    expect(run.calls).toEqual({ 'repos/get': 2 });
    expect(log.infos()).toEqual([expect.stringMatching(/rate limit exhausted \(GET \/repos\/\{owner\}\/\{repo\}\); waiting \d seconds? for the reset \(retry 1 of 2\)/)]);
  });

  it('primary rate limit: does not hang the job when the reset is far away', async () => {
    const log = recordingLogger();
    gh.fake.failNext({ operationId: 'repos/get', rateLimit: true, retryAfter: 3600 });
    const run = await countCalls(gh.fake, () => caught(fastClient(gh.fake, log).rest.repos.get(base)));
    expect(run.total).toBe(1);
    expect(log.warnings()).toEqual([expect.stringMatching(/resets in 360\d seconds, longer than the 300 s this job waits/)]);
    expect(parseApiError(run.result)).toMatch(/^GitHub API GET \/repos\/octo-org\/models → 403: API rate limit exceeded .* \(docs: https:\/\/docs\.github\.com\/rest\/overview\/rate-limits-for-the-rest-api\)$/);
  });
});

describe('parseApiError and friends', () => {
  it('one line with status, GitHub’s message, field errors and the documentation URL', async () => {
    const log = recordingLogger();
    const client = fastClient(gh.fake, log);
    gh.fake.addPull(FULL, { head: 'f' });
    const err = await caught(client.rest.issues.createComment({ ...base, issue_number: 1, body: 'x'.repeat(65537) }));
    const line = parseApiError(err);
    expect(line).toBe(
      'GitHub API POST /repos/octo-org/models/issues/1/comments → 422: Validation Failed: body is too long (maximum is 65536 characters) (docs: https://docs.github.com/rest/issues/comments#create-an-issue-comment)',
    );
    expect(line).not.toContain('\n');
  });

  it('a network failure without a response, and plain errors', async () => {
    const log = recordingLogger();
    const client = createGitHubClient({ token: DEFAULT_TOKEN, apiUrl: 'http://127.0.0.1:1', log, retry: { retries: 0 } });
    const err = await caught(client.rest.repos.get(base));
    expect(parseApiError(err)).toMatch(/^GitHub API GET \/repos\/octo-org\/models failed without a response \(.+\): a network problem or GitHub is unavailable$/);
    expect(new GitHubApiError('Cannot read', err).hint).toMatch(/rerun the job later/);
    expect(parseApiError(new Error('boom\n  at x'))).toBe('boom at x');
    expect(parseApiError('just a string')).toBe('just a string');
  });

  it('a missing token is a UserError; the environment factory reads the token and API URL', async () => {
    const log = recordingLogger();
    const noToken = (() => {
      try {
        createGitHubClient({ token: '', log });
      } catch (err) {
        return err;
      }
    })();
    expect(isUserError(noToken)).toBe(true);
    const client = githubClientFromEnvironment({ log, env: { GITHUB_TOKEN: DEFAULT_TOKEN, GITHUB_API_URL: gh.fake.url } });
    expect((await client.rest.repos.get(base)).data.full_name).toBe(FULL);
    expect(gh.fake.requests.at(-1)!.login).toBe('github-actions[bot]');
  });
});

describe('createGitHubClient: defaults', () => {
  it('with production settings (write pacing on) a single write goes through at once', async () => {
    const { upsertStickyComment } = await import('../../../shared/github/comments');
    gh.fake.addPull(FULL, { head: 'f' });
    const log = recordingLogger();
    const client = createGitHubClient({ token: DEFAULT_TOKEN, apiUrl: `${gh.fake.url}/`, log });
    const t0 = Date.now();
    const res = await upsertStickyComment(client, { ...base, issueNumber: 1, kind: 'k', name: 'n', body: 'hello', log });
    expect(res.action).toBe('created');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(gh.fake.requests.every((r) => r.login === 'github-actions[bot]')).toBe(true);
    // Every request was logged at debug level by Octokit's request log, nothing louder.
    expect(log.entries.filter((e) => e.level === 'debug').length).toBeGreaterThanOrEqual(2);
    expect(log.warnings()).toEqual([]);
  });
});
