/**
 * deploy: promotion by merging. On a push to main, finds the candidate registered in the merged pull
 * request (by the PR's number, or its head commit) and moves the environment's alias (production by
 * default) to exactly that version: the same bytes, by sha256, that were evaluated in the reviewed PR.
 * A GitHub Deployment with statuses records it; an environment with required reviewers gates it.
 * `version` deploys or rolls back to any version explicitly.
 */
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { defineAction, type RunContext } from '../runtime/context';
import { input, raw } from '../runtime/inputs';
import { UserError } from '../errors';
import { openRegistry } from '../registry/open';
import type { Registry, VersionIndexEntry } from '../registry/types';
import { createDeployment, createGitHubClient, mergedPullOf, pullsForCommit, setDeploymentStatus, type GitHubClient } from '../github';
import { code, table } from '../report/markdown';

export const deploySpec = defineAction({
  name: 'deploy',
  description: "Promote the model evaluated in the merged pull request (same bytes, by sha256) to an environment's alias, with a GitHub Deployment; or deploy/roll back any version.",
  inputs: {
    'model-name': input.required('The registry name of the model.', raw.string()),
    environment: input.withDefault('The environment, and the alias moved to the version (production, staging, …).', 'production', z.string().regex(/^[a-z][a-z0-9-]{0,49}$/, { error: 'must be lower-case letters, digits and dashes' })),
    version: input.optional('Deploy this version instead of the merged PR\'s candidate: a number (3, v3) or a reference (churn@staging). Use it to roll back.', raw.string()),
    force: input.withDefault('Deploy even a version whose evaluation failed its gates.', 'false', raw.boolean()),
    'target-url': input.optional('POST the new model reference (JSON) to this URL, e.g. your model server.', raw.string()),
    'target-command': input.optional('Run this command after the move, with MLOPS_MODEL_NAME, MLOPS_MODEL_VERSION, MLOPS_MODEL_DIGEST, MLOPS_MODEL_URL and MLOPS_ENVIRONMENT set.', raw.string()),
    registry: input.withDefault("auto (the repository's releases on a runner, .mlops/registry locally), github, or a folder.", 'auto', raw.string()),
    token: input.withDefault('GitHub token (contents: write, deployments: write, pull-requests: read).', '${{ github.token }}', raw.string()),
  },
  outputs: {
    version: 'The version now in the environment.',
    'previous-version': 'The version the environment had before (empty if none).',
    'deployment-id': 'The GitHub Deployment id (empty locally).',
    'model-digest': 'sha256 of the deployed model.onnx.',
  },
  async run(inputs, ctx) {
    return deployModel(inputs, ctx);
  },
});

export interface DeployInputs {
  'model-name': string;
  environment: string;
  version?: string;
  force: boolean;
  'target-url'?: string;
  'target-command'?: string;
  registry: string;
  token?: string;
}

const PushPayload = z.object({ head_commit: z.object({ id: z.string() }).nullable().optional(), after: z.string().optional() });

async function chooseVersion(
  inputs: DeployInputs,
  ctx: RunContext,
  registry: Registry,
  entries: VersionIndexEntry[],
  client: GitHubClient | undefined,
): Promise<{ entry: VersionIndexEntry; why: string; pullRequest?: number }> {
  const name = inputs['model-name'];
  if (inputs.version) {
    const v = inputs.version.trim();
    const n = /^v?(\d+)$/.exec(v)?.[1];
    if (n) {
      const e = entries.find((x) => x.version === Number(n));
      if (!e) throw new UserError(`Model '${name}' has no version ${n} (versions: ${entries.map((x) => x.version).join(', ') || 'none'})`, { input: 'version' });
      return { entry: e, why: `explicit version v${n}` };
    }
    const resolved = await registry.resolve(v.includes('@') ? v : `${name}@${v}`);
    const e = entries.find((x) => x.version === resolved.version) ?? { version: resolved.version, digest: resolved.digest, passed: resolved.passed, createdAt: resolved.createdAt };
    return { entry: e, why: `explicit ${v} (v${resolved.version})` };
  }
  const gh = ctx.github;
  if (!gh || !client) {
    throw new UserError('Without a `version`, deploy promotes the candidate of the pull request merged by this push: run it on a push to your main branch', { input: 'version' }, 'or give `version` (a number or a reference) to deploy or roll back explicitly');
  }
  const push = PushPayload.safeParse(gh.payload);
  const sha = (push.success ? push.data.head_commit?.id ?? push.data.after : undefined) ?? gh.sha;
  const pulls = await pullsForCommit(client, gh.owner, gh.repo, sha);
  const merged = mergedPullOf(pulls, sha);
  if (!merged) {
    throw new UserError(
      `Commit ${sha.slice(0, 12)} is not the merge of a pull request, so there is no reviewed candidate to promote`,
      { input: 'version' },
      'deploy runs on the push that merges a PR; to deploy without one, give `version`',
    );
  }
  const candidates = entries.filter((e) => e.pullRequest === merged.number || (merged.headSha !== undefined && e.headSha === merged.headSha));
  // The newest registration of the PR is the one evaluated last (and shown in its sticky comment).
  const entry = candidates.sort((a, b) => b.version - a.version)[0];
  if (!entry) {
    throw new UserError(
      `No version of '${name}' was registered as the candidate of PR #${merged.number}`,
      { input: 'model-name' },
      'run train → evaluate → register in the pull_request workflow (see workflows-templates/pr.yml), or give `version`',
    );
  }
  return { entry, why: `candidate of PR #${merged.number}`, pullRequest: merged.number };
}

function runTargetCommand(command: string, env: Record<string, string>, cwd: string, ctx: RunContext): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-eo', 'pipefail', '-c', command], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const on = (b: Buffer) => {
      for (const l of b.toString().split(/\r?\n/)) {
        if (!l) continue;
        ctx.log.info(l);
        tail.push(l);
        if (tail.length > 20) tail.shift();
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('error', reject);
    child.on('close', (c) =>
      c === 0 ? resolvePromise() : reject(new UserError(`target-command exited with code ${c}\n${tail.map((l) => `  ${l}`).join('\n')}`, { input: 'target-command' })),
    );
  });
}

export async function deployModel(inputs: DeployInputs, ctx: RunContext) {
  const name = inputs['model-name'];
  const env = inputs.environment;
  const gh = ctx.github;
  const registry = openRegistry(inputs.registry, ctx, inputs.token);
  const client = gh && inputs.token ? createGitHubClient({ token: inputs.token, apiUrl: gh.apiUrl, log: ctx.log }) : undefined;
  const { versions: entries, aliases } = await registry.versionIndex(name);
  const { entry, why, pullRequest } = await chooseVersion(inputs, ctx, registry, entries, client);
  if (entry.passed === false && !inputs.force) {
    throw new UserError(
      `${name} v${entry.version} failed its evaluation gates: not deploying it to ${env}`,
      { input: 'force' },
      'fix the model, or set force: true to deploy it anyway (the deployment records that it was forced)',
    );
  }
  const previous = aliases[env];
  const url = registry.urlOf(name, entry.version);

  let deploymentId: number | undefined;
  if (client && gh && registry.kind === 'github') {
    const d = await createDeployment(client, {
      owner: gh.owner,
      repo: gh.repo,
      ref: gh.sha,
      environment: env,
      description: `${name} v${entry.version} (${why})`,
      payload: { model: name, version: entry.version, digest: entry.digest, previous: previous ?? null, forced: inputs.force && entry.passed === false },
    });
    deploymentId = d.id;
    await setDeploymentStatus(client, { owner: gh.owner, repo: gh.repo, deploymentId: d.id, state: 'in_progress', logUrl: gh.runUrl });
  }
  try {
    const move = await registry.setAlias(name, env, entry.version, { by: gh?.actor || process.env.USER || 'mlops', reason: why, pullRequest, runUrl: gh?.runUrl });
    const payload = { model: name, version: entry.version, digest: entry.digest, environment: env, url, previous: move.from };
    if (inputs['target-url']) {
      const res = await fetch(inputs['target-url'], { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }).catch((e: Error) => {
        throw new UserError(`POST to target-url failed: ${e.message}`, { input: 'target-url' });
      });
      if (!res.ok) throw new UserError(`POST to target-url answered ${res.status} ${res.statusText}: ${(await res.text()).slice(0, 300)}`, { input: 'target-url' });
      ctx.log.info(`Notified ${inputs['target-url']} (${res.status})`);
    }
    if (inputs['target-command']) {
      await runTargetCommand(
        inputs['target-command'],
        { MLOPS_MODEL_NAME: name, MLOPS_MODEL_VERSION: String(entry.version), MLOPS_MODEL_DIGEST: entry.digest, MLOPS_MODEL_URL: url, MLOPS_ENVIRONMENT: env },
        ctx.workspace,
        ctx,
      );
    }
    if (deploymentId !== undefined && client && gh) {
      await setDeploymentStatus(client, { owner: gh.owner, repo: gh.repo, deploymentId, state: 'success', logUrl: gh.runUrl, environmentUrl: url, description: `${name} v${entry.version}` });
    }
    ctx.summary(
      [
        `## 🚀 \`${name}\` v${entry.version} → ${env}`,
        '',
        table(
          ['', ''],
          [
            ['why', why],
            ['previous', move.from === null ? 'none' : `v${move.from}`],
            ['model digest', code(entry.digest)],
            ['evaluation', entry.passed === undefined ? 'none registered' : entry.passed ? '✅ gates passed' : '⚠️ gates failed (forced)'],
            ['version', url],
          ],
        ),
        '',
      ].join('\n'),
    );
    return {
      outputs: {
        version: entry.version,
        'previous-version': move.from === null ? '' : move.from,
        'deployment-id': deploymentId === undefined ? '' : deploymentId,
        'model-digest': entry.digest,
      },
    };
  } catch (err) {
    if (deploymentId !== undefined && client && gh) {
      await setDeploymentStatus(client, { owner: gh.owner, repo: gh.repo, deploymentId, state: 'failure', logUrl: gh.runUrl, description: (err as Error).message.split('\n')[0] }).catch(() => undefined);
    }
    throw err;
  }
}
