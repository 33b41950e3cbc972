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
      this.decoded = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
    }
    return this.decoded;
  }
}

/** A batch's cells to post: without the text when the bytes are there (LazyTextCells makes it if read). */
export function postable(raw: RawCells): PostedCells {
  const { starts, ends, flags, escaped, bytes } = raw;
  // (the text is not read when the bytes are there: it may not have been made)
  return bytes ? { starts, ends, flags, escaped, bytes } : { starts, ends, flags, escaped, text: raw.text };
}
