/**
 * Workflow artifacts: how train hands its model to the jobs after it. On a runner, the real
 * @actions/artifact client (it needs ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL, which the runner gives
 * JavaScript actions); locally, a folder.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { UserError } from '../errors';
import { basename, join, relative } from 'node:path';
import type { ArtifactStore } from './context';

export function runnerArtifacts(env: NodeJS.ProcessEnv): ArtifactStore {
  return {
    async upload(name, files, rootDirectory) {
      if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
        return { id: undefined, where: 'not uploaded: the Actions runtime (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL) is not available to this step' };
      }
      const { DefaultArtifactClient } = await import('@actions/artifact');
      const client = new DefaultArtifactClient();
      const res = await client.uploadArtifact(name, files, rootDirectory, { retentionDays: undefined });
      return { id: res.id, where: `artifact '${name}' (id ${res.id ?? '?'}, ${res.size ?? 0} bytes)` };
    },
    async download(name, dir) {
      if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
        throw new UserError(`Cannot download the artifact '${name}': the Actions runtime is not available to this step`, { input: 'artifact' });
      }
      const { DefaultArtifactClient } = await import('@actions/artifact');
      const client = new DefaultArtifactClient();
      let id: number;
      try {
        id = (await client.getArtifact(name)).artifact.id;
      } catch (err) {
        throw new UserError(`No artifact '${name}' in this workflow run: ${(err as Error).message}`, { input: 'artifact' }, 'the job that uploads it (train) must run first: add it to `needs:`');
      }
      await mkdir(dir, { recursive: true });
      await client.downloadArtifact(id, { path: dir });
    },
  };
}

export function folderArtifacts(root: string): ArtifactStore {
  return {
    async upload(name, files, rootDirectory) {
      const dir = join(root, name);
      await mkdir(dir, { recursive: true });
      for (const f of files) {
        const rel = relative(rootDirectory, f);
        await cp(f, join(dir, rel.startsWith('..') ? basename(f) : rel));
      }
      return { id: undefined, where: dir };
    },
    async download(name, dir) {
      const src = join(root, name);
      if (!existsSync(src)) throw new UserError(`No artifact '${name}' in ${root}`, { input: 'artifact' }, 'run train first (it writes the artifact folder)');
      await mkdir(dir, { recursive: true });
      await cp(src, dir, { recursive: true });
    },
  };
}
