// The parallel pass (main thread tokenizes, worker threads and the main thread check and profile) must report what the
// serial pass reports: the same findings at the same lines (duplicates decided in file order), the same
// exact statistics; sketches merged within their error.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, type RunResult } from './harness';

function makeCsv(rows: number): string {
  const out = ['id,x,y,cat,when,flag'];
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  for (let i = 0; i < rows; i++) {
    let cat = ['a', 'b', 'c', '"q,uoted"'][Math.floor(rnd() * 4)];
    // One chunk of the file is not ASCII: its batches reach the workers as text, the others as bytes.
    if (i === 30_000) cat = '"dé""jà vu"';
    let x = (rnd() * 100).toFixed(3);
    if (i % 9973 === 5) x = 'oops'; // wrong type
    if (i % 7919 === 3) x = ''; // null
    out.push(`${i},${x},${Math.floor(rnd() * 50)},${cat},2026-0${1 + (i % 9)}-1${i % 10},${i % 2 ? 'true' : 'false'}`);
    if (i % 15013 === 11) out.push(out[out.length - 1]!); // a duplicate row right after
  }
  return `${out.join('\n')}\n`;
}

describe('validate-data in parallel gives the serial result', () => {
  let ws: string;
  let serial: RunResult;
  let parallel: RunResult;
  beforeAll(async () => {
    ws = mkdtempSync(join(tmpdir(), 'ws-parallel-'));
    writeFileSync(join(ws, 'data.csv'), makeCsv(60_000));
    writeFileSync(join(ws, 'schema.yml'), 'version: 1\ncolumns:\n  id: { type: integer }\n  x: { type: float, nullable: false }\n  y: { type: integer, range: [0, 40] }\n  cat: { type: category }\n  when: { type: datetime }\n  flag: { type: boolean }\n');
    const inputs = { data: 'data.csv', schema: 'schema.yml', 'fail-on': 'never' };
    serial = await runAction({ action: 'validate-data', workspace: ws, inputs: { ...inputs, 'profile-output': 's.json' }, env: { MLOPS_PARALLEL: 'off' } });
    parallel = await runAction({
      action: 'validate-data',
      workspace: ws,
      inputs: { ...inputs, 'profile-output': 'p.json' },
      env: { MLOPS_PARALLEL: '2', MLOPS_PARALLEL_MIN_BYTES: '0', MLOPS_DEBUG: '1' },
    });
  });

  it('ran in parallel', () => {
    expect(parallel.stderr).toMatch(/worker: \d+ rows/);
    expect(serial.stderr).not.toMatch(/worker: \d+ rows/);
  });

  it('on a coordinator thread (large files): the same outputs, data hash and annotations', async () => {
    const run = await runAction({
      action: 'validate-data',
      workspace: ws,
      inputs: { data: 'data.csv', schema: 'schema.yml', 'fail-on': 'never', 'profile-output': 'c.json' },
      env: { MLOPS_PARALLEL: '1', MLOPS_PARALLEL_MIN_BYTES: '0', MLOPS_COORDINATOR_MIN_BYTES: '0', MLOPS_DEBUG: '1' },
    });
    expect(run.stderr).toMatch(/worker: \d+ rows/);
    expect(run.stderr).toMatch(/coordinator thread: 60\d{3} rows/);
    expect(parallel.stderr).not.toMatch(/coordinator thread/); // a small file: the pass on the main thread
    const { profile: _a, ...s } = serial.outputs;
    const { profile: _b, ...c } = run.outputs;
    expect(c).toEqual(s); // data-hash included: the coordinator hashes the bytes it reads
    const key = (r: RunResult) => r.annotations.filter((a) => a.level !== 'debug').map((a) => `${a.level} ${a.properties.title} ${a.properties.line} ${a.message}`);
    expect(key(run)).toEqual(key(serial));
    const sp = JSON.parse(readFileSync(join(ws, 's.json'), 'utf8'));
    const cp = JSON.parse(readFileSync(join(ws, 'c.json'), 'utf8'));
    expect(cp.rows).toBe(sp.rows);
    for (const name of Object.keys(sp.columns)) expect(cp.columns[name].counts).toEqual(sp.columns[name].counts);
  });

  it('a malformed file read on the coordinator thread is an error at file:line, not a stack trace', async () => {
    const lines = makeCsv(20_000).split('\n');
    lines[15_000] = lines[15_000]!.split(',').slice(0, 3).join(','); // a short row on line 15001
    writeFileSync(join(ws, 'ragged.csv'), lines.join('\n'));
    const run = await runAction({
      action: 'validate-data',
      workspace: ws,
      inputs: { data: 'ragged.csv' },
      env: { MLOPS_PARALLEL: '1', MLOPS_PARALLEL_MIN_BYTES: '0', MLOPS_COORDINATOR_MIN_BYTES: '0' },
    });
    expect(run.exitCode).toBe(1);
    const err = run.annotations.find((a) => a.level === 'error' && a.properties.file === 'ragged.csv');
    expect(err?.properties.line).toBe('15001');
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it('the batches this thread checks itself (every worker busy) merge like a worker\'s', async () => {
    // No batch in flight allowed: the reading thread checks every batch itself; one allowed: it checks
    // those that find both workers busy, the workers the rest.
    for (const inFlight of ['0', '1']) {
      const run = await runAction({
        action: 'validate-data',
        workspace: ws,
        inputs: { data: 'data.csv', schema: 'schema.yml', 'fail-on': 'never', 'profile-output': `l${inFlight}.json` },
        env: { MLOPS_PARALLEL: '2', MLOPS_PARALLEL_MIN_BYTES: '0', MLOPS_DEBUG: '1', MLOPS_IN_FLIGHT: inFlight },
      });
      if (inFlight === '0') expect(run.stderr).toMatch(/this thread: 60\d{3} rows checked here/);
      const { profile: _a, ...s } = serial.outputs;
      const { profile: _b, ...l } = run.outputs;
      expect(l).toEqual(s);
      const key = (r: RunResult) => r.annotations.filter((a) => a.level !== 'debug').map((a) => `${a.level} ${a.properties.title} ${a.properties.line} ${a.message}`);
      expect(key(run)).toEqual(key(serial));
      const sp = JSON.parse(readFileSync(join(ws, 's.json'), 'utf8'));
      const lp = JSON.parse(readFileSync(join(ws, `l${inFlight}.json`), 'utf8'));
      for (const name of Object.keys(sp.columns)) {
        expect(lp.columns[name].counts).toEqual(sp.columns[name].counts);
        expect(lp.columns[name].distinct.hll).toEqual(sp.columns[name].distinct.hll);
      }
    }
  });

  it('the same outputs and the same annotations, in the same order', () => {
    expect(serial.exitCode).toBe(0);
    expect(parallel.exitCode).toBe(0);
    const { profile: _a, ...s } = serial.outputs;
    const { profile: _b, ...p } = parallel.outputs;
    expect(p).toEqual(s);
    expect(Number(s.errors)).toBeGreaterThanOrEqual(3);
    const key = (r: RunResult) => r.annotations.filter((a) => a.level !== 'debug').map((a) => `${a.level} ${a.properties.title} ${a.properties.line} ${a.message}`);
    expect(key(parallel)).toEqual(key(serial));
    expect(key(serial).some((k) => k.includes('duplicate-rows'))).toBe(true);
  });

  it('the same exact statistics; sketches within their error', () => {
    const s = JSON.parse(readFileSync(join(ws, 's.json'), 'utf8'));
    const p = JSON.parse(readFileSync(join(ws, 'p.json'), 'utf8'));
    expect(p.rows).toBe(s.rows);
    for (const name of Object.keys(s.columns)) {
      const a = s.columns[name];
      const b = p.columns[name];
      expect(b.kind).toBe(a.kind);
      expect(b.counts).toEqual(a.counts);
      expect(b.types).toEqual(a.types);
      expect(b.distinct.hll).toEqual(a.distinct.hll); // HyperLogLog registers merge exactly
      if (a.numeric) {
        expect(b.numeric.min).toBe(a.numeric.min);
        expect(b.numeric.max).toBe(a.numeric.max);
        expect(Math.abs(b.numeric.mean - a.numeric.mean)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a.numeric.mean)));
        expect(b.numeric.m2 / a.numeric.m2).toBeCloseTo(1, 9);
      }
      // Frequent values are exact while the column has fewer distinct values than the sketch's capacity.
      const exact = a.topK.items.reduce((t: number, [, c]: [unknown, number]) => t + c, 0) === a.topK.n;
      if (exact) expect(new Map(b.topK.items)).toEqual(new Map(a.topK.items));
    }
  });
});
