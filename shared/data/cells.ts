/**
 * A batch's raw cells with its bytes, whose text (one character a byte) is made from them the first
 * time something reads it: an error message, a string cell, a consumer without a bytes path. An
 * ASCII batch whose cells are all read from the bytes then costs no string of its text (1 MB a batch),
 * neither where it is read (the CSV reader, readCsv's setBytes) nor where it is posted to (another
 * thread: csv-thread.ts, validate-data's workers), and no garbage.
 */
import type { RawCells } from './types';

/** RawCells as posted between threads: without the text when the bytes are there. */
export type PostedCells = Omit<RawCells, 'text'> & { text?: string };

export class LazyTextCells implements RawCells {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly flags: Uint8Array;
  readonly escaped: Map<number, string>;
  readonly bytes: Uint8Array | undefined;
  private decoded: string | undefined;

  /** `cells` has its text, or its bytes (or both). */
  constructor(cells: PostedCells) {
    this.starts = cells.starts;
    this.ends = cells.ends;
    this.flags = cells.flags;
    this.escaped = cells.escaped;
    this.bytes = cells.bytes;
    this.decoded = cells.text;
  }

  get text(): string {
    if (this.decoded === undefined) {
      const b = this.bytes!;
      this.decoded = latin1(b, 0, b.length);
    }
    return this.decoded;
  }
}

/** The characters bytes[s, e), one a byte (a short run by fromCharCode, without a Buffer). */
export function latin1(bytes: Uint8Array, s: number, e: number): string {
  if (e - s <= 24) {
    let out = '';
    for (let i = s; i < e; i++) out += String.fromCharCode(bytes[i]!);
    return out;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + s, e - s).toString('latin1');
}

/** The buffers of a batch's cell arrays (and bytes), which travel between threads and back to a pool. */
export function cellBuffers(raw: Pick<RawCells, 'starts' | 'ends' | 'flags' | 'bytes'>): ArrayBuffer[] {
  const out = [raw.starts.buffer, raw.ends.buffer, raw.flags.buffer] as ArrayBuffer[];
  if (raw.bytes) out.push(raw.bytes.buffer as ArrayBuffer);
  return out;
}

/** A batch's cells to post: without the text when the bytes are there (LazyTextCells makes it if read). */
export function postable(raw: RawCells): PostedCells {
  const { starts, ends, flags, escaped, bytes } = raw;
  // (the text is not read when the bytes are there: it may not have been made)
  return bytes ? { starts, ends, flags, escaped, bytes } : { starts, ends, flags, escaped, text: raw.text };
}
