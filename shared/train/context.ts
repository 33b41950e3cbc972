import { z } from 'zod';
import type { GitHubInfo } from '../runtime/github-context';

const PullPayload = z.object({ pull_request: z.object({ number: z.number().int() }) });

/** The pull request number of a pull_request / pull_request_target event, if this is one. */
export function pullRequestNumber(gh: GitHubInfo): number | undefined {
  if (gh.eventName !== 'pull_request' && gh.eventName !== 'pull_request_target') return undefined;
  const p = PullPayload.safeParse(gh.payload);
  return p.success ? p.data.pull_request.number : undefined;
}
