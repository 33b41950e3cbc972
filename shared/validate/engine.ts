/**
 * The validation pass: one streaming read of the dataset that types every cell, runs every check the
 * schema (and the reference profile) asks for, and profiles the data at the same time. Constant memory in
 * rows, except for what a check needs by nature (the fingerprints of the duplicate-row check, the values of
 * a column declared unique).
 */
import type { Cell, DatasetFile, ReadOptions, RowBatch } from '../data/types';
import { readDataset } from '../data/dataset';
import { durationMs, type ColumnSchema, type DataSchema, type Severity } from '../schema/schema';
import { KIND, KIND_NAMES, cellText, newSniffed, sniff, type Kind } from '../schema/values';
import { Findings, type Example, type FindingSeverity } from './findings';
import { FingerprintSet, hashText } from './rowset';
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

class ColumnState {
  readonly allowed: Set<string> | undefined;
  readonly regex: RegExp | undefined;
  readonly unique: Set<string> | undefined;
  readonly numeric: boolean;
  maxTime = -Infinity;
  /** For the constant-column check. */
  first: string | undefined;
  varies = false;
  nonNull = 0;
  readonly sink: ColumnSink;

  constructor(
    readonly name: string,
    readonly spec: ColumnSchema | undefined,
    readonly ref: ReferenceColumn | undefined,
    readonly isLabel: boolean,
    kind: ProfileKind,
    profile: ProfileBuilder,
  ) {
    this.sink = profile.column(name, kind);
    this.allowed = spec?.values ? new Set(spec.values.map(String)) : undefined;
    this.regex = spec?.regex ? new RegExp(spec.regex, 'u') : undefined;
    this.unique = spec?.unique ? new Set() : undefined;
    this.numeric = spec?.type === 'integer' || spec?.type === 'float';
  }
}

export async function runValidation(
  files: DatasetFile[],
  plan: ValidationPlan,
  onRows?: (rows: number) => void,
): Promise<ValidationOutcome> {
  const findings = new Findings();
  const { schema } = plan;
  const table = schema?.table;
  const states = new Map<string, ColumnState>();
  const columnOrder: string[] = [];
  const profile = new ProfileBuilder();
  const dupSeverity = table ? sev(table['duplicate-rows']) : 'warning';
  const dupes = dupSeverity ? new FingerprintSet() : undefined;
  const sn = newSniffed();
  let rows = 0;
  let rowHash = new Uint32Array(0);

  const stateOf = (name: string, values: Cell[], length: number): ColumnState => {
    let s = states.get(name);
    if (!s) {
      const spec = schema?.columns[name];
      const kind = spec ? profileKindFor(spec.type) : guessKind(values, length);
      s = new ColumnState(name, spec, plan.reference?.get(name), name === plan.label, kind, profile);
      states.set(name, s);
      columnOrder.push(name);
    }
    return s;
  };

  // Per file: which columns it had, for the missing / unexpected column checks.
  let currentFile: string | undefined;
  let fileColumns: string[] = [];
  const endFile = () => {
    if (currentFile === undefined) return;
    const file = plan.display(currentFile);
    const present = new Set(fileColumns);
    if (schema) {
      for (const name of Object.keys(schema.columns)) {
        if (!present.has(name)) {
          findings.add('missing-column', 'error', name, `column '${name}'`, 'absent', { file, line: 1, row: -1 });
        }
      }
      const unexpected = sev(schema.table['unexpected-columns']);
      if (unexpected) {
        for (const name of fileColumns) {
          if (!(name in schema.columns)) {
            findings.add('unexpected-column', unexpected, name, 'only the schema\'s columns', `column '${name}'`, { file, line: 1, row: -1 });
          }
        }
      }
    }
    if (plan.label && !present.has(plan.label)) {
      findings.add('label-missing', 'error', plan.label, `label column '${plan.label}'`, 'absent', { file, line: 1, row: -1 });
    }
  };

  for await (const batch of readDataset(files, plan.read)) {
    if (batch.file !== currentFile) {
      endFile();
      currentFile = batch.file;
      fileColumns = [];
    }
    if (batch.columns.length > fileColumns.length) fileColumns = batch.columns.slice();
    const file = plan.display(batch.file);
    if (dupes) {
      if (rowHash.length < batch.length * 2) rowHash = new Uint32Array(batch.length * 2);
      rowHash.fill(0, 0, batch.length * 2);
    }
    for (let c = 0; c < batch.columns.length; c++) {
      const state = stateOf(batch.columns[c]!, batch.values[c] as Cell[], batch.length);
      checkColumn(state, batch, c, file, findings, sn, dupes ? rowHash : undefined, table);
    }
    if (dupes && dupSeverity) {
      for (let r = 0; r < batch.length; r++) {
        if (!dupes.add(rowHash[2 * r]!, rowHash[2 * r + 1]!)) {
          findings.add('duplicate-rows', dupSeverity, undefined, 'each row once', 'a repeated row', example(batch, r, file));
        }
      }
    }
    rows += batch.length;
    profile.rows = rows;
    // Columns this batch lacks (another file's, or JSONL keys not yet seen) are null in its rows.
    for (const st of states.values()) st.sink.padTo(rows);
    onRows?.(rows);
  }
  endFile();

  const displayFirst = files[0] ? plan.display(files[0].path) : '';
  if (rows === 0) {
    findings.add('empty-dataset', 'error', undefined, 'at least one row', '0 rows', { file: displayFirst, line: 1, row: -1 });
  }
  if (table?.rows) {
    const [min, max] = table.rows;
    if ((min !== null && rows < min) || (max !== null && rows > max)) {
      findings.add('rows', 'error', undefined, `${min ?? 0} to ${max ?? '∞'} rows`, `${rows} rows`);
    }
  }
  if (table?.freshness) {
    const s = states.get(table.freshness.column);
    const limit = durationMs(table.freshness['max-age']);
    if (s && s.maxTime !== -Infinity && plan.now - s.maxTime > limit) {
      findings.add(
        'freshness',
        'error',
        s.name,
        `newest ${s.name} within ${table.freshness['max-age']}`,
        `newest is ${new Date(s.maxTime).toISOString()} (${((plan.now - s.maxTime) / 86400e3).toFixed(1)} days old)`,
      );
    }
  }
  const constantSev = table ? sev(table['constant-columns']) : 'warning';
  if (constantSev) {
    for (const s of states.values()) {
      if (!s.varies && s.nonNull > 1 && !s.isLabel) {
        findings.add('constant', constantSev, s.name, 'more than one value', `always '${s.first ?? ''}'`);
      }
    }
  }
  return { rows, columns: columnOrder, findings, profile: profile.finish(columnOrder, rows) };
}

/** The profile kind of a column without a declared type, from the values of the first batch it is in. */
function guessKind(values: Cell[], length: number): ProfileKind {
  const sn = newSniffed();
  const facts: ColumnFacts = { name: '', count: 0, nulls: 0, kinds: { integer: 0, float: 0, boolean: 0, datetime: 0, string: 0 }, nonFinite: 0, distinct: 0 };
  const distinct = new Set<string>();
  const n = Math.min(length, 5000);
  for (let r = 0; r < n; r++) {
    const cell = values[r] ?? null;
    sniff(cell, sn);
    facts.count++;
    if (sn.kind === KIND.null) {
      facts.nulls++;
      continue;
    }
    facts.kinds[KIND_NAMES[sn.kind] as keyof ColumnFacts['kinds']]++;
    if (distinct.size <= MAX_INFERRED_CATEGORIES) distinct.add(cellText(cell));
  }
  if (distinct.size <= MAX_INFERRED_CATEGORIES) facts.values = [...distinct];
  facts.distinct = distinct.size;
  return profileKindFor(inferColumn(facts, false).type);
}

function example(batch: RowBatch, r: number, file: string, value?: string): Example {
  const e: Example = { file, row: batch.firstRow + r };
  const line = batch.lines?.[r];
  if (line !== undefined) e.line = line;
  if (value !== undefined) e.value = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return e;
}

function checkColumn(
  s: ColumnState,
  batch: RowBatch,
  c: number,
  file: string,
  findings: Findings,
  sn: ReturnType<typeof newSniffed>,
  rowHash: Uint32Array | undefined,
  table: DataSchema['table'] | undefined,
): void {
  const values = batch.values[c] as Cell[];
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

  for (let r = 0; r < batch.length; r++) {
    const cell = values[r] ?? null;
    sniff(cell, sn);
    const kind = sn.kind;
    if (kind === KIND.null) {
      if (rowHash) hashText('\u0000', rowHash[2 * r]!, rowHash[2 * r + 1]!, rowHash, 2 * r);
      col.addNull();
      // A null label is the label-null finding; not the null one as well.
      if (spec && !spec.nullable && !s.isLabel) findings.add('null', 'error', s.name, 'no nulls', 'null', example(batch, r, file));
      if (s.isLabel) findings.add('label-null', 'error', s.name, 'a label on every row', 'null', example(batch, r, file));
      continue;
    }
    const text = typeof cell === 'string' ? cell : cellText(cell);
    if (rowHash) hashText(text, rowHash[2 * r]!, rowHash[2 * r + 1]!, rowHash, 2 * r);
    s.nonNull++;
    if (!s.varies) {
      if (s.first === undefined) s.first = text;
      else if (s.first !== text) s.varies = true;
    }
    if (accepts && !accepts(kind, sn.num)) {
      findings.add('type', 'error', s.name, type!, `${KIND_NAMES[kind]} '${text.length > 40 ? `${text.slice(0, 37)}...` : text}'`, example(batch, r, file, text));
      col.addMismatch(text);
      continue;
    }
    if (textual) {
      col.addText(text);
      if (s.allowed && !s.allowed.has(text)) {
        findings.add('values', 'error', s.name, `one of ${[...s.allowed].slice(0, 8).join(', ')}${s.allowed.size > 8 ? ', …' : ''}`, `'${text}'`, example(batch, r, file, text));
      }
      if (s.regex && !s.regex.test(text)) {
        findings.add('regex', 'error', s.name, `matches /${s.regex.source}/`, `'${text}'`, example(batch, r, file, text));
      }
    } else if (kind === KIND.string) {
      // No declared type: profile text as text.
      col.addText(text);
    } else if (kind === KIND.boolean) {
      col.addBoolean(sn.num === 1);
    } else {
      const num = sn.num;
      if (kind === KIND.datetime) {
        col.addDatetime(num);
        if (num > s.maxTime) s.maxTime = num;
      } else {
        col.addNumber(num, kind === KIND.integer);
      }
      if (Number.isNaN(num) || num === Infinity || num === -Infinity) {
        if (!allowNan && (s.numeric || !spec)) {
          findings.add('nan', spec ? 'error' : 'warning', s.name, 'finite numbers', text, example(batch, r, file, text));
        }
        continue;
      }
      if (num < lo || num > hi) {
        findings.add('range', 'error', s.name, `[${String(range![0] ?? '-∞')}, ${String(range![1] ?? '∞')}]`, text, example(batch, r, file, text));
      }
      if (oorSev && ref && ref.min !== undefined && ref.max !== undefined && (num < ref.min || num > ref.max) && kind !== KIND.datetime) {
        findings.add('out-of-range', oorSev, s.name, `within the reference's [${ref.min}, ${ref.max}]`, text, example(batch, r, file, text));
      }
    }
    if (newCatSev && ref?.categories && (textual || kind === KIND.string || kind === KIND.boolean) && !ref.categories.has(text)) {
      findings.add('new-category', newCatSev, s.name, `one of the ${ref.categories.size} reference categories`, `'${text}'`, example(batch, r, file, text));
    }
    if (s.unique) {
      if (s.unique.has(text)) findings.add('unique', 'error', s.name, 'unique values', `'${text}' repeated`, example(batch, r, file, text));
      else s.unique.add(text);
    }
  }
}
