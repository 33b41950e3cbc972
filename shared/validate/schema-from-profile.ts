/**
 * The schema a reference profile implies (validate-data without a `schema` input, `mlops schema infer
 * --profile`). Apart from profiling.ts, which validate-data's worker threads load: this one loads the
 * schema module (zod, yaml).
 */
import { inferSchema, type DataSchema } from '../schema/schema';
import type { DatasetProfile } from '../profile/profile';
import { columnFacts } from './profiling';

export function inferSchemaFromProfile(profile: DatasetProfile, o: { label?: string; withValues: boolean }): DataSchema {
  return inferSchema(
    Object.entries(profile.columns).map(([name, col]) => columnFacts(name, col)),
    o,
  );
}
