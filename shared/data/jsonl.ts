/**
 * Streaming JSON Lines reader: one JSON object per line; blank lines are skipped (and counted for line
 * numbers); LF or CRLF line ends; a UTF-8 BOM at the start is dropped.
 *
 * Columns are the keys in first-seen order across the file: a batch's `columns` lists every key seen
 * so far, and a row without a key has null there. Strings, numbers, booleans and null are kept as they
 * are; nested objects and arrays become their JSON text.
 */
import { open } from 'node:fs/promises';
import { UserError } from '../errors';
import { ChunkDecoder, columnAt, DEFAULT_BATCH_SIZE, DEFAULT_CHUNK_SIZE, displayPath, positiveInt, type ReaderOptions } from './common';
import type { Cell, RowBatch } from './types';

export interface JsonlReadOptions extends ReaderOptions {}

const HINT_ONE_OBJECT =
  'Each line of a JSON Lines file must hold one complete JSON object, e.g. {"id": 1, "label": "cat"}; an object cannot span several lines.';

export async function* readJsonl(file: string, options: JsonlReadOptions = {}): AsyncGenerator<RowBatch> {
  const batchSize = positiveInt(options.batchSize, DEFAULT_BATCH_SIZE);
  const chunkSize = positiveInt(options.chunkSize, DEFAULT_CHUNK_SIZE);
  const where = displayPath(file);

  const columns: string[] = [];
  const keyIndex = new Map<string, number>();
  let cols: Cell[][] = [];
  let lines = new Int32Array(Math.min(batchSize, 1024));
  let r = 0;
  let firstRow = 0;
  let emitted = false;

  const take = (): RowBatch => {
    for (const col of cols) if (col.length !== r) col.length = r;
    const batch: RowBatch = {
      file,
      firstRow,
      length: r,
      columns: columns.slice(),
      values: cols,
      lines: lines.length === r ? lines : lines.slice(0, r),
    };
    firstRow += r;
    r = 0;
    cols = columns.map(() => []);
    lines = new Int32Array(Math.min(batchSize, 1024));
    emitted = true;
    return batch;
  };

  /** Adds the row on `lineNo` to the batch; true when the batch is full. */
  const addLine = (text: string, lineNo: number): boolean => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw invalidJson(where, lineNo, text, e);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
      throw new UserError(`line ${lineNo} holds ${kind}, not a JSON object`, { file: where, line: lineNo, column: 1 }, HINT_ONE_OBJECT);
    }
    const obj = value as Record<string, unknown>;
    for (const key in obj) {
      let idx = keyIndex.get(key);
      if (idx === undefined) {
        idx = columns.length;
        columns.push(key);
        keyIndex.set(key, idx);
        const col: Cell[] = new Array<Cell>(r).fill(null);
        cols.push(col);
      }
      cols[idx]![r] = toCell(obj[key]);
    }
    // A column the row lacks is one element short: pad it with null.
    for (let c = 0; c < cols.length; c++) {
      const col = cols[c]!;
      if (col.length === r) col.push(null);
    }
    if (r === lines.length) {
      const grown = new Int32Array(Math.min(batchSize, lines.length * 2));
      grown.set(lines);
      lines = grown;
    }
    lines[r] = lineNo;
    r++;
    return r === batchSize;
  };

  const fh = await open(file, 'r');
  try {
    const totalBytes = (await fh.stat()).size;
    const buf = Buffer.allocUnsafe(chunkSize);
    const decoder = new ChunkDecoder();
    let bytesRead = 0;
    let pending = '';
    let lineNo = 1;
    let first = true;
    let eof = false;
    while (!eof) {
      const { bytesRead: n } = await fh.read(buf, 0, chunkSize, null);
      let piece: string;
      if (n === 0) {
        eof = true;
        piece = decoder.end();
      } else {
        bytesRead += n;
        options.onProgress?.(bytesRead, totalBytes);
        piece = decoder.decode(buf, n);
      }
      // Search for the next line end only in the new text: a long line stays linear.
      const searchFrom = pending.length;
      let text = pending.length === 0 ? piece : pending + piece;
      let pos = 0;
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) pos = 1;
        first = false;
      }
      let nl = text.indexOf('\n', Math.max(pos, searchFrom));
      for (;;) {
        let end: number;
        if (nl >= 0) end = nl;
        else if (eof && pos < text.length) end = text.length;
        else break;
        let stop = end;
        if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--;
        if (!isBlank(text, pos, stop) && addLine(text.slice(pos, stop), lineNo)) yield take();
        lineNo++;
        pos = end + 1;
        nl = text.indexOf('\n', pos);
      }
      pending = pos >= text.length ? '' : text.slice(pos);
      text = '';
    }
    if (r > 0 || !emitted) yield take();
  } finally {
    await fh.close();
  }
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** JSON values as cells: objects and arrays as their JSON text. */
function toCell(v: unknown): Cell {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return v;
    case 'object':
      return v === null ? null : JSON.stringify(v);
    default:
      return null;
  }
}

function invalidJson(file: string, line: number, text: string, e: unknown): UserError {
  const raw = e instanceof Error ? e.message : String(e);
  let column: number | undefined;
  const m = /at position (\d+)/.exec(raw);
  if (m) column = columnAt(text, Math.min(Number(m[1]), text.length));
  else if (/end of JSON input/i.test(raw)) column = columnAt(text, text.length);
  // V8's message without the position (we give line and column) and the echo of the input.
  const reason = raw
    .replace(/ in JSON at position \d+(?: \(line \d+ column \d+\))?/, '')
    .replace(/, ".*is not valid JSON$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'unexpected end of the line: the object is not closed');
  return new UserError(
    `invalid JSON on line ${line}: ${reason}`,
    column === undefined ? { file, line } : { file, line, column },
    HINT_ONE_OBJECT,
  );
}
