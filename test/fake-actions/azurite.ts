/**
 * Azurite (Microsoft's Azure Storage emulator, npm `azurite`) as the blob store behind the fake Actions
 * results service: blob service only, in memory, on a free port of 127.0.0.1, started by the test itself.
 *
 * It runs on the project's Node 24 (node_modules/node; azurite ≥ 3.36 needs Node ≥ 22, 3.35 runs on either)
 * with `--skipApiVersionCheck` (the storage SDK speaks newer REST versions than Azurite knows) and `--loose`
 * (it ignores headers it does not implement). A preloaded watchdog ends Azurite when its stdin closes, so
 * it cannot outlive the test process even if that process is killed before close().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NODE24 = join(ROOT, 'node_modules/node/bin/node');
const AZURITE_BLOB_MAIN = join(ROOT, 'node_modules/azurite/dist/src/blob/main.js');

/** Azurite's well-known development account (public, documented; not a secret). */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** The account's blob endpoint, path style: http://127.0.0.1:<port>/devstoreaccount1 */
  blobUrl: string;
  accountName: string;
  accountKey: string;
  port: number;
  /** Everything Azurite printed (its access log included), for failure messages. */
  log(): string;
  /** Stops Azurite (closing its stdin ends it; SIGKILL after 5 s); idempotent. */
  close(): Promise<void>;
}

export interface AzuriteOptions {
  /** How long to wait for Azurite to listen and answer (default 30 s). */
  startTimeoutMs?: number;
  /** Cap of the in-memory blob store in MB (default 512). */
  memoryLimitMb?: number;
}

// Ends the process when its stdin closes (the parent died or closed it): loaded with --import before Azurite.
const WATCHDOG = `data:text/javascript,process.stdin.on('end',()=>process.exit(0));process.stdin.on('error',()=>process.exit(0));process.stdin.resume();`;

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  for (const f of [NODE24, AZURITE_BLOB_MAIN]) if (!existsSync(f)) throw new Error(`${f} not found: run npm ci`);
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  // Azurite writes nothing with --inMemoryPersistence, but give it an empty folder of its own anyway.
  const cwd = mkdtempSync(join(tmpdir(), 'azurite-'));
  const args = [
    '--import', WATCHDOG,
    AZURITE_BLOB_MAIN,
    '--blobHost', '127.0.0.1',
    '--blobPort', '0',
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--inMemoryPersistence',
    '--extentMemoryLimit', String(options.memoryLimitMb ?? 512),
    '--loose',
  ];
  const child = spawn(NODE24, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd } });
  let out = '';
  const onData = (d: Buffer) => {
    out += d.toString();
    if (out.length > 1_000_000) out = out.slice(-500_000);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((res) => child.once('exit', () => res()));

  const close = once(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Closing stdin makes the watchdog exit the process at once (nothing to persist in memory mode).
      child.stdin!.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(cwd, { recursive: true, force: true });
  });

  try {
    const port = await waitForPort(child, () => out, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    // Listening is not answering: wait for a first HTTP response (any status).
    while (!(await answers(port))) {
      if (Date.now() > deadline) throw new Error(`Azurite on port ${port} did not answer within ${timeoutMs} ms\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      blobUrl: `http://127.0.0.1:${port}/${DEV_ACCOUNT_NAME}`,
      accountName: DEV_ACCOUNT_NAME,
      accountKey: DEV_ACCOUNT_KEY,
      port,
      log: () => out,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function waitForPort(child: ChildProcess, output: () => string, timeoutMs: number): Promise<number> {
  return new Promise((res, rej) => {
    const timer = setTimeout(() => finish(new Error(`Azurite did not start listening within ${timeoutMs} ms\n${output()}`)), timeoutMs);
    const check = () => {
      const m = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output());
      if (m) finish(undefined, Number(m[1]));
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`Azurite exited before listening (code ${code}, signal ${signal})\n${output()}`));
    const finish = (err?: Error, port?: number) => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('exit', onExit);
      child.off('error', finish);
      if (err) rej(err);
      else res(port!);
    };
    child.stdout!.on('data', check);
    child.once('exit', onExit);
    child.once('error', finish);
    check();
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((res) => {
    const req = request({ host: '127.0.0.1', port, path: `/${DEV_ACCOUNT_NAME}?comp=list`, method: 'GET', timeout: 2_000 }, (r) => {
      r.resume();
      res(true);
    });
    req.on('error', () => res(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}
