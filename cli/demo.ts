/**
 * `mlops demo`: the loop on bundled sample data, with a local registry and no GitHub at all. Each step
 * is the same core function an action runs; the demo prints one line per step and where its report is.
 */
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLocally, colors, type LocalRun } from '../shared/runtime/local';
import type { AnyActionSpec } from '../shared/runtime/context';
import { validateDataSpec } from '../shared/validate/action';
import { trainSpec } from '../shared/train/action';
import { evaluateSpec } from '../shared/evaluate/action';
import { registerSpec } from '../shared/register/action';
import { deploySpec } from '../shared/deploy/action';
import { inferSchemaCommand } from '../shared/validate/infer-command';

function examplesDir(): string {
  // dist/cli.js → ../examples; cli/demo.ts (tests) → ../examples
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [resolve(here, '../examples/churn'), resolve(here, '../../examples/churn')]) if (existsSync(c)) return c;
  throw new Error('the sample data (examples/churn) is missing from this installation');
}

export interface DemoStep {
  title: string;
  run: LocalRun;
}

export async function runDemo(flags: Record<string, string>): Promise<number> {
  const dir = resolve(flags.dir ?? '.mlops/demo');
  const verbose = flags.verbose === 'true';
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(examplesDir(), join(dir, 'data'), { recursive: true });
  await writeFile(join(dir, 'thresholds.yml'), 'no-baseline: skip-change-gates\ngates:\n  accuracy: { min: 0.65 }\n  roc_auc: { min: 0.7, max-regression: 0.01 }\n');
  const started = Date.now();
  const out = (t: string) => process.stdout.write(t);
  let n = 0;
  const steps: DemoStep[] = [];
  const step = async (title: string, spec: AnyActionSpec, inputs: Record<string, string>, show: (r: LocalRun) => string, expectFailure = false) => {
    n++;
    out(`\n${colors.bold(colors.cyan(`${n}. ${title}`))}\n`);
    const run = await runLocally(spec, inputs, { workspace: dir, quiet: !verbose, printSummary: verbose, err: verbose ? undefined : () => undefined });
    const ok = expectFailure ? run.exitCode !== 0 : run.exitCode === 0;
    out(`   ${ok ? colors.green('✔') : colors.red('✖')} ${show(run)}\n`);
    if (!ok) {
      out(`${run.summary}\n${run.failure ?? ''}\n`);
      throw new Error(`demo step "${title}" ${expectFailure ? 'passed but should have failed' : 'failed'}`);
    }
    steps.push({ title, run });
    return run;
  };

  try {
    await step('validate-data: the training data (writes its reference profile)', validateDataSpec,
      { data: 'data/train.csv', target: 'churned', 'profile-output': 'profiles/train.json', 'report-output': 'reports/validate-train.md' },
      (r) => `${r.outputs.rows} rows, valid=${r.outputs.valid}, ${r.outputs.warnings} warnings → ${r.outputs.report}`);

    n++;
    out(`\n${colors.bold(colors.cyan(`${n}. mlops schema infer: the contract the training data proves`))}\n`);
    await inferSchemaCommand({ data: 'data/train.csv', target: 'churned', output: 'schema.yml' }, dir);

    await step('validate-data: a new batch against the training profile (it has problems)', validateDataSpec,
      { data: 'data/bad-batch.csv', reference: 'profiles/train.json', target: 'churned', 'profile-output': 'profiles/bad-batch.json', 'report-output': 'reports/validate-bad-batch.md' },
      (r) => `caught it: valid=${r.outputs.valid}, ${r.outputs.errors} errors, ${r.outputs.warnings} warnings, each at its line → ${r.outputs.report}`, true);

    await step('train: a first model (built-in logistic regression, 4 numeric features)', trainSpec,
      { data: 'data/train.csv', target: 'churned', 'model-name': 'churn', features: 'age, tenure_months, monthly_charges, support_calls', 'output-dir': 'models/first' },
      (r) => `${r.outputs.model} (${(r.outputs['model-digest'] ?? '').slice(0, 19)}…) with manifest and profile`);

    await step('evaluate: no production model yet', evaluateSpec,
      { model: 'models/first/model.onnx', manifest: 'models/first/manifest.json', data: 'data/next-month.csv', 'model-name': 'churn', thresholds: 'thresholds.yml', 'output-dir': 'reports/evaluate-first' },
      (r) => `passed=${r.outputs.passed}, roc_auc=${num(r.outputs.metrics, 'roc_auc')} → ${r.outputs.report}`);

    await step('register: version 1 in the local registry', registerSpec,
      { model: 'models/first/model.onnx', manifest: 'models/first/manifest.json', evaluation: 'reports/evaluate-first/evaluation.json', 'model-name': 'churn', notes: 'Demo: predicts churn on the sample data.' },
      (r) => `churn v${r.outputs.version} (${r.outputs.tag}) → ${r.outputs['release-url']}`);

    await step('deploy: churn@production → v1', deploySpec, { 'model-name': 'churn', version: '1' }, (r) => `production = v${r.outputs.version}`);

    await step('train: a better model (adds plan, contract, payment method: one-hot in the graph)', trainSpec,
      { data: 'data/train.csv', target: 'churned', 'model-name': 'churn', features: 'age, tenure_months, monthly_charges, support_calls, plan, contract, payment_method', 'output-dir': 'models/second' },
      (r) => `${r.outputs.model} (${(r.outputs['model-digest'] ?? '').slice(0, 19)}…)`);

    await step('evaluate: the candidate against churn@production, on the same rows', evaluateSpec,
      { model: 'models/second/model.onnx', manifest: 'models/second/manifest.json', data: 'data/next-month.csv', 'model-name': 'churn', thresholds: 'thresholds.yml', 'slice-by': 'plan', 'output-dir': 'reports/evaluate-second' },
      (r) => `passed=${r.outputs.passed}: roc_auc ${num(r.outputs['baseline-metrics'], 'roc_auc')} → ${num(r.outputs.metrics, 'roc_auc')}, accuracy ${num(r.outputs['baseline-metrics'], 'accuracy')} → ${num(r.outputs.metrics, 'accuracy')} → ${r.outputs.report}`);

    await step('register: version 2', registerSpec,
      { model: 'models/second/model.onnx', manifest: 'models/second/manifest.json', evaluation: 'reports/evaluate-second/evaluation.json', 'model-name': 'churn' },
      (r) => `churn v${r.outputs.version}`);

    await step('deploy: churn@production → v2 (what a merge does)', deploySpec, { 'model-name': 'churn', version: '2' }, (r) => `production = v${r.outputs.version} (was v${r.outputs['previous-version']})`);
  } catch (err) {
    out(`\n${colors.red('The demo stopped:')} ${(err as Error).message}\n`);
    return 1;
  }

  out(`\n${colors.bold('What happened')}\n`);
  out(
    [
      `  ${steps.length} steps in ${((Date.now() - started) / 1000).toFixed(1)} s, all in ${dir}`,
      `  the PR comment evaluate would post: ${join(dir, 'reports/evaluate-second/report.md')}`,
      `  the registry: ${join(dir, '.mlops/registry/churn')}  (try: node dist/cli.js registry history churn --registry ${join(dir, '.mlops/registry')})`,
      `  run with --verbose true to see every report in full`,
      '',
    ].join('\n'),
  );
  return 0;
}

function num(json: string | undefined, key: string): string {
  if (!json) return '—';
  const v = (JSON.parse(json) as Record<string, number>)[key];
  return v === undefined ? '—' : v.toFixed(3);
}
