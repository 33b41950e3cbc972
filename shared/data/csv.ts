/**
 * Streaming RFC 4180 CSV reader.
 *
 * - Quoted fields ("a,b"), doubled quotes inside them ("say ""hi"""), line breaks inside them.
 * - Records end with LF, CRLF or a lone CR; a UTF-8 BOM at the start is dropped; blank lines are
 *   skipped (as pandas does) but still counted for line numbers.
 * - The first record is the header: column names, which must be non-empty and distinct.
 * - Unquoted cells equal to a null marker (`nullValues`) are null. Quoted cells are never null, so a
 *   quoted empty string "" stays ''.
 * - Strict: a row with a different number of fields than the header, a quote inside an unquoted field,
 *   anything but a delimiter or line end after a closing quote, and an unclosed quote are UserErrors
 *   naming file, line and column.
 *
 * Memory is constant in rows: the file is read in chunks (DEFAULT_CHUNK_SIZE, 1,000,000 bytes), an
 * ASCII chunk read as Latin-1 and any other decoded with a streaming TextDecoder (a multi-byte
 * character split between chunks is fine), and parsed with charCodeAt scanning into
 * batches of `batchSize` rows. A record cut by the end of a chunk is parsed again from its start once
 * the next chunk is there: its bytes are carried to the front of the next read when the text was
 * ASCII (one flat string to scan), else its text is joined to the next chunk's.
 * Raw batches (`raw`) take simple records (plain or simply quoted fields, LF or CRLF) through a fast
 * loop (fastRaw, which reads an ASCII chunk's bytes and otherwise the text's UTF-16 units from a typed
 * array) and the rest through the general one. In raw mode an ASCII chunk after the first is not
 * decoded at all unless something reads its text (setBytes): the general loop, an error, a batch's
 * RawCells.text (a batch with its bytes makes it from its own copy, cells.ts). With `onFileHash` the
 * bytes are hashed as read.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { UserError } from '../errors';
import { LITTLE_ENDIAN } from '../endian';
import {
  ChunkDecoder,
  columnAt,
  DEFAULT_BATCH_SIZE,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_NULL_VALUES,
  displayPath,
  positiveInt,
  showChar,
  type ReaderOptions,
} from './common';
import type { BufferPool } from './pool';
import { LazyTextCells, latin1 } from './cells';
import type { Cell, RawCells, RowBatch } from './types';

const LF = 10;
const CR = 13;
const QUOTE = 34;

const NEED_MORE = 0;
const BATCH_FULL = 1;
const DONE = 2;
const HEADER_DONE = 3;
type Status = typeof NEED_MORE | typeof BATCH_FULL | typeof DONE | typeof HEADER_DONE;

/** The most bytes of an incomplete record carried over to the next chunk's bytes (a longer one is carried as text). */
const CARRY_MAX = 1 << 16;

/** While the header is read, no data column count applies. */
const NO_HEADER_YET = 0x7fffffff;

export interface CsvReadOptions extends ReaderOptions {}

/** RawCells.flags values. */
export const CELL_PLAIN = 0;
export const CELL_QUOTED = 1;
/** Quoted with doubled quotes inside: the range is not the value; RawCells.escaped holds it. */
export const CELL_ESCAPED = 2;
export const CELL_NULL = 3;

/**
 * A CSV batch whose cells are ranges of one decoded text: consumers that can work on characters (parse
 * a number, hash a row) read `raw` and allocate nothing; `values` is built on first access.
 */
class CsvBatch implements RowBatch {
  private materialized: Cell[][] | undefined;
  constructor(
    readonly file: string,
    readonly firstRow: number,
    readonly length: number,
    readonly columns: string[],
    readonly lines: Int32Array,
    readonly raw: RawCells,
  ) {}

  get values(): Cell[][] {
    if (!this.materialized) {
      const { text, starts, ends, flags, escaped } = this.raw;
      const ncol = this.columns.length;
      const out: Cell[][] = [];
      for (let c = 0; c < ncol; c++) {
        const col = new Array<Cell>(this.length);
        for (let r = 0; r < this.length; r++) {
          const i = r * ncol + c;
          const f = flags[i];
          col[r] = f === CELL_NULL ? null : f === CELL_ESCAPED ? escaped.get(i)! : text.slice(starts[i], ends[i]);
        }
        out.push(col);
      }
      this.materialized = out;
    }
    return this.materialized;
  }
}

/** A raw batch from its parts (a batch read on another thread: see csv-thread.ts). */
export function csvBatch(file: string, firstRow: number, length: number, columns: string[], lines: Int32Array, raw: RawCells): RowBatch {
  return new CsvBatch(file, firstRow, length, columns, lines, raw);
}

/** The first `n` items of `from`, copied into a view of a pooled buffer. */
function copyInto<A extends Int32Array | Uint8Array>(pool: BufferPool, Kind: { new (b: ArrayBuffer, offset: number, length: number): A; BYTES_PER_ELEMENT: number }, from: A, n: number): A {
  const out = new Kind(pool.take(n * Kind.BYTES_PER_ELEMENT), 0, n);
  out.set(from.subarray(0, n));
  return out;
}

/**
 * The bytes and one more, set to LF: fastRaw's scans stop at a line break, so they need no test for
 * the end of the text. The caller's buffer has that byte to spare (readCsv allocates it).
 */
function withSentinel(bytes: Uint8Array): Uint8Array {
  const codes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length + 1);
  codes[bytes.length] = LF;
  return codes;
}

/** Checks a delimiter option: one character, not a quote or line break. */
export function checkDelimiter(delimiter: string): void {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new UserError(
      `invalid CSV delimiter '${showChar(delimiter)}': it must be one character other than a double quote or a line break`,
      { input: 'delimiter' },
      "Set the `delimiter` input to a single character such as ',', ';', '|' or a tab.",
    );
  }
}

/**
 * Reads a CSV file as batches of rows (see the module comment for the dialect).
 * `file` is used as given to open the file and in RowBatch.file.
 */
export async function* readCsv(file: string, options: CsvReadOptions = {}): AsyncGenerator<RowBatch> {
  const delimiter = options.delimiter ?? (/\.tsv$/i.test(file) ? '\t' : ',');
  checkDelimiter(delimiter);
  const chunkSize = positiveInt(options.chunkSize, DEFAULT_CHUNK_SIZE);
  const fh = await open(file, 'r');
  /** The read of the next chunk, while one is in flight. */
  let reading: Promise<{ bytesRead: number }> | undefined;
  try {
    const totalBytes = (await fh.stat()).size;
    const batchSize = positiveInt(options.batchSize, DEFAULT_BATCH_SIZE);
    const parser = new CsvParser(file, delimiter, batchSize, options.nullValues ?? DEFAULT_NULL_VALUES, totalBytes, options.raw === true, options.pool, options.rawBytes === true);
    // Two read buffers, each with room for a carried record in front of its chunk (see below): the
    // next chunk is read into one while the other's is parsed and its batches used, so that this
    // thread does not wait for the read (a thread-pool round trip, slow when the cores are busy).
    const room = Math.min(CARRY_MAX, chunkSize >> 1);
    // (and one byte after it, for the parser's sentinel: withSentinel)
    const bufs = [Buffer.allocUnsafe(room + chunkSize + 1), Buffer.allocUnsafe(room + chunkSize + 1)] as const;
    let which = 0;
    reading = fh.read(bufs[0], room, chunkSize, null);
    /** The carried record is carrySource[carryEnd - carry, carryEnd): the end of the last text's bytes. */
    let carrySource: Buffer = bufs[0];
    let carryEnd = 0;
    const decoder = new ChunkDecoder();
    // The content hash, of the bytes as they are read (ReadOptions.onFileHash).
    const hash = options.onFileHash ? createHash('sha256') : undefined;
    let bytesRead = 0;
    /** The next text starts with `carry` bytes: the incomplete record at the end of the last one. */
    let carry = 0;
    let pending = '';
    /** Parse again only when the text has grown to this length (keeps a huge record linear). */
    let needLength = 0;
    let first = true;
    let eof = false;
    let emitted = false;
    while (!eof) {
      const { bytesRead: n } = await reading!;
      reading = undefined;
      const cur = bufs[which]!;
      // The text's bytes are buf[0, carry + n): the carried record, then the chunk just read.
      if (carry > 0) carrySource.copy(cur, room - carry, carryEnd - carry, carryEnd);
      const buf = cur.subarray(room - carry);
      if (n > 0) {
        which ^= 1;
        reading = fh.read(bufs[which]!, room, chunkSize, null);
      }
      let piece: string;
      /** An ASCII chunk with nothing pending: its bytes are its text, which is not made (setBytes). */
      let asBytes = false;
      if (n === 0) {
        eof = true;
        piece = carry > 0 ? buf.toString('latin1', 0, carry) : decoder.end();
      } else {
        bytesRead += n;
        options.onProgress?.(bytesRead, totalBytes);
        hash?.update(buf.subarray(carry, carry + n));
        asBytes = parser.raw && !first && pending.length === 0 && decoder.asciiAhead(buf, carry + n);
        piece = asBytes ? '' : decoder.decode(buf, carry + n);
      }
      const textBytes = carry + n;
      carry = 0;
      let text = pending.length === 0 ? piece : pending + piece;
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      if (!eof && !asBytes && text.length < needLength) {
        pending = text;
        continue;
      }
      // An ASCII chunk's text is its bytes one to one: the fast loop reads those (see setText).
      if (asBytes) parser.setBytes(buf.subarray(0, textBytes));
      else parser.setText(text, text === piece && decoder.ascii ? buf.subarray(0, textBytes) : undefined);
      for (;;) {
        const status = parser.parse(eof);
        if (status === HEADER_DONE) continue;
        if (status === BATCH_FULL) {
          emitted = true;
          yield parser.takeBatch();
          continue;
        }
        if (status === NEED_MORE) {
          // Raw cells point into this text: hand the rows over before the next chunk replaces it.
          if (parser.raw && parser.rowsInBatch() > 0) {
            emitted = true;
            yield parser.takeBatch();
          }
          const restLength = parser.restLength();
          const pieceLength = asBytes ? textBytes : piece.length;
          if (decoder.ascii && restLength <= pieceLength && restLength * 2 <= chunkSize && restLength <= CARRY_MAX) {
            // The record lies in this piece, which is these bytes read as Latin-1: carry its bytes over,
            // so that the next text is one flat string (pending + piece makes a cons string, slower to
            // scan) and has its bytes. (The piece, not the text: after a chunk of other characters the
            // text starts with a carried string, and the next chunks must not go on carrying strings.)
            carrySource = buf;
            carryEnd = textBytes;
            carry = restLength;
            pending = '';
            needLength = 0;
          } else {
            pending = parser.rest();
            needLength = pending.length * 2;
          }
          break;
        }
        // DONE
        if (!parser.hasHeader()) {
          throw new UserError(
            'empty CSV file: there is no header row',
            { file: displayPath(file), line: 1 },
            `The first line of a CSV file must list the column names, separated by '${showChar(delimiter)}'.`,
          );
        }
        if (hash) options.onFileHash!(file, hash.digest('hex'));
        if (parser.rowsInBatch() > 0 || !emitted) yield parser.takeBatch();
        return;
      }
    }
  } finally {
    // (a read may still be in flight when the consumer stops early or parsing failed)
    await reading?.catch(() => undefined);
    await fh.close();
  }
}

class CsvParser {
  /** The text, or undefined while only its bytes are known (setBytes): made from them when read. */
  private decoded: string | undefined = '';
  private textLength = 0;
  /** fastRaw stopped because the text ended inside a record (nothing else it leaves to parse()). */
  private ranOut = false;
  /** The text's character codes for fastRaw (setText). */
  private codes: Uint8Array | Uint16Array = new Uint8Array(0);
  private units = new Uint16Array(0);
  private pos = 0;
  private line = 1;
  private readonly delim: number;

  private ncol = NO_HEADER_YET;
  private columns: string[] = [];
  private headerCells: string[] = [];
  private headerStarts: number[] = [];

  private cols: Cell[][] = [];
  private lines = new Int32Array(0);
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  private flags = new Uint8Array(0);
  private escaped = new Map<number, string>();
  private r = 0;
  private firstRow = 0;

  private readonly nullSet: Set<string>;
  private readonly emptyValue: string | null;
  private readonly maxNullLength: number;
  /** nullFirst[c] is 1 when some null marker starts with char code c. */
  private readonly nullFirst = new Uint8Array(65536);
  /** The non-empty null markers, for fastRaw's comparison of a cell's codes. */
  private readonly nullMarkers: string[];
  /** stops[c] is 1 for the codes that end a plain field in fastRaw: the delimiter, LF, CR and the quote. */
  private readonly stops = new Uint8Array(65536);

  constructor(
    private readonly file: string,
    private readonly delimiter: string,
    private readonly batchSize: number,
    nullValues: readonly string[],
    private readonly totalBytes: number,
    readonly raw: boolean,
    private readonly pool?: BufferPool,
    private readonly rawBytes = false,
  ) {
    this.delim = delimiter.charCodeAt(0);
    for (const c of [this.delim, LF, CR, QUOTE]) this.stops[c] = 1;
    this.nullSet = new Set(nullValues);
    this.emptyValue = this.nullSet.has('') ? null : '';
    let max = 0;
    this.nullMarkers = nullValues.filter((v) => v.length > 0);
    for (const v of nullValues) {
      if (v.length === 0) continue;
      max = Math.max(max, v.length);
      this.nullFirst[v.charCodeAt(0)] = 1;
    }
    this.maxNullLength = max;
  }

  /**
   * The text to parse next. In raw mode fastRaw reads its character codes from a typed array, cheaper
   * than charCodeAt: `bytes` when the caller has the text as bytes one to one (an ASCII chunk), else
   * the text's UTF-16 code units copied into a reused buffer.
   */
  setText(text: string, bytes?: Uint8Array): void {
    this.decoded = text;
    this.textLength = text.length;
    this.pos = 0;
    if (!this.raw) return;
    if (bytes) {
      this.codes = withSentinel(bytes);
      return;
    }
    if (this.units.length <= text.length) this.units = new Uint16Array(Math.max(text.length + 1, 2 * this.units.length));
    const units = this.units;
    if (LITTLE_ENDIAN) Buffer.from(units.buffer, 0, 2 * text.length).write(text, 0, 'utf16le');
    else for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
    units[text.length] = LF; // fastRaw's sentinel
    this.codes = units;
  }

  /**
   * setText() of an ASCII chunk known only as its bytes (raw mode): fastRaw reads the bytes, and the
   * text is made from them only if something reads it (parse() beyond fastRaw, an error message, a
   * batch's RawCells.text). A batch of plain records then costs no string of its chunk.
   */
  setBytes(bytes: Uint8Array): void {
    this.decoded = undefined;
    this.textLength = bytes.length;
    this.codes = withSentinel(bytes);
    this.pos = 0;
  }

  private get text(): string {
    if (this.decoded === undefined) {
      const b = this.codes as Uint8Array;
      this.decoded = latin1(b, 0, this.textLength);
    }
    return this.decoded;
  }

  /** The unparsed tail of the text (the start of an incomplete record). */
  rest(): string {
    return this.text.slice(this.pos);
  }

  /** rest().length, without making the text. */
  restLength(): number {
    return this.textLength - this.pos;
  }

  hasHeader(): boolean {
    return this.ncol !== NO_HEADER_YET;
  }

  rowsInBatch(): number {
    return this.r;
  }

  takeBatch(): RowBatch {
    const r = this.r;
    if (this.raw) {
      const n = r * this.ncol;
      const pool = this.pool;
      const len = this.textLength;
      // The codes are the text's bytes when it is ASCII (setText), else its UTF-16 units. Copied with
      // the Uint8Array constructor: the codes are a Buffer, whose slice() is a view of the read buffer.
      const bytes = this.rawBytes && this.codes instanceof Uint8Array ? (pool ? copyInto(pool, Uint8Array, this.codes, len) : new Uint8Array(this.codes.subarray(0, len))) : undefined;
      const cells = {
        starts: pool ? copyInto(pool, Int32Array, this.starts, n) : this.starts.slice(0, n),
        ends: pool ? copyInto(pool, Int32Array, this.ends, n) : this.ends.slice(0, n),
        flags: pool ? copyInto(pool, Uint8Array, this.flags, n) : this.flags.slice(0, n),
        escaped: this.escaped,
        bytes,
      };
      // With its own bytes the batch makes its text if it is read (the chunk's may not be made at all).
      const raw: RawCells = bytes && this.decoded === undefined ? new LazyTextCells(cells) : { ...cells, text: this.text };
      const batch = new CsvBatch(this.file, this.firstRow, r, this.columns, pool ? copyInto(pool, Int32Array, this.lines, r) : this.lines.slice(0, r), raw);
      this.firstRow += r;
      this.r = 0;
      this.escaped = new Map();
      return batch;
    }
    const values = this.cols;
    for (const col of values) if (col.length !== r) col.length = r;
    const batch: RowBatch = {
      file: this.file,
      firstRow: this.firstRow,
      length: r,
      columns: this.columns,
      values,
      lines: this.lines.length === r ? this.lines : this.lines.slice(0, r),
    };
    this.firstRow += r;
    this.newBatch();
    return batch;
  }

  private newBatch(): void {
    // Preallocate the columns (much less GC work than growing them), but not beyond the most rows the
    // file can hold: a row takes at least max(ncol, 2) bytes. Past that they grow as needed.
    const cap = Math.max(1, Math.min(this.batchSize, Math.floor(this.totalBytes / Math.max(this.ncol, 2)) + 1));
    this.r = 0;
    this.lines = new Int32Array(cap);
    if (this.raw) {
      // Reused from batch to batch (takeBatch copies what it hands over).
      this.starts = new Int32Array(cap * this.ncol);
      this.ends = new Int32Array(cap * this.ncol);
      this.flags = new Uint8Array(cap * this.ncol);
      return;
    }
    this.cols = [];
    for (let c = 0; c < this.ncol; c++) this.cols.push(new Array<Cell>(cap).fill(null));
  }

  /**
   * The common case, fast: data records of plain fields, and quoted ones without doubled quotes or line
   * breaks, ending in LF or CRLF, read as raw cells. Takes such records from `pos` and stops at the
   * first that is anything else (a blank line, a lone CR, a quote inside a field, the wrong number of
   * fields, the end of the text), before the batch's last row or at the end of `lines`: parse() goes on
   * from there, and reports what is wrong. The same cells as parse() would make.
   */
  private fastRaw(): void {
    const codes = this.codes;
    const len = this.textLength;
    const D = this.delim;
    const ncol = this.ncol;
    const starts = this.starts;
    const ends = this.ends;
    const flags = this.flags;
    const lines = this.lines;
    const nullFirst = this.nullFirst;
    const stops = this.stops;
    const maxNull = this.maxNullLength;
    const emptyFlag = this.emptyValue === null ? CELL_NULL : CELL_PLAIN;
    const stopAt = Math.min(lines.length, this.batchSize - 1);
    let r = this.r;
    let pos = this.pos;
    let line = this.line;
    this.ranOut = false;
    records: while (r < stopAt) {
      let p = pos;
      let i = r * ncol;
      const last = i + ncol - 1;
      for (;;) {
        if (p >= len) {
          this.ranOut = true;
          break records;
        }
        let c = codes[p]!;
        let q = p;
        if (c === QUOTE) {
          q = p + 1;
          // (the sentinel LF at codes[len] ends the scan at the end of the text)
          for (;;) {
            c = codes[q]!;
            if (c === QUOTE || c === LF || c === CR) break;
            q++;
          }
          if (q + 1 >= len && (q >= len || c === QUOTE)) {
            this.ranOut = true;
            break records;
          }
          // A line break inside, or a doubled quote: parse()'s.
          if (c !== QUOTE) break records;
          c = codes[q + 1]!;
          if (c !== D && c !== LF && c !== CR) break records;
          starts[i] = p + 1;
          ends[i] = q;
          flags[i] = CELL_QUOTED;
          q++;
        } else {
          // One table lookup a character rather than four comparisons, and no test for the end of the
          // text: the sentinel LF at codes[len] stops the scan there.
          while (stops[c] === 0) c = codes[++q]!;
          if (q >= len) {
            this.ranOut = true;
            break records;
          }
          if (c === QUOTE) break records;
          const n = q - p;
          starts[i] = p;
          ends[i] = q;
          flags[i] = n === 0 ? emptyFlag : n <= maxNull && nullFirst[codes[p]!] === 1 && this.isNullMarker(p, q) ? CELL_NULL : CELL_PLAIN;
        }
        if (c === D) {
          if (i === last) break records;
          i++;
          p = q + 1;
          continue;
        }
        // The record ends at q (LF, or CR then LF). A blank line or a short record is parse()'s.
        if (i !== last || q === pos) break records;
        if (c === CR) {
          if (q + 1 >= len) {
            this.ranOut = true;
            break records;
          }
          if (codes[q + 1]! !== LF) break records;
          q++;
        }
        lines[r] = line;
        r++;
        line++;
        pos = q + 1;
        break;
      }
    }
    this.r = r;
    this.pos = pos;
    this.line = line;
  }

  /** Whether the codes [p, q) spell one of the null markers. */
  private isNullMarker(p: number, q: number): boolean {
    const codes = this.codes;
    next: for (const m of this.nullMarkers) {
      if (m.length !== q - p) continue;
      for (let k = 0; k < m.length; k++) if (codes[p + k] !== m.charCodeAt(k)) continue next;
      return true;
    }
    return false;
  }

  /**
   * Parses records from `pos` until the batch is full, the text ends inside a record (NEED_MORE; only
   * when !isLast) or the input is done. The hot loop: keep it free of closures and allocations other
   * than the cell strings.
   */
  parse(isLast: boolean): Status {
    const fast = this.raw && this.ncol !== NO_HEADER_YET;
    /** fastRaw has run from this.pos already: the loop's first record start need not run it again. */
    let fastDone = false;
    if (fast && !isLast) {
      // The text ends inside a record and fastRaw took every record before it: more text is needed,
      // which parse() would find scanning the record, and for that make the text of the chunk.
      this.fastRaw();
      if (this.ranOut) return NEED_MORE;
      fastDone = true;
    }
    const text = this.text;
    const len = this.textLength;
    const D = this.delim;
    const ncol = this.ncol;
    const headerMode = ncol === NO_HEADER_YET;
    const cols = this.cols;
    const nullSet = this.nullSet;
    const nullFirst = this.nullFirst;
    const maxNull = this.maxNullLength;
    const emptyValue = this.emptyValue;
    const batchSize = this.batchSize;
    const headerCells = this.headerCells;
    const headerStarts = this.headerStarts;
    const raw = this.raw;
    let starts = this.starts;
    let ends = this.ends;
    let flags = this.flags;
    let lines = this.lines;
    let r = this.r;
    let pos = this.pos;
    let line = this.line;

    for (;;) {
      // ---- record start ----
      if (fastDone) fastDone = false;
      else if (fast) {
        this.pos = pos;
        this.line = line;
        this.r = r;
        this.fastRaw();
        pos = this.pos;
        line = this.line;
        r = this.r;
      }
      if (pos >= len) {
        this.pos = pos;
        this.line = line;
        this.r = r;
        return isLast ? DONE : NEED_MORE;
      }
      let c = text.charCodeAt(pos);
      if (c === LF) {
        pos++;
        line++;
        continue;
      }
      if (c === CR) {
        if (pos + 1 >= len && !isLast) break; // need to know whether LF follows
        pos++;
        if (text.charCodeAt(pos) === LF) pos++;
        line++;
        continue;
      }
      const recStart = pos;
      const recLine = line;
      let p = pos;
      let f = 0;
      let extraAt = -1;
      let extraLine = 0;
      if (headerMode) {
        headerCells.length = 0;
        headerStarts.length = 0;
      }
      let incomplete = false;

      for (;;) {
        // ---- field start at p ----
        if (f === ncol && extraAt < 0) {
          extraAt = p;
          extraLine = line;
        }
        c = text.charCodeAt(p);
        if (c === QUOTE) {
          const open = p;
          const openLine = line;
          let q = p + 1;
          let seg = q;
          let escaped = '';
          let hasEscape = false;
          for (;;) {
            if (q >= len) {
              if (!isLast) {
                incomplete = true;
                break;
              }
              throw this.unterminated(open, openLine);
            }
            c = text.charCodeAt(q);
            if (c === QUOTE) {
              if (q + 1 >= len && !isLast) {
                incomplete = true;
                break;
              }
              if (text.charCodeAt(q + 1) === QUOTE) {
                escaped += text.slice(seg, q + 1);
                hasEscape = true;
                q += 2;
                seg = q;
                continue;
              }
              break;
            }
            if (c === LF) line++;
            else if (c === CR) {
              if (q + 1 >= len && !isLast) {
                incomplete = true;
                break;
              }
              if (text.charCodeAt(q + 1) !== LF) line++;
            }
            q++;
          }
          if (incomplete) break;
          if (headerMode) {
            headerCells.push(hasEscape ? escaped + text.slice(seg, q) : text.slice(seg, q));
            headerStarts.push(open);
          } else if (f < ncol) {
            if (raw) {
              const i = r * ncol + f;
              starts[i] = open + 1;
              ends[i] = q;
              flags[i] = hasEscape ? CELL_ESCAPED : CELL_QUOTED;
              if (hasEscape) this.escaped.set(i, escaped + text.slice(seg, q));
            } else cols[f]![r] = hasEscape ? escaped + text.slice(seg, q) : text.slice(seg, q);
          }
          p = q + 1;
          c = text.charCodeAt(p);
          if (c === D) {
            p++;
            f++;
            continue;
          }
          if (c === LF || c === CR || p >= len) break;
          throw this.afterQuote(p, line, f);
        } else {
          let q = p;
          while (q < len) {
            c = text.charCodeAt(q);
            if (c === D || c === LF || c === CR || c === QUOTE) break;
            q++;
          }
          if (q >= len) {
            if (!isLast) {
              incomplete = true;
              break;
            }
            c = -1;
          }
          if (c === QUOTE) throw this.bareQuote(q, line, f);
          if (headerMode) {
            headerCells.push(text.slice(p, q));
            headerStarts.push(p);
          } else if (f < ncol && raw) {
            const n = q - p;
            const i = r * ncol + f;
            starts[i] = p;
            ends[i] = q;
            flags[i] =
              n === 0
                ? emptyValue === null
                  ? CELL_NULL
                  : CELL_PLAIN
                : n <= maxNull && nullFirst[text.charCodeAt(p)] === 1 && nullSet.has(text.slice(p, q))
                  ? CELL_NULL
                  : CELL_PLAIN;
          } else if (f < ncol) {
            const n = q - p;
            let v: Cell;
            if (n === 0) v = emptyValue;
            else if (n <= maxNull && nullFirst[text.charCodeAt(p)] === 1) {
              const s = text.slice(p, q);
              v = nullSet.has(s) ? null : s;
            } else v = text.slice(p, q);
            cols[f]![r] = v;
          }
          p = q;
          if (c === D) {
            p++;
            f++;
            continue;
          }
          break;
        }
      }
      if (incomplete) {
        pos = recStart;
        line = recLine;
        break;
      }

      // ---- record end at p: LF, CR or end of input ----
      const nfields = f + 1;
      const endAt = p;
      const endLine = line;
      if (p < len) {
        if (text.charCodeAt(p) === CR) {
          if (p + 1 >= len && !isLast) {
            pos = recStart;
            line = recLine;
            break;
          }
          p++;
          if (text.charCodeAt(p) === LF) p++;
        } else p++;
        line++;
      }
      pos = p;

      if (headerMode) {
        this.pos = pos;
        this.line = line;
        this.setHeader(recLine);
        return HEADER_DONE;
      }
      if (nfields !== ncol) {
        throw nfields > ncol ? this.ragged(nfields, recLine, extraAt, extraLine, text) : this.ragged(nfields, recLine, endAt, endLine, text);
      }
      if (r === lines.length) {
        const grown = new Int32Array(Math.min(batchSize, lines.length * 2));
        grown.set(lines);
        lines = grown;
        this.lines = lines;
        if (raw) {
          const cap = grown.length * ncol;
          const s2 = new Int32Array(cap);
          s2.set(starts);
          const e2 = new Int32Array(cap);
          e2.set(ends);
          const f2 = new Uint8Array(cap);
          f2.set(flags);
          starts = this.starts = s2;
          ends = this.ends = e2;
          flags = this.flags = f2;
        }
      }
      lines[r] = recLine;
      r++;
      if (r === batchSize) {
        this.pos = pos;
        this.line = line;
        this.r = r;
        return BATCH_FULL;
      }
    }
    // Incomplete record: resume at its start with more text.
    this.pos = pos;
    this.line = line;
    this.r = r;
    return NEED_MORE;
  }

  private setHeader(line: number): void {
    const names = this.headerCells.slice();
    const seen = new Map<string, number>();
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const loc = { file: displayPath(this.file), line, column: columnAt(this.text, this.headerStarts[i]!) };
      if (name.trim() === '') {
        throw new UserError(
          `empty column name in the CSV header (field ${i + 1} of ${names.length})`,
          loc,
          names.length > 1 && i === names.length - 1
            ? `Name the column, or remove the trailing '${showChar(this.delimiter)}' at the end of the header line.`
            : 'Give every column a name in the first line of the file.',
        );
      }
      const prev = seen.get(name);
      if (prev !== undefined) {
        throw new UserError(
          `duplicate column name '${name}' in the CSV header (fields ${prev + 1} and ${i + 1})`,
          loc,
          'Rename one of the columns: column names must be distinct.',
        );
      }
      seen.set(name, i);
    }
    this.columns = names;
    this.ncol = names.length;
    this.newBatch();
  }

  private ragged(found: number, recLine: number, at: number, atLine: number, text: string): UserError {
    const expected = this.ncol;
    const d = showChar(this.delimiter);
    return new UserError(
      `ragged row: expected ${expected} field${expected === 1 ? '' : 's'} (as in the header), found ${found} in the row on line ${recLine}`,
      { file: displayPath(this.file), line: atLine, column: columnAt(text, at) },
      found > expected
        ? `Remove the extra fields. If a value contains '${d}', enclose it in double quotes ("...").`
        : `Add the missing values (leave a value empty for null, e.g. 'a${d}${d}c'). If a value contains a line break, enclose it in double quotes.`,
    );
  }

  private unterminated(open: number, openLine: number): UserError {
    return new UserError(
      `unterminated quoted field: the quote opened on line ${openLine} is never closed`,
      { file: displayPath(this.file), line: openLine, column: columnAt(this.text, open) },
      'Close the quoted value with a double quote. A double quote inside a quoted value must be doubled ("").',
    );
  }

  private bareQuote(at: number, line: number, field: number): UserError {
    return new UserError(
      `unexpected double quote inside the unquoted field ${field + 1}${this.nameOf(field)} on line ${line}`,
      { file: displayPath(this.file), line, column: columnAt(this.text, at) },
      'Enclose the whole value in double quotes and double each quote inside it, e.g. "5"" screen" for 5" screen.',
    );
  }

  private afterQuote(at: number, line: number, field: number): UserError {
    const ch = String.fromCodePoint(this.text.codePointAt(at)!);
    return new UserError(
      `unexpected character '${showChar(ch)}' after the closing quote of field ${field + 1}${this.nameOf(field)} on line ${line}`,
      { file: displayPath(this.file), line, column: columnAt(this.text, at) },
      `A quoted value must be followed by '${showChar(this.delimiter)}' or the end of the line. If the quote belongs to the value, enclose the whole value in double quotes and double each quote inside it ("").`,
    );
  }

  private nameOf(field: number): string {
    const name = this.ncol === NO_HEADER_YET ? undefined : this.columns[field];
    return name === undefined ? '' : ` ('${name}')`;
  }
}
