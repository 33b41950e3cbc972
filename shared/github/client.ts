/**
 * The GitHub REST client every action uses: @octokit/rest with retries (plugin-retry) and rate-limit
 * handling (plugin-throttling), logging through our Logger. Everything is a parameter (token, API URL,
 * logger); `githubClientFromEnvironment` is the one place that may read process.env.
 *
 * Failure policy:
 *  - 5xx and network errors (octokit reports those as status 500 without a response) are retried by
 *    plugin-retry, `retries` times (default 3) after 1, 4, 9… × `retryAfterBaseValue` ms.
 *  - 4xx are not retried by plugin-retry: they are the caller's problem (permissions, validation) — except
 *    rate limits, which GitHub answers with 403 or 429 and which plugin-throttling handles, honouring
 *    `retry-after` (secondary limits) and `x-ratelimit-reset` (primary limits). Leaving 429 to
 *    plugin-throttling alone keeps a rate limit from being retried twice, the second time without the
 *    wait GitHub asked for.
 *  - Primary rate limit: wait for the reset and retry, up to `maxRateLimitRetries` times, only when the
 *    reset is at most `maxRateLimitWaitSeconds` away (otherwise fail at once rather than hang a job).
 *  - Secondary rate limit: wait `retry-after` seconds (60 when absent) and retry up to
 *    `maxSecondaryRetries` times.
 *  - Every wait is logged through the Logger.
 */
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { GitHubInfo } from '../runtime/github-context';
import type { Logger } from '../runtime/context';
import { UserError } from '../errors';

export type GitHubClient = Octokit;

export const DEFAULT_API_URL = 'https://api.github.com';
export const DEFAULT_USER_AGENT = 'mlops-actions';

export interface RetryTuning {
  /** Retries of a 5xx / network error (default 3). */
  retries?: number;
  /** Milliseconds per unit of back-off: waits are 1, 4, 9… × this (default 1000). Tests use ~10. */
  retryAfterBaseValue?: number;
}

export interface ThrottleTuning {
  /** Milliseconds per second of `retry-after` / time to reset (default 1000). Tests use ~10. */
  retryAfterBaseValue?: number;
  /** Retries after a primary rate limit (default 2). */
  maxRateLimitRetries?: number;
  /** Wait for the primary rate-limit reset only when it is at most this far away (default 300 s). */
  maxRateLimitWaitSeconds?: number;
  /** Retries after a secondary rate limit (default 3). */
  maxSecondaryRetries?: number;
  /**
   * GitHub asks integrations to space out writes (plugin-throttling: ≥ 1 s between writes, ≥ 3 s between
   * writes that notify people, e.g. comments). On by default; tests turn it off.
   */
  pacing?: boolean;
}

export interface GitHubClientOptions {
  token: string;
  /** REST API base URL (GITHUB_API_URL on a runner; default https://api.github.com). */
  apiUrl?: string;
  log: Logger;
  userAgent?: string;
  retry?: RetryTuning;
  throttle?: ThrottleTuning;
}

/** plugin-retry leaves every 4xx alone, 429 included (rate limits are plugin-throttling's). */
const DO_NOT_RETRY = Array.from({ length: 100 }, (_, i) => 400 + i);

type Group = NonNullable<Extract<ThrottlingOptions, { onRateLimit: unknown }>['write']>;

/** A Bottleneck.Group look-alike that runs jobs at once: turns off plugin-throttling's write pacing. */
function unpacedGroup(): Group {
  const limiter = {
    schedule: (...args: unknown[]) => {
      const rest = typeof args[0] === 'function' ? args : args.slice(1);
      const [fn, ...fnArgs] = rest as [(...a: unknown[]) => unknown, ...unknown[]];
      return Promise.resolve().then(() => fn(...fnArgs));
    },
  };
  return { key: () => limiter } as unknown as Group;
}

function describeRequest(options: { method?: string; url?: string }): string {
  return `${options.method ?? 'GET'} ${options.url ?? ''}`;
}

function seconds(s: number): string {
  return s === 1 ? '1 second' : `${s} seconds`;
}

/**
 * Logs the retries plugin-retry is about to make (it has no hook of its own). Registered before it, so
 * its error hook is the innermost one and sees every failed attempt.
 */
type Plugin = Parameters<typeof Octokit.plugin>[0];

function retryLogger(log: Logger, retries: number, base: number): Plugin {
  return (octokit) => {
    octokit.hook.error('request', (error, rawOptions) => {
      const status = (error as { status?: unknown }).status;
      const options = rawOptions as { method?: string; url?: string; request?: { retryCount?: number; retries?: number } };
      if (typeof status === 'number' && status >= 400 && !DO_NOT_RETRY.includes(status)) {
        const done = options.request?.retryCount ?? 0;
        const max = options.request?.retries ?? retries;
        if (done < max) {
          const waitMs = (done + 1) ** 2 * base;
          const what = (error as { response?: unknown }).response ? `answered ${status}` : `failed (${(error as Error).message})`;
          log.info(`GitHub API: ${describeRequest(options)} ${what}; retrying in ${waitMs} ms (retry ${done + 1} of ${max}).`);
        }
      }
      throw error;
    });
  };
}

/** An Octokit with retries and rate-limit handling that logs through `log`. */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { token, log } = options;
  if (!token) {
    throw new UserError('No GitHub token was given.', { input: 'github-token' }, 'pass `github-token: ${{ github.token }}` (the default) or a token with the permissions the action needs');
  }
  const retries = options.retry?.retries ?? 3;
  const retryBase = options.retry?.retryAfterBaseValue ?? 1000;
  const t = options.throttle ?? {};
  const maxRateLimitRetries = t.maxRateLimitRetries ?? 2;
  const maxRateLimitWait = t.maxRateLimitWaitSeconds ?? 300;
  const maxSecondaryRetries = t.maxSecondaryRetries ?? 3;

  const Client = Octokit.plugin(retryLogger(log, retries, retryBase), retry, throttling);
  const throttle: ThrottlingOptions = {
    retryAfterBaseValue: t.retryAfterBaseValue ?? 1000,
    onRateLimit: (retryAfter, opts, _octokit, retryCount) => {
      const what = describeRequest(opts);
      if (retryCount >= maxRateLimitRetries) {
        log.warning(`GitHub API rate limit exhausted (${what}); gave up after ${retryCount} ${retryCount === 1 ? 'retry' : 'retries'}.`);
        return false;
      }
      if (retryAfter > maxRateLimitWait) {
        log.warning(`GitHub API rate limit exhausted (${what}); it resets in ${seconds(retryAfter)}, longer than the ${maxRateLimitWait} s this job waits.`);
        return false;
      }
      log.info(`GitHub API rate limit exhausted (${what}); waiting ${seconds(retryAfter)} for the reset (retry ${retryCount + 1} of ${maxRateLimitRetries}).`);
      return true;
    },
    onSecondaryRateLimit: (retryAfter, opts, _octokit, retryCount) => {
      const what = describeRequest(opts);
      if (retryCount >= maxSecondaryRetries) {
        log.warning(`GitHub API secondary rate limit (${what}); gave up after ${retryCount} ${retryCount === 1 ? 'retry' : 'retries'}.`);
        return false;
      }
      log.info(`GitHub API secondary rate limit (${what}); waiting ${seconds(retryAfter)} as GitHub asks (retry ${retryCount + 1} of ${maxSecondaryRetries}).`);
      return true;
    },
  };
  if (t.pacing === false) {
    throttle.write = unpacedGroup();
    throttle.notifications = unpacedGroup();
    throttle.search = unpacedGroup();
  }
  return new Client({
    auth: token,
    baseUrl: (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, ''),
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    retry: { retries, retryAfterBaseValue: retryBase, doNotRetry: DO_NOT_RETRY },
    throttle,
    // Octokit logs every request (plugin-request-log) and its failures: debug lines for us; callers
    // report failures themselves (with parseApiError).
    log: {
      debug: (m: string) => log.debug(m),
      info: (m: string) => log.debug(m),
      warn: (m: string) => log.warning(m),
      error: (m: string) => log.debug(m),
    },
  });
}

/**
 * The one factory that may read the environment (for actions and the CLI). Token: `token` (an action's
 * `github-token` input), else GITHUB_TOKEN, else GH_TOKEN. API URL: `github.apiUrl` (the run's
 * context), else GITHUB_API_URL, else https://api.github.com.
 */
export function githubClientFromEnvironment(opts: {
  log: Logger;
  token?: string;
  github?: GitHubInfo;
  env?: NodeJS.ProcessEnv;
  userAgent?: string;
}): GitHubClient {
  const env = opts.env ?? process.env;
  const token = opts.token || env.GITHUB_TOKEN || env.GH_TOKEN || '';
  const apiUrl = opts.github?.apiUrl || env.GITHUB_API_URL || DEFAULT_API_URL;
  return createGitHubClient({ token, apiUrl, log: opts.log, ...(opts.userAgent ? { userAgent: opts.userAgent } : {}) });
}

// ------------------------------------------------------------------------------------------ errors

/** The shape of an @octokit/request-error RequestError (duck-typed: no dependency on that package). */
export interface ApiError {
  status: number;
  message: string;
  request?: { method?: string; url?: string };
  response?: { status?: number; headers?: Record<string, string | number | undefined>; data?: unknown };
}

export function isApiError(err: unknown): err is ApiError {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number' && 'request' in err;
}

interface ErrorBody {
  message?: unknown;
  documentation_url?: unknown;
  errors?: unknown;
}

function errorBody(err: ApiError): ErrorBody {
  const data = err.response?.data;
  return typeof data === 'object' && data !== null ? (data as ErrorBody) : {};
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** GitHub's own message of an error response (or the error's message when there was no response). */
export function apiMessage(err: unknown): string {
  if (!isApiError(err)) return err instanceof Error ? err.message : String(err);
  const body = errorBody(err);
  return oneLine(typeof body.message === 'string' ? body.message : err.message);
}

function pathOf(url: string | undefined): string {
  if (!url) return '';
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

/**
 * One line for a person: `GitHub API POST /repos/o/r/check-runs → 403: Resource not accessible by
 * integration (docs: https://docs.github.com/…)`, with a 422's field errors; network failures say so.
 */
export function parseApiError(err: unknown): string {
  if (!isApiError(err)) return oneLine(err instanceof Error ? err.message : String(err));
  const where = err.request ? `${err.request.method ?? 'GET'} ${pathOf(err.request.url)}` : '';
  if (!err.response) {
    return oneLine(`GitHub API ${where} failed without a response (${err.message}): a network problem or GitHub is unavailable`);
  }
  const body = errorBody(err);
  let message = apiMessage(err);
  if (Array.isArray(body.errors)) {
    const details = body.errors
      .map((e) => {
        if (typeof e === 'string') return e;
        if (typeof e !== 'object' || e === null) return '';
        const x = e as { message?: unknown; field?: unknown; code?: unknown; resource?: unknown };
        if (typeof x.message === 'string') return x.message;
        return [x.resource, x.field, x.code].filter((v) => typeof v === 'string').join(' ');
      })
      .filter(Boolean);
    if (details.length) message += `: ${details.join('; ')}`;
  }
  const docs = typeof body.documentation_url === 'string' ? ` (docs: ${body.documentation_url})` : '';
  return oneLine(`GitHub API ${where} → ${err.status}: ${message}${docs}`);
}

function isRateLimit(err: ApiError): boolean {
  if (err.status !== 403 && err.status !== 429) return false;
  const remaining = err.response?.headers?.['x-ratelimit-remaining'];
  return /rate limit/i.test(apiMessage(err)) || String(remaining) === '0';
}

/**
 * Why GitHub refused a write, when the refusal means "this token may not write here" rather than a
 * bug: 403 (not a rate limit) — a fork PR's read-only GITHUB_TOKEN, a missing `permissions:` entry, a
 * locked conversation — or 404, which GitHub answers instead of 403 for a private repository the token
 * cannot write. Undefined for every other error.
 */
export function writeRefusal(err: unknown): string | undefined {
  if (!isApiError(err) || !err.response) return undefined;
  if (err.status === 404) return `GitHub answered 404 Not Found (${apiMessage(err)}): the token cannot see or write this resource`;
  if (err.status === 403 && !isRateLimit(err)) return `GitHub answered 403 Forbidden: ${apiMessage(err)}`;
  return undefined;
}

/** A write refused for lack of permission (see writeRefusal) says this in the warning. */
export function readOnlyHint(err: unknown): string {
  const msg = apiMessage(err);
  if (/Resource not accessible by (integration|personal access token)/i.test(msg) || (isApiError(err) && err.status === 404)) {
    return 'the token cannot write to this repository (e.g. a pull request from a fork, whose GITHUB_TOKEN is read-only, or a workflow without the needed `permissions:`)';
  }
  return `GitHub refused the write (${msg})`;
}

function hintFor(err: unknown): string | undefined {
  if (!isApiError(err)) return undefined;
  if (!err.response || err.status >= 500) return 'GitHub or the network failed even after retries; rerun the job later (https://www.githubstatus.com)';
  switch (err.status) {
    case 401:
      return 'the token is invalid or expired; pass a valid `github-token`';
    case 403:
      return isRateLimit(err)
        ? 'the token ran out of API rate limit; rerun later or use a token with a higher limit'
        : 'give the workflow the `permissions:` this action needs, or pass a `github-token` that has them';
    case 404:
      return 'check the owner, repository and number, and that the token can see the repository';
    default:
      return undefined;
  }
}

/** A failed GitHub call the user can act on: one line (see parseApiError) and a hint. */
export class GitHubApiError extends UserError {
  readonly status: number | undefined;
  constructor(what: string, err: unknown, hint?: string) {
    super(`${what}: ${parseApiError(err)}`, {}, hint ?? hintFor(err));
    this.name = 'GitHubApiError';
    this.status = isApiError(err) ? err.status : undefined;
    this.cause = err;
  }
}
