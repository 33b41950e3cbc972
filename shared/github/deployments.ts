/**
 * GitHub Deployments: the record of what runs where. A deployment per promotion (with auto_merge off
 * and no required contexts: the commit is already merged and checked), then statuses in_progress →
 * success / failure carrying the run's log URL and the environment URL. An environment with required
 * reviewers makes the job wait for approval before any of this runs: GitHub's protection, for free.
 */
import { z } from 'zod';
import type { GitHubClient } from './client';

export interface DeploymentArgs {
  owner: string;
  repo: string;
  ref: string;
  environment: string;
  description: string;
  payload: Record<string, unknown>;
  productionEnvironment?: boolean;
}

export async function createDeployment(gh: GitHubClient, a: DeploymentArgs): Promise<{ id: number; url: string }> {
  const res = await gh.rest.repos.createDeployment({
    owner: a.owner,
    repo: a.repo,
    ref: a.ref,
    environment: a.environment,
    description: a.description.slice(0, 140),
    payload: a.payload,
    auto_merge: false,
    required_contexts: [],
    production_environment: a.productionEnvironment ?? a.environment === 'production',
  });
  const d = z.object({ id: z.number(), url: z.string() }).parse(res.data);
  return d;
}

export async function setDeploymentStatus(
  gh: GitHubClient,
  a: { owner: string; repo: string; deploymentId: number; state: 'in_progress' | 'success' | 'failure' | 'error'; logUrl?: string; environmentUrl?: string; description?: string },
): Promise<void> {
  await gh.rest.repos.createDeploymentStatus({
    owner: a.owner,
    repo: a.repo,
    deployment_id: a.deploymentId,
    state: a.state,
    ...(a.logUrl ? { log_url: a.logUrl } : {}),
    ...(a.environmentUrl ? { environment_url: a.environmentUrl } : {}),
    ...(a.description ? { description: a.description.slice(0, 140) } : {}),
  });
}
