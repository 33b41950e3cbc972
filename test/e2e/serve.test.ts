// `mlops serve` end to end, from the built CLI: train two churn models and register them in a local
// registry (v1 deployed to production), start the server on 127.0.0.1 for churn@production, send a
// bounded load of concurrent requests while `mlops deploy --target-url` moves production to v2 and
// tells the server (hot reload): zero failed requests. Then malformed requests (each a 4xx with a
// reason), the prediction log, and /metrics scraped by a real Prometheus (Debian's /usr/bin/prometheus,
// started here with a temporary config and storage, stopped at the end).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE24, ROOT } from './harness';

const CLI = join(ROOT, 'dist/cli.js');
const PROMETHEUS = '/usr/bin/prometheus';
const NUMERIC = ['age', 'tenure_months', 'monthly_charges', 'support_calls'];
const ALL = [...NUMERIC, 'plan', 'contract', 'payment_method'];

/** The environment of a local run: no GitHub Actions variables from an enclosing runner. */
function localEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GITHUB_|INPUT_|RUNNER_|ACTIONS_)/.test(k) && k !== 'CI') env[k] = v;
  return env;
}

function cli(ws: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(NODE24, [CLI, ...args], { cwd: ws, env: localEnv(), encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cliAsync(ws: string, args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE24, [CLI, ...args], { cwd: ws, env: localEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Waits for `ok()` to hold, polling every `every` ms, for at most `ms`. */
async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>, every = 100): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Stops a child process we started (SIGTERM, then SIGKILL after `ms`); resolves with its exit code. */
function stop(child: ChildProcess, ms = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

interface Row {
  [k: string]: string | number;
}

function readRows(file: string): Row[] {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const header = lines[0]!.split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    const row: Row = {};
    header.forEach((h, i) => (row[h] = NUMERIC.includes(h) ? Number(cells[i]) : cells[i]!));
    return row;
  });
}

describe('mlops serve (built CLI, local registry, real Prometheus)', () => {
  let ws: string;
  let server: ChildProcess;
  let url: string;
  let port: number;
  let serverLog = '';
  let rows: Row[];
  const exits: (number | null)[] = [];

  beforeAll(async () => {
    expect(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first').toBe(true);
    ws = mkdtempSync(join(tmpdir(), 'ws-serve-'));
    copyFileSync(join(ROOT, 'examples/churn/train.csv'), join(ws, 'train.csv'));
    copyFileSync(join(ROOT, 'examples/churn/next-month.csv'), join(ws, 'next-month.csv'));
    rows = readRows(join(ws, 'next-month.csv'));
    for (const [dir, features] of [
      ['models/first', NUMERIC],
      ['models/second', ALL],
    ] as const) {
      const t = cli(ws, ['train', '--data', 'train.csv', '--target', 'churned', '--model-name', 'churn', '--features', features.join(', '), '--output-dir', dir]);
      expect(t.status, t.stdout + t.stderr).toBe(0);
      const r = cli(ws, ['register', '--model', `${dir}/model.onnx`, '--manifest', `${dir}/manifest.json`, '--model-name', 'churn']);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
    const d = cli(ws, ['deploy', '--model-name', 'churn', '--version', '1']);
    expect(d.status, d.stdout + d.stderr).toBe(0);

    server = spawn(NODE24, [CLI, 'serve', 'churn@production', '--port', '0', '--poll', '0', '--log', 'predictions.jsonl', '--log-sample', '1.0'], {
      cwd: ws,
      env: localEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (b: Buffer) => (serverLog += b.toString()));
    server.stderr!.on('data', (b: Buffer) => (serverLog += b.toString()));
    server.once('exit', (code) => exits.push(code));
    url = await until('the server to be ready', 30_000, async () => /ready: churn v1 at (http:\/\/127\.0\.0\.1:\d+)/.exec(serverLog)?.[1], 50);
    port = Number(new URL(url).port);
  });

  afterAll(async () => {
    if (server) await stop(server);
  });

  const record = (i: number): Row => rows[i % rows.length]!;

  it('answers health and metadata for the production version', async () => {
    const ready = await fetch(`${url}/v2/health/ready`);
    expect(ready.status).toBe(200);
    const meta = (await (await fetch(`${url}/v2/models/churn`)).json()) as { versions: string[]; platform: string; inputs: { name: string; datatype: string; shape: number[] }[] };
    expect(meta.versions).toEqual(['1']);
    expect(meta.platform).toBe('onnxruntime');
    expect(meta.inputs).toEqual(NUMERIC.map((name) => ({ name, datatype: 'FP32', shape: [-1, 1] })));
  });

  let sent = 0;
  let predictedRows = 0;
  const versions: string[] = [];

  it('2000+ concurrent requests, a deploy with hot reload in the middle, zero failed requests', async () => {
    const failures: string[] = [];
    let deploy: Promise<{ status: number | null; out: string }> | undefined;
    let deployed = false;
    let afterDeploy = 0;
    const started = Date.now();
    // 32 workers; at least 2000 requests and 300 answered after the deploy finished; at most 20000 requests and 60 s.
    const more = () => (sent < 2000 || !deployed || afterDeploy < 300) && sent < 20_000 && Date.now() - started < 60_000;
    const worker = async (w: number) => {
      while (more()) {
        const i = sent++;
        if (i === 300) {
          deploy = cliAsync(ws, ['deploy', '--model-name', 'churn', '--version', '2', '--target-url', `${url}/v2/repository/models/churn/load`]).then((r) => {
            deployed = true;
            return r;
          });
        }
        // Three forms: one record, MLflow's split with two rows, records.
        const kind = i % 3;
        const [path, body, n] =
          kind === 0
            ? ['/v2/models/churn/predict', record(i), 1]
            : kind === 1
              ? ['/invocations', { dataframe_split: { columns: Object.keys(record(i)), data: [Object.values(record(i)), Object.values(record(i + 1))] } }, 2]
              : ['/v2/models/churn/predict', { records: [record(i)] }, 1];
        try {
          const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': `w${w}-${i}` }, body: JSON.stringify(body) });
          const json = (await res.json()) as { predictions?: unknown[]; model_version?: string; error?: string };
          if (res.status !== 200 || json.predictions?.length !== n) failures.push(`${i}: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
          else {
            predictedRows += n;
            versions.push(json.model_version!);
            if (deployed) afterDeploy++;
          }
        } catch (e) {
          failures.push(`${i}: ${String(e)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, (_, w) => worker(w)));
    const d = await deploy!;
    const seconds = (Date.now() - started) / 1000;
    console.log(`serve e2e: ${sent} requests (${predictedRows} rows) in ${seconds.toFixed(1)} s with 32 concurrent, ${failures.length} failed; v1 answered ${versions.filter((v) => v === '1').length}, v2 ${versions.filter((v) => v === '2').length}`);
    expect(d.status, d.out).toBe(0);
    expect(d.out).toMatch(/Notified http:\/\/127\.0\.0\.1:\d+\/v2\/repository\/models\/churn\/load \(200\)/);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(2000);
    expect(versions.length).toBe(sent);
    expect(versions).toContain('1');
    expect(versions.slice(-300).every((v) => v === '2')).toBe(true);
    const meta = (await (await fetch(`${url}/v2/models/churn`)).json()) as { versions: string[]; inputs: unknown[] };
    expect(meta.versions).toEqual(['2']);
    expect(meta.inputs).toHaveLength(7);
    expect(serverLog).toMatch(/serving churn v2 \(sha256:[0-9a-f]{12}…\) from churn@production \(v2\) in \.mlops\/registry, was v1/);
  });

  it('v2 tensors after the swap', async () => {
    const rec = record(0);
    const res = await fetch(`${url}/v2/models/churn/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: ALL.map((name) => ({ name, shape: [1, 1], datatype: NUMERIC.includes(name) ? 'FP32' : 'BYTES', data: [rec[name]] })) }),
    });
    const json = (await res.json()) as { model_version: string; outputs: { name: string; shape: number[]; data: unknown[] }[] };
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(json.model_version).toBe('2');
    expect(json.outputs.map((o) => [o.name, o.shape])).toEqual([
      ['label', [1]],
      ['probabilities', [1, 2]],
    ]);
  });

  it('malformed requests: each a 4xx with a reason, and the server keeps serving', async () => {
    const good = record(1);
    const tensors = (patch: (t: { name: string; shape: number[]; datatype: string; data: unknown[] }[]) => void) => {
      const inputs = ALL.map((name) => ({ name, shape: [1, 1], datatype: NUMERIC.includes(name) ? 'FP32' : 'BYTES', data: [good[name]] as unknown[] }));
      patch(inputs);
      return JSON.stringify({ inputs });
    };
    const huge = `{"records": [${`${JSON.stringify(good)},`.repeat(Math.ceil((9 * 1024 * 1024) / JSON.stringify(good).length))}${JSON.stringify(good)}]}`;
    const cases: [string, string, string | undefined, number, RegExp][] = [
      ['POST', '/v2/models/churn/predict', '{"age": 4', 400, /not valid JSON/],
      ['POST', '/v2/models/churn/predict', '', 400, /empty/],
      ['POST', '/v2/models/churn/predict', '"a string"', 400, /the body is a string/],
      ['POST', '/v2/models/churn/predict', JSON.stringify({ ...good, age: 'forty' }), 400, /column 'age' row 1: "forty" is not a number/],
      ['POST', '/v2/models/churn/predict', JSON.stringify({ ...good, age: { years: 40 } }), 400, /key 'age' holds an object/],
      ['POST', '/v2/models/churn/predict', JSON.stringify({ records: [good, { age: 3 }] }), 400, /record 2 has no 'tenure_months'/],
      ['POST', '/v2/models/churn/predict', JSON.stringify({ columns: ['age'], data: [[30]] }), 400, /are not in the data/],
      ['POST', '/v2/models/churn/predict', JSON.stringify({ columns: ['age', 'plan'], data: [[30]] }), 400, /has 1 cells, but there are 2 columns/],
      ['POST', '/v2/models/churn/predict', JSON.stringify({ records: [] }), 400, /no records/],
      ['POST', '/invocations', JSON.stringify({ dataframe_split: 'x' }), 400, /"dataframe_split" must be an object/],
      ['POST', '/v2/models/churn/infer', JSON.stringify({ inputs: {} }), 400, /"inputs" must be a list/],
      ['POST', '/v2/models/churn/infer', tensors((t) => t.pop()), 400, /missing model input 'payment_method'/],
      ['POST', '/v2/models/churn/infer', tensors((t) => (t[0]!.datatype = 'INT64')), 400, /datatype INT64 does not match the model's FP32/],
      ['POST', '/v2/models/churn/infer', tensors((t) => (t[0]!.shape = [1, 2])), 400, /fixes 1/],
      ['POST', '/v2/models/churn/infer', tensors((t) => (t[1]!.data = ['x'])), 400, /data element 0 is "x", but datatype FP32 takes numbers/],
      ['POST', '/v2/models/churn/infer', tensors((t) => (t[4]!.data = [4])), 400, /datatype BYTES takes strings/],
      ['POST', '/v2/models/churn/infer', tensors((t) => t.push({ name: 'nope', shape: [1], datatype: 'FP32', data: [1] })), 400, /no input 'nope'/],
      ['POST', '/v2/models/churn/infer', tensors((t) => (t[2]!.shape = [2, 1])), 400, /needs 2 elements/],
      ['POST', '/v2/models/churn/predict', huge, 413, /larger than the limit of 8 MiB/],
      ['POST', '/v2/models/fraud/predict', JSON.stringify(good), 404, /model 'fraud' is not served here/],
      ['POST', '/v2/models/churn/versions/1/predict', JSON.stringify(good), 404, /version 1 is not served; version 2 is/],
      ['GET', '/v2/models/churn/infer', undefined, 405, /use POST/],
      ['DELETE', '/v2/models/churn', undefined, 405, /use GET/],
      ['GET', '/v3/anything', undefined, 404, /no endpoint/],
      ['POST', '/v2/repository/models/churn/load', JSON.stringify({ model: 'churn', version: 1, environment: 'production' }), 409, /asked for version 1, but churn@production .* is version 2/],
      ['POST', '/v2/repository/models/churn/load', JSON.stringify({ model: 'churn', environment: 'staging' }), 409, /not the staging environment/],
    ];
    for (const [method, path, body, status, reason] of cases) {
      const res = await fetch(url + path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) });
      const json = (await res.json()) as { error?: string };
      expect(res.status, `${method} ${path} ${body?.slice(0, 60)} → ${json.error}`).toBe(status);
      expect(json.error).toMatch(reason);
    }
    // Garbage on the socket is a 400 too.
    const raw = await new Promise<string>((resolve, reject) => {
      import('node:net').then(({ connect }) => {
        const s = connect(port, '127.0.0.1', () => s.end('NOT HTTP AT ALL\r\n\r\n'));
        let data = '';
        s.on('data', (b) => (data += b.toString()));
        s.on('end', () => resolve(data));
        s.on('error', reject);
      }, reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    const after = await fetch(`${url}/v2/models/churn/predict`, { method: 'POST', body: JSON.stringify(good) });
    expect(after.status).toBe(200);
  });

  it('the prediction log has one flat line per predicted row, with inputs, prediction and version', async () => {
    // Written asynchronously: wait until every row is there.
    const file = join(ws, 'predictions.jsonl');
    const lines = await until('the prediction log', 10_000, async () => {
      const l = readFileSync(file, 'utf8').trimEnd().split('\n');
      return l.length >= predictedRows ? l : undefined;
    });
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const fromLoad = parsed.filter((p) => /^w\d+-\d+$/.test(String(p.request_id)));
    expect(fromLoad.length).toBe(predictedRows);
    const v1 = fromLoad.find((p) => p.model_version === '1')!;
    const v2 = fromLoad.find((p) => p.model_version === '2')!;
    expect(Object.keys(v1)).toEqual(['time', 'model', 'model_version', 'request_id', ...NUMERIC, 'prediction', 'probabilities']);
    expect(Object.keys(v2)).toEqual(['time', 'model', 'model_version', 'request_id', ...ALL, 'prediction', 'probabilities']);
    expect([0, 1]).toContain(v2.prediction);
    expect(Number.isNaN(Date.parse(String(v2.time)))).toBe(false);
  });

  it('/metrics is scraped by a real Prometheus', async () => {
    expect(existsSync(PROMETHEUS), 'install Prometheus: apt-get install -y prometheus').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
    const promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:', '  - job_name: mlops-serve', '    scrape_interval: 1s', '    static_configs:', `      - targets: ['127.0.0.1:${port}']`, ''].join('\n'),
    );
    const prom = spawn(
      PROMETHEUS,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let promLog = '';
    prom.stdout!.on('data', (b: Buffer) => (promLog += b.toString()));
    prom.stderr!.on('data', (b: Buffer) => (promLog += b.toString()));
    const api = `http://127.0.0.1:${promPort}/api/v1`;
    const query = async (q: string): Promise<number | undefined> => {
      const res = await fetch(`${api}/query?query=${encodeURIComponent(q)}`);
      const json = (await res.json()) as { status: string; data: { result: { value: [number, string] }[] } };
      const v = json.data.result[0]?.value[1];
      return v === undefined ? undefined : Number(v);
    };
    try {
      const target = await until(`Prometheus to scrape 127.0.0.1:${port} (log: ${promLog.slice(-300)})`, 30_000, async () => {
        const res = await fetch(`${api}/targets`);
        const json = (await res.json()) as { data: { activeTargets: { health: string; lastError: string; scrapeUrl: string }[] } };
        const t = json.data.activeTargets[0];
        return t?.health === 'up' ? t : undefined;
      }, 250);
      expect(target.scrapeUrl).toBe(`http://127.0.0.1:${port}/metrics`);
      expect(target.lastError).toBe('');
      expect(await until('up == 1', 10_000, () => query('up{job="mlops-serve"}'), 250)).toBe(1);
      // What the load did, as Prometheus stored it.
      expect(await until('the served version', 10_000, () => query('mlops_serve_model_version{model_name="churn"}'), 250)).toBe(2);
      const ok = await until('the 200s of the load', 10_000, async () => {
        const v = await query('sum(mlops_serve_request_total{http_response_code="200",endpoint=~"/v2/models/\\\\{name\\\\}/predict|/invocations"})');
        return v !== undefined && v >= sent ? v : undefined;
      }, 250);
      expect(ok).toBeGreaterThanOrEqual(sent);
      expect(await query('sum(mlops_serve_request_total{http_response_code=~"4.."})')).toBeGreaterThanOrEqual(20);
      expect(await query('sum(mlops_serve_request_total{http_response_code=~"5.."})')).toBeUndefined();
      const batched = await query('sum(mlops_serve_adaptive_batch_size_sum) / sum(mlops_serve_adaptive_batch_size_count)');
      expect(batched).toBeGreaterThan(1);
      const predicted = await query('sum(mlops_serve_predictions_total{model_name="churn"})');
      expect(predicted).toBeGreaterThanOrEqual(predictedRows);
      const p99 = await query('histogram_quantile(0.99, sum by (le) (mlops_serve_request_duration_seconds_bucket{endpoint="/v2/models/{name}/predict",http_response_code="200"}))');
      console.log(`Prometheus: ${ok} answered 200 on predict/invocations, mean rows per onnxruntime call ${batched?.toFixed(1)}, p99 latency ≤ ${p99} s (bucket bound)`);
    } finally {
      const code = await stop(prom);
      expect([0, null]).toContain(code);
    }
  });

  it('stops cleanly on SIGTERM', async () => {
    const code = await stop(server);
    expect(code).toBe(0);
    expect(serverLog).toMatch(/SIGTERM: finishing requests in flight, then stopping/);
  });
});
