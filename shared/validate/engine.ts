/**
 * The validation pass: one streaming read of the dataset that types every cell, runs every check the
 * schema (and the reference profile) asks for, and profiles the data at the same time. Constant memory in
 * rows, except for what a check needs by nature (the fingerprints of the duplicate-row check, the values of
 * a column declared unique).
 */
import type { Cell, DatasetFile, RawCells, ReadOptions, RowBatch } from '../data/types';
import { readDataset } from '../data/dataset';
import type { ColumnSchema, DataSchema, Severity } from '../schema/schema';
import { durationMs } from '../schema/duration';
import { KIND, KIND_NAMES, cellText, newSniffed, sniff, sniffLatin1, sniffRange, type Kind, type Sniffed } from '../schema/values';
import { Findings, type Example, type FindingSeverity } from './findings';
import { tryParallel } from './parallel';
import { chainRow, hashLatin1, hashRange } from './rowset';
import { DuplicateFinder } from './duplicates';
import { Interner, SHORT_MAX, UNTYPED } from './intern';
import { latin1 } from '../data/cells';
import { CELL_ESCAPED, CELL_NULL } from '../data/csv';
import { ProfileBuilder, profileKindFor, type ColumnSink, type ReferenceColumn } from './profiling';
import type { DatasetProfile, ProfileKind } from '../profile/profile';
import { inferColumn, MAX_INFERRED_CATEGORIES, type ColumnFacts } from '../schema/infer';

export interface ValidationPlan {
  schema?: DataSchema;
  /** Per-column facts from a reference profile: range, known categories. */
  reference?: Map<string, ReferenceColumn>;
  label?: string;
  /** Clock for the freshness check. */
  now: number;
  read: ReadOptions;
  /** Display path of each file, for reports and annotations. */
  display: (path: string) => string;
  /** Scratch space (the duplicate-row check spills there past 16 MiB of fingerprints). */
  tempDir?: string;
  /** Profile against a reference's layout (kinds and bin edges), as monitoring does. */
  layout?: { kinds: Record<string, ProfileKind>; binEdges: Record<string, number[]> };
  /** Skip the duplicate-row check (monitoring wants the profile, not data-quality findings). */
  skipDuplicates?: boolean;
  /** Check and profile only these columns. */
  only?: string[];
}

export interface ValidationOutcome {
  rows: number;
  columns: string[];
  findings: Findings;
  profile: DatasetProfile;
}

function sev(s: Severity): FindingSeverity | undefined {
  return s === 'ignore' ? undefined : s;
}

const TYPE_ACCEPTS: Record<ColumnSchema['type'], (k: Kind, num: number) => boolean> = {
  integer: (k, num) => k === KIND.integer || (k === KIND.float && Number.isInteger(num)),
  float: (k) => k === KIND.integer || k === KIND.float,
  boolean: (k, num) => k === KIND.boolean || (k === KIND.integer && (num === 0 || num === 1)),
  string: () => true,
  category: () => true,
  datetime: (k) => k === KIND.datetime,
};

export class ColumnState {
  readonly allowed: Set<string> | undefined;
  readonly regex: RegExp | undefined;
  readonly unique: Set<string> | undefined;
  readonly numeric: boolean;
  maxTime = -Infinity;
  /** For the constant-column check: the first value's hash, and whether another value differed. */
  firstH1 = 0;
  firstH2 = 0;
  varies = false;
  /** Scratch for one cell's 64-bit hash. */
  readonly hash = new Int32Array(2);
  readonly interner = new Interner();
  /** The interner's slots with cells counted (interner.counted) in the current pass of checkColumn. */
  readonly countedSlots: number[] = [];
  nonNull = 0;
  readonly sink: ColumnSink;

  constructor(
    readonly name: string,
    readonly spec: ColumnSchema | undefined,
    readonly ref: ReferenceColumn | undefined,
    readonly isLabel: boolean,
    readonly kind: ProfileKind,
    profile: ProfileBuilder,
  ) {
    this.sink = profile.column(name, kind);
    this.allowed = spec?.values ? new Set(spec.values.map(String)) : undefined;
    this.regex = spec?.regex ? new RegExp(spec.regex, 'u') : undefined;
    this.unique = spec?.unique ? new Set() : undefined;
    this.numeric = spec?.type === 'integer' || spec?.type === 'float';
  }
}

/** What a validator needs to know beyond the batches (plain data: it crosses to worker threads). */
export interface ValidatorInit {
  schema?: DataSchema;
  reference?: Map<string, ReferenceColumn>;
  label?: string;
  /** Profile kinds decided up front (parallel workers must agree; monitoring uses the reference's). */
  kinds?: Record<string, ProfileKind>;
  /** A reference profile's numeric bin edges: the profile then counts exactly on them (for drift). */
  binEdges?: Record<string, number[]>;
  /**
   * Duplicate rows: 'local' keeps the fingerprint set here; 'return' hands each batch's row fingerprints
   * back to the caller (a worker thread's owner checks them in file order); 'off' skips the check.
   */
  fingerprints: 'local' | 'return' | 'off';
  /** Only these columns are checked and profiled (monitoring skips identifiers it ignores). */
  only?: string[];
  /** Where the duplicate-row check may spill (RUNNER_TEMP on a runner). */
  tempDir?: string;
}

/** Per-column facts the table-level checks need, mergeable across workers. */
export interface ColumnTally {
  nonNull: number;
  maxTime: number;
  varies: boolean;
  firstH1: number;
  firstH2: number;
}

/**
 * Validates batches one at a time: types every cell, checks it, profiles it. The serial pass and each
 * parallel worker run one of these; `tallies()` and the profile merge across workers.
 */
export class Validator {
  readonly findings = new Findings();
  readonly states = new Map<string, ColumnState>();
  readonly columnOrder: string[] = [];
  readonly profile: ProfileBuilder;
  rows = 0;
  private readonly dupes: DuplicateFinder | undefined;
  private readonly dupSeverity: FindingSeverity | undefined;
  private readonly sn = newSniffed();
  private rowHash = new Int32Array(0);
  private textBytes: Buffer = Buffer.alloc(0);
  /** Which file each stretch of rows came from (for duplicate rows found at the end). */
  private readonly fileStarts: { start: number; firstRow: number; file: string }[] = [];

  private readonly only: Set<string> | undefined;

  constructor(private readonly init: ValidatorInit) {
    this.profile = new ProfileBuilder(init.binEdges);
    this.only = init.only ? new Set(init.only) : undefined;
    const table = init.schema?.table;
    this.dupSeverity = table ? sev(table['duplicate-rows']) : 'warning';
    this.dupes = this.dupSeverity && init.fingerprints === 'local' ? new DuplicateFinder(undefined, init.tempDir) : undefined;
  }

  get duplicateSeverity(): FindingSeverity | undefined {
    return this.init.fingerprints === 'off' ? undefined : this.dupSeverity;
  }

  private stateOf(name: string, batch: RowBatch, c: number): ColumnState {
    let s = this.states.get(name);
    if (!s) {
      const spec = this.init.schema?.columns[name];
      const kind = this.init.kinds?.[name] ?? (spec ? profileKindFor(spec.type) : guessKind(batch, c));
      s = new ColumnState(name, spec, this.init.reference?.get(name), name === this.init.label, kind, this.profile);
      this.states.set(name, s);
      this.columnOrder.push(name);
    }
    return s;
  }

  /**
   * Checks one batch; `file` is its display path. With fingerprints 'return', returns the rows'
   * fingerprints (two lanes a row); `expectRows` sizes the local fingerprint set.
   */
  batch(batch: RowBatch, file: string): Int32Array | undefined {
    const wantHashes = this.dupSeverity !== undefined && this.init.fingerprints !== 'off';
    let rowHash: Int32Array | undefined;
    if (wantHashes) {
      if (this.init.fingerprints === 'return') rowHash = new Int32Array(batch.length * 2);
      else {
        if (this.rowHash.length < batch.length * 2) this.rowHash = new Int32Array(batch.length * 2);
        rowHash = this.rowHash;
        rowHash.fill(0, 0, batch.length * 2);
      }
    }
    const table = this.init.schema?.table;
    const only = this.only;
    // The reader's bytes when it gave them (the text is then made only if a slow path reads it).
    const bytes = batch.raw ? (batch.raw.bytes ?? this.latin1(batch.raw.text)) : undefined;
    const states: (ColumnState | undefined)[] = [];
    for (let c = 0; c < batch.columns.length; c++) states.push(only && !only.has(batch.columns[c]!) ? undefined : this.stateOf(batch.columns[c]!, batch, c));
    // A block of rows at a time, every column: the block's cells (bytes, ranges) stay in the CPU's
    // caches across the columns' passes. Each check still sees its column's rows in order.
    for (let from = 0; from < batch.length; from += ROW_BLOCK) {
      const to = Math.min(batch.length, from + ROW_BLOCK);
      for (let c = 0; c < states.length; c++) {
        const st = states[c];
        if (st) checkColumn(st, batch, c, from, to, file, this.findings, this.sn, rowHash, table, bytes);
      }
    }
    if (this.dupes && rowHash) {
      const last = this.fileStarts[this.fileStarts.length - 1];
      if (!last || last.file !== file) this.fileStarts.push({ start: this.rows, firstRow: batch.firstRow, file });
      this.dupes.addBatch(rowHash, this.rows, batch.lines, batch.length);
    }
    this.rows += batch.length;
    this.profile.rows = this.rows;
    // Columns this batch lacks (another file's, or JSONL keys not yet seen) are null in its rows.
    for (const st of this.states.values()) st.sink.padTo(this.rows);
    return this.init.fingerprints === 'return' ? rowHash : undefined;
  }

  /**
   * The batch text as bytes (one per character) when it is all ASCII, the usual CSV, in a buffer kept
   * from batch to batch: the cells are then typed and hashed from the bytes (sniffLatin1, hashLatin1).
   */
  private latin1(text: string): Uint8Array | undefined {
    if (Buffer.byteLength(text, 'utf8') !== text.length) return undefined;
    if (this.textBytes.length < text.length) this.textBytes = Buffer.allocUnsafe(Math.max(text.length, 2 * this.textBytes.length));
    this.textBytes.write(text, 0, 'latin1');
    return this.textBytes;
  }

  /** Records the duplicate rows, once every row was seen. */
  finishDuplicates(): void {
    if (!this.dupes) return;
    for (const d of this.dupes.finish()) {
      let f = this.fileStarts[0]!;
      for (const s of this.fileStarts) if (s.start <= d.row) f = s;
      const e: Example = { file: f.file, row: f.firstRow + d.row - f.start };
      if (d.line > 0) e.line = d.line;
      this.findings.add('duplicate-rows', this.dupSeverity!, undefined, 'each row once', 'a repeated row', e);
    }
  }

  tallies(): Record<string, ColumnTally> {
    const out: Record<string, ColumnTally> = {};
    for (const s of this.states.values()) {
      out[s.name] = { nonNull: s.nonNull, maxTime: s.maxTime, varies: s.varies, firstH1: s.firstH1, firstH2: s.firstH2 };
    }
    return out;
  }
}

/** Merges column tallies of parts of one dataset. */
export function mergeTallies(parts: Record<string, ColumnTally>[]): Record<string, ColumnTally> {
  const out: Record<string, ColumnTally> = {};
  for (const part of parts) {
    for (const [name, t] of Object.entries(part)) {
      const m = out[name];
      if (!m) {
        out[name] = { ...t };
        continue;
      }
      if (t.nonNull > 0) {
        if (m.nonNull === 0) {
          m.firstH1 = t.firstH1;
          m.firstH2 = t.firstH2;
        } else if (t.firstH1 !== m.firstH1 || t.firstH2 !== m.firstH2) m.varies = true;
      }
      m.varies ||= t.varies;
      m.nonNull += t.nonNull;
      m.maxTime = Math.max(m.maxTime, t.maxTime);
    }
  }
  return out;
}

/** The per-file checks: missing and unexpected columns, the label column. */
export function fileChecks(findings: Findings, init: Pick<ValidatorInit, 'schema' | 'label'>, file: string, fileColumns: string[]): void {
  const { schema } = init;
  const present = new Set(fileColumns);
  if (schema) {
    for (const name of Object.keys(schema.columns)) {
      if (!present.has(name)) findings.add('missing-column', 'error', name, `column '${name}'`, 'absent', { file, line: 1, row: -1 });
    }
    const unexpected = sev(schema.table['unexpected-columns']);
    if (unexpected) {
      for (const name of fileColumns) {
        if (!(name in schema.columns)) {
          findings.add('unexpected-column', unexpected, name, "only the schema's columns", `column '${name}'`, { file, line: 1, row: -1 });
        }
      }
    }
  }
  if (init.label && !present.has(init.label)) {
    findings.add('label-missing', 'error', init.label, `label column '${init.label}'`, 'absent', { file, line: 1, row: -1 });
  }
}

/** The dataset-level checks, once every row was seen: empty, row bounds, freshness, constant columns. */
export function tableChecks(
  findings: Findings,
  plan: Pick<ValidationPlan, 'schema' | 'label' | 'now'>,
  rows: number,
  tallies: Record<string, ColumnTally>,
  profile: DatasetProfile,
  firstFile: string,
): void {
  const table = plan.schema?.table;
  if (rows === 0) {
    findings.add('empty-dataset', 'error', undefined, 'at least one row', '0 rows', { file: firstFile, line: 1, row: -1 });
  }
  if (table?.rows) {
    const [min, max] = table.rows;
    if ((min !== null && rows < min) || (max !== null && rows > max)) {
      findings.add('rows', 'error', undefined, `${min ?? 0} to ${max ?? '∞'} rows`, `${rows} rows`);
    }
  }
  if (table?.freshness) {
    const name = table.freshness.column;
    const t = tallies[name];
    const limit = durationMs(table.freshness['max-age']);
    if (t && t.maxTime !== -Infinity && plan.now - t.maxTime > limit) {
      findings.add(
        'freshness',
        'error',
        name,
        `newest ${name} within ${table.freshness['max-age']}`,
        `newest is ${new Date(t.maxTime).toISOString()} (${((plan.now - t.maxTime) / 86400e3).toFixed(1)} days old)`,
      );
    }
  }
  const constantSev = table ? sev(table['constant-columns']) : 'warning';
  if (constantSev) {
    for (const [name, t] of Object.entries(tallies)) {
      if (!t.varies && t.nonNull > 1 && name !== plan.label) {
        const top = profile.columns[name]?.topK.items[0]?.[0];
        findings.add('constant', constantSev, name, 'more than one value', `always '${String(top ?? '')}'`);
      }
    }
  }
}

export async function runValidation(files: DatasetFile[], plan: ValidationPlan, onRows?: (rows: number) => void): Promise<ValidationOutcome> {
  const parallel = await tryParallel(files, plan, onRows);
  if (parallel) return parallel;
  const v = new Validator({ schema: plan.schema, reference: plan.reference, label: plan.label, fingerprints: plan.skipDuplicates ? 'off' : 'local', tempDir: plan.tempDir, kinds: plan.layout?.kinds, binEdges: plan.layout?.binEdges, only: plan.only });
  let currentFile: string | undefined;
  let fileColumns: string[] = [];
  const read = { ...plan.read, raw: true };
  for await (const batch of readDataset(files, read)) {
    if (batch.file !== currentFile) {
      if (currentFile !== undefined) fileChecks(v.findings, plan, plan.display(currentFile), fileColumns);
      currentFile = batch.file;
      fileColumns = [];
    }
    if (batch.columns.length > fileColumns.length) fileColumns = batch.columns.slice();
    v.batch(batch, plan.display(batch.file));
    onRows?.(v.rows);
  }
  if (currentFile !== undefined) fileChecks(v.findings, plan, plan.display(currentFile), fileColumns);
  v.finishDuplicates();
  const profile = v.profile.finish(v.columnOrder, v.rows);
  tableChecks(v.findings, plan, v.rows, v.tallies(), profile, files[0] ? plan.display(files[0].path) : '');
  return { rows: v.rows, columns: v.columnOrder, findings: v.findings, profile };
}

/**
 * The profile kind of a column without a declared type, from the values of the first batch it is in
 * (its first 5,000 rows). A CSV batch's raw cells are typed where they lie, and only the first
 * distinct ones are made strings: the batch's cells are not all sliced out for this.
 */
export function guessKind(batch: RowBatch, c: number): ProfileKind {
  const sn = newSniffed();
  const facts: ColumnFacts = { name: '', count: 0, nulls: 0, kinds: { integer: 0, float: 0, boolean: 0, datetime: 0, string: 0 }, nonFinite: 0, distinct: 0 };
  const distinct = new Set<string>();
  const n = Math.min(batch.length, 5000);
  const raw = batch.raw;
  const values = raw ? undefined : (batch.values[c] as Cell[]);
  const bytes = raw?.bytes;
  const ncol = batch.columns.length;
  const hash = new Int32Array(2);
  for (let r = 0; r < n; r++) {
    let cell: Cell | undefined;
    let st = 0;
    let en = 0;
    if (raw) {
      const i = r * ncol + c;
      const flag = raw.flags[i];
      if (flag === CELL_NULL) sn.kind = KIND.null;
      else if (flag === CELL_ESCAPED) sniff((cell = raw.escaped.get(i)!), sn);
      else {
        st = raw.starts[i]!;
        en = raw.ends[i]!;
        sniffRaw(bytes, raw, st, en, sn, hash);
      }
    } else sniff((cell = values![r] ?? null), sn);
    facts.count++;
    if (sn.kind === KIND.null) {
      facts.nulls++;
      continue;
    }
    facts.kinds[KIND_NAMES[sn.kind] as keyof ColumnFacts['kinds']]++;
    if (distinct.size <= MAX_INFERRED_CATEGORIES) {
      distinct.add(cell !== undefined ? cellText(cell) : bytes ? latin1(bytes, st, en) : raw!.text.slice(st, en));
    }
  }
  if (distinct.size <= MAX_INFERRED_CATEGORIES) facts.values = [...distinct];
  facts.distinct = distinct.size;
  return profileKindFor(inferColumn(facts, false).type);
}

function example(batch: Pick<RowBatch, 'firstRow' | 'lines'>, r: number, file: string, value?: string): Example {
  const e: Example = { file, row: batch.firstRow + r };
  const line = batch.lines?.[r];
  if (line !== undefined) e.line = line;
  if (value !== undefined) e.value = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return e;
}

/**
 * Types the raw cell [s, e): from the batch's bytes when it has them (an ASCII text), which also hashes
 * it into `out` (returns true then), else from the text.
 */
function sniffRaw(bytes: Uint8Array | undefined, raw: RawCells, s: number, e: number, sn: Sniffed, out: Int32Array): boolean {
  if (bytes) {
    sniffLatin1(bytes, raw, s, e, sn, out);
    return true;
  }
  sniffRange(raw.text, s, e, sn);
  return false;
}

/** Hashes the raw cell [s, e) into out, the same either way: from the bytes when there are some. */
function hashRaw(bytes: Uint8Array | undefined, raw: RawCells, s: number, e: number, out: Int32Array): void {
  if (bytes) hashLatin1(bytes, s, e, out);
  else hashRange(raw.text, s, e, out);
}

/** The raw cell [s, e) (hash h) as a string: the interner's, or a new one. */
function rawString(interner: Interner, bytes: Uint8Array | undefined, raw: RawCells, s: number, e: number, h: number): string {
  return bytes ? interner.getBytes(bytes, s, e, h) : interner.get(raw.text, s, e, h);
}

/** One more cell of interner slot `slot` in checkColumn's pass (listed in `slots` at its first). */
function countInSlot(counted: Int32Array, slots: number[], slot: number): void {
  const k = counted[slot]!;
  counted[slot] = k + 1;
  if (k === 0) slots.push(slot);
}

/** Rows checked column by column before the next rows (Validator.batch). */
const ROW_BLOCK = 1024;

const NULL_H1 = 0x9e3779b9 | 0;
const NULL_H2 = 0x7f4a7c15 | 0;

function checkColumn(
  s: ColumnState,
  batch: RowBatch,
  c: number,
  from: number,
  to: number,
  file: string,
  findings: Findings,
  sn: ReturnType<typeof newSniffed>,
  rowHash: Int32Array | undefined,
  table: DataSchema['table'] | undefined,
  bytes: Uint8Array | undefined,
): void {
  const raw = batch.raw;
  const values = raw ? undefined : (batch.values[c] as Cell[]);
  const ncol = batch.columns.length;
  const spec = s.spec;
  const type = spec?.type;
  const accepts = type ? TYPE_ACCEPTS[type] : undefined;
  const col = s.sink;
  const newCatSev = table ? sev(table['new-categories']) : 'warning';
  const oorSev = table ? sev(table['out-of-range']) : 'warning';
  const ref = s.ref;
  const range = spec?.range;
  const lo = range && typeof range[0] === 'number' ? range[0] : range && typeof range[0] === 'string' ? Date.parse(range[0]) : -Infinity;
  const hi = range && typeof range[1] === 'number' ? range[1] : range && typeof range[1] === 'string' ? Date.parse(range[1]) : Infinity;
  const allowNan = spec?.['allow-nan'] ?? false;
  const textual = type === 'string' || type === 'category';
  const h = s.hash;
  const interner = s.interner;
  // A column that is not numeric repeats its values: each distinct text is typed once and kept typed
  // (until its interner is full: a column of distinct timestamps stops trying).
  const cache = raw !== undefined && s.kind !== 'numeric' && !interner.full;
  const { counted } = interner;
  const countedSlots = s.countedSlots;
  // Its short cells are looked up by their bytes, as words (Interner.findShort), while 12 bytes from
  // the cell's start are in the buffer.
  const view = cache && bytes ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
  const shortLimit = bytes ? bytes.length - 12 : -1;

  for (let r = from; r < to; r++) {
    // 1. Type the cell; hash it into its row. For a raw CSV cell nothing is allocated here.
    let cell: Cell = null;
    let text: string | undefined;
    let i = 0;
    let st = 0;
    let en = 0;
    let rawRange = false;
    /** h holds the cell's hash already. */
    let hashed = false;
    /** The cell's text is the interner's, and interner.h1/h2 its profile hash. */
    let interned = false;
    /** Its interner slot (-1: none, the text was just made). */
    let slotOf = -1;
    if (raw) {
      i = r * ncol + c;
      const flag = raw.flags[i];
      if (flag === CELL_NULL) sn.kind = KIND.null;
      else if (flag === CELL_ESCAPED) {
        cell = text = raw.escaped.get(i)!;
        sniff(cell, sn);
      } else {
        st = raw.starts[i]!;
        en = raw.ends[i]!;
        rawRange = true;
        if (cache) {
          let slot = -1;
          if (view && en - st <= SHORT_MAX && st <= shortLimit && en > st) slot = interner.findShort(view, st, en, h);
          if (slot < 0) {
            hashRaw(bytes, raw, st, en, h);
            slot = bytes ? interner.findBytes(bytes, st, en, h[0]!) : interner.find(raw.text, st, en, h[0]!);
          }
          if (slot >= 0 && interner.kinds[slot] !== UNTYPED) {
            sn.kind = interner.kinds[slot] as Kind;
            sn.num = interner.nums[slot]!;
            text = interner.strings[slot]!;
          } else {
            sniffRaw(bytes, raw, st, en, sn, h);
            // (a string interned untyped by another check stays so: typed again when seen again)
            text =
              slot >= 0
                ? interner.strings[slot]!
                : bytes
                  ? interner.addBytes(bytes, st, en, h[0]!, sn.kind, sn.num)
                  : interner.add(raw.text, st, en, h[0]!, sn.kind, sn.num);
          }
          interned = true;
          slotOf = slot;
        } else hashed = sniffRaw(bytes, raw, st, en, sn, h);
      }
    } else {
      cell = values![r] ?? null;
      sniff(cell, sn);
    }
    const kind = sn.kind;
    if (kind === KIND.null) {
      if (rowHash) chainRow(rowHash, r, NULL_H1, NULL_H2);
      col.addNull();
      // A null label is the label-null finding; not the null one as well.
      if (spec && !spec.nullable && !s.isLabel) findings.add('null', 'error', s.name, 'no nulls', 'null', example(batch, r, file));
      if (s.isLabel) findings.add('label-null', 'error', s.name, 'a label on every row', 'null', example(batch, r, file));
      continue;
    }
    if (interned || hashed) {
      // hashed above
    } else if (rawRange) hashRaw(bytes, raw!, st, en, h);
    else {
      text ??= typeof cell === 'string' ? cell : cellText(cell);
      hashRange(text, 0, text.length, h);
    }
    if (rowHash) chainRow(rowHash, r, h[0]!, h[1]!);
    s.nonNull++;
    // The constant-column check compares cell hashes: no text needed.
    if (!s.varies) {
      if (s.nonNull === 1) {
        s.firstH1 = h[0]!;
        s.firstH2 = h[1]!;
      } else if (h[0] !== s.firstH1 || h[1] !== s.firstH2) s.varies = true;
    }

    // 2. Check it against the declared type and rules; profile it.
    if (accepts && !accepts(kind, sn.num)) {
      const t = (text ??= rawRange ? rawString(interner, bytes, raw!, st, en, h[0]!) : cellText(cell));
      findings.add('type', 'error', s.name, type!, `${KIND_NAMES[kind]} '${t.length > 40 ? `${t.slice(0, 37)}...` : t}'`, example(batch, r, file, t));
      col.addMismatch(t);
      continue;
    }
    if (textual || kind === KIND.string) {
      let t = text;
      if (slotOf >= 0) {
        // Counted by its slot and profiled once for all at the end of this pass; sampled here, in order.
        countInSlot(counted, countedSlots, slotOf);
        col.sampleText(t!);
      } else if (interned) col.addTextHashed(t!, interner.h1, interner.h2);
      else if (t !== undefined) col.addText(t);
      else if (rawRange) {
        t = text = rawString(interner, bytes, raw!, st, en, h[0]!);
        col.addTextHashed(t, interner.h1, interner.h2);
      } else col.addText((t = text = cellText(cell)));
      t = t!;
      if (s.allowed && !s.allowed.has(t)) {
        findings.add('values', 'error', s.name, `one of ${[...s.allowed].slice(0, 8).join(', ')}${s.allowed.size > 8 ? ', …' : ''}`, `'${t}'`, example(batch, r, file, t));
      }
      if (s.regex && !s.regex.test(t)) {
        findings.add('regex', 'error', s.name, `matches /${s.regex.source}/`, `'${t}'`, example(batch, r, file, t));
      }
    } else if (kind === KIND.boolean) {
      if (slotOf >= 0 && interner.kinds[slotOf] === KIND.boolean) {
        // counted by its slot, as a text is above
        countInSlot(counted, countedSlots, slotOf);
        col.sampleText(sn.num === 1 ? 'true' : 'false');
      } else col.addBoolean(sn.num === 1);
    } else {
      const num = sn.num;
      if (kind === KIND.datetime) {
        col.addDatetime(num);
        if (num > s.maxTime) s.maxTime = num;
      } else {
        col.addNumber(num, kind === KIND.integer);
      }
      if (num !== num || num === Infinity || num === -Infinity) {
        if (!allowNan && (s.numeric || !spec)) {
          const t = (text ??= rawRange ? rawString(interner, bytes, raw!, st, en, h[0]!) : cellText(cell));
          findings.add('nan', spec ? 'error' : 'warning', s.name, 'finite numbers', t, example(batch, r, file, t));
        }
        continue;
      }
      if (num < lo || num > hi) {
        const t = (text ??= rawRange ? rawString(interner, bytes, raw!, st, en, h[0]!) : cellText(cell));
        findings.add('range', 'error', s.name, `[${String(range![0] ?? '-∞')}, ${String(range![1] ?? '∞')}]`, t, example(batch, r, file, t));
      }
      if (oorSev && ref && ref.min !== undefined && ref.max !== undefined && (num < ref.min || num > ref.max) && kind !== KIND.datetime) {
        const t = (text ??= rawRange ? rawString(interner, bytes, raw!, st, en, h[0]!) : cellText(cell));
        findings.add('out-of-range', oorSev, s.name, `within the reference's [${ref.min}, ${ref.max}]`, t, example(batch, r, file, t));
      }
    }
    if (newCatSev && ref?.categories && (textual || kind === KIND.string || kind === KIND.boolean)) {
      const t = (text ??= rawRange ? rawString(interner, bytes, raw!, st, en, h[0]!) : cellText(cell));
      if (!ref.categories.has(t)) {
        findings.add('new-category', newCatSev, s.name, `one of the ${ref.categories.size} reference categories`, `'${t}'`, example(batch, r, file, t));
      }
    }
    if (s.unique) {
      const t = (text ??= rawRange ? rawString(interner, bytes, raw!, st, en, h[0]!) : cellText(cell));
      if (s.unique.has(t)) findings.add('unique', 'error', s.name, 'unique values', `'${t}' repeated`, example(batch, r, file, t));
      else s.unique.add(t);
    }
  }
  // The counted cells, into the profile: the counts and sketches of a call a cell. A column that is
  // not textual counts its boolean-typed slots as booleans (the branch above), every other as a text.
  for (const slot of countedSlots) {
    const n = counted[slot]!;
    if (!textual && interner.kinds[slot] === KIND.boolean) col.countBooleans(interner.nums[slot] === 1, n);
    else col.countTextHashed(interner.strings[slot]!, interner.p1[slot]!, interner.p2[slot]!, n);
    counted[slot] = 0;
  }
  countedSlots.length = 0;
}
