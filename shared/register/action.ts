/**
 * register: a trained (and evaluated) model becomes an immutable, numbered version in the registry,
 * with its manifest, evaluation, training-data profile and model card. In a pull request the version is
 * that PR's candidate (its number and head commit are recorded), which deploy promotes on merge.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defineAction } from '../runtime/context';
import { input, raw } from '../runtime/inputs';
import { UserError } from '../errors';
import { readManifest, type Manifest } from '../model/manifest';
import { Evaluation } from '../evaluate/action';
import { pullRequestFromEvent } from '../github';
import { modelCard } from '../registry/card';
import { modelPaths } from '../model/from-artifact';
import { openRegistry } from '../registry/open';
import type { RegisterFiles } from '../registry/types';
import { code, table } from '../report/markdown';
import { z } from 'zod';

export const registerSpec = defineAction({
  name: 'register',
  description: 'Register a model as a new immutable version (GitHub Release with its manifest, evaluation, profile and model card); the same bytes return the existing version.',
  inputs: {
    model: input.optional('The model file (model.onnx). Or give `artifact`.', raw.string()),
    artifact: input.optional("The workflow artifact train uploaded (e.g. model-churn): its model.onnx, manifest.json and profile.json are registered.", raw.string()),
    'model-name': input.required('The registry name of the model.', z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { error: 'must be letters, digits, dots, dashes or underscores' })),
    manifest: input.optional("train's manifest.json (lineage; data, trainer, params).", raw.string()),
    evaluation: input.optional("evaluate's evaluation.json (metrics and gates; deploy refuses a version whose gates failed).", raw.string()),
    profile: input.optional("The training data's profile.json (monitor computes drift from it). Default: the one named by the manifest.", raw.string()),
    alias: input.optional('Point this alias (e.g. staging) at the new version.', z.string().regex(/^[a-z][a-z0-9-]{0,49}$/, { error: 'must be lower-case letters, digits and dashes' })),
    notes: input.optional('Intended use and notes for the model card.', raw.string()),
    license: input.optional("The model's licence, for the model card (e.g. apache-2.0).", raw.string()),
    registry: input.withDefault("auto (the repository's releases on a runner, .mlops/registry locally), github, or a folder.", 'auto', raw.string()),
    token: input.withDefault('GitHub token (contents: write) for the releases and the registry branch.', '${{ github.token }}', raw.string()),
  },
  outputs: {
    version: 'The version number.',
    tag: 'The release tag, <model-name>/v<N>.',
    'release-url': 'The release page (or the registry folder).',
    'model-digest': 'sha256 of model.onnx.',
    created: 'false when these bytes were already registered (the existing version is returned).',
  },
  async run(inputs, ctx) {
    const ws = ctx.workspace;
    const path = (p: string | undefined, what: string, inputName: string) => {
      if (!p) return undefined;
      const abs = resolve(ws, p);
      if (!existsSync(abs)) throw new UserError(`The ${what} ${p} does not exist`, { input: inputName }, `give the path written by the ${what === 'model' ? 'train' : inputName === 'evaluation' ? 'evaluate' : 'train'} step`);
      return abs;
    };
    const given = await modelPaths(inputs, ctx);
    const modelPath = path(given.model, 'model', 'model')!;
    const manifestPath = path(given.manifest, 'manifest', 'manifest');
    const evaluationPath = path(inputs.evaluation, 'evaluation', 'evaluation');
    let manifest: Manifest | undefined;
    if (manifestPath) manifest = await readManifest(manifestPath, given.manifest!);
    let profilePath = path(given.profile, 'profile', 'profile');
    if (!profilePath && manifestPath && manifest?.files.profile) {
      const beside = resolve(manifestPath, '..', manifest.files.profile);
      if (existsSync(beside)) profilePath = beside;
    }
    let evaluation: Evaluation | undefined;
    if (evaluationPath) {
      const parsed = Evaluation.safeParse(JSON.parse(await readFile(evaluationPath, 'utf8')));
      if (!parsed.success) throw new UserError(`${inputs.evaluation} is not an evaluation.json: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`, { file: inputs.evaluation, input: 'evaluation' });
      evaluation = parsed.data;
    }
    if (manifest && manifest.modelName !== inputs['model-name']) {
      ctx.log.warning(`The manifest names the model '${manifest.modelName}'; registering it as '${inputs['model-name']}'.`);
    }

    const gh = ctx.github;
    const pr = gh ? pullRequestFromEvent(gh) : undefined;
    const registry = openRegistry(inputs.registry, ctx, inputs.token);
    const parentMatch = evaluation?.baseline?.source.match(/@v(\d+)$/);
    const parent = parentMatch ? Number(parentMatch[1]) : undefined;
    const files: RegisterFiles = {
      'model.onnx': modelPath,
      ...(manifestPath ? { 'manifest.json': manifestPath } : {}),
      ...(evaluationPath ? { 'evaluation.json': evaluationPath } : {}),
      ...(profilePath ? { 'profile.json': profilePath } : {}),
    };
    if (!profilePath) ctx.log.warning('No profile.json: monitor cannot compute drift for this version (give `profile`, or the `manifest` of train).');
    const res = await ctx.log.group(`Registering ${inputs['model-name']} (${registry.kind} registry)`, () =>
      registry.register(inputs['model-name'], files, {
        createdBy: gh?.actor || process.env.USER || undefined,
        commit: gh?.sha,
        pullRequest: pr?.number,
        headSha: pr?.headSha,
        runUrl: gh?.runUrl,
        passed: evaluation?.passed,
        parent,
        notes: inputs.notes,
        card: (version, digest) =>
          modelCard({
            name: inputs['model-name'],
            version,
            digest,
            manifest,
            evaluation,
            license: inputs.license,
            notes: inputs.notes,
            repository: gh ? `${gh.owner}/${gh.repo}` : undefined,
            serverUrl: gh?.serverUrl,
            pullRequest: pr?.number,
            commit: gh?.sha,
            runUrl: gh?.runUrl,
            parent,
          }),
      }),
    );
    const v = res.version;
    if (inputs.alias) {
      const move = await registry.setAlias(v.name, inputs.alias, v.version, { by: gh?.actor || 'mlops', reason: pr ? `PR #${pr.number}` : 'register', pullRequest: pr?.number, runUrl: gh?.runUrl });
      ctx.log.info(`${v.name}@${inputs.alias}: ${move.from === null ? 'new' : `v${move.from}`} → v${move.to}`);
    }
    ctx.summary(
      [
        `## 📦 ${res.created ? 'Registered' : 'Already registered'} \`${v.name}\` v${v.version}`,
        '',
        table(
          ['', ''],
          [
            ['tag', `[${code(v.tag)}](${v.url})`],
            ['model digest', code(v.digest)],
            ...(pr ? [['candidate of', `PR #${pr.number} (head ${code(pr.headSha.slice(0, 12))})`]] : []),
            ['evaluation', evaluation ? (evaluation.passed ? '✅ gates passed' : '❌ gates failed: deploy will refuse it without force') : 'none registered'],
            ['assets', v.assets.map((a) => code(a.name)).join(', ')],
            ...(inputs.alias ? [['alias', code(`${v.name}@${inputs.alias}`)]] : []),
          ],
        ),
        '',
      ].join('\n'),
    );
    return { outputs: { version: v.version, tag: v.tag, 'release-url': v.url, 'model-digest': v.digest, created: res.created } };
  },
});
