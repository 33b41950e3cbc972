/**
 * train: from data to model.onnx plus a manifest that says where it came from.
 *
 * `trainer: command` runs the team's own training (any language) under this contract:
 *   environment  MLOPS_DATA          the dataset files, absolute, one per line
 *                MLOPS_TARGET        the label column
 *                MLOPS_FEATURES      the feature columns, JSON array ([] = all but the target)
 *                MLOPS_PARAMS        hyperparameters, JSON object (also in $MLOPS_OUTPUT_DIR/params.json)
 *                MLOPS_SEED          the seed
 *                MLOPS_MODEL_NAME    the model name
 *                MLOPS_OUTPUT_DIR    where to write
 *   it must leave  $MLOPS_OUTPUT_DIR/model.onnx
 *   it may leave   $MLOPS_OUTPUT_DIR/metrics.json  ({"name": number, ...}, recorded in the manifest)
 *                  $MLOPS_OUTPUT_DIR/params.json   (the parameters it really used; replaces MLOPS_PARAMS)
 * The built-in trainers (`logistic`, `ridge`) need no Python: they train in-process and write ONNX.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { z } from 'zod';
import { displayIn } from '../runtime/annotations';
import { defineAction, type RunContext } from '../runtime/context';
import { input, raw } from '../runtime/inputs';
import { hashDataset, listDataset } from '../data/dataset';
import type { DataFormat } from '../data/types';
import { UserError } from '../errors';
import { train as trainBuiltin, type TrainerName } from '../model/trainers';
import { loadModel } from '../model/infer';
import { MANIFEST_FORMAT, MANIFEST_VERSION, writeManifest, type Manifest } from '../model/manifest';
import { runValidation } from '../validate/engine';
import { writeProfileFile } from '../validate/profiling';
import { PROFILE_VERSION } from '../profile/profile';
import { parseProfile } from '../profile/format';
import { loadTrainingTable } from './table';
import { code, num, table } from '../report/markdown';
import { pullRequestNumber } from './context';
import { parseFeatures } from './features';

export { parseFeatures };

const TRAINERS = ['logistic', 'ridge', 'command'] as const;

export const trainSpec = defineAction({
  name: 'train',
  description: 'Train a model (your own command, or a built-in trainer that needs no Python) and write model.onnx with a manifest of its lineage.',
  inputs: {
    data: input.required('Path or glob of the training data (CSV, TSV, JSON Lines or Parquet).', raw.string()),
    target: input.required('The label column.', raw.string()),
    features: input.optional('Feature columns, comma-separated or a YAML list. Default: every column but the target.', raw.string()),
    trainer: input.withDefault('logistic (classification), ridge (regression), or command (run `command`).', 'logistic', raw.oneOf(TRAINERS)),
    command: input.optional('With trainer: command, the training command (run by bash in the workspace; see "train" in README.md for its contract).', raw.string()),
    params: input.optional('Hyperparameters: YAML or JSON text, or the path of a YAML/JSON file. Built-in: logistic {C, max_iter, tol}, ridge {alpha}.', raw.string()),
    'model-name': input.withDefault('The model name (registry name, sticky comment key).', 'model', z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'must be letters, digits, dots, dashes or underscores' })),
    'output-dir': input.optional('Where to write model.onnx, manifest.json and profile.json. Default: .mlops/train/<model-name>.', raw.string()),
    seed: input.withDefault('Seed for anything random (passed to a command as MLOPS_SEED).', '0', raw.integer(0)),
    format: input.optional('Format of the data files: csv, jsonl or parquet. Default: from the extension.', raw.oneOf(['csv', 'jsonl', 'parquet'])),
    'artifact-name': input.optional('Name of the workflow artifact holding the model, manifest and profile. Default: model-<model-name>.', raw.string()),
  },
  outputs: {
    model: 'Path of model.onnx.',
    manifest: 'Path of manifest.json (lineage: data hash, commit, run, trainer, parameters, duration).',
    profile: 'Path of profile.json, the training data\'s reference profile.',
    'model-digest': 'sha256 of model.onnx, as sha256:<hex>.',
    'artifact-id': 'Id of the uploaded workflow artifact (empty when not on a runner).',
  },
  async run(inputs, ctx) {
    return trainModel(inputs, ctx);
  },
});

export interface TrainInputs {
  data: string;
  target: string;
  features?: string;
  trainer: (typeof TRAINERS)[number];
  command?: string;
  params?: string;
  'model-name': string;
  'output-dir'?: string;
  seed: number;
  format?: DataFormat;
  'artifact-name'?: string;
}

/** Hyperparameters from YAML/JSON text or a file. */
export async function parseParamsInput(text: string | undefined, workspace: string): Promise<Record<string, unknown>> {
  if (!text) return {};
  let source = text;
  let where = "input 'params'";
  const asPath = resolve(workspace, text.trim());
  if (!text.includes('\n') && /\.(ya?ml|json)$/i.test(text.trim())) {
    if (!existsSync(asPath)) throw new UserError(`The params file ${text.trim()} does not exist`, { input: 'params' });
    source = await readFile(asPath, 'utf8');
    where = text.trim();
  }
  let value: unknown;
  try {
    value = parseYamlText(source);
  } catch (err) {
    throw new UserError(`${where} is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`, { input: 'params' });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`${where} must be a mapping of parameter names to values`, { input: 'params' }, 'e.g. params: "{C: 0.5, max_iter: 200}"');
  }
  return value as Record<string, unknown>;
}

function safeJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function sha256File(path: string): Promise<{ digest: string; bytes: number }> {
  const data = await readFile(path);
  return { digest: `sha256:${createHash('sha256').update(data).digest('hex')}`, bytes: data.length };
}

interface CommandResult {
  exitCode: number;
  tail: string[];
  seconds: number;
}

/** Runs the user's training command with the contract's environment, streaming its output. */
async function runCommand(command: string, env: Record<string, string>, cwd: string, ctx: RunContext, logPath: string): Promise<CommandResult> {
  const started = performance.now();
  const tail: string[] = [];
  const log: string[] = [];
  const child = spawn('bash', ['-eo', 'pipefail', '-c', command], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const onData = (buf: Buffer) => {
    const text = buf.toString();
    log.push(text);
    for (const line of text.split(/\r?\n/)) {
      if (!line) continue;
      ctx.log.info(line);
      tail.push(line);
      if (tail.length > 30) tail.shift();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exitCode = await new Promise<number>((res) => {
    child.on('error', (e) => {
      tail.push(`could not start bash: ${e.message}`);
      res(127);
    });
    child.on('close', (c, signal) => res(c ?? (signal ? 128 : 1)));
  });
  await writeFile(logPath, log.join(''));
  return { exitCode, tail, seconds: (performance.now() - started) / 1000 };
}

export async function trainModel(inputs: TrainInputs, ctx: RunContext) {
  const started = new Date();
  const t0 = performance.now();
  const ws = ctx.workspace;
  const display = displayIn(ws);
  const name = inputs['model-name'];
  const outDir = resolve(ws, inputs['output-dir'] ?? join('.mlops/train', name));
  await mkdir(outDir, { recursive: true });
  const files = await listDataset(inputs.data, ws);
  const features = parseFeatures(inputs.features);
  const params = await parseParamsInput(inputs.params, ws);
  if (inputs.trainer === 'command' && !inputs.command) {
    throw new UserError("trainer: command needs the `command` input", { input: 'command' }, 'e.g. command: python train.py');
  }
  if (inputs.trainer !== 'command' && inputs.command) {
    ctx.log.warning(`The \`command\` input is ignored with trainer: ${inputs.trainer} (set trainer: command to run it).`);
  }

  // The training data's content hash, and its reference profile: from the cache when this data was
  // profiled before (the key is the content hash), else one streaming pass, then cached.
  const profilePath = join(outDir, 'profile.json');
  const dataHash = await hashDataset(files);
  const cacheKey = `mlops-profile-v${PROFILE_VERSION}-${dataHash.replace(/^sha256:/, '')}`;
  // The Actions cache versions an entry by its path too: the cached copy has one fixed path.
  const cachedPath = '.mlops/cache/training-profile.json';
  let dataRows: number;
  if (await ctx.cache.restore(cacheKey, [cachedPath])) {
    dataRows = parseProfile(await readFile(resolve(ws, cachedPath), 'utf8'), cachedPath).rows;
    await copyFile(resolve(ws, cachedPath), profilePath);
    ctx.log.info(`Training data profile restored from the cache (${cacheKey})`);
  } else {
    const profiled = await ctx.log.group('Profiling the training data', () =>
      runValidation(files, { now: Date.now(), read: { format: inputs.format }, display, tempDir: ctx.tempDir }),
    );
    await writeProfileFile(profilePath, { ...profiled.profile, dataHash });
    dataRows = profiled.rows;
    await mkdir(resolve(ws, '.mlops/cache'), { recursive: true });
    await copyFile(profilePath, resolve(ws, cachedPath));
    await ctx.cache.save(cacheKey, [cachedPath]);
  }

  const modelPath = join(outDir, 'model.onnx');
  const logPath = join(outDir, 'train.log');
  let task: Manifest['task'];
  let classes: string[] | undefined;
  let featureSpecs: Manifest['features'];
  let usedParams: Record<string, unknown> = params;
  let trainerMetrics: Record<string, number> | undefined;
  let summaryDetail = '';

  if (inputs.trainer === 'command') {
    await writeFile(join(outDir, 'params.json'), `${JSON.stringify(params, null, 2)}\n`);
    const env = {
      MLOPS_DATA: files.map((f) => f.path).join('\n'),
      MLOPS_TARGET: inputs.target,
      MLOPS_FEATURES: JSON.stringify(features ?? []),
      MLOPS_PARAMS: JSON.stringify(params),
      MLOPS_SEED: String(inputs.seed),
      MLOPS_MODEL_NAME: name,
      MLOPS_OUTPUT_DIR: outDir,
    };
    const res = await ctx.log.group(`Training: ${inputs.command}`, () => runCommand(inputs.command!, env, ws, ctx, logPath));
    const lastLines = res.tail.length ? `\nLast lines of its output:\n${res.tail.map((l) => `  ${l}`).join('\n')}` : '\nIt printed nothing.';
    if (res.exitCode !== 0) {
      throw new UserError(`The training command exited with code ${res.exitCode} after ${res.seconds.toFixed(1)} s.${lastLines}`, { input: 'command' }, 'fix the training script; its full output is in the log group above');
    }
    if (!existsSync(modelPath)) {
      throw new UserError(
        `The training command succeeded but left no model at ${display(modelPath)}.${lastLines}`,
        { input: 'command' },
        'write the ONNX model to "$MLOPS_OUTPUT_DIR/model.onnx"',
      );
    }
    let loaded;
    try {
      loaded = await loadModel(modelPath);
    } catch (err) {
      throw new UserError(
        `The training command wrote ${display(modelPath)}, but it is not a valid ONNX model: ${(err as Error).message}${lastLines}`,
        { input: 'command' },
        'export the model with onnx / skl2onnx / torch.onnx and check it loads with onnxruntime',
      );
    }
    task = loaded.mlops.task;
    classes = loaded.mlops.classes;
    // Feature kinds, when the model says them ({name, kind} in mlops.features); else numeric.
    const declared = z.array(z.object({ name: z.string(), kind: z.enum(['numeric', 'categorical']) })).safeParse(safeJson(loaded.metadata['mlops.features']));
    featureSpecs = declared.success
      ? declared.data
      : (loaded.mlops.features ?? features ?? []).map((f) => ({ name: f, kind: 'numeric' as const }));
    await loaded.release();
    if (existsSync(join(outDir, 'params.json'))) {
      usedParams = z.record(z.string(), z.unknown()).catch(params).parse(JSON.parse(await readFile(join(outDir, 'params.json'), 'utf8')));
    }
    if (existsSync(join(outDir, 'metrics.json'))) {
      const parsed = z.record(z.string(), z.number()).safeParse(JSON.parse(await readFile(join(outDir, 'metrics.json'), 'utf8')));
      if (!parsed.success) ctx.log.warning(`${display(join(outDir, 'metrics.json'))} is not a JSON object of numbers: ignored`);
      else trainerMetrics = parsed.data;
    }
    summaryDetail = `command ${code(inputs.command!)} ran ${res.seconds.toFixed(1)} s`;
  } else {
    const trainer: TrainerName = inputs.trainer;
    const taskFor = trainer === 'ridge' ? 'regression' : 'classification';
    const loaded = await loadTrainingTable(files, { target: inputs.target, features, task: taskFor, read: { format: inputs.format }, display });
    const model = await ctx.log.group(`Training: built-in ${trainer} on ${num(loaded.rows)} rows × ${loaded.table.columns.length} features`, async () =>
      trainBuiltin(trainer, loaded.table, params, { seed: inputs.seed }),
    );
    await writeFile(modelPath, model.onnx);
    await writeFile(logPath, `built-in ${trainer}, ${loaded.rows} rows, params ${JSON.stringify(model.params)}\n`);
    task = model.task;
    classes = model.trainer === 'logistic' ? model.classes : undefined;
    featureSpecs = model.features.map((f) => ({ name: f.name, kind: f.kind }));
    usedParams = { ...model.params };
    summaryDetail = `built-in ${trainer}${model.trainer === 'logistic' ? ` (${model.fit.converged ? 'converged' : 'did not converge'} in ${model.fit.iterations} iterations)` : ''}`;
    if (loaded.ignored.length) ctx.log.info(`Columns not used as features: ${loaded.ignored.join(', ')}`);
  }

  const { digest, bytes } = await sha256File(modelPath);
  const gh = ctx.github;
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    modelName: name,
    model: { file: 'model.onnx', sha256: digest, bytes },
    ...(task ? { task } : {}),
    target: inputs.target,
    features: featureSpecs,
    ...(classes ? { classes } : {}),
    trainer: { kind: inputs.trainer, ...(inputs.command && inputs.trainer === 'command' ? { command: inputs.command } : {}), params: usedParams, seed: inputs.seed },
    data: { source: inputs.data, hash: dataHash, rows: dataRows },
    files: { profile: 'profile.json', log: 'train.log', ...(trainerMetrics ? { metrics: 'metrics.json' } : {}), ...(inputs.trainer === 'command' ? { params: 'params.json' } : {}) },
    ...(trainerMetrics ? { metrics: trainerMetrics } : {}),
    git: { repository: gh ? `${gh.owner}/${gh.repo}` : undefined, sha: gh?.sha, ref: gh?.ref },
    run: { id: gh?.runId, attempt: gh?.runAttempt, url: gh?.runUrl, pullRequest: gh ? pullRequestNumber(gh) : undefined },
    startedAt: started.toISOString(),
    durationSeconds: (performance.now() - t0) / 1000,
  };
  const manifestPath = join(outDir, 'manifest.json');
  await writeManifest(manifestPath, manifest);

  const artifactFiles = [modelPath, manifestPath, profilePath, logPath, ...(trainerMetrics ? [join(outDir, 'metrics.json')] : [])];
  const artifact = await ctx.artifacts.upload(inputs['artifact-name'] ?? `model-${name}`, artifactFiles, outDir);
  ctx.log.info(`Model, manifest and profile: ${artifact.where}`);

  ctx.summary(
    [
      `## 🏋️ Trained \`${name}\``,
      '',
      table(
        ['', ''],
        [
          ['trainer', summaryDetail],
          ['task', task ?? 'unknown'],
          ['data', `${code(inputs.data)}: ${num(dataRows)} rows, ${code(dataHash.slice(0, 19))}`],
          ['target', code(inputs.target)],
          ['features', featureSpecs.length ? featureSpecs.map((f) => f.name).join(', ') : '(from the model)'],
          ['parameters', code(JSON.stringify(usedParams))],
          ['model', `${code(display(modelPath))}, ${num(bytes)} bytes, ${code(digest.slice(0, 19))}`],
          ...(trainerMetrics ? [['trainer metrics', Object.entries(trainerMetrics).map(([k, v]) => `${k} ${num(v)}`).join(', ')]] : []),
          ['duration', `${manifest.durationSeconds.toFixed(1)} s`],
        ],
      ),
      '',
    ].join('\n'),
  );
  return {
    outputs: {
      model: display(modelPath),
      manifest: display(manifestPath),
      profile: display(profilePath),
      'model-digest': digest,
      'artifact-id': artifact.id === undefined ? '' : String(artifact.id),
    },
  };
}
