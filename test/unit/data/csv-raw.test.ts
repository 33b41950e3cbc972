// Raw CSV batches (cell ranges of the decoded text) must give exactly the values and lines the plain
// reader gives, whatever the chunking.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../../../shared/data/csv';
import type { Cell, RowBatch } from '../../../shared/data/types';

async function collect(file: string, opts: Parameters<typeof readCsv>[1], late = false) {
  const rows: Cell[][] = [];
  const lines: number[] = [];
  let rawBatches = 0;
  // late: every batch is read before any is looked at (the reader's buffers have been reused since)
  const all: RowBatch[] = [];
  if (late) for await (const b of readCsv(file, opts)) all.push(b);
  for await (const b of late ? all : readCsv(file, opts)) {
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

describe('raw CSV cells: random dialect mixes', () => {
  // Plain, empty, null-marker, quoted (with the delimiter, doubled quotes, line breaks), after any
  // line ending (LF, CRLF, a lone CR) and blank lines: the raw reader's fast path for simple records
  // and its general parser must together give the plain reader's rows, lines and errors.
  const FIELDS = ['1', '-2.5', '', 'NA', 'None', 'x', 'north', '"a,b"', '"say ""hi"""', '"two\nlines"', '""', '"cr\r\nlf"', 'é', '"q"'];
  const ENDS = ['\n', '\n', '\n', '\r\n', '\r'];
  const BROKEN = ['a"b', '"x"y', '"open'];
  const dir = mkdtempSync(join(tmpdir(), 'csv-raw-mix-'));

  function make(seed: number, broken: boolean): string {
    let s = seed;
    const rnd = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
    const ncol = 1 + rnd(4);
    const lines = [Array.from({ length: ncol }, (_, c) => `c${c}`).join(',')];
    const rows = 40 + rnd(80);
    for (let r = 0; r < rows; r++) {
      if (rnd(15) === 0) lines.push('');
      // Now and then one field too many or too few (ragged), when asked for broken input.
      const n = broken && rnd(30) === 0 ? ncol + (rnd(2) ? 1 : -1) : ncol;
      const cells = Array.from({ length: Math.max(n, 1) }, () => (broken && rnd(60) === 0 ? BROKEN[rnd(BROKEN.length)]! : FIELDS[rnd(FIELDS.length)]!));
      lines.push(cells.join(','));
    }
    let out = lines[0]!;
    for (let k = 1; k < lines.length; k++) out += ENDS[rnd(ENDS.length)]! + lines[k]!;
    return out + (rnd(2) ? '\n' : '');
  }

  async function outcome(file: string, opts: Parameters<typeof readCsv>[1], late = false) {
    try {
      const { rows, lines } = await collect(file, opts, late);
      return { ok: { rows, lines } };
    } catch (e) {
      const err = e as Error & { location?: unknown };
      return { error: `${err.message} ${JSON.stringify(err.location)}` };
    }
  }

  it('the same rows, lines and errors as the plain reader, 300 random files', async () => {
    let errors = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const file = join(dir, `mix-${seed}.csv`);
      writeFileSync(file, make(seed, seed % 3 === 0));
      const chunkSize = [5, 16, 61, 4096][seed % 4]!;
      const batchSize = [3, 17, 1000][seed % 3]!;
      const plain = await outcome(file, { chunkSize, batchSize });
      const raw = await outcome(file, { chunkSize, batchSize, raw: true });
      expect({ seed, ...raw }).toEqual({ seed, ...plain });
      // With the bytes, a batch's text is made from its own copy of them, after the reader has moved on.
      const withBytes = await outcome(file, { chunkSize, batchSize, raw: true, rawBytes: true }, true);
      expect({ seed, ...withBytes }).toEqual({ seed, ...plain });
      if (plain.error) errors++;
    }
    // Broken files do fail (so the error path is compared too), and most files read.
    expect(errors).toBeGreaterThan(20);
    expect(errors).toBeLessThan(100);
  });
});

describe('raw CSV cells with rawBytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-raw-bytes-'));
  // ASCII rows, then one with 'é' (its chunk has no bytes), then ASCII again; quoted cells throughout.
  const lines = ['id,name,x'];
  for (let i = 0; i < 300; i++) lines.push(i === 150 ? `${i},"caf\u00e9, au lait",1.5` : `${i},${i % 4 ? `n${i}` : `"q, ${i}"`},${i / 4}`);
  const file = join(dir, 'mixed.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);

  it('an ASCII batch carries its text as bytes, its own copy; a batch with other characters carries none', async () => {
    const batches = [];
    for await (const b of readCsv(file, { raw: true, rawBytes: true, chunkSize: 256 })) batches.push(b);
    expect(batches.length).toBeGreaterThan(10);
    const withBytes = batches.filter((b) => b.raw!.bytes !== undefined);
    const without = batches.filter((b) => b.raw!.bytes === undefined);
    // Read to the end first: the read buffer has been reused many times since, and the bytes must not see it.
    for (const b of withBytes) {
      const { text, bytes } = b.raw!;
      expect(bytes!.length).toBe(text.length);
      expect(Buffer.from(bytes!).toString('latin1')).toBe(text);
      expect(/^[\x00-\x7f]*$/.test(text)).toBe(true);
    }
    // The chunk with 'é' has none (nor may the one after it, whose text starts with the carried-over record).
    const nonAscii = batches.filter((b) => /[^\x00-\x7f]/.test(b.raw!.text));
    expect(nonAscii.length).toBeGreaterThan(0);
    for (const b of nonAscii) expect(without).toContain(b);
    expect(withBytes.length).toBeGreaterThan(batches.length - 3);
    // Not asked for: none.
    for await (const b of readCsv(file, { raw: true, chunkSize: 256 })) expect(b.raw!.bytes).toBeUndefined();
  });
});
