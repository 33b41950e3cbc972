/**
 * Exact duplicate-row detection in bounded memory, whatever the number of rows.
 *
 * Each row's 64-bit fingerprint (two 32-bit lanes of a hash of its cells), its row index and its line are
 * appended, in file order, to one of 64 partitions chosen by the top 6 bits of the first lane. Partitions
 * live in memory until they hold `memoryLimitBytes` in all, then every partition is appended to its own
 * temporary file (16 bytes a row: 10 million rows spill 160 MB to disk, not to RAM). At the end each
 * partition is loaded alone (1/64 of the rows), its fingerprints sorted natively, and equal neighbours
 * mark candidate keys; a second scan in file order then names the later rows of each group as the
 * duplicates. Memory: the buffers (16 MiB) plus one partition while it is sorted (1/64 of the rows at 32 bytes a
 * row: 5 MB at 10⁷ rows).
 *
 * A false duplicate needs two different rows with the same 64-bit fingerprint: about n²/2⁶⁵ (3·10⁻⁶ at
 * 10⁷ rows).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync, fstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PARTITIONS = 64;
const WORDS = 4; // h1, h2, row, line
const CHUNK_ROWS = 4096;

export interface DuplicateRow {
  row: number;
  /** 1-based line, or 0 when the format has none (Parquet). */
  line: number;
}

export class DuplicateFinder {
  private readonly buffers: Uint32Array[] = [];
  private readonly fill = new Int32Array(PARTITIONS);
  /** Flushed chunks per partition, while in memory. */
  private readonly chunks: Uint32Array[][] = [];
  /**
   * Written chunks, reused for the next rows: a fixed set of buffers, not a new one per chunk left for
   * the GC (that garbage grew the C heap by tens of MiB before a collection freed it).
   */
  private readonly spare: Uint32Array[] = [];
  private memRows = 0;
  /** finish()'s buffers, reused from one partition to the next. */
  private scratch = new Uint32Array(0);
  private keyScratch = new Float64Array(0);
  private dir: string | undefined;
  private readonly fds: number[] = [];
  rows = 0;

  constructor(
    private readonly memoryLimitBytes = 16 * 1024 * 1024,
    private readonly tempRoot = tmpdir(),
  ) {
    for (let p = 0; p < PARTITIONS; p++) {
      this.buffers.push(new Uint32Array(CHUNK_ROWS * WORDS));
      this.chunks.push([]);
    }
  }

  add(h1: number, h2: number, row: number, line: number): void {
    const p = h1 >>> 26;
    const buf = this.buffers[p]!;
    let f = this.fill[p]!;
    buf[f] = h1;
    buf[f + 1] = h2;
    buf[f + 2] = row;
    buf[f + 3] = line;
    f += WORDS;
    if (f === buf.length) {
      this.chunks[p]!.push(buf);
      this.buffers[p] = this.spare.pop() ?? new Uint32Array(CHUNK_ROWS * WORDS);
      f = 0;
    }
    this.fill[p] = f;
    this.rows++;
    this.memRows++;
    if (this.memRows * WORDS * 4 > this.memoryLimitBytes) this.spill();
  }

  /** Writes every partition's complete chunks to its temporary file. */
  private spill(): void {
    if (!this.dir) {
      this.dir = mkdtempSync(join(this.tempRoot, 'mlops-duplicates-'));
      for (let p = 0; p < PARTITIONS; p++) this.fds.push(openSync(join(this.dir, `p${p}`), 'a+'));
    }
    for (let p = 0; p < PARTITIONS; p++) {
      for (const chunk of this.chunks[p]!) writeSync(this.fds[p]!, chunk);
      this.memRows -= this.chunks[p]!.length * CHUNK_ROWS;
      this.spare.push(...this.chunks[p]!);
      this.chunks[p] = [];
    }
  }

  /**
   * Partition p's records, in file order, in `scratch` (grown when too small, else reused): a fresh
   * array per partition was garbage that piled up faster than the GC freed it, tens of MiB at the end.
   */
  private load(p: number): Uint32Array {
    const size = this.dir ? fstatSync(this.fds[p]!).size / 4 : 0;
    const inMemory = [...this.chunks[p]!, this.buffers[p]!.subarray(0, this.fill[p])];
    const total = inMemory.reduce((n, a) => n + a.length, size);
    if (this.scratch.length < total) this.scratch = new Uint32Array(total);
    const out = this.scratch.subarray(0, total);
    if (size > 0) {
      const bytes = new Uint8Array(out.buffer, out.byteOffset, size * 4);
      let done = 0;
      while (done < bytes.length) done += readSync(this.fds[p]!, bytes, done, bytes.length - done, done);
    }
    let at = size;
    for (const a of inMemory) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  }

  /** Every duplicate row (a row equal to an earlier one), in file order. Frees the temporary files. */
  finish(): DuplicateRow[] {
    const dupes: DuplicateRow[] = [];
    try {
      for (let p = 0; p < PARTITIONS; p++) {
        const recs = this.load(p);
        const n = recs.length / WORDS;
        if (n < 2) continue;
        // 52 bits of the fingerprint (20 of lane 1 beyond the partition's 6, and lane 2) as an exact
        // double: sorted natively, equal neighbours are candidates; the full 64 bits decide below.
        const keyOf = (i: number): number => (recs[i * WORDS]! & 0xfffff) * 4294967296 + recs[i * WORDS + 1]!;
        if (this.keyScratch.length < n) this.keyScratch = new Float64Array(n);
        const sorted = this.keyScratch.subarray(0, n);
        for (let i = 0; i < n; i++) sorted[i] = keyOf(i);
        sorted.sort();
        const candidates = new Set<number>();
        for (let i = 1; i < n; i++) if (sorted[i] === sorted[i - 1]) candidates.add(sorted[i]!);
        if (candidates.size === 0) continue;
        const seen = new Set<string>();
        for (let i = 0; i < n; i++) {
          if (!candidates.has(keyOf(i))) continue;
          const full = `${recs[i * WORDS]}:${recs[i * WORDS + 1]}`;
          if (seen.has(full)) dupes.push({ row: recs[i * WORDS + 2]!, line: recs[i * WORDS + 3]! });
          else seen.add(full);
        }
      }
    } finally {
      this.dispose();
    }
    return dupes.sort((a, b) => a.row - b.row);
  }

  dispose(): void {
    this.scratch = new Uint32Array(0);
    this.keyScratch = new Float64Array(0);
    for (const fd of this.fds.splice(0)) closeSync(fd);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
