// bench/monitor: drift of 1,000,000 current rows × 20 columns against the reference profile stored with
// the production model, against pandas + SciPy computing Evidently's large-reference tests on the raw
// data (reference and current), in the same run. Prints seconds, peak RSS and the ratio.
//   npm run bench:monitor [-- --rows 1000000]
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCsv } from './gen-data.mjs';
import { PYTHON, requirePython } from './python.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const args = process.argv.slice(2);
const rows = Number(args[args.indexOf('--rows') + 1] ?? 0) || 1_000_000;
const log = (s) => process.stdout.write(`${s}\n`);
requirePython(['pandas', 'scipy'], ['python3-pandas', 'python3-scipy']);
const data = join(root, 'bench/.data');
const ref = await generateCsv(join(data, 'monitor-reference-100000.csv'), 100_000, 7);
const cur = await generateCsv(join(data, `validate-${rows}.csv`), rows, 42);
const ws = join(data, 'monitor-ws');
rmSync(ws, { recursive: true, force: true });
mkdirSync(ws, { recursive: true });
const cli = (...a) => {
  const r = spawnSync(process.execPath, ['--import', join(root, 'bench/rss-hook.mjs'), join(root, 'dist/cli.js'), ...a], { cwd: ws, encoding: 'utf8', env: { ...process.env, CI: 'true' }, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`mlops ${a.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return { rss: Number(/__PEAK_RSS_MIB__=([\d.]+)/.exec(r.stderr)?.[1]), stdout: r.stdout };
};

log('setting up: a production model whose reference profile is 100,000 rows');
cli('train', '--data', ref, '--target', 'active', '--model-name', 'bench', '--features', 'age,income,balance,score,tenure,plan,region,device', '--output-dir', 'model');
cli('register', '--model', 'model/model.onnx', '--manifest', 'model/manifest.json', '--model-name', 'bench');
cli('deploy', '--model-name', 'bench', '--version', '1');
writeFileSync(join(ws, 'monitor.yml'), 'ignore: [id, signup]\nperformance: false\n');

const runs = [];
for (let i = 0; i < 3; i++) {
  const t0 = process.hrtime.bigint();
  const r = cli('monitor', '--model-name', 'bench', '--data', cur, '--config', 'monitor.yml');
  runs.push({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, rss: r.rss });
  log(`  mlops monitor run ${i + 1}: ${runs.at(-1).seconds.toFixed(2)} s, peak RSS ${r.rss} MiB`);
}
const peer = [];
for (let i = 0; i < 3; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(PYTHON, [join(root, 'bench/monitor_scipy.py'), ref, cur], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`peer failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop());
  peer.push({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, rss: j.rss_mib });
  log(`  pandas + SciPy run ${i + 1}: ${peer.at(-1).seconds.toFixed(2)} s, peak RSS ${j.rss_mib.toFixed(0)} MiB (drifted: ${j.drifted.join(', ') || 'none'})`);
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const o = med(runs.map((r) => r.seconds));
const oRss = Math.max(...runs.map((r) => r.rss));
log('');
log(`mlops monitor (whole process, ${rows.toLocaleString()} rows × 20 columns vs the stored profile): ${o.toFixed(2)} s, peak RSS ${oRss.toFixed(0)} MiB`);
const p = med(peer.map((r) => r.seconds));
const pRss = Math.max(...peer.map((r) => r.rss));
log(`pandas + SciPy on the raw reference and current data:             ${p.toFixed(2)} s, peak RSS ${pRss.toFixed(0)} MiB`);
log(`ratio: monitor is ${(p / o).toFixed(2)}× faster and uses ${(pRss / oRss).toFixed(2)}× less memory`);
