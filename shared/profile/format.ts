/**
 * The profile file's format: its zod schema (every field, and the sketches' structural invariants),
 * the types it defines, and parseProfile / mergeProfiles, which check a profile read from elsewhere.
 * Apart from profile.ts so that code that only builds profiles (validate-data's worker threads) does
 * not load zod.
 */
import { z } from 'zod';
import { UserError } from '../errors';
import type { HllJSON } from './hll';
import { checkKllJSON, type KllJSON } from './kll';
import type { ReservoirJSON } from './reservoir';
import type { TopKJSON } from './topk';
import { PROFILE_FORMAT, PROFILE_KINDS, PROFILE_VERSION, isNumericKind, mergeParsedProfiles } from './profile';

// ---- JSON shape and its schema -----------------------------------------------------------------

const nonNegInt = z.number().int().nonnegative();
const finite = z.number().finite();
const rngState = z.tuple([nonNegInt, nonNegInt, nonNegInt, nonNegInt]);
const itemKey = z.union([z.string(), finite]);

const KllSchema = z.object({
  k: z.number().int().min(8).max(65535),
  n: nonNegInt,
  min: finite.nullable(),
  max: finite.nullable(),
  levels: z.array(nonNegInt).min(2),
  items: z.array(finite),
  rng: rngState.optional(),
});

const HllSchema = z.object({
  p: z.number().int().min(4).max(18),
  registers: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
});

const TopKSchema = z.object({
  capacity: z.number().int().positive(),
  n: nonNegInt,
  items: z.array(z.tuple([itemKey, z.number().positive()])),
});

const ReservoirSchema = z.object({
  capacity: z.number().int().positive(),
  n: nonNegInt,
  values: z.array(itemKey),
  rng: rngState.optional(),
  w: z.number().gt(0).max(1).optional(),
  next: nonNegInt.optional(),
});

const CountsSchema = z.object({ n: nonNegInt, null: nonNegInt, nan: nonNegInt, inf: nonNegInt });
const TypesSchema = z.object({
  integer: nonNegInt,
  fractional: nonNegInt,
  boolean: nonNegInt,
  string: nonNegInt,
  date: nonNegInt,
  other: nonNegInt,
});

const NumericSchema = z.object({
  count: nonNegInt,
  mean: finite,
  m2: finite.nonnegative(),
  min: finite.nullable(),
  max: finite.nullable(),
  kll: KllSchema,
  binEdges: z.array(finite),
  binCounts: z.array(z.number().nonnegative()),
  binSource: z.enum(['quantiles', 'given']),
  binCountsExact: z.boolean(),
  binCountsError: z.number().min(0).max(1),
});

const ColumnSchema = z
  .object({
    kind: z.enum(PROFILE_KINDS),
    counts: CountsSchema,
    types: TypesSchema,
    numeric: NumericSchema.optional(),
    stringLength: z.object({ min: nonNegInt, max: nonNegInt, sum: nonNegInt }).optional(),
    distinct: z.object({ estimate: z.number().nonnegative(), hll: HllSchema }),
    topK: TopKSchema,
    sample: ReservoirSchema,
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string): void => {
      ctx.addIssue({ code: 'custom', path, message });
    };
    const t = c.types;
    const typed = t.integer + t.fractional + t.boolean + t.string + t.date + t.other;
    if (c.counts.null + c.counts.nan + c.counts.inf + typed !== c.counts.n) {
      issue(['counts', 'n'], `n (${c.counts.n}) must equal null + nan + inf + the type counts (${c.counts.null + c.counts.nan + c.counts.inf + typed})`);
    }
    if (c.topK.n !== c.sample.n) issue(['topK', 'n'], `topK.n (${c.topK.n}) must equal sample.n (${c.sample.n})`);
    if (c.sample.n > typed) issue(['sample', 'n'], `sample.n (${c.sample.n}) exceeds the number of typed values (${typed})`);
    if (c.sample.values.length !== Math.min(c.sample.n, c.sample.capacity)) {
      issue(['sample', 'values'], `expected min(n, capacity) = ${Math.min(c.sample.n, c.sample.capacity)} values, got ${c.sample.values.length}`);
    }
    if (c.topK.items.length > c.topK.capacity) issue(['topK', 'items'], `${c.topK.items.length} items exceed the capacity ${c.topK.capacity}`);
    const listed = c.topK.items.reduce((s, [, n]) => s + n, 0);
    if (listed > c.topK.n + 1e-9) issue(['topK', 'items'], `listed counts (${listed}) exceed n (${c.topK.n})`);
    const bytes = base64Length(c.distinct.hll.registers);
    if (bytes !== 2 ** c.distinct.hll.p) issue(['distinct', 'hll', 'registers'], `expected ${2 ** c.distinct.hll.p} registers for p = ${c.distinct.hll.p}, got ${bytes}`);
    if (c.numeric) {
      const num = c.numeric;
      if (!isNumericKind(c.kind)) issue(['numeric'], `a ${c.kind} column has no numeric section`);
      const kllProblem = checkKllJSON(num.kll);
      if (kllProblem) issue(['numeric', 'kll'], kllProblem);
      if (num.kll.n !== num.count) issue(['numeric', 'kll', 'n'], `kll.n (${num.kll.n}) must equal count (${num.count})`);
      if (num.count > 0 && (num.min === null || num.max === null)) issue(['numeric', 'min'], 'min and max are required when count > 0');
      if (num.min !== null && num.max !== null && num.min > num.max) issue(['numeric', 'min'], `min (${num.min}) exceeds max (${num.max})`);
      const e = num.binEdges;
      if (e.length === 1) issue(['numeric', 'binEdges'], 'needs at least 2 edges (or none)');
      if (e.length >= 2 && num.binCounts.length !== e.length - 1) {
        issue(['numeric', 'binCounts'], `${e.length} edges make ${e.length - 1} bins, but there are ${num.binCounts.length} counts`);
      }
      if (e.length === 0 && num.binCounts.length !== 0) issue(['numeric', 'binCounts'], 'counts without edges');
      for (let i = 1; i < e.length; i++) {
        const interior = i < e.length - 1;
        if (interior ? !(e[i]! > e[i - 1]!) : !(e[i]! >= e[i - 1]!)) {
          issue(['numeric', 'binEdges', i], interior ? 'interior edges must be strictly increasing' : 'edges must be non-decreasing');
          break;
        }
      }
      const binned = num.binCounts.reduce((s, x) => s + x, 0);
      if (e.length >= 2 && Math.abs(binned - num.count) > 1e-6 * Math.max(1, num.count)) {
        issue(['numeric', 'binCounts'], `bin counts sum to ${binned}, not count (${num.count})`);
      }
    } else if (isNumericKind(c.kind)) {
      issue(['numeric'], `a ${c.kind} column needs a numeric section`);
    }
  });

export const DatasetProfileSchema = z
  .object({
    format: z.literal(PROFILE_FORMAT),
    version: z.literal(PROFILE_VERSION),
    rows: nonNegInt,
    createdAt: z.string().optional(),
    dataHash: z.string().optional(),
    columns: z.record(z.string(), ColumnSchema),
  })
  .superRefine((p, ctx) => {
    for (const [name, c] of Object.entries(p.columns)) {
      if (c.counts.n !== p.rows) ctx.addIssue({ code: 'custom', path: ['columns', name, 'counts', 'n'], message: `must equal rows (${p.rows}), got ${c.counts.n}` });
    }
  });

export type ColumnCounts = z.output<typeof CountsSchema>;
export type TypeCounts = z.output<typeof TypesSchema>;
export type NumericStatsJSON = z.output<typeof NumericSchema>;
export type ColumnProfileJSON = z.output<typeof ColumnSchema>;
export type DatasetProfile = z.output<typeof DatasetProfileSchema>;

// the sketch modules' JSON types and the schema's must agree
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _shapes: [
  Same<z.output<typeof KllSchema>, KllJSON>,
  Same<z.output<typeof HllSchema>, HllJSON>,
  Same<z.output<typeof TopKSchema>, TopKJSON>,
  Same<z.output<typeof ReservoirSchema>, ReservoirJSON>,
] = [true, true, true, true];
void _shapes;

function base64Length(s: string): number {
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - pad;
}

/**
 * Parses and validates a profile (a JSON string or an already parsed value). Throws a UserError naming
 * the first invalid field's path (e.g. `columns.age.numeric.kll.n: …`), or saying the profile's version
 * is newer than this code supports.
 */
export function parseProfile(input: unknown, source = 'profile'): DatasetProfile {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new UserError(`${source} is not valid JSON: ${(e as Error).message}`, { file: source });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${source} is not a profile: expected a JSON object`, { file: source });
  }
  const head = value as { format?: unknown; version?: unknown };
  if (head.format !== PROFILE_FORMAT) {
    throw new UserError(`${source} is not a profile: format must be "${PROFILE_FORMAT}", got ${JSON.stringify(head.format)}`, { file: source });
  }
  if (typeof head.version === 'number' && Number.isInteger(head.version) && head.version > PROFILE_VERSION) {
    throw new UserError(
      `${source}: profile version ${head.version} is newer than the newest this mlops-actions supports (${PROFILE_VERSION})`,
      { file: source },
      'update mlops-actions, or regenerate the profile with this version',
    );
  }
  const parsed = DatasetProfileSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const lines = issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    throw new UserError(`invalid profile ${source}: ${lines.join('; ')}${more}`, { file: source });
  }
  return parsed.data;
}

/** profile.ts's mergeParsedProfiles, after checking both inputs. */
export function mergeProfiles(a: DatasetProfile, b: DatasetProfile): DatasetProfile {
  return mergeParsedProfiles(parseProfile(a, 'first profile'), parseProfile(b, 'second profile'));
}
