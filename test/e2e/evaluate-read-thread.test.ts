// evaluate reads a large CSV on a worker thread (shared/data/csv-thread.ts): the built bundle must give
// exactly what reading on the main thread gives: the same metrics for candidate and baseline and the
// same content hash (which the thread computes as it reads), and for a malformed row far into the file
// the same error at the same line.
import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { NODE24, ROOT, runAction, type RunResult } from './harness';

const THREAD = { MLOPS_READ_THREAD_MIN_BYTES: '0', MLOPS_DEBUG: '1' };
const MAIN = { MLOPS_READ_THREAD: 'off', MLOPS_DEBUG: '1' };

describe('evaluate reading on a worker thread gives the main-thread result', () => {
  let ws: string;
  let model: string;
  let baseline: string;
  let rows = 0;
  let badLine = 0;
  const evaluate = (data: string, env: Record<string, string>): Promise<RunResult> =>
    runAction({ action: 'evaluate', workspace: ws, env, inputs: { model, baseline, data, target: 'churned', 'model-name': 'churn', 'fail-on-gate': 'false' } });

  beforeAll(async () => {
    ws = mkdtempSync(join(tmpdir(), 'ws-read-thread-'));
    copyFileSync(join(ROOT, 'examples/churn/train.csv'), join(ws, 'train.csv'));
    // ~3.5 MB: several 1 MB chunks, so batches straddle chunk ends; some cells quoted.
    const [header, ...sample] = readFileSync(join(ROOT, 'examples/churn/next-month.csv'), 'utf8').trimEnd().split('\n');
    const out = [header!];
    for (let k = 0; k < 22; k++) for (const r of sample) out.push(k % 3 === 1 ? r.replace(/,(north|south)\b/, ',"$1"') : r);
    writeFileSync(join(ws, 'big.csv'), `${out.join('\n')}\n`);
    rows = out.length - 1;
    const bad = [...out];
    bad.splice(out.length - 40, 0, 'C999999,2024-11-12,37,30,67.12');
    badLine = out.length - 40 + 1;
    writeFileSync(join(ws, 'bad.csv'), `${bad.join('\n')}\n`);
    const train = (name: string, features: string) =>
      runAction({ action: 'train', workspace: ws, inputs: { data: 'train.csv', target: 'churned', trainer: 'logistic', 'model-name': name, features } });
    const a = await train('churn', 'age, tenure_months, monthly_charges, plan, contract, payment_method, region, support_calls');
    const b = await train('production', 'age, tenure_months');
    expect(a.exitCode, a.stdout).toBe(0);
    expect(b.exitCode, b.stdout).toBe(0);
    model = a.outputs.model!;
    baseline = b.outputs.model!;
  });

  it('the same metrics for the candidate and the baseline', async () => {
    const [main, thread] = [await evaluate('big.csv', MAIN), await evaluate('big.csv', THREAD)];
    expect(main.exitCode, main.stdout + main.stderr).toBe(0);
    expect(thread.exitCode, thread.stdout + thread.stderr).toBe(0);
    // The thread was started as the action began (before its code loaded), and the batches' text came
    // as bytes too (the file is ASCII): the scorer read those.
    expect(thread.stderr).toMatch(/csv reader thread \(started \d+ ms before it was needed\): ([4-9]) batches of .*big\.csv \(\1 as ASCII bytes\), CPU \d+ ms/);
    // The account bench/evaluate reads (Node 24 has per-thread CPU times): every row scored, the wait for batches.
    expect(thread.stderr).toMatch(new RegExp(`scoring: ${rows} rows in [4-9] batches, \\d+ ms; waited \\d+ ms for batches; this thread's CPU \\d+ ms`));
    expect(main.stderr).not.toMatch(/csv reader thread/);
    // The reader thread takes a core: onnxruntime gets one fewer than its default (cores, at most 4).
    expect(thread.stderr).toContain(`onnxruntime intra-op threads: ${Math.max(1, Math.min(availableParallelism(), 4) - 1)}\n`);
    expect(main.stderr).toContain('onnxruntime intra-op threads: default\n');
    expect(JSON.parse(thread.outputs.metrics!)).toEqual(JSON.parse(main.outputs.metrics!));
    expect(JSON.parse(thread.outputs['baseline-metrics']!)).toEqual(JSON.parse(main.outputs['baseline-metrics']!));
    expect(JSON.parse(main.outputs.metrics!).count).toBe(rows);
    // The reader thread hashed the file as it read it: the same content hash, the file's sha256.
    const dataHash = (r: RunResult) => JSON.parse(readFileSync(join(ws, r.outputs.evaluation!), 'utf8')).data.hash;
    expect(dataHash(thread)).toBe(`sha256:${createHash('sha256').update(readFileSync(join(ws, 'big.csv'))).digest('hex')}`);
    expect(dataHash(main)).toBe(dataHash(thread));
  });

  it('the CLI starts the thread early too; a glob starts it when read, and an early thread left unused does not hold the process', async () => {
    const cli = (args: string[], env: Record<string, string>) =>
      spawnSync(NODE24, [join(ROOT, 'dist/cli.js'), 'evaluate', '--model', model, '--target', 'churned', '--model-name', 'churn', '--baseline', 'none', '--output-dir', 'out', ...args], {
        cwd: ws,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, ...env, CI: 'true' },
      });
    const early = cli(['--data', 'big.csv'], THREAD);
    expect(early.status, early.stderr).toBe(0);
    expect(early.stderr).toMatch(/csv reader thread \(started \d+ ms before it was needed\): [4-9] batches of/);
    const glob = cli(['--data=big*.csv'], THREAD);
    expect(glob.status, glob.stderr).toBe(0);
    expect(glob.stderr).toMatch(/csv reader thread: [4-9] batches of/);
    // Read as JSON Lines (not by the CSV thread, which stays unused): a clear error, and the process ends.
    const unused = cli(['--data', 'big.csv', '--format', 'jsonl'], THREAD);
    expect(unused.error).toBeUndefined();
    expect(unused.status).toBe(1);
    expect(unused.stderr).toMatch(/big\.csv.*line 1/);
    expect(unused.stderr).not.toMatch(/csv reader thread/);
  });

  it("the scorer gives each batch's arrays back to the reader thread when it takes the next: the later batches reuse them", async () => {
    // ~11 MB, ~11 batches: the reader reads AHEAD batches before the first is taken, so only a file of
    // more batches than that shows the reuse.
    const text = readFileSync(join(ws, 'big.csv'), 'utf8');
    const body = text.slice(text.indexOf('\n') + 1);
    writeFileSync(join(ws, 'bigger.csv'), text + body + body);
    const r = await runAction({ action: 'evaluate', workspace: ws, env: THREAD, inputs: { model, data: 'bigger.csv', target: 'churned', 'model-name': 'churn', baseline: 'none', 'fail-on-gate': 'false' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.outputs.metrics!).count).toBe(3 * rows);
    const [, batches, reused, taken] = /csv reader thread.*: (\d+) batches of .*, (\d+) of (\d+) buffers given back\n/.exec(r.stderr) ?? [];
    expect(Number(batches)).toBeGreaterThan(8);
    // Five arrays a batch (cell starts, ends, flags, lines, bytes); those of the batches after the
    // first ones in flight are the ones given back.
    expect(Number(taken)).toBe(5 * Number(batches));
    expect(Number(reused)).toBeGreaterThan(Number(taken) / 3);
  });

  it('a batch that came as bytes alone makes its text when it is read: the same slices, the same quoted cell', async () => {
    // Slice keys and an error's cell are strings: the reader thread did not send its batches' text,
    // the main thread made it from the bytes.
    const sliced = (env: Record<string, string>) =>
      runAction({ action: 'evaluate', workspace: ws, env, inputs: { model, data: 'big.csv', target: 'churned', 'model-name': 'churn', 'slice-by': 'region', baseline: 'none', 'fail-on-gate': 'false' } });
    const [main, thread] = [await sliced(MAIN), await sliced(THREAD)];
    expect(main.exitCode, main.stderr).toBe(0);
    expect(thread.exitCode, thread.stderr).toBe(0);
    expect(thread.stderr).toMatch(/csv reader thread.*: ([4-9]) batches of .*big\.csv \(\1 as ASCII bytes\)/);
    const slices = (r: RunResult): { key: string; rows: number }[] => JSON.parse(readFileSync(join(ws, r.outputs.evaluation!), 'utf8')).candidate.slices;
    expect(slices(thread)).toEqual(slices(main));
    expect(slices(main).map((x) => x.key)).toEqual(expect.arrayContaining(['north', 'south']));

    const lines = readFileSync(join(ws, 'big.csv'), 'utf8').trimEnd().split('\n');
    const at = lines.length - 30;
    lines[at] = lines[at]!.replace(/^([^,]*,[^,]*,)\d+,/, '$1thirty-seven,');
    expect(lines[at]).toContain(',thirty-seven,');
    writeFileSync(join(ws, 'bad-age.csv'), `${lines.join('\n')}\n`);
    const bad = (env: Record<string, string>) =>
      runAction({ action: 'evaluate', workspace: ws, env, inputs: { model, data: 'bad-age.csv', target: 'churned', 'model-name': 'churn', baseline: 'none' } });
    const [m, t] = [await bad(MAIN), await bad(THREAD)];
    const errors = (r: RunResult) => r.annotations.filter((a) => a.level === 'error').map((a) => `${a.properties.file}:${a.properties.line} ${a.message}`);
    expect(t.exitCode).not.toBe(0);
    // (read on the thread: it stopped before its account, which comes at the end of the file)
    expect(t.stderr).toContain(`onnxruntime intra-op threads: ${Math.max(1, Math.min(availableParallelism(), 4) - 1)}\n`);
    expect(errors(t)).toEqual(errors(m));
    expect(errors(m)[0]).toMatch(new RegExp(`^bad-age\\.csv:${at + 1} .*thirty-seven`));
  });

  it('a ragged row near the end: the same error, at the same line', async () => {
    const [main, thread] = [await evaluate('bad.csv', MAIN), await evaluate('bad.csv', THREAD)];
    expect(main.exitCode).not.toBe(0);
    expect(thread.exitCode).not.toBe(0);
    const errors = (r: RunResult) => r.annotations.filter((a) => a.level === 'error').map((a) => `${a.properties.file}:${a.properties.line} ${a.message}`);
    expect(errors(thread)).toEqual(errors(main));
    expect(errors(main)[0]).toMatch(new RegExp(`^bad\\.csv:${badLine} .*ragged row: expected 12 fields \\(as in the header\\), found 5`));
  });
});
