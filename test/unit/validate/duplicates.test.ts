import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuplicateFinder } from '../../../shared/validate/duplicates';

function naive(rows: [number, number][]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  rows.forEach(([a, b], i) => {
    const k = `${a >>> 0}:${b >>> 0}`;
    if (seen.has(k)) out.push(i);
    else seen.add(k);
  });
  return out;
}

describe('duplicate rows in bounded memory', () => {
  for (const [label, limit] of [['in memory', 64 << 20], ['spilled to disk', 64 * 1024]] as const) {
    it(`finds exactly the later rows of each group (${label})`, () => {
      let seed = 99;
      const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) | 0);
      const rows: [number, number][] = [];
      for (let i = 0; i < 200_000; i++) {
        if (i > 10 && i % 997 === 0) rows.push(rows[i - 1 - (i % 7)]!);
        else rows.push([rnd(), rnd()]);
      }
      // Fingerprints that differ in one bit (same partition, same lane 2) are not duplicates.
      rows.push([rows[5]![0] ^ (1 << 22), rows[5]![1]]);
      const tmp = mkdtempSync(join(tmpdir(), 'dup-test-'));
      const f = new DuplicateFinder(limit, tmp);
      rows.forEach(([a, b], i) => f.add(a, b, i, i + 2));
      const found = f.finish();
      expect(found.map((d) => d.row)).toEqual(naive(rows));
      expect(found[0]!.line).toBe(found[0]!.row + 2);
      // Temporary files are gone.
      expect(readdirSync(tmp)).toEqual([]);
      expect(existsSync(tmp)).toBe(true);
    });
  }
});
