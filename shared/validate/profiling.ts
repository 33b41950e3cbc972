/**
 * The bridge between validation and profiles: profiling typed values during the validation pass, reading
 * a reference profile, and deriving from a profile what the checks and the schema inference need.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  ColumnProfiler,
  PROFILE_FORMAT,
  PROFILE_VERSION,
  columnMean,
  columnTopValues,
  kindForColumnType,
  type ColumnProfileJSON,
  type DatasetProfile,
  type ProfileKind,
} from '../profile/profile';
import { UserError } from '../errors';
import { inferColumn, type ColumnFacts } from '../schema/infer';
import type { ColumnSchema } from '../schema/schema';
import { num } from '../report/markdown';

/** What the reference-based checks need to know about a column. */
export interface ReferenceColumn {
  /** The reference's [min, max] of a numeric column. */
  min?: number;
  max?: number;
  /** Every category the reference saw, when it counted them exactly. */
  categories?: Set<string>;
}

/** Feeds one column's typed values into its profiler. */
export interface ColumnSink {
  addNull(): void;
  addNumber(x: number, integer: boolean): void;
  addDatetime(ms: number): void;
  addBoolean(b: boolean): void;
  addText(s: string): void;
  /** addText(s) with hash.ts hashString(s)'s two lanes already known. */
  addTextHashed(s: string, h1: number, h2: number): void;
  /** `count` cells of text s at once (hashString lanes h1, h2), each also given to sampleText in its place. */
  countTextHashed(s: string, h1: number, h2: number, count: number): void;
  /** The sample's part of addTextHashed(s), for a cell that countTextHashed counts. */
  sampleText(s: string): void;
  /** `count` cells of the boolean b at once, each also given to sampleText('true' or 'false') in its place. */
  countBooleans(b: boolean, count: number): void;
  /** A value that does not have the declared type: profiled as the text it is. */
  addMismatch(s: string): void;
  /** Counts nulls up to `rows` cells (rows in which the column was absent). */
  padTo(rows: number): void;
}

class Sink implements ColumnSink {
  constructor(readonly p: ColumnProfiler) {}
  addNull(): void {
    this.p.update(null);
  }
  addNumber(x: number): void {
    if (this.p.kind === 'numeric' || this.p.kind === 'datetime') this.p.updateNumber(x);
    else this.p.update(x);
  }
  addDatetime(ms: number): void {
    this.p.updateDate(ms);
  }
  addBoolean(b: boolean): void {
    this.p.update(b);
  }
  addText(s: string): void {
    this.p.update(s);
  }
  addTextHashed(s: string, h1: number, h2: number): void {
    this.p.updateStringHashed(s, h1, h2);
  }
  countTextHashed(s: string, h1: number, h2: number, count: number): void {
    this.p.countStringsHashed(s, h1, h2, count);
  }
  sampleText(s: string): void {
    this.p.sampleString(s);
  }
  countBooleans(b: boolean, count: number): void {
    this.p.countBooleans(b, count);
  }
  addMismatch(s: string): void {
    this.p.update(s);
  }
  padTo(rows: number): void {
    if (this.p.rows < rows) this.p.addNulls(rows - this.p.rows);
  }
}

/**
 * Profiles a dataset whose columns are discovered while reading. A column's profile kind comes from its
 * declared type, or (no schema) from the values of the first batch it appears in.
 */
export class ProfileBuilder {
  rows = 0;
  private readonly sinks = new Map<string, Sink>();

  /** `binEdges`: a reference profile's edges per numeric column, so this profile counts exactly on them. */
  constructor(private readonly binEdges?: Record<string, number[]>) {}

  column(name: string, kind: ProfileKind): ColumnSink {
    let s = this.sinks.get(name);
    if (!s) {
      const edges = this.binEdges?.[name];
      const numeric = kind === 'numeric' || kind === 'datetime';
      s = new Sink(new ColumnProfiler(kind, { name, ...(numeric && edges && edges.length >= 2 ? { binEdges: edges } : {}) }));
      // The column was absent from the rows read so far.
      if (this.rows > 0) s.p.addNulls(this.rows);
      this.sinks.set(name, s);
    }
    return s;
  }

  finish(order: string[], rows: number): DatasetProfile {
    const columns: Record<string, ColumnProfileJSON> = {};
    for (const name of order) {
      const s = this.sinks.get(name);
      if (!s) continue;
      if (s.p.rows < rows) s.p.addNulls(rows - s.p.rows);
      columns[name] = s.p.toJSON();
    }
    return { format: PROFILE_FORMAT, version: PROFILE_VERSION, rows, createdAt: new Date().toISOString(), columns };
  }
}

/** What profiling against a reference needs from it: each column's kind and numeric bin edges. */
export function referenceLayout(profile: DatasetProfile): { kinds: Record<string, ProfileKind>; binEdges: Record<string, number[]> } {
  const kinds: Record<string, ProfileKind> = {};
  const binEdges: Record<string, number[]> = {};
  for (const [name, col] of Object.entries(profile.columns)) {
    kinds[name] = col.kind;
    if (col.numeric && col.numeric.binEdges.length >= 2) binEdges[name] = col.numeric.binEdges;
  }
  return { kinds, binEdges };
}

export function profileKindFor(type: ColumnSchema['type']): ProfileKind {
  return kindForColumnType(type);
}

// ---- reading and writing profile files --------------------------------------------------------

export async function readProfileFile(path: string, display: string, input?: string): Promise<DatasetProfile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `Profile file not found: ${display}` : `Cannot read profile ${display}: ${(err as Error).message}`,
      { input },
      'give the path of a profile written by validate-data (`profile-output`) or stored with a registered model',
    );
  }
  try {
    // (format.ts loads zod: not imported at the top, so that validate-data's worker threads need not)
    const { parseProfile } = await import('../profile/format');
    return parseProfile(text, display);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(err.message, { ...err.location, input }, err.hint ?? 'regenerate the profile with validate-data');
    throw err;
  }
}

export async function writeProfileFile(path: string, profile: DatasetProfile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(profile)}\n`);
}

// ---- what a profile says about its columns --------------------------------------------------------

/** Every distinct value of the column as text, when the profile counted them exactly. */
export function exactValues(col: ColumnProfileJSON): string[] | undefined {
  const listed = col.topK.items.reduce((s, [, n]) => s + n, 0);
  if (listed !== col.topK.n) return undefined;
  return col.topK.items.map(([v]) => String(v));
}

export function columnFacts(name: string, col: ColumnProfileJSON): ColumnFacts {
  const t = col.types;
  const values = exactValues(col);
  return {
    name,
    count: col.counts.n,
    nulls: col.counts.null,
    kinds: {
      integer: t.integer,
      float: t.fractional + col.counts.nan + col.counts.inf,
      boolean: t.boolean,
      datetime: t.date,
      string: t.string + t.other,
    },
    nonFinite: col.counts.nan + col.counts.inf,
    // HyperLogLog can overshoot a little on small columns: never more than the values there are.
    distinct: values ? values.length : Math.min(col.distinct.estimate, col.counts.n - col.counts.null),
    values,
  };
}

export function referenceColumns(profile: DatasetProfile): Map<string, ReferenceColumn> {
  const out = new Map<string, ReferenceColumn>();
  for (const [name, col] of Object.entries(profile.columns)) {
    const ref: ReferenceColumn = {};
    if (col.kind === 'numeric' && col.numeric && col.numeric.min !== null && col.numeric.max !== null) {
      ref.min = col.numeric.min;
      ref.max = col.numeric.max;
    }
    if (col.kind === 'categorical' || col.kind === 'boolean' || (col.kind === 'string' && inferColumn(columnFacts(name, col), false).type === 'category')) {
      const values = exactValues(col);
      if (values) ref.categories = new Set(values);
    }
    out.set(name, ref);
  }
  return out;
}

// ---- the column statistics table ------------------------------------------------------------------

export interface ColumnSummary {
  name: string;
  type: string;
  count: number;
  nulls: number;
  distinct?: number;
  /** Whether `distinct` is an exact count (else a HyperLogLog estimate). */
  distinctExact: boolean;
  min: string;
  mean: string;
  max: string;
  top: string;
  isLabel: boolean;
}

export function columnSummaries(profile: DatasetProfile, label?: string, declared?: Record<string, ColumnSchema>): ColumnSummary[] {
  return Object.entries(profile.columns).map(([name, col]) => {
    const facts = columnFacts(name, col);
    const type = declared?.[name]?.type ?? inferColumn(facts, false).type;
    const n = col.numeric;
    const isTime = col.kind === 'datetime';
    const fmt = (x: number | null | undefined) =>
      x === null || x === undefined ? '' : isTime ? new Date(x).toISOString().replace('T00:00:00.000Z', '') : num(x);
    // Frequent values say something when the column has few of them, or when they repeat often.
    const tops = columnTopValues(col, 3);
    const showTop = !isTime && (facts.values ? facts.values.length <= 10 || col.kind !== 'numeric' : (tops[0]?.frequency ?? 0) >= 0.01);
    const top = showTop ? tops.map((t) => `${String(t.value)} (${(t.frequency * 100).toFixed(0)}%)`).join(', ') : '';
    return {
      name,
      type: type + (col.counts.nan + col.counts.inf > 0 ? `, ${col.counts.nan + col.counts.inf} NaN/inf` : ''),
      count: col.counts.n,
      nulls: col.counts.null,
      distinct: Math.round(facts.distinct),
      distinctExact: facts.values !== undefined,
      min: fmt(n?.min),
      mean: isTime ? '' : fmt(columnMean(col)),
      max: fmt(n?.max),
      top,
      isLabel: name === label,
    };
  });
}
