/**
 * monitor: is production data still like the data the production model was trained on? Drift is
 * computed against the reference profile stored with the version the alias points at (no training data
 * needed), with Evidently's default tests and thresholds, plus PSI. When drift starts, one issue per
 * model is opened; while it lasts the issue is updated; a clean run closes it. With `retrain`, a
 * workflow_dispatch starts retraining with the model name and the reason.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { displayIn } from '../runtime/annotations';
import { defineAction, type RunContext } from '../runtime/context';
import { input, raw } from '../runtime/inputs';
import { UserError } from '../errors';
import { listDataset } from '../data/dataset';
import type { DataFormat } from '../data/types';
import type { DatasetProfile } from '../profile/profile';
import { parseProfile } from '../profile/format';
import { runValidation } from '../validate/engine';
import { referenceLayout } from '../validate/profiling';
import { openRegistry } from '../registry/open';
import { createGitHubClient, dispatchWorkflow, upsertMarkedIssue } from '../github';
import { Evaluation } from '../evaluate/action';
import { readYamlFile } from '../yaml';
import { computeDrift, MonitorConfig, type DriftOutcome } from './drift';
import { renderMonitorReport } from './report';
import { scoreModels, scoringThreads } from '../evaluate/score';
import { loadModel } from '../model/infer';
import { scalarMetrics } from '../metrics';
import { readManifest } from '../model/manifest';

export const monitorSpec = defineAction({
  name: 'monitor',
  description: "Compare production data with the reference profile stored with the production model: drift per column (Evidently's tests) and for the dataset; one issue per model while it lasts; optional retraining dispatch.",
  inputs: {
    'model-name': input.required('The registry name of the model.', raw.string()),
    alias: input.withDefault('The alias whose version is in production (its profile is the reference).', 'production', raw.string()),
    data: input.required("Production data: a path or glob (CSV, JSON Lines, Parquet), e.g. `mlops serve`'s prediction log.", raw.string()),
    labels: input.optional('A file with the true labels, joined to the data by `id-column` (or the labels are a column of the data: the target).', raw.string()),
    'id-column': input.optional('The column joining `labels` to the data.', raw.string()),
    config: input.optional('Monitor config YAML: per-column tests, thresholds, drift share, ignored columns (see "monitor" in README.md).', raw.string()),
    'create-issue': input.withDefault('Open / update / close one GitHub issue per model for drift.', 'true', raw.boolean()),
    retrain: input.optional('A workflow file (e.g. mlops-retrain.yml) to start with workflow_dispatch when drift is detected.', raw.string()),
    'retrain-ref': input.optional("The branch the retraining workflow runs on. Default: the repository's default branch (main).", raw.string()),
    'fail-on-drift': input.withDefault('Fail the step when dataset drift is detected.', 'false', raw.boolean()),
    format: input.optional('Format of the data files: csv, jsonl or parquet. Default: from the extension.', raw.oneOf(['csv', 'jsonl', 'parquet'])),
    registry: input.withDefault("auto (the repository's releases on a runner, .mlops/registry locally), github, or a folder.", 'auto', raw.string()),
    token: input.withDefault('GitHub token (issues: write; actions: write to dispatch; contents: read for the registry).', '${{ github.token }}', raw.string()),
    'output-dir': input.optional('Where to write the report and the current profile. Default: .mlops/monitor/<model-name>.', raw.string()),
  },
  outputs: {
    'drift-detected': 'true when the share of drifted columns reached the dataset threshold.',
    'drifted-columns': 'The drifted columns, comma-separated.',
    'dataset-drift-share': 'The share of drifted columns (0 to 1).',
    report: 'Path of the markdown report.',
    'issue-number': 'The drift issue (empty when none).',
    version: 'The production version whose profile was the reference.',
  },
  async run(inputs, ctx) {
    return monitorModel(inputs, ctx);
  },
});

export interface MonitorInputs {
  'model-name': string;
  alias: string;
  data: string;
  labels?: string;
  'id-column'?: string;
  config?: string;
  'create-issue': boolean;
  retrain?: string;
  'retrain-ref'?: string;
  'fail-on-drift': boolean;
  format?: DataFormat;
  registry: string;
  token?: string;
  'output-dir'?: string;
}

export async function monitorModel(inputs: MonitorInputs, ctx: RunContext) {
  const ws = ctx.workspace;
  const name = inputs['model-name'];
  const display = displayIn(ws);
  const outDir = resolve(ws, inputs['output-dir'] ?? join('.mlops/monitor', name));
  await mkdir(outDir, { recursive: true });
  const config = inputs.config
    ? (await readYamlFile(resolve(ws, inputs.config), inputs.config, MonitorConfig, 'The monitor config', 'see "monitor" in README.md', 'config')).value
    : MonitorConfig.parse({});

  // The reference: the profile (and evaluation) stored with the version in production.
  const registry = openRegistry(inputs.registry, ctx, inputs.token);
  const version = await registry.resolve(`${name}@${inputs.alias}`);
  if (!version.assets.some((a) => a.name === 'profile.json')) {
    throw new UserError(`${name} v${version.version} was registered without profile.json: there is no reference to compare with`, { input: 'model-name' }, 'register models with the profile train writes (register takes it from the manifest)');
  }
  const has = (a: string) => version.assets.some((x) => x.name === a);
  const wanted: ('profile.json' | 'evaluation.json' | 'manifest.json' | 'model.onnx')[] = ['profile.json'];
  if (has('evaluation.json')) wanted.push('evaluation.json');
  if (has('manifest.json')) wanted.push('manifest.json');
  if (config.performance) wanted.push('model.onnx');
  const files = await registry.download(version, join(ctx.tempDir, `v${version.version}`), wanted);
  const reference: DatasetProfile = parseProfile(await readFile(files['profile.json']!, 'utf8'), `${name} v${version.version} profile.json`);
  const evaluation = files['evaluation.json'] ? Evaluation.safeParse(JSON.parse(await readFile(files['evaluation.json'], 'utf8'))).data : undefined;

  const manifest = files['manifest.json'] ? await readManifest(files['manifest.json'], `${name} v${version.version} manifest.json`) : undefined;

  // The current data, profiled on the reference's layout (same kinds, exact counts on its bins).
  const dataFiles = await listDataset(inputs.data, ws);
  const progress = ctx.log.progress('monitor', 0, 'rows');
  const current = await runValidation(dataFiles, {
    now: Date.now(),
    read: { format: inputs.format },
    display,
    tempDir: ctx.tempDir,
    layout: referenceLayout(reference),
    skipDuplicates: true,
    // Only what drift compares: the reference's columns not ignored, and the prediction column.
    // (and the label, which says whether performance can be measured).
    only: [...Object.keys(reference.columns).filter((c) => !config.ignore.includes(c)), config['prediction-column'], ...(manifest ? [manifest.target] : [])],
  }, (n) => progress.update(n));
  progress.done(`${current.rows} rows`);
  await writeFile(join(outDir, 'current-profile.json'), `${JSON.stringify(current.profile)}\n`);

  const drift: DriftOutcome = computeDrift(reference, current.profile, config, manifest?.target);

  // Performance, when labels are in the data (the target column) and the model can score it.
  let performance: { metric: string; reference: number; current: number }[] | undefined;
  if (files['model.onnx'] && evaluation) {
    const model = await loadModel(files['model.onnx'], { input: 'model-name', encodeOneHot: true, labelIndex: true, intraOpNumThreads: scoringThreads(dataFiles, { format: inputs.format }) });
    try {
      const targetName = model.mlops.target;
      if (targetName && current.columns.includes(targetName)) {
        const scored = await scoreModels(dataFiles, { candidate: model }, { target: targetName, read: { format: inputs.format } });
        const now = scalarMetrics(scored.candidate.metrics) as Record<string, number>;
        const then = scalarMetrics(evaluation.candidate.metrics) as Record<string, number>;
        const main = ['accuracy', 'f1', 'f1_macro', 'roc_auc', 'average_precision', 'log_loss', 'rmse', 'mae', 'r2', 'mape'];
        performance = main
          .filter((k) => then[k] !== undefined && now[k] !== undefined)
          .map((k) => ({ metric: k, reference: then[k]!, current: now[k]! }));
      }
    } finally {
      await model.release();
    }
  }

  const gh = ctx.github;
  const report = renderMonitorReport({ name, alias: inputs.alias, version: version.version, versionUrl: version.url, dataLabel: inputs.data, rows: current.rows, referenceRows: reference.rows, drift, performance, runUrl: gh?.runUrl });
  const reportPath = join(outDir, 'report.md');
  await writeFile(reportPath, report);
  ctx.summary(report);

  let issueNumber = '';
  if (gh && inputs.token && (inputs['create-issue'] || (drift.datasetDrift && inputs.retrain))) {
    const client = createGitHubClient({ token: inputs.token, apiUrl: gh.apiUrl, log: ctx.log });
    if (inputs['create-issue']) {
      const res = await upsertMarkedIssue(client, {
        owner: gh.owner,
        repo: gh.repo,
        kind: 'drift',
        name,
        title: `Data drift: ${name} (${drift.driftedColumns.length} of ${drift.columns.length} columns)`,
        body: report,
        labels: ['mlops', 'drift'],
        state: drift.datasetDrift ? 'open' : 'closed',
        closingComment: `No drift in the latest run ([report](${gh.runUrl})): ${drift.driftedColumns.length} of ${drift.columns.length} columns drifted, below the dataset threshold. Closing.`,
        log: ctx.log,
      });
      if (res.action !== 'skipped' && res.action !== 'none') {
        issueNumber = String(res.number);
        ctx.log.info(`Drift issue #${res.number}: ${res.action}`);
      }
    }
    if (drift.datasetDrift && inputs.retrain) {
      const reason = `drift in ${drift.driftedColumns.join(', ')} (${(drift.share * 100).toFixed(0)}% of columns) against ${name} v${version.version}`;
      await dispatchWorkflow(client, { owner: gh.owner, repo: gh.repo, workflow: inputs.retrain, ref: inputs['retrain-ref'] ?? 'main', inputs: { 'model-name': name, reason: reason.slice(0, 1000) } });
      ctx.log.info(`Started ${inputs.retrain}: ${reason}`);
    }
  } else if (drift.datasetDrift && inputs.retrain && !gh) {
    ctx.log.warning(`Drift detected; retraining (${inputs.retrain}) is dispatched only on GitHub.`);
  }

  return {
    outputs: {
      'drift-detected': drift.datasetDrift,
      'drifted-columns': drift.driftedColumns.join(','),
      'dataset-drift-share': Number(drift.share.toFixed(4)),
      report: display(reportPath),
      'issue-number': issueNumber,
      version: version.version,
    },
    failure: drift.datasetDrift && inputs['fail-on-drift'] ? `Data drift for ${name}: ${drift.driftedColumns.join(', ')}` : undefined,
  };
}
