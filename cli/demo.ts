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
import { monitorSpec } from '../shared/monitor/action';
import { LocalRegistry } from '../shared/registry/local';
import { RegistrySource, serve, type RunningServer } from '../shared/serve';
import { readFile } from 'node:fs/promises';

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
  let server: RunningServer | undefined;
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

    n++;
    out(`\n${colors.bold(colors.cyan(`${n}. mlops serve churn@production; next month's customers are scored (and logged)`))}\n`);
    server = await serve({
      source: new RegistrySource(new LocalRegistry(join(dir, '.mlops/registry')), 'churn@production', join(dir, '.mlops/registry')),
      port: 0,
      logPath: join(dir, 'production/predictions.jsonl'),
      onLog: () => undefined,
    });
    await server.ready;
    const rows = (await readFile(join(dir, 'data/next-month.csv'), 'utf8')).trimEnd().split('\n');
    const header = rows[0]!.split(',');
    const features = header.filter((c) => c !== 'churned');
    let first: unknown;
    for (let i = 1; i < rows.length; i += 250) {
      const data = rows.slice(i, i + 250).map((line) => {
        const cells = line.split(',');
        return features.map((f) => {
          const v = cells[header.indexOf(f)]!;
          return v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
        });
      });
      const res = await fetch(`${server.url}/v2/models/churn/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ columns: features, data }) });
      if (!res.ok) throw new Error(`the server answered ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as { predictions: unknown[]; probabilities?: number[][] };
      first ??= { prediction: body.predictions[0], probabilities: body.probabilities?.[0] };
    }
    await server.close();
    server = undefined;
    out(`   ${colors.green('✔')} ${rows.length - 1} rows scored at ${'/v2/models/churn/predict'}; first: ${JSON.stringify(first)}; log: production/predictions.jsonl\n`);

    // Retraining gets half of next month's labelled rows; the other half is held out to evaluate on.
    await writeFile(join(dir, 'data/next-month-a.csv'), `${[rows[0], ...rows.slice(1, 1001)].join('\n')}\n`);
    await writeFile(join(dir, 'data/next-month-b.csv'), `${[rows[0], ...rows.slice(1001)].join('\n')}\n`);
    await writeFile(join(dir, 'monitor.yml'), 'ignore: [customer_id, signup_date]\nperformance: false\ndrift-share: 0.3\n');
    await step('monitor: production data (the prediction log) against v2\'s training profile', monitorSpec,
      { 'model-name': 'churn', data: 'production/predictions.jsonl', config: 'monitor.yml', 'output-dir': 'reports/monitor' },
      (r) => `drift=${r.outputs['drift-detected']}: ${r.outputs['drifted-columns'] || 'none'} (${(Number(r.outputs['dataset-drift-share']) * 100).toFixed(0)}% of columns) → ${r.outputs.report}`);

    await step('train: retrain on the old and the new labelled data', trainSpec,
      { data: 'data/{train,next-month-a}.csv', target: 'churned', 'model-name': 'churn', features: 'age, tenure_months, monthly_charges, support_calls, plan, contract, payment_method', 'output-dir': 'models/retrained' },
      (r) => `${r.outputs.model} (${(r.outputs['model-digest'] ?? '').slice(0, 19)}…)`);

    await step('evaluate: the retrained model against production, on held-out rows of next month', evaluateSpec,
      { model: 'models/retrained/model.onnx', manifest: 'models/retrained/manifest.json', data: 'data/next-month-b.csv', 'model-name': 'churn', thresholds: 'thresholds.yml', 'output-dir': 'reports/evaluate-retrained' },
      (r) => `passed=${r.outputs.passed}: roc_auc ${num(r.outputs['baseline-metrics'], 'roc_auc')} → ${num(r.outputs.metrics, 'roc_auc')}, log_loss ${num(r.outputs['baseline-metrics'], 'log_loss')} → ${num(r.outputs.metrics, 'log_loss')} → ${r.outputs.report}`);

    await step('register: version 3', registerSpec,
      { model: 'models/retrained/model.onnx', manifest: 'models/retrained/manifest.json', evaluation: 'reports/evaluate-retrained/evaluation.json', 'model-name': 'churn' },
      (r) => `churn v${r.outputs.version}`);

    await step('deploy: churn@production → v3', deploySpec, { 'model-name': 'churn', version: '3' }, (r) => `production = v${r.outputs.version} (was v${r.outputs['previous-version']})`);
  } catch (err) {
    await server?.close().catch(() => undefined);
    out(`\n${colors.red('The demo stopped:')} ${(err as Error).message}\n`);
    return 1;
  }

  out(`\n${colors.bold('What happened')}\n`);
  out(
    [
      `  ${n} steps in ${((Date.now() - started) / 1000).toFixed(1)} s, all in ${dir}`,
      `  the drift report: ${join(dir, 'reports/monitor/report.md')}`,
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
