/**
 * runClients(env, ops): one "job step" that uses the real @actions/artifact and @actions/cache clients,
 * in a child process (Node 24, ./client-script.ts) with exactly the environment given — typically
 * `service.env({ job })` from ./results-service — so nothing leaks between tests through process.env or
 * module state.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UploadArtifactOptions } from '@actions/artifact';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const NODE24 = join(ROOT, 'node_modules/node/bin/node');
const SCRIPT = join(HERE, 'client-script.ts');

export type ClientOp =
  | { op: 'upload'; name: string; files: string[]; root: string; options?: UploadArtifactOptions }
  | { op: 'list'; latest?: boolean }
  | { op: 'get'; name: string }
  | { op: 'download'; id: number; path: string; expectedHash?: string }
  | { op: 'delete'; name: string }
  | { op: 'cacheSave'; paths: string[]; key: string }
  | { op: 'cacheRestore'; paths: string[]; key: string; restoreKeys?: string[]; lookupOnly?: boolean }
  | { op: 'cacheAvailable' };

export type ClientResult = { op: ClientOp['op']; ms: number } & ({ ok: true; value: unknown } | { ok: false; error: string });

export interface ClientRun {
  results: ClientResult[];
  exitCode: number;
  stdout: string;
  stderr: string;
  /** `::warning::` and `::error::` workflow commands the clients printed (the cache client turns its failures into warnings). */
  problems: string[];
}

export interface RunClientsOptions {
  /** GITHUB_WORKSPACE and the working directory (the cache client's paths are relative to it). */
  workspace: string;
  timeoutMs?: number;
}

export async function runClients(env: Record<string, string>, ops: ClientOp[], o: RunClientsOptions): Promise<ClientRun> {
  if (!existsSync(NODE24)) throw new Error(`Node 24 not found at ${NODE24}: run npm ci`);
  const dir = mkdtempSync(join(tmpdir(), 'fake-actions-clients-'));
  const opsPath = join(dir, 'ops.json');
  const resultsPath = join(dir, 'results.json');
  writeFileSync(opsPath, JSON.stringify(ops));
  writeFileSync(resultsPath, '[]');
  const runnerTemp = mkdtempSync(join(dir, 'runner-temp-'));
  const child = spawn(NODE24, [SCRIPT, opsPath, resultsPath], {
    cwd: o.workspace,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? dir,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: o.workspace,
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: 'Linux',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timeoutMs = o.timeoutMs ?? 60_000;
  try {
    const exitCode = await new Promise<number>((res, rej) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        rej(new Error(`the clients did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
      }, timeoutMs);
      child.on('error', rej);
      child.on('close', (code) => {
        clearTimeout(timer);
        res(code ?? 1);
      });
    });
    const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as ClientResult[];
    const problems = stdout.split(/\r?\n/).filter((l) => /^::(warning|error)\b/.test(l));
    return { results, exitCode, stdout, stderr, problems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The value of a result that must have succeeded (its error, with the clients' output, otherwise). */
export function valueOf<T = unknown>(run: ClientRun, index: number): T {
  const r = run.results[index];
  if (!r) throw new Error(`op ${index} did not run (exit ${run.exitCode})\n${run.stdout}\n${run.stderr}`);
  if (!r.ok) throw new Error(`op ${index} (${r.op}) failed: ${r.error}\n${run.stdout}\n${run.stderr}`);
  return r.value as T;
}
