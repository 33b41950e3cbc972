/**
 * Schema inference: from what a profile knows about each column (how many values of each kind, nulls,
 * distinct values) to a schema a person can read and tighten. It infers only what the data proves, so
 * validating the same data against the inferred schema always passes:
 *   - type: the narrowest type every non-null value has (integer ⊂ float; text makes string or category);
 *   - nullable: false only when the column had no null;
 *   - category with its values, when a text column has at most 50 distinct values (counted exactly) and
 *     repeats them (at least two rows per value on average);
 *   - allow-nan when NaN or ±Infinity occurred.
 * It never infers ranges or uniqueness: an observed [min, max] is not a contract (new data legitimately
 * falls outside it; validate-data warns about that against a reference instead), and a profile cannot
 * prove uniqueness in constant memory. Add them by hand where they are a contract.
 */
import type { ColumnSchema } from './schema';

export interface ColumnFacts {
  name: string;
  /** Rows in which the column was present. */
  count: number;
  nulls: number;
  /** Non-null values by kind, as the value typing classified them. */
  kinds: { integer: number; float: number; boolean: number; datetime: number; string: number };
  /** NaN or ±Infinity values (counted in kinds.float too). */
  nonFinite: number;
  /** Distinct non-null values, exact when `values` is given, else an estimate. */
  distinct: number;
  /** All distinct values with their text, when the profile counted them exactly. */
  values?: string[];
}

export const MAX_INFERRED_CATEGORIES = 50;

export function inferColumn(f: ColumnFacts, withValues: boolean): ColumnSchema {
  const nonNull = f.count - f.nulls;
  const k = f.kinds;
  let type: ColumnSchema['type'];
  if (nonNull === 0) type = 'string';
  else if (k.datetime === nonNull) type = 'datetime';
  else if (k.boolean === nonNull) type = 'boolean';
  else if (k.integer === nonNull) type = 'integer';
  else if (k.integer + k.float === nonNull) type = 'float';
  else {
    const repeats = f.values !== undefined && f.values.length <= MAX_INFERRED_CATEGORIES && nonNull >= 2 * f.values.length;
    type = repeats ? 'category' : 'string';
  }
  const col: ColumnSchema = { type, nullable: f.nulls > 0, unique: false, 'allow-nan': false };
  if (f.nonFinite > 0 && (type === 'float' || type === 'integer')) col['allow-nan'] = true;
  if (type === 'category' && withValues && f.values) col.values = [...f.values].sort();
  return col;
}
