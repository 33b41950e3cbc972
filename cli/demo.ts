/**
 * `mlops demo`: runs on the bundled sample data with no GitHub at all. Today: validate the training data
 * (writing its profile), infer a schema, then validate a batch with problems against the profile.
 */
import { cp, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLocally, colors } from '../shared/runtime/local';
import { validateDataSpec } from '../shared/validate/action';
import { inferSchemaCommand } from '../shared/validate/infer-command';

function examplesDir(): string {
  // dist/cli.js → ../examples; cli/demo.ts (tests) → ../examples
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [resolve(here, '../examples/churn'), resolve(here, '../../examples/churn')]) if (existsSync(c)) return c;
  throw new Error('the sample data (examples/churn) is missing from this installation');
}

export async function runDemo(flags: Record<string, string>): Promise<number> {
  const dir = resolve(flags.dir ?? '.mlops/demo');
  await mkdir(dir, { recursive: true });
  await cp(examplesDir(), join(dir, 'data'), { recursive: true });
  const say = (t: string) => process.stdout.write(`\n${colors.bold(colors.cyan(`== ${t}`))}\n`);
  const started = Date.now();

  say('1. validate-data on the training data (writes its profile)');
  const train = await runLocally(
    validateDataSpec,
    { data: 'data/train.csv', target: 'churned', 'profile-output': 'profiles/train.json', 'report-output': 'reports/validate-train.md' },
    { workspace: dir },
  );
  if (train.exitCode !== 0) return train.exitCode;

  say('2. mlops schema infer: the schema the training data proves');
  await inferSchemaCommand({ data: 'data/train.csv', target: 'churned', output: 'schema.yml' }, dir);

  say('3. validate-data on a new batch against the training profile (this batch has problems)');
  const bad = await runLocally(
    validateDataSpec,
    { data: 'data/bad-batch.csv', reference: 'profiles/train.json', target: 'churned', 'profile-output': 'profiles/bad-batch.json', 'report-output': 'reports/validate-bad-batch.md' },
    { workspace: dir },
  );

  say('Summary');
  process.stdout.write(
    [
      `training data: ${train.outputs.rows} rows, valid=${train.outputs.valid}, profile ${join(dir, 'profiles/train.json')}`,
      `schema inferred: ${join(dir, 'schema.yml')}`,
      `bad batch: valid=${bad.outputs.valid}, ${bad.outputs.errors} errors, ${bad.outputs.warnings} warnings (the step would fail, as it should)`,
      `reports: ${join(dir, 'reports')}`,
      `done in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      '',
    ].join('\n'),
  );
  // The demo succeeds when validation caught the bad batch.
  return bad.outputs.valid === 'false' && train.outputs.valid === 'true' ? 0 : 1;
}
