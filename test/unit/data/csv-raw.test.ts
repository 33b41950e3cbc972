// Raw CSV batches (cell ranges of the decoded text) must give exactly the values and lines the plain
// reader gives, whatever the chunking.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../../../shared/data/csv';
import type { Cell } from '../../../shared/data/types';

async function collect(file: string, opts: Parameters<typeof readCsv>[1]) {
  const rows: Cell[][] = [];
  const lines: number[] = [];
  let rawBatches = 0;
  for await (const b of readCsv(file, opts)) {
    if (b.raw) rawBatches++;
    for (let r = 0; r < b.length; r++) {
      rows.push(b.values.map((col) => col[r] ?? null));
      lines.push(b.lines![r]!);
    }
  }
  return { rows, lines, rawBatches };
}

describe('raw CSV cells', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-raw-'));
  const file = join(dir, 'tricky.csv');
  const parts = ['\ufeffid,text,n,empty'];
  for (let i = 0; i < 500; i++) {
    const text = i % 5 === 0 ? `"multi\nline ""${i}"""` : i % 7 === 0 ? '"quoted, comma"' : i % 11 === 0 ? 'NA' : i % 13 === 0 ? '""' : `plain-é-${i}`;
    parts.push(`${i},${text},${i * 1.5},${i % 3 ? '' : 'x'}`);
  }
  writeFileSync(file, parts.join('\r\n') + '\r\n');

  for (const chunkSize of [7, 64, 1000, 1 << 20]) {
    it(`matches the plain reader with ${chunkSize}-byte chunks`, async () => {
      const plain = await collect(file, { chunkSize, batchSize: 37 });
      const raw = await collect(file, { chunkSize, batchSize: 37, raw: true });
      expect(raw.rawBatches).toBeGreaterThan(0);
      expect(raw.rows).toEqual(plain.rows);
      expect(raw.lines).toEqual(plain.lines);
      expect(raw.rows).toHaveLength(500);
      expect(raw.rows[5]![1]).toBe('multi\nline "5"');
      expect(raw.rows[11]![1]).toBeNull();
      expect(raw.rows[13]![1]).toBe('');
    });
  }
});
