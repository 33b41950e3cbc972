// bench/evaluate: the evaluate action on a generated churn-like CSV (1,000,000 rows) with a built-in
// logistic model, against the raw onnxruntime session.run loop over the same batches, in the same run.
//   (a) raw onnxruntime: input tensors for every batch built beforehand, then only session.run is timed
//       ((a) and (b) run in alternating rounds; the ratios are the median of the rounds' ratios)
//   (b) evaluate, whole CLI process (read CSV + infer + metrics, no baseline), wall time from spawn
//   (c) evaluate's in-process pipeline over pre-read batches (scoring + metrics, no file reading)
//   (r) reading alone: the CSV through evaluate's reader (where the rest of (b) goes)
//   (d) cold start: the action bundle run as a runner runs it, and the CLI, on a 100-row file
//   (t) evaluate's throughput: rows over the time each (b) run takes beyond the same command on the
//       100-row file run right after it, that is the time the rows themselves cost (read + infer +
//       metrics), the fixed start-up left out as (a) leaves out loading onnxruntime, creating the
//       session and building the tensors
// Prints rows/s and the ratios (t)/(a), (b)/(a) and (c)/(a), per round and against the fastest (a) of the
// run, and where (b)'s time goes: CPU seconds of (a)'s loop and of (b)'s whole process, and of (b)'s
// scoring thread and reader thread (from evaluate's MLOPS_DEBUG lines): how long the scoring thread
// waited for batches, and how long it was off the CPU without waiting (other threads, or the host:
// the host's steal during (a)'s loop and (b)'s process is shown too; bench/host.mjs).
// Targets (issue 3): evaluate's rows/s ≥ 0.8× (a)'s; cold start < 1 s.
//   npm run bench:evaluate                     1,000,000 rows, 3 repeats
//   npm run bench:evaluate -- --rows 200000 --repeat 5 --cold 9
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { normal, pick, rng } from './gen-data.mjs';
import { stealNote, stealSeconds } from './host.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) || dflt : dflt);
const rows = opt('--rows', 1_000_000);
const repeats = opt('--repeat', 3);
const coldRuns = opt('--cold', 7);
const TRAIN_ROWS = 50_000;
const SMALL_ROWS = 100;
const TARGET = 'churned';
const FEATURES = ['age', 'tenure_months', 'monthly_charges', 'total_charges', 'support_calls', 'plan', 'contract', 'payment_method', 'region'];
const dataDir = join(root, 'bench/.data');
const node = process.execPath;
const NODE24 = join(root, 'node_modules/node/bin/node');

const log = (s = '') => process.stdout.write(`${s}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

// ---- data: churn-like rows, deterministic (the first N rows of any file are the same rows) ----------

const HEADER = ['customer_id', 'age', 'tenure_months', 'monthly_charges', 'total_charges', 'support_calls', 'plan', 'contract', 'payment_method', 'region', TARGET];
const REGIONS = ['north', 'south', 'east', 'west', 'central', 'north-east', 'south-west', 'islands'];

async function generateChurn(path, n, seed = 7) {
  if (existsSync(path) && statSync(path).size > 0) return path;
  mkdirSync(dataDir, { recursive: true });
  const r = rng(seed);
  const out = createWriteStream(`${path}.tmp`);
  const write = (s) => (out.write(s) ? Promise.resolve() : new Promise((res) => out.once('drain', res)));
  let buf = `${HEADER.join(',')}\n`;
  for (let i = 0; i < n; i++) {
    const age = Math.max(18, Math.min(85, Math.round(42 + 13 * normal(r))));
    const tenure = Math.max(1, Math.round(-Math.log(Math.max(r(), 1e-9)) * 24));
    const plan = pick(r, ['basic', 'standard', 'premium'], [5, 3, 2]);
    const contract = pick(r, ['month-to-month', 'one-year', 'two-year'], [5, 3, 2]);
    // One category has a comma in it, so a quarter of these cells are quoted.
    const payment = pick(r, ['card', 'bank transfer, automatic', 'electronic-check', 'mailed-check'], [4, 3, 2, 1]);
    const monthly = Math.max(10, { basic: 25, standard: 55, premium: 90 }[plan] + 8 * normal(r));
    const total = monthly * tenure * (0.95 + 0.1 * r());
    const calls = Math.max(0, Math.round(1.5 + 1.3 * normal(r)));
    const region = REGIONS[Math.floor(r() * r() * REGIONS.length)];
    const z =
      -1.2 + 0.9 * (contract === 'month-to-month') - 0.8 * (contract === 'two-year') - 0.035 * tenure + 0.018 * (monthly - 50) + 0.45 * calls - 0.012 * (age - 42) + 0.4 * (payment === 'electronic-check');
    const churned = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    const missingAge = r() < 0.02;
    const missingTotal = r() < 0.01;
    buf += `C${String(i + 1).padStart(7, '0')},${missingAge ? '' : age},${tenure},${monthly.toFixed(2)},${missingTotal ? 'NA' : total.toFixed(2)},${calls},${plan},${contract},${payment.includes(',') ? `"${payment}"` : payment},${region},${churned}\n`;
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise((res) => out.end(res));
  renameSync(`${path}.tmp`, path);
  return path;
}

// ---- helpers -----------------------------------------------------------------------------------------

function run(cmd, argv, o = {}) {
  const s0 = stealSeconds();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26, ...o, env: { ...process.env, CI: 'true', ...o.env } });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${[cmd, ...argv].join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { seconds, stdout: r.stdout, stderr: r.stderr, steal: stealSeconds() - s0 };
}

function inProcess(...argv) {
  const r = run(node, [pipelineJs, ...argv]);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// ---- setup -------------------------------------------------------------------------------------------

if (!existsSync(join(root, 'dist/cli.js')) || !existsSync(join(root, 'dist/evaluate.js'))) throw new Error('dist/ is missing: run npm run build');
const big = join(dataDir, `evaluate-${rows}.csv`);
const sample = join(dataDir, `evaluate-${TRAIN_ROWS}.csv`);
const small = join(dataDir, `evaluate-${SMALL_ROWS}.csv`);
log(`generating ${rows.toLocaleString('en-US')} churn-like rows → ${big}`);
await generateChurn(big, rows);
await generateChurn(sample, TRAIN_ROWS);
await generateChurn(small, SMALL_ROWS);
const bytes = statSync(big).size;
log(`${(bytes / 1e6).toFixed(1)} MB, ${HEADER.length} columns (${FEATURES.length} features: 5 numeric, 4 categorical; label ${TARGET})`);

const modelDir = mkdtempSync(join(tmpdir(), 'bench-evaluate-model-'));
const trained = run(node, [join(root, 'dist/cli.js'), 'train', '--data', sample, '--target', TARGET, '--features', FEATURES.join(','), '--model-name', 'bench', '--output-dir', modelDir]);
const model = join(modelDir, 'model.onnx');
log(`trained a built-in logistic model on ${TRAIN_ROWS.toLocaleString('en-US')} rows in ${trained.seconds.toFixed(1)} s → ${model}`);

const pipelineJs = join(dataDir, 'evaluate-pipeline.mjs');
await build({
  entryPoints: [join(root, 'bench/evaluate-pipeline.ts')],
  outfile: pipelineJs,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['onnxruntime-node'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});

// ---- measurements ----------------------------------------------------------------------------------

// (a) and (b) in rounds, side by side: this VM's speed drifts by ±25% over minutes, so each round's
// ratio compares runs taken seconds apart. (a) per round: the best of 2 timed loops in a fresh process.
log('');
log(`(a) raw onnxruntime: session.run over pre-built tensors, and (b) evaluate CLI, whole process, then on ${SMALL_ROWS} rows (${repeats} rounds)`);
const outDir = mkdtempSync(join(tmpdir(), 'bench-evaluate-out-'));
const smallOutDir = mkdtempSync(join(tmpdir(), 'bench-evaluate-out-'));
const cliArgs = (data, out = outDir) => [join(root, 'dist/cli.js'), 'evaluate', '--model', model, '--data', data, '--target', TARGET, '--baseline', 'none', '--model-name', 'bench', '--output-dir', out];
const rawRuns = [];
const whole = [];
const marginal = [];
const ratioT = [];
const ratioB = [];
const cpuA = [];
const cpuB = [];
let raw;
let peakRss = 0;
for (let i = 0; i < repeats; i++) {
  raw = inProcess('raw', model, big, '2');
  const ra = Math.min(...raw.seconds);
  rawRuns.push(ra);
  const best = raw.seconds.indexOf(ra);
  cpuA.push(raw.cpu[best]);
  const r = run(node, ['--import', join(root, 'bench/rss-hook.mjs'), ...cliArgs(big)], { env: { MLOPS_DEBUG: '1' } });
  const rss = Number(/__PEAK_RSS_MIB__=([\d.]+)/.exec(r.stderr)?.[1]);
  peakRss = Math.max(peakRss, rss);
  cpuB.push(Number(/__CPU_S__=([\d.]+)/.exec(r.stderr)?.[1]));
  // evaluate's own account (MLOPS_DEBUG): the scoring pass's wall, its wait for batches, its thread's CPU; the reader thread's CPU.
  const sc = /scoring: \d+ rows in \d+ batches, (\d+) ms; waited (\d+) ms for batches(?:; this thread's CPU (\d+) ms)?/.exec(r.stderr);
  const readerCpu = /csv reader thread[^:\n]*: .*, CPU (\d+) ms/.exec(r.stderr)?.[1];
  whole.push(r.seconds);
  // The same command on the 100-row file right after: its time is the fixed start-up cost (t).
  const fixed = run(node, ['--import', join(root, 'bench/rss-hook.mjs'), ...cliArgs(small, smallOutDir)]).seconds;
  marginal.push(r.seconds - fixed);
  ratioT.push(ra / (r.seconds - fixed));
  ratioB.push(ra / r.seconds);
  log(`    round ${i + 1}: (a) ${ra.toFixed(3)} s; (b) ${r.seconds.toFixed(3)} s, peak RSS ${rss.toFixed(0)} MiB; on ${SMALL_ROWS} rows ${fixed.toFixed(3)} s; (t)/(a) ${ratioT.at(-1).toFixed(3)}, (b)/(a) ${ratioB.at(-1).toFixed(3)}`);
  const where = sc
    ? `(b) scoring pass ${sc[1]} ms: waited ${sc[2]} ms for batches${sc[3] ? `, on the CPU ${sc[3]} ms, off it otherwise ${Math.max(0, Number(sc[1]) - Number(sc[2]) - Number(sc[3])).toFixed(0)} ms` : ''}${readerCpu ? `; reader thread CPU ${readerCpu} ms` : ''}`
    : '(b) printed no scoring line';
  log(`             CPU: (a) ${cpuA.at(-1).toFixed(2)} s${stealNote(raw.steal[best])}, (b) whole process ${cpuB.at(-1).toFixed(2)} s${stealNote(r.steal)}; ${where}`);
}
log(`    (a): ${raw.batches} batches of ${fmt(raw.minBatch)}–${fmt(raw.maxBatch)} rows (mean ${fmt(raw.meanBatch)}), inputs ${raw.inputs.join(' ')}`);
const evaluation = JSON.parse(readFileSync(join(outDir, 'evaluation.json'), 'utf8'));
const m = evaluation.candidate.metrics;
log(`    ${fmt(evaluation.data.rows)} rows, accuracy ${m.accuracy.toFixed(6)}, roc_auc ${m.roc_auc.toFixed(6)}, log_loss ${m.log_loss.toFixed(6)}`);

log(`(c) evaluate in-process: scoring + metrics over pre-read batches (${repeats} runs)`);
const pipe = inProcess('pipeline', model, big, TARGET, String(repeats));
log(`    ${pipe.seconds.map((s) => `${s.toFixed(3)} s`).join(', ')}; accuracy ${pipe.metrics.accuracy.toFixed(6)}, roc_auc ${pipe.metrics.roc_auc.toFixed(6)}`);

log(`(r) reading the CSV alone, as evaluate reads it (${repeats} runs)`);
const read = inProcess('read', big, String(repeats));
log(`    ${read.seconds.map((s) => `${s.toFixed(3)} s`).join(', ')}`);

log(`(d) cold start on a ${SMALL_ROWS}-row file (${coldRuns} runs each)`);
const ws = mkdtempSync(join(tmpdir(), 'bench-evaluate-ws-'));
writeFileSync(join(ws, 'small.csv'), readFileSync(small));
writeFileSync(join(ws, 'model.onnx'), readFileSync(model));
// The action's bundle as a runner starts it (test/e2e/harness.ts's runAction, from the pipeline bundle).
const actionInputs = { model: 'model.onnx', data: 'small.csv', target: TARGET, baseline: 'none', 'model-name': 'bench' };
const coldAction = inProcess('action', root, ws, JSON.stringify(actionInputs), String(coldRuns)).seconds;
const coldCli = [];
for (let i = 0; i < coldRuns; i++) coldCli.push(run(NODE24, cliArgs(small, smallOutDir)).seconds);
log(`    action: ${coldAction.map((s) => s.toFixed(3)).join(' ')} s`);
log(`    CLI:    ${coldCli.map((s) => s.toFixed(3)).join(' ')} s`);

// ---- report ------------------------------------------------------------------------------------------

const a = median(rawRuns);
const b = median(whole);
const c = median(pipe.seconds);
const rd = median(read.seconds);
const row = (label, s, extra = '') => log(`${label.padEnd(52)} ${s.toFixed(3).padStart(7)} s ${fmt(rows / s).padStart(12)} rows/s${extra}`);
log('');
log(`${fmt(rows)} rows, ${(bytes / 1e6).toFixed(1)} MB, medians of ${repeats}:`);
row('(a) raw onnxruntime session.run, pre-built tensors', a, `  CPU ${median(cpuA).toFixed(2)} s`);
row('(b) evaluate CLI, whole process (read+infer+metrics)', b, `  CPU ${median(cpuB).toFixed(2)} s, peak RSS ${peakRss.toFixed(0)} MiB`);
row('(c) evaluate scoring + metrics, pre-read batches', c);
row('(r) evaluate reading the CSV alone', rd);
log(`(d) cold start, ${SMALL_ROWS} rows: action ${median(coldAction).toFixed(3)} s, CLI ${median(coldCli).toFixed(3)} s (median of ${coldRuns})`);
const t = median(marginal);
row('(t) evaluate throughput: (b) − the same on 100 rows', t);
log('');
log(`ratio (t)/(a): evaluate's rows/s (read+infer+metrics, start-up left out) is ${median(ratioT).toFixed(3)}× the raw onnxruntime loop's (median of the rounds' ratios)`);
log(`ratio (b)/(a): the whole process, start-up included, is ${median(ratioB).toFixed(3)}× the raw loop's rows/s (median of the rounds' ratios)`);
log(`ratio (c)/(a): in-process scoring + metrics is ${(a / c).toFixed(3)}× the raw loop's rows/s`);
const fastest = Math.min(...rawRuns);
log(`against the fastest (a) of the run (${fastest.toFixed(3)} s): (t) is ${(fastest / t).toFixed(3)}×, (b) ${(fastest / b).toFixed(3)}×; worst round: (t)/(a) ${Math.min(...ratioT).toFixed(3)}, (b)/(a) ${Math.min(...ratioB).toFixed(3)}`);
log(`cold start: ${median(coldAction) < 1 ? 'within' : 'over'} the 1 s target`);
