// What a user's `uses: <owner>/mlops-actions/actions/train@v1` gets: the release layout (actions/*/action.yml
// and dist/, with onnxruntime's native addon inside dist/bin) copied to an empty folder with no
// node_modules, run by Node 24 exactly as the runner runs it.
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runAction } from './harness';

function sizeOf(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? sizeOf(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

describe('the release layout runs without node_modules', () => {
  let release: string;
  let ws: string;
  beforeAll(() => {
    release = mkdtempSync(join(tmpdir(), 'release-'));
    cpSync(join(ROOT, 'dist'), join(release, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
    for (const a of readdirSync(join(ROOT, 'actions'))) {
      cpSync(join(ROOT, 'actions', a, 'action.yml'), join(release, 'actions', a, 'action.yml'));
    }
    ws = mkdtempSync(join(tmpdir(), 'ws-release-'));
    for (const f of ['train.csv', 'next-month.csv']) copyFileSync(join(ROOT, 'examples/churn', f), join(ws, f));
  });

  it('has no node_modules and carries onnxruntime for linux-x64', () => {
    expect(existsSync(join(release, 'node_modules'))).toBe(false);
    expect(existsSync(join(release, 'dist/bin/napi-v6/linux/x64/onnxruntime_binding.node'))).toBe(true);
    console.log(`release layout: ${(sizeOf(release) / 1e6).toFixed(1)} MB (dist JS ${(sizeOf(join(release, 'dist')) / 1e6 - sizeOf(join(release, 'dist/bin')) / 1e6).toFixed(1)} MB, onnxruntime ${(sizeOf(join(release, 'dist/bin')) / 1e6).toFixed(1)} MB)`);
  });

  it("bundles zod's English messages only (build.mjs leaves its other locales out)", () => {
    const js = readdirSync(join(release, 'dist')).filter((f) => f.endsWith('.js'));
    const locales = new Set<string>();
    for (const f of js) for (const m of readFileSync(join(release, 'dist', f), 'utf8').matchAll(/^\/\/ node_modules\/zod\/v4\/locales\/(\w+)\.js$/gm)) locales.add(m[1]!);
    expect([...locales]).toEqual(['en']);
  });

  it('train, evaluate (onnxruntime, a reader thread) and validate-data (worker threads) run from it', async () => {
    const train = await runAction({ root: release, action: 'train', workspace: ws, inputs: { data: 'train.csv', target: 'churned', 'model-name': 'churn' } });
    expect(train.exitCode, train.stdout + train.stderr).toBe(0);
    const evaluate = await runAction({
      root: release,
      action: 'evaluate',
      workspace: ws,
      inputs: { model: train.outputs.model!, data: 'next-month.csv', 'model-name': 'churn', baseline: 'none' },
      env: { MLOPS_READ_THREAD_MIN_BYTES: '0', MLOPS_DEBUG: '1' },
    });
    expect(evaluate.exitCode, evaluate.stdout + evaluate.stderr).toBe(0);
    // The reader thread, started as the action began (dist/csv-worker.js found next to the bundle).
    expect(evaluate.stderr).toMatch(/csv reader thread \(started \d+ ms before it was needed\): 1 batches/);
    expect(JSON.parse(evaluate.outputs.metrics!).roc_auc).toBeGreaterThan(0.6);
    const validate = await runAction({ root: release, action: 'validate-data', workspace: ws, inputs: { data: 'train.csv' }, env: { MLOPS_PARALLEL: '2', MLOPS_PARALLEL_MIN_BYTES: '0', MLOPS_DEBUG: '1' } });
    expect(validate.exitCode, validate.stdout + validate.stderr).toBe(0);
    expect(validate.stderr).toMatch(/worker: \d+ rows/);
  });

  it("turns on Node's compile cache, in the temporary directory, unless NODE_DISABLE_COMPILE_CACHE is set", async () => {
    const files = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : []);
    for (const disable of [false, true]) {
      const tmp = mkdtempSync(join(tmpdir(), 'tmp-cache-'));
      const r = await runAction({ root: release, action: 'validate-data', workspace: ws, inputs: { data: 'train.csv' }, env: { TMPDIR: tmp, ...(disable ? { NODE_DISABLE_COMPILE_CACHE: '1' } : {}) } });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      const cached = files(join(tmp, 'node-compile-cache'));
      if (disable) expect(cached).toEqual([]);
      else expect(cached.length).toBeGreaterThan(3);
    }
  });
});
