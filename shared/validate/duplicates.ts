/**
 * Exact duplicate-row detection in bounded memory, whatever the number of rows.
 *
 * Each row's 64-bit fingerprint (two 32-bit lanes of a hash of its cells), its row index and its line are
 * appended, in file order, to one of 64 partitions chosen by the top 6 bits of the first lane. Partitions
 * live in memory until they hold `memoryLimitBytes` in all, then every partition is appended to its own
 * temporary file (16 bytes a row: 10 million rows spill 160 MB to disk, not to RAM). At the end each
 * partition is loaded alone (1/64 of the rows) and scanned in file order through a hash set of its
 * fingerprints: a fingerprint seen before names a later row of its group, a duplicate. Memory: the
 * buffers (16 MiB) plus one partition and its set (1/64 of the rows at 16 bytes a row, and 18 to 36:
 * 5 to 8 MB at 10⁷ rows).
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
  private setLanes = new Uint32Array(0);
  private setUsed = new Uint8Array(0);
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

  /**
   * add() of a batch's rows: the two fingerprint lanes of row r at hashes[2r], hashes[2r + 1], its
   * index firstRow + r, its line lines[r] (0 without lines). (One loop in a function of its own: in the
   * caller's loop over batches it was compiled again each time it was left.)
   */
  addBatch(hashes: ArrayLike<number>, firstRow: number, lines: Int32Array | undefined, n: number): void {
    for (let r = 0; r < n; r++) this.add(hashes[2 * r]!, hashes[2 * r + 1]!, firstRow + r, lines ? lines[r]! : 0);
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
        // One pass in file order through an open-addressing set of the 64-bit fingerprints (load ≤ 1/2):
        // a fingerprint already there is a later row of its group, a duplicate.
        let cap = 4;
        while (cap < 2 * n) cap *= 2;
        if (this.setLanes.length < 2 * cap) {
          this.setLanes = new Uint32Array(2 * cap);
          this.setUsed = new Uint8Array(cap);
        } else this.setUsed.fill(0, 0, cap);
        scanPartition(recs, n, this.setLanes, this.setUsed, cap - 1, dupes);
      }
    } finally {
      this.dispose();
    }
    return dupes.sort((a, b) => a.row - b.row);
  }

  dispose(): void {
    this.scratch = new Uint32Array(0);
    this.setLanes = new Uint32Array(0);
    this.setUsed = new Uint8Array(0);
    for (const fd of this.fds.splice(0)) closeSync(fd);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/**
 * One pass in file order over a partition's n records through an open-addressing set of their 64-bit
 * fingerprints (load ≤ 1/2; `used` cleared): a fingerprint already there is a later row of its group,
 * a duplicate, pushed to `dupes`. A function of its own, for the same reason as addBatch.
 */
function scanPartition(recs: Uint32Array, n: number, lanes: Uint32Array, used: Uint8Array, mask: number, dupes: DuplicateRow[]): void {
  for (let i = 0; i < n; i++) {
    const a = recs[i * WORDS]!;
    const b = recs[i * WORDS + 1]!;
    // lane 1's top 6 bits chose the partition: index by a mix of the rest
    let j = Math.imul(b ^ (a << 6), 0x9e3779b1) >>> 0;
    j = (j ^ (j >>> 16)) & mask;
    for (;;) {
      if (used[j] === 0) {
        used[j] = 1;
        lanes[2 * j] = a;
        lanes[2 * j + 1] = b;
        break;
      }
      if (lanes[2 * j] === a && lanes[2 * j + 1] === b) {
        dupes.push({ row: recs[i * WORDS + 2]!, line: recs[i * WORDS + 3]! });
        break;
      }
      j = (j + 1) & mask;
    }
  }
}
