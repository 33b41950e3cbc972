/**
 * `mlops schema infer`: profile a dataset (or read a profile) and write the schema it proves, as YAML a
 * person can read and tighten.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { schemaToYaml } from '../schema/schema';
import { listDataset } from '../data/dataset';
import { runValidation } from './engine';
import { readProfileFile } from './profiling';
import { inferSchemaFromProfile } from './schema-from-profile';
import { UserError } from '../errors';

export async function inferSchemaCommand(flags: Record<string, string>, cwd = process.cwd()): Promise<number> {
  const out = (t: string) => process.stdout.write(t);
  let profile;
  let source: string;
  if (flags.profile) {
    profile = await readProfileFile(resolve(cwd, flags.profile), flags.profile, 'profile');
    source = `profile ${flags.profile}`;
  } else if (flags.data) {
    const files = await listDataset(flags.data, cwd);
    const outcome = await runValidation(files, {
      now: Date.now(),
      read: { format: flags.format as 'csv' | 'jsonl' | 'parquet' | undefined, delimiter: flags.delimiter },
      display: (p) => p,
    });
    profile = outcome.profile;
    source = `${flags.data} (${outcome.rows} rows)`;
  } else {
    throw new UserError('mlops schema infer needs --data <path or glob> or --profile <profile.json>', {}, 'e.g. mlops schema infer --data data/train.csv --output schema.yml');
  }
  const schema = inferSchemaFromProfile(profile, { label: flags.target, withValues: true });
  if (flags.target && !schema.label) {
    throw new UserError(`--target names column '${flags.target}', which the data does not have`, { input: 'target' });
  }
  const yaml = schemaToYaml(schema, [
    `Data schema inferred by \`mlops schema infer\` from ${source}.`,
    'It states only what the data proves (types, nullability, category values): validating the same data passes.',
    'Tighten it by hand: ranges (range: [min, max]), uniqueness (unique: true), table.rows, table.freshness.',
  ]);
  if (flags.output) {
    await writeFile(resolve(cwd, flags.output), yaml);
    out(`wrote ${flags.output}: ${Object.keys(schema.columns).length} columns\n`);
  } else out(yaml);
  return 0;
}
