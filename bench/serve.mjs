// bench/serve: `mlops serve` against a typical FastAPI + scikit-learn server (bench/serve_fastapi.py),
// both serving a logistic regression trained on the same churn data, under the same wrk load on
// 127.0.0.1, in the same run: requests/s, p50 and p99 latency, and the ratios.
//   npm run bench:serve                          10 s per server, 2 wrk threads, 32 connections
//   npm run bench:serve -- --duration 30 --connections 64 --log   (--log: mlops writes a prediction log)
// Needs /usr/bin/wrk and Debian's python3 with python3-fastapi python3-uvicorn python3-sklearn
// python3-joblib python3-pandas (apt-get install -y wrk python3-fastapi …).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON, requirePython } from './python.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const duration = opt('duration', 10);
const warmup = opt('warmup', 2);
const threads = opt('threads', 2);
const connections = opt('connections', 32);
const withLog = args.includes('--log');
const WRK = '/usr/bin/wrk';
const log = (s) => process.stdout.write(`${s}\n`);

if (!existsSync(WRK)) {
  log(`missing ${WRK}: apt-get install -y wrk`);
  process.exit(1);
}
const [fastapiV, uvicornV, sklearnV, pandasV] = requirePython(
  ['fastapi', 'uvicorn', 'sklearn', 'joblib', 'pandas'],
  ['python3-fastapi', 'python3-uvicorn', 'python3-sklearn', 'python3-joblib', 'python3-pandas'],
  undefined,
  'print(fastapi.__version__, uvicorn.__version__, sklearn.__version__, pandas.__version__)',
).trim().split(' ');
const fast = spawnSync(PYTHON, ['-c', 'import uvloop, httptools'], { encoding: 'utf8' }).status === 0;

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function run(cmd, argv, cwd, env = process.env) {
  const r = spawnSync(cmd, argv, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function waitFor(url, ms = 30_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up in ${ms} ms`);
}

function start(cmd, argv, cwd, env) {
  const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (out += b));
  return { child, output: () => out };
}

function stop(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(t);
      res();
    });
    child.kill('SIGTERM');
  });
}

/** wrk's latency as seconds ("812.00us", "1.28ms", "2.10s"). */
function seconds(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * { us: 1e-6, ms: 1e-3, s: 1, m: 60 }[m[2]];
}

function wrk(url, script, secs) {
  const out = run(WRK, [`-t${threads}`, `-c${connections}`, `-d${secs}s`, '--latency', '-s', script, url], root);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = seconds(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const p99 = seconds(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const total = Number(/(\d+) requests in/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (socket ? socket.slice(1).reduce((s, x) => s + Number(x), 0) : 0);
  return { rps, p50, p99, total, errors, raw: out };
}

const ws = mkdtempSync(join(tmpdir(), 'bench-serve-'));
const cli = join(root, 'dist/cli.js');
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|RUNNER_)/.test(k)));
const FEATURES = ['age', 'tenure_months', 'monthly_charges', 'support_calls', 'plan', 'contract', 'payment_method'];
copyFileSync(join(root, 'examples/churn/train.csv'), join(ws, 'train.csv'));

log(`training the same model for each server on examples/churn/train.csv (4,000 rows; ${FEATURES.length} features, 3 of them categorical)`);
run(process.execPath, [cli, 'train', '--data', 'train.csv', '--target', 'churned', '--model-name', 'churn', '--features', FEATURES.join(', '), '--output-dir', 'model'], ws, env);
run(process.execPath, [cli, 'register', '--model', 'model/model.onnx', '--manifest', 'model/manifest.json', '--model-name', 'churn'], ws, env);
run(process.execPath, [cli, 'deploy', '--model-name', 'churn', '--version', '1'], ws, env);
log(`  mlops: built-in logistic → ONNX, registered as churn v1, deployed to churn@production`);
log(`  FastAPI: ${run(PYTHON, [join(root, 'bench/serve_fastapi.py'), 'train', join(ws, 'train.csv'), join(ws, 'model.joblib')], root).trim()}`);

// The same request body for both: one customer, the pydantic model's fields.
const record = { age: 45, tenure_months: 8, monthly_charges: 25.59, support_calls: 0, plan: 'basic', contract: 'one-year', payment_method: 'mailed-check' };
const script = join(ws, 'post.lua');
writeFileSync(script, `wrk.method = "POST"\nwrk.body = '${JSON.stringify(record)}'\nwrk.headers["Content-Type"] = "application/json"\n`);
log(`request body (${JSON.stringify(record).length} bytes): ${JSON.stringify(record)}`);
log(`load: wrk -t${threads} -c${connections} -d${duration}s (after a ${warmup} s warm-up), one server at a time, on 127.0.0.1\n`);

const results = {};

// mlops serve
{
  const port = await freePort();
  const argv = [cli, 'serve', 'churn@production', '--port', String(port), ...(withLog ? ['--log', join(ws, 'predictions.jsonl'), '--log-sample', '1.0'] : [])];
  const s = start(process.execPath, argv, ws, env);
  try {
    await waitFor(`http://127.0.0.1:${port}/v2/health/ready`);
    const url = `http://127.0.0.1:${port}/v2/models/churn/predict`;
    const answer = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(record) })).json();
    results.mlops = { answer: answer.probabilities[0][1] };
    if (warmup > 0) wrk(url, script, warmup);
    Object.assign(results.mlops, wrk(url, script, duration));
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const sum = Number(/^mlops_serve_adaptive_batch_size_sum\{[^}]*\} (\S+)$/m.exec(metrics)?.[1]);
    const count = Number(/^mlops_serve_adaptive_batch_size_count\{[^}]*\} (\S+)$/m.exec(metrics)?.[1]);
    results.mlops.batch = sum / count;
  } finally {
    await stop(s.child);
  }
}

// FastAPI + uvicorn (one worker, as `uvicorn app:app` starts it)
{
  const port = await freePort();
  const s = start(PYTHON, ['-m', 'uvicorn', 'serve_fastapi:app', '--app-dir', join(root, 'bench'), '--host', '127.0.0.1', '--port', String(port), '--no-access-log', '--log-level', 'warning'], root, { ...env, MODEL: join(ws, 'model.joblib') });
  try {
    await waitFor(`http://127.0.0.1:${port}/health`);
    const url = `http://127.0.0.1:${port}/predict`;
    const answer = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(record) })).json();
    results.fastapi = { answer: answer.probabilities[1] };
    if (warmup > 0) wrk(url, script, warmup);
    Object.assign(results.fastapi, wrk(url, script, duration));
  } catch (e) {
    log(s.output());
    throw e;
  } finally {
    await stop(s.child);
  }
}
rmSync(ws, { recursive: true, force: true });

const m = results.mlops;
const f = results.fastapi;
const ms = (x) => `${(x * 1000).toFixed(2)} ms`;
const n = (x) => Math.round(x).toLocaleString('en-US');
log(`P(churn) for the request: mlops ${m.answer.toFixed(6)}, FastAPI ${f.answer.toFixed(6)} (same model: ${Math.abs(m.answer - f.answer) < 1e-3 ? 'yes' : 'NO'})\n`);
const rows = [
  ['', 'requests/s', 'p50', 'p99', 'requests', 'errors'],
  [`mlops serve${withLog ? ' (+ prediction log)' : ''}`, n(m.rps), ms(m.p50), ms(m.p99), n(m.total), String(m.errors)],
  [`FastAPI ${fastapiV} + uvicorn ${uvicornV}${fast ? ' (uvloop, httptools)' : ''}`, n(f.rps), ms(f.p50), ms(f.p99), n(f.total), String(f.errors)],
];
const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
for (const r of rows) log(r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('   '));
const ratio = m.rps / f.rps;
log(`\nmlops serve: ${ratio.toFixed(1)}× FastAPI's requests/s; p50 ${(f.p50 / m.p50).toFixed(1)}× lower, p99 ${(f.p99 / m.p99).toFixed(1)}× lower; ${m.batch.toFixed(1)} rows per onnxruntime call on average`);
log(`target (≥ 5× the requests/s, a lower p99): ${ratio >= 5 && m.p99 < f.p99 && m.errors === 0 ? 'met' : 'NOT met'}`);
log(`(scikit-learn ${sklearnV}, pandas ${pandasV}; node ${process.version}; both servers single-process on the same machine as wrk)`);
