// Generates the bundled sample data in examples/churn/ deterministically (same bytes on every run):
// a churn-like classification set, a "next month" batch whose world has moved (drift), and a batch with
// data problems for validate-data to catch. Synthetic: no licence restrictions (see examples/churn/README.md).
//   node scripts/make-sample-data.mjs [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normal, pick, rng } from '../bench/gen-data.mjs';

const outDir = process.argv[2] ?? 'examples/churn';

const HEADER = ['customer_id', 'signup_date', 'age', 'tenure_months', 'monthly_charges', 'total_charges', 'plan', 'contract', 'payment_method', 'support_calls', 'region', 'churned'];

function generate({ rows, seed, drift = false, idOffset = 0 }) {
  const r = rng(seed);
  const out = [HEADER.join(',')];
  for (let i = 0; i < rows; i++) {
    const age = Math.max(18, Math.min(85, Math.round(42 + 13 * normal(r))));
    const tenure = Math.max(1, Math.round(-Math.log(Math.max(r(), 1e-9)) * 24));
    const plan = drift ? pick(r, ['basic', 'standard', 'premium'], [2, 4, 4]) : pick(r, ['basic', 'standard', 'premium'], [5, 3, 2]);
    const contract = pick(r, ['month-to-month', 'one-year', 'two-year'], [5, 3, 2]);
    const payment = pick(r, ['card', 'bank-transfer', 'electronic-check', 'mailed-check'], [4, 3, 2, 1]);
    const base = { basic: 25, standard: 55, premium: 90 }[plan];
    const monthly = Math.max(10, base + 8 * normal(r) + (drift ? 18 : 0));
    const total = monthly * tenure * (0.95 + 0.1 * r());
    const calls = Math.max(0, Math.round((drift ? 3.5 : 1.5) + 1.3 * normal(r)));
    const region = pick(r, ['north', 'south', 'east', 'west'], [3, 3, 2, 2]);
    const day = 1 + Math.floor(r() * 28);
    const signupYear = 2026 - Math.min(9, Math.floor(tenure / 12));
    const signupMonth = 1 + Math.floor(r() * (signupYear === 2026 ? 10 : 12));
    const signup = `${signupYear}-${String(signupMonth).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const z =
      -1.2 +
      0.9 * (contract === 'month-to-month') -
      0.8 * (contract === 'two-year') -
      0.035 * tenure +
      0.018 * (monthly - 50) +
      0.45 * calls -
      0.012 * (age - 42) +
      0.4 * (payment === 'electronic-check');
    const churned = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    out.push([
      `C${String(idOffset + i + 1).padStart(6, '0')}`,
      signup,
      age,
      tenure,
      monthly.toFixed(2),
      total.toFixed(2),
      plan,
      contract,
      payment,
      calls,
      region,
      churned,
    ].join(','));
  }
  return `${out.join('\n')}\n`;
}

mkdirSync(outDir, { recursive: true });
const train = generate({ rows: 4000, seed: 1 });
writeFileSync(join(outDir, 'train.csv'), train);
writeFileSync(join(outDir, 'next-month.csv'), generate({ rows: 2000, seed: 2, drift: true, idOffset: 10000 }));

// A batch with the problems a data pipeline really produces, each on a known line.
const lines = generate({ rows: 200, seed: 3, idOffset: 20000 }).trimEnd().split('\n');
const set = (line, col, value) => {
  const cells = lines[line - 1].split(',');
  cells[HEADER.indexOf(col)] = value;
  lines[line - 1] = cells.join(',');
};
set(5, 'age', 'forty'); // wrong type
set(9, 'age', '-3'); // outside the reference range
set(12, 'plan', 'enterprise'); // a category the reference never saw
set(20, 'churned', ''); // no label
set(33, 'monthly_charges', 'NaN'); // NaN
lines[60] = lines[59]; // duplicate row (line 61 repeats line 60)
writeFileSync(join(outDir, 'bad-batch.csv'), `${lines.join('\n')}\n`);
console.log(`wrote ${outDir}/train.csv, next-month.csv, bad-batch.csv`);
