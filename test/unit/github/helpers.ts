import type { Logger } from '../../../shared/runtime/context';
import { createProgress } from '../../../shared/runtime/progress';
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from '../../../shared/github/client';
import { DEFAULT_TOKEN, type FakeGitHub } from '../../fake-github/server';

export interface LogEntry {
  level: 'info' | 'debug' | 'warning';
  message: string;
}

export interface RecordingLogger extends Logger {
  entries: LogEntry[];
  warnings(): string[];
  infos(): string[];
}

export function recordingLogger(): RecordingLogger {
  const entries: LogEntry[] = [];
  return {
    entries,
    warnings: () => entries.filter((e) => e.level === 'warning').map((e) => e.message),
    infos: () => entries.filter((e) => e.level === 'info').map((e) => e.message),
    info: (message) => entries.push({ level: 'info', message }),
    debug: (message) => entries.push({ level: 'debug', message }),
    warning: (message) => entries.push({ level: 'warning', message }),
    annotate: () => undefined,
    group: (_title, fn) => fn(),
    progress: (label, total) => createProgress({ label, total, interactive: false, write: () => undefined }),
  };
}

/** A client for the fake with fast retries and no write pacing (the waits are what make tests slow). */
export function fastClient(fake: FakeGitHub, log: Logger, token = DEFAULT_TOKEN, extra: Partial<GitHubClientOptions> = {}): GitHubClient {
  return createGitHubClient({
    token,
    apiUrl: fake.url,
    log,
    retry: { retryAfterBaseValue: 5 },
    throttle: { retryAfterBaseValue: 5, pacing: false },
    ...extra,
  });
}

/** API calls made by `fn`, per operationId, and in total (from the fake's request records). */
export async function countCalls<T>(fake: FakeGitHub, fn: () => Promise<T>): Promise<{ result: T; calls: Record<string, number>; total: number }> {
  const start = fake.requests.length;
  const result = await fn();
  const calls: Record<string, number> = {};
  for (const r of fake.requests.slice(start)) {
    const key = r.operationId ?? `${r.method} ${r.path}`;
    calls[key] = (calls[key] ?? 0) + 1;
  }
  return { result, calls, total: fake.requests.length - start };
}
