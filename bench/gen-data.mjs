// Deterministic synthetic tables for benchmarks: N rows × 20 columns (numeric with nulls, categorical,
// a date and a boolean), written as CSV in streaming fashion (constant memory whatever N). Also the
// seeded draws (rng, normal, pick) that bench/evaluate and scripts/make-sample-data.mjs build rows with.
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export const COLUMNS = [
  ['id', 'int'], ['age', 'int'], ['income', 'float'], ['balance', 'float'], ['score', 'float'], ['tenure', 'int'],
  ['visits', 'int'], ['ratio', 'float'], ['latency_ms', 'float'], ['amount', 'float'], ['clicks', 'int'], ['temp', 'float'],
  ['plan', 'cat3'], ['region', 'cat8'], ['device', 'cat5'], ['channel', 'cat12'], ['country', 'cat40'], ['segment', 'cat4'],
  ['signup', 'date'], ['active', 'bool'],
];

const CATS = {
  cat3: ['basic', 'standard', 'premium'],
  cat4: ['a', 'b', 'c', 'd'],
  cat5: ['ios', 'android', 'web', 'desktop', 'tv'],
  cat8: ['north', 'south', 'east', 'west', 'central', 'north-east', 'south-west', 'islands'],
  cat12: Array.from({ length: 12 }, (_, i) => `channel-${i}`),
  cat40: Array.from({ length: 40 }, (_, i) => `C${String.fromCharCode(65 + (i % 26))}${i}`),
};

/** mulberry32: a small deterministic generator for benchmark data. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw from two uniform draws of r (Box–Muller). */
export function normal(r) {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** One of `items`, drawn with the given relative weights. */
export function pick(r, items, weights) {
  let x = r() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < items.length; i++) {
    x -= weights[i];
    if (x <= 0) return items[i];
  }
  return items[items.length - 1];
}

export async function generateCsv(path, rows, seed = 42) {
  if (existsSync(path) && statSync(path).size > 0) return path;
  await mkdir(dirname(path), { recursive: true });
  const r = rng(seed);
  const out = createWriteStream(path);
  const write = (s) => (out.write(s) ? Promise.resolve() : new Promise((res) => out.once('drain', res)));
  await write(COLUMNS.map((c) => c[0]).join(',') + '\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    const cells = [];
    for (let c = 0; c < COLUMNS.length; c++) {
      const t = COLUMNS[c][1];
      if (c > 0 && c < 12 && r() < 0.02) {
        cells.push('');
        continue;
      }
      switch (t) {
        case 'int':
          cells.push(c === 0 ? String(i + 1) : String(Math.floor(r() * (c === 1 ? 80 : 1000))));
          break;
        case 'float':
          cells.push((r() * 1000 - 200).toFixed(3));
          break;
        case 'date':
          cells.push(`202${Math.floor(r() * 6)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`);
          break;
        case 'bool':
          cells.push(r() < 0.5 ? 'true' : 'false');
          break;
        default: {
          const cats = CATS[t];
          cells.push(cats[Math.floor(r() * r() * cats.length)]);
        }
      }
    }
    buf += cells.join(',') + '\n';
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise((res) => out.end(res));
  return path;
}
