/**
 * Helpers shared by the data readers.
 */
import { isAscii } from 'node:buffer';
import { isAbsolute, relative, sep } from 'node:path';
import type { ReadOptions } from './types';

export const DEFAULT_BATCH_SIZE = 65536;
export const DEFAULT_NULL_VALUES: readonly string[] = ['', 'NA', 'N/A', 'null', 'NULL', 'None', '<NA>'];
/**
 * Bytes read from disk at a time by the text readers. Just under Node's threshold (1,031,913 bytes,
 * EXTERN_APEX in src/string_bytes.cc) above which a decoded string is malloc'd outside the V8 heap and
 * freed only when a full GC finds it: 1 MiB chunks made such a string per chunk, and the C heap of a
 * 1M-row read grew to ~60 MiB of them; at 1,000,000 bytes it stays under 20 MiB.
 */
export const DEFAULT_CHUNK_SIZE = 1_000_000;

/**
 * Decodes a UTF-8 file read in chunks, for the text readers. An ASCII chunk (`buffer.isAscii`) reads
 * the same as Latin-1, which skips TextDecoder's UTF-16 scratch buffer (about 2 MiB of malloc churn per
 * chunk, which fragments the process heap) and is faster; other chunks go through a streaming decoder,
 * so a multi-byte character split between chunks is fine. A sequence the decoder still holds cannot
 * continue into ASCII bytes: flushing it gives its U+FFFD, as the streaming decoder would. A BOM is
 * kept (U+FEFF), for the reader to drop.
 */
export class ChunkDecoder {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private holds = false;
  /** Whether the last decode read its bytes as Latin-1, one character a byte, and nothing came before them. */
  ascii = false;

  /** The text of the next `n` bytes of `buf`. */
  decode(buf: Buffer, n: number): string {
    const bytes = buf.subarray(0, n);
    if (isAscii(bytes)) {
      const text = buf.toString('latin1', 0, n);
      const held = this.holds ? this.decoder.decode() : '';
      this.holds = false;
      this.ascii = held.length === 0;
      return held.length === 0 ? text : held + text;
    }
    this.holds = true;
    this.ascii = false;
    return this.decoder.decode(bytes, { stream: true });
  }

  /**
   * decode()'s test without the decoding: whether the next `n` bytes of `buf` are ASCII with nothing
   * held from before them, so that they are their own text, one character a byte (`ascii` is then
   * set as decode() sets it). A reader that can work on the bytes makes the string only if needed.
   */
  asciiAhead(buf: Buffer, n: number): boolean {
    if (this.holds || !isAscii(buf.subarray(0, n))) return false;
    this.ascii = true;
    return true;
  }

  /** What the decoder still holds, at the end of the file (U+FFFD for a cut sequence). */
  end(): string {
    this.holds = false;
    return this.decoder.decode();
  }
}

/** Options the readers accept beyond the shared contract (mainly for tests). */
export interface ReaderOptions extends ReadOptions {
  /** Bytes read from disk per chunk (text formats); default 1,000,000. Tests use tiny values. */
  chunkSize?: number;
}

/**
 * The path to print in an error: relative to the current directory (the workspace on a runner) when
 * the file is inside it, else as given.
 */
export function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return file;
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/** A positive integer option, or the default. */
export function positiveInt(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 1) return fallback;
  return Math.floor(value);
}

/** 1-based column (in characters, i.e. code points) of position `pos` of `text`. */
export function columnAt(text: string, pos: number): number {
  let start = pos;
  while (start > 0) {
    const c = text.charCodeAt(start - 1);
    if (c === 10 || c === 13) break;
    start--;
  }
  let col = 1;
  for (let i = start; i < pos; i++) {
    const c = text.charCodeAt(i);
    // Count a surrogate pair once.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < pos) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    col++;
  }
  return col;
}

/** Shows one character of input readably in a message. */
export function showChar(ch: string): string {
  if (ch === '\t') return '\\t';
  if (ch === '\r') return '\\r';
  if (ch === '\n') return '\\n';
  return ch;
}
