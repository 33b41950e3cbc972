/**
 * Which registry an action uses: the repository's (GitHub Releases) on a runner with a token, a folder
 * locally. The `registry` input can force either: `github`, or a folder path.
 */
import { resolve } from 'node:path';
import { UserError } from '../errors';
import type { RunContext } from '../runtime/context';
import { createGitHubClient } from '../github';
import { GitHubRegistry } from './github';
import { LocalRegistry } from './local';
import type { Registry } from './types';

export const DEFAULT_LOCAL_REGISTRY = '.mlops/registry';

export function openRegistry(spec: string | undefined, ctx: RunContext, token: string | undefined): Registry {
  const want = spec && spec !== 'auto' ? spec : ctx.github && token ? 'github' : DEFAULT_LOCAL_REGISTRY;
  if (want !== 'github') return new LocalRegistry(resolve(ctx.workspace, want));
  const gh = ctx.github;
  if (!gh) throw new UserError('registry: github needs a GitHub Actions run (GITHUB_REPOSITORY, GITHUB_SHA)', { input: 'registry' }, 'run in a workflow, or give a folder path for a local registry');
  if (!token) throw new UserError('registry: github needs a token', { input: 'token' }, 'pass token: ${{ github.token }} (the default) with contents: write');
  return new GitHubRegistry(createGitHubClient({ token, apiUrl: gh.apiUrl, log: ctx.log }), { owner: gh.owner, repo: gh.repo, commit: gh.sha, log: ctx.log, serverUrl: gh.serverUrl });
}
