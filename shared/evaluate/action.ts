/**
 * evaluate: is the candidate better than the baseline (production), on the same rows, and does it pass
 * the gates? Writes evaluation.json and a report; in a pull request, one sticky comment per model and a
 * check run. A token that cannot write (a fork's PR) degrades to the job summary with a warning.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { displayIn } from '../runtime/annotations';
import { defineAction, type RunContext } from '../runtime/context';
import { input, raw } from '../runtime/inputs';
import { hashDataset, listDataset } from '../data/dataset';
import type { DataFormat } from '../data/types';
import { UserError } from '../errors';
import { loadModel, type LoadedModel } from '../model/infer';
import { readManifest, type Manifest } from '../model/manifest';
import { applyGates, loadThresholds, parseThresholds, NO_BASELINE, type Thresholds, type Verdict } from '../gates/gates';
import { METRIC_DIRECTIONS, MetricsSchema, BootstrapIntervalsSchema, scalarMetrics, SlicesSchema } from '../metrics';
import { scoreStream, scoringThreads, startReading } from './score';
import { renderReport } from './report';
import { parseFeatures } from '../train/features';
import { modelPaths } from '../model/from-artifact';

export const EVALUATION_FORMAT = 'mlops-actions/evaluation';

const ModelRef = z.object({ source: z.string(), sha256: z.string() });
export const Evaluation = z.object({
  format: z.literal(EVALUATION_FORMAT),
  version: z.literal(1),
  modelName: z.string(),
  candidate: ModelRef.extend({ metrics: MetricsSchema, intervals: BootstrapIntervalsSchema.optional(), slices: SlicesSchema.optional() }),
  baseline: ModelRef.extend({ metrics: MetricsSchema }).optional(),
  data: z.object({ source: z.string(), hash: z.string(), rows: z.number().int() }),
  gates: z.object({
    passed: z.boolean(),
    noBaseline: z.enum(NO_BASELINE).optional(),
    results: z.array(z.object({ metric: z.string(), rule: z.string(), status: z.enum(['pass', 'fail', 'skip']), bound: z.string(), reason: z.string() })),
  }),
  passed: z.boolean(),
  createdAt: z.string(),
  git: z.object({ sha: z.string().optional(), ref: z.string().optional(), pullRequest: z.number().int().optional() }),
  run: z.object({ id: z.string().optional(), url: z.string().optional() }),
});
export type Evaluation = z.output<typeof Evaluation>;

export const evaluateSpec = defineAction({
  name: 'evaluate',
  description: 'Score a model and its baseline on the same rows, apply the gates, and post the result as one sticky PR comment and a check run.',
  inputs: {
    model: input.optional('The candidate model (model.onnx, e.g. the `model` output of train). Or give `artifact`.', raw.string()),
    artifact: input.optional("The workflow artifact train uploaded (its artifact-name, e.g. model-churn): downloaded, and its model.onnx and manifest.json used.", raw.string()),
    data: input.required('Evaluation data: path or glob (CSV, TSV, JSON Lines or Parquet), with the label column.', raw.string()),
    target: input.optional("The label column. Default: the manifest's target, or the model's mlops.target metadata.", raw.string()),
    manifest: input.optional("The candidate's manifest.json (train's `manifest` output): its feature list and lineage.", raw.string()),
    features: input.optional("Feature order for a model with one [N, F] input, comma-separated. Default: the model's metadata or the manifest.", raw.string()),
    baseline: input.optional("The model to compare with: an ONNX file, a registry reference (churn@production, churn@v3), or none. Default: <model-name>@production when the registry has it.", raw.string()),
    registry: input.withDefault("Where references resolve: auto (the repository's releases on a runner, .mlops/registry locally), github, or a folder.", 'auto', raw.string()),
    thresholds: input.optional('Gates: a YAML file, or inline YAML (see "Gates" in README.md).', raw.string()),
    'no-baseline': input.optional("Change gates without a baseline: pass, fail or skip-change-gates. Overrides the thresholds file's `no-baseline`.", raw.oneOf(NO_BASELINE)),
    'slice-by': input.optional('A column to compute per-slice metrics by.', raw.string()),
    bootstrap: input.withDefault('Bootstrap resamples for 95% confidence intervals of the main metrics (0: none).', '0', raw.integer(0)),
    'model-name': input.withDefault('The model name (the sticky comment is one per model name).', 'model', raw.string()),
    'fail-on-gate': input.withDefault('Fail the step when a gate fails.', 'true', raw.boolean()),
    comment: input.withDefault('In a pull_request run, post or update the sticky PR comment.', 'true', raw.boolean()),
    'check-run': input.withDefault('Create a check run with the verdict (needs checks: write).', 'true', raw.boolean()),
    token: input.withDefault('GitHub token for the comment and the check run.', '${{ github.token }}', raw.string()),
    'output-dir': input.optional('Where to write evaluation.json and report.md. Default: .mlops/evaluate/<model-name>.', raw.string()),
    format: input.optional('Format of the data files: csv, jsonl or parquet. Default: from the extension.', raw.oneOf(['csv', 'jsonl', 'parquet'])),
  },
  outputs: {
    passed: 'true when every gate passed (or there were none).',
    metrics: 'The candidate\'s scalar metrics, as JSON.',
    'baseline-metrics': "The baseline's scalar metrics, as JSON (empty without a baseline).",
    evaluation: 'Path of evaluation.json (metrics, gates, lineage), for register.',
    report: 'Path of the markdown report.',
    'comment-url': 'URL of the sticky PR comment (empty when none was written).',
    'check-run-url': 'URL of the check run (empty when none was created).',
  },
  async run(inputs, ctx) {
    return evaluateModel(inputs, ctx);
  },
});

export interface EvaluateInputs {
  model?: string;
  artifact?: string;
  data: string;
  target?: string;
  manifest?: string;
  features?: string;
  baseline?: string;
  registry?: string;
  thresholds?: string;
  'no-baseline'?: (typeof NO_BASELINE)[number];
  'slice-by'?: string;
  bootstrap: number;
  'model-name': string;
  'fail-on-gate': boolean;
  comment: boolean;
  'check-run': boolean;
  token?: string;
  'output-dir'?: string;
  format?: DataFormat;
}

interface Baseline {
  /** Local path of the baseline model, when there is one. */
  path?: string;
  /** How the report names it: a path, or `churn@production (v3)`. */
  label?: string;
  /** What evaluation.json records: a path or `churn@v3` (register takes the parent version from it). */
  source?: string;
  /** Why there is none. */
  reason?: string;
}

/**
 * The baseline: a file, a registry reference, `none`, or by default <model-name>@production when the
 * registry has it (the comment then says there is no production model yet). A model from the registry is
 * downloaded with its digest verified.
 */
async function resolveBaseline(inputs: EvaluateInputs, ctx: RunContext): Promise<Baseline> {
  const b = inputs.baseline?.trim();
  if (b === 'none') return { reason: 'baseline: none' };
  if (b && (existsSync(resolve(ctx.workspace, b)) || /\.onnx$/i.test(b))) {
    const path = resolve(ctx.workspace, b);
    if (!existsSync(path)) throw new UserError(`The baseline model ${b} does not exist`, { input: 'baseline' });
    return { path, label: b, source: b };
  }
  const ref = b ?? `${inputs['model-name']}@production`;
  // Loaded here, not at start-up: a local run with baseline none or a path needs neither Octokit nor the registry.
  const { openRegistry } = await import('../registry/open');
  const registry = openRegistry(inputs.registry, ctx, inputs.token);
  let version;
  try {
    version = await registry.resolve(ref.includes('@') ? ref : `${ref}@latest`);
  } catch (err) {
    if (!b && err instanceof UserError && !(err as { status?: number }).status) {
      ctx.log.info(`No baseline: ${err.message}`);
      return { reason: `there is no ${inputs['model-name']}@production yet (${registry.kind} registry)` };
    }
    if (err instanceof UserError) throw err;
    throw new UserError(
      `Could not read the ${registry.kind} registry to find the baseline ${ref}: ${(err as Error).message}`,
      { input: 'baseline' },
      registry.kind === 'github' ? 'check the token (contents: read) and the network, or set baseline: none' : 'check the registry folder, or set baseline: none',
    );
  }
  const dir = join(ctx.tempDir, `baseline-v${version.version}`);
  const got = await registry.download(version, dir, ['model.onnx']);
  return { path: got['model.onnx'], label: `${ref} (v${version.version})`, source: `${version.name}@v${version.version}` };
}

async function readThresholds(text: string | undefined, ws: string): Promise<Thresholds> {
  if (!text) return { gates: {} };
  const t = text.trim();
  if (!t.includes('\n') && /\.ya?ml$/i.test(t)) {
    if (!existsSync(resolve(ws, t))) throw new UserError(`The thresholds file ${t} does not exist`, { input: 'thresholds' });
    return (await loadThresholds(resolve(ws, t), t)).value;
  }
  return parseThresholds(text).value;
}

const BOOTSTRAP_METRICS = ['accuracy', 'f1', 'f1_macro', 'roc_auc', 'average_precision', 'log_loss', 'rmse', 'mae', 'r2'];

export async function evaluateModel(inputs: EvaluateInputs, ctx: RunContext) {
  const ws = ctx.workspace;
  const display = displayIn(ws);
  const name = inputs['model-name'];
  const outDir = resolve(ws, inputs['output-dir'] ?? join('.mlops/evaluate', name));
  const thresholds = await readThresholds(inputs.thresholds, ws);
  if (inputs['no-baseline']) thresholds['no-baseline'] = inputs['no-baseline'];
  for (const metric of Object.keys(thresholds.gates)) {
    if (!(metric in METRIC_DIRECTIONS) && !thresholds.gates[metric]!.direction) {
      ctx.log.warning(`Gate on '${metric}': not a metric evaluate computes (known: ${Object.keys(METRIC_DIRECTIONS).join(', ')}); it will fail as not computed.`);
    }
  }
  const paths = await modelPaths(inputs, ctx);
  let manifest: Manifest | undefined;
  if (paths.manifest) manifest = await readManifest(resolve(ws, paths.manifest), paths.manifest);

  const files = await listDataset(inputs.data, ws);
  // Reading starts before the models load. CSV files are hashed as they are read (a large one by the
  // thread that reads it); only the others are read again for the content hash.
  const hashed = new Map<string, string>();
  const reading = startReading(files, { format: inputs.format, onFileHash: (file, sha256) => hashed.set(file, sha256) });
  let base: Awaited<ReturnType<typeof resolveBaseline>>;
  let candidate: LoadedModel;
  let baseline: LoadedModel | undefined;
  try {
    base = await resolveBaseline(inputs, ctx);
    const intraOpNumThreads = scoringThreads(files, { format: inputs.format });
    if (process.env.MLOPS_DEBUG) process.stderr.write(`onnxruntime intra-op threads: ${intraOpNumThreads ?? 'default'}\n`);
    candidate = await loadModel(resolve(ws, paths.model), { input: 'model', encodeOneHot: true, labelIndex: true, intraOpNumThreads });
    if (base.path) baseline = await loadModel(base.path, { input: 'baseline', name: base.label, encodeOneHot: true, labelIndex: true, intraOpNumThreads });
  } catch (e) {
    await reading.close();
    throw e;
  }
  try {
    const target = inputs.target ?? manifest?.target ?? candidate.mlops.target;
    if (!target) {
      throw new UserError('No label column: the model has no mlops.target metadata and no manifest was given', { input: 'target' }, 'set the `target` input');
    }
    const progress = ctx.log.progress('evaluate', 0, 'rows');
    const scored = await scoreStream(reading.batches, { candidate, baseline }, {
      target,
      features: parseFeatures(inputs.features),
      manifestFeatures: manifest?.features.map((f) => f.name),
      sliceBy: inputs['slice-by'],
      bootstrap: inputs.bootstrap > 0 ? { resamples: inputs.bootstrap, metrics: BOOTSTRAP_METRICS } : undefined,
      onRows: (n) => progress.update(n),
    });
    const dataHash = await hashDataset(files, hashed);
    progress.done(`${scored.rows} rows`);

    const candScalar = scalarMetrics(scored.candidate.metrics) as Record<string, number>;
    const baseScalar = scored.baseline ? (scalarMetrics(scored.baseline.metrics) as Record<string, number>) : undefined;
    const verdict: Verdict = applyGates(thresholds, candScalar, baseScalar, (m) => {
      const d = (METRIC_DIRECTIONS as Record<string, string>)[m];
      return d === 'higher' || d === 'lower' ? d : undefined;
    });
    const gh = ctx.github;
    // The GitHub helpers (and Octokit) only on a runner: a local run never loads them.
    const github = gh ? await import('../github') : undefined;
    const pr = gh && github ? github.pullRequestFromEvent(gh) : undefined;
    const report = renderReport({
      modelName: name,
      candidateLabel: display(resolve(ws, paths.model)),
      candidateDigest: `sha256:${candidate.sha256}`,
      baselineLabel: baseline ? base.label : undefined,
      baselineDigest: baseline ? `sha256:${baseline.sha256}` : undefined,
      noBaselineReason: baseline ? undefined : base.reason,
      dataLabel: inputs.data,
      dataHash,
      rows: scored.rows,
      candidate: scored.candidate,
      baseline: scored.baseline,
      verdict,
      failOnGate: inputs['fail-on-gate'],
      runUrl: gh?.runUrl,
      sliceBy: inputs['slice-by'],
    });

    const evaluation: Evaluation = {
      format: EVALUATION_FORMAT,
      version: 1,
      modelName: name,
      candidate: {
        source: paths.model,
        sha256: `sha256:${candidate.sha256}`,
        metrics: scored.candidate.metrics,
        ...(scored.candidate.intervals ? { intervals: scored.candidate.intervals } : {}),
        ...(scored.candidate.slices ? { slices: scored.candidate.slices as NonNullable<Evaluation['candidate']['slices']> } : {}),
      },
      ...(baseline && scored.baseline ? { baseline: { source: base.source!, sha256: `sha256:${baseline.sha256}`, metrics: scored.baseline.metrics } } : {}),
      data: { source: inputs.data, hash: dataHash, rows: scored.rows },
      gates: verdict,
      passed: verdict.passed,
      createdAt: new Date().toISOString(),
      git: { sha: gh?.sha, ref: gh?.ref, pullRequest: pr?.number },
      run: { id: gh?.runId, url: gh?.runUrl },
    };
    await mkdir(outDir, { recursive: true });
    const evaluationPath = join(outDir, 'evaluation.json');
    const reportPath = join(outDir, 'report.md');
    await writeFile(evaluationPath, `${JSON.stringify(Evaluation.parse(evaluation), null, 2)}\n`);
    await writeFile(reportPath, report);
    ctx.summary(report);

    // In a pull request: the sticky comment and the check run.
    let commentUrl = '';
    let checkUrl = '';
    if (gh && github && pr && inputs.token && (inputs.comment || inputs['check-run'])) {
      const { createGitHubClient, upsertStickyComment, createCheckRun } = github;
      const client = createGitHubClient({ token: inputs.token, apiUrl: gh.apiUrl, log: ctx.log });
      if (inputs.comment) {
        const res = await upsertStickyComment(client, { owner: gh.owner, repo: gh.repo, issueNumber: pr.number, kind: 'evaluate', name, body: report, log: ctx.log });
        if (res.action !== 'skipped') {
          commentUrl = res.url;
          ctx.log.info(`PR comment ${res.action}: ${res.url}`);
        }
      }
      if (inputs['check-run']) {
        const res = await createCheckRun(client, {
          owner: gh.owner,
          repo: gh.repo,
          headSha: pr.headSha,
          name: `mlops-actions / evaluate (${name})`,
          conclusion: verdict.passed ? 'success' : inputs['fail-on-gate'] ? 'failure' : 'neutral',
          title: report.split('\n').find((l) => l.startsWith('## '))?.replace(/^## /, '') ?? name,
          summary: report,
          detailsUrl: gh.runUrl,
          log: ctx.log,
        });
        if (res.action !== 'skipped') checkUrl = res.url;
      }
    } else if (gh && pr && !inputs.token) {
      ctx.log.warning('No token: the PR comment and the check run were skipped; the job summary has the report.');
    }

    const failedGates = verdict.results.filter((g) => g.status === 'fail');
    return {
      outputs: {
        passed: verdict.passed,
        metrics: JSON.stringify(candScalar),
        'baseline-metrics': baseScalar ? JSON.stringify(baseScalar) : '',
        evaluation: display(evaluationPath),
        report: display(reportPath),
        'comment-url': commentUrl,
        'check-run-url': checkUrl,
      },
      failure:
        !verdict.passed && inputs['fail-on-gate']
          ? `${failedGates.length} gate${failedGates.length === 1 ? '' : 's'} failed for ${name}: ${failedGates.map((g) => `${g.metric} ${g.bound} (${g.reason})`).join('; ')}`
          : undefined,
    };
  } finally {
    await reading.close();
    await candidate.release();
    await baseline?.release();
  }
}

export async function writeEvaluation(path: string, e: Evaluation): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(Evaluation.parse(e), null, 2)}\n`);
}
