// bench/validate: validate-data (validate + profile) on a generated CSV against pandas on the same file,
// in the same run. Prints rows/s, MB/s, peak RSS, CPU time and the ratio. The two run in alternating
// rounds and the ratio is also given per round: this VM's speed drifts by ±25% over minutes, so a
// round's ratio compares runs taken seconds apart. Each run also shows the host's steal over it (CPU
// time the hypervisor gave to other guests while the run waited; bench/host.mjs).
//   npm run bench:validate                 1,000,000 rows × 20 columns
//   npm run bench:validate -- --rows 10000000
import { spawnSync } from 'node:child_process';
import { statSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCsv } from './gen-data.mjs';
import { PYTHON, requirePython } from './python.mjs';
import { stealNote, stealSeconds } from './host.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const args = process.argv.slice(2);
const rows = Number(args[args.indexOf('--rows') + 1] ?? 0) || 1_000_000;
const repeats = Number(args[args.indexOf('--repeat') + 1] ?? 0) || 3;
const skipPandas = args.includes('--no-pandas');
const file = join(root, 'bench/.data', `validate-${rows}.csv`);

const log = (s) => process.stdout.write(`${s}\n`);
if (!skipPandas) requirePython(['pandas'], ['python3-pandas'], '--no-pandas');
// Under `npm run`, node_modules/.bin comes first in PATH, so this is the node package's Node 24: the
// version the actions run on.
log(`node ${process.version}; generating ${rows.toLocaleString()} rows × 20 columns → ${file}`);
await generateCsv(file, rows);
const bytes = statSync(file).size;
log(`${(bytes / 1e6).toFixed(1)} MB`);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function runOurs() {
  const out = mkdtempSync(join(tmpdir(), 'bench-validate-'));
  const s0 = stealSeconds();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', join(root, 'bench/rss-hook.mjs'), join(root, 'dist/cli.js'), 'validate-data', '--data', file, '--profile-output', join(out, 'p.json'), '--report-output', join(out, 'r.md'), '--fail-on', 'never'], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const steal = stealSeconds() - s0;
  if (r.status !== 0) throw new Error(`validate-data failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const rss = Number(/__PEAK_RSS_MIB__=([\d.]+)/.exec(r.stderr)?.[1]);
  const cpu = Number(/__CPU_S__=([\d.]+)/.exec(r.stderr)?.[1]);
  return { seconds, rss, cpu, steal };
}

function runPandas() {
  const s0 = stealSeconds();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(PYTHON, [join(root, 'bench/validate_pandas.py'), file], { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const steal = stealSeconds() - s0;
  if (r.status !== 0) throw new Error(`pandas failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop());
  return { seconds: wall, inner: j.seconds, rss: j.rss_mib, cpu: j.cpu_s, steal };
}

const ours = [];
const pandas = [];
for (let i = 0; i < repeats; i++) {
  ours.push(runOurs());
  log(`  mlops validate-data run ${i + 1}: ${ours.at(-1).seconds.toFixed(2)} s, CPU ${ours.at(-1).cpu.toFixed(2)} s, peak RSS ${ours.at(-1).rss} MiB${stealNote(ours.at(-1).steal)}`);
  if (!skipPandas) {
    pandas.push(runPandas());
    const p = pandas.at(-1);
    log(`  pandas run ${i + 1}: ${p.seconds.toFixed(2)} s (in-process ${p.inner.toFixed(2)} s), CPU ${p.cpu.toFixed(2)} s, peak RSS ${p.rss.toFixed(0)} MiB${stealNote(p.steal)}; round ratio ${(p.seconds / ours.at(-1).seconds).toFixed(2)}×`);
  }
}
const o = median(ours.map((x) => x.seconds));
const oRss = Math.max(...ours.map((x) => x.rss));
const oCpu = median(ours.map((x) => x.cpu));
log('');
log(`validate-data (whole process): ${o.toFixed(2)} s  ${(rows / o).toFixed(0).padStart(9)} rows/s  ${(bytes / 1e6 / o).toFixed(1)} MB/s  CPU ${oCpu.toFixed(2)} s  peak RSS ${oRss.toFixed(0)} MiB`);
if (!skipPandas) {
  const p = median(pandas.map((x) => x.seconds));
  const pRss = Math.max(...pandas.map((x) => x.rss));
  const pCpu = median(pandas.map((x) => x.cpu));
  const rounds = pandas.map((x, i) => x.seconds / ours[i].seconds);
  log(`pandas        (whole process): ${p.toFixed(2)} s  ${(rows / p).toFixed(0).padStart(9)} rows/s  ${(bytes / 1e6 / p).toFixed(1)} MB/s  CPU ${pCpu.toFixed(2)} s  peak RSS ${pRss.toFixed(0)} MiB`);
  log(`ratio: validate-data is ${(p / o).toFixed(2)}× pandas' rows/s (medians); per round ${rounds.map((x) => x.toFixed(2)).join(', ')}, median ${median(rounds).toFixed(2)}×; ${(pRss / oRss).toFixed(2)}× less peak memory`);
  log(`CPU: validate-data spends ${(oCpu / pCpu).toFixed(2)}× pandas' CPU time (on ${availableParallelism()} cores; pandas runs on one)`);
}
