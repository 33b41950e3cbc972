/**
 * Workflow artifacts: how train hands its model to the jobs after it. On a runner, the real
 * @actions/artifact client (it needs ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL, which the runner gives
 * JavaScript actions); locally, a folder.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { UserError } from '../errors';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { ArtifactStore, CacheStore, Logger } from './context';

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

/** The Actions cache (service v2) on a runner; without its runtime, nothing is cached. */
export function runnerCache(env: NodeJS.ProcessEnv, log: Logger): CacheStore {
  const available = () => !!env.ACTIONS_RUNTIME_TOKEN && (!!env.ACTIONS_RESULTS_URL || !!env.ACTIONS_CACHE_URL);
  return {
    async restore(key, paths) {
      if (!available()) return false;
      const cache = await import('@actions/cache');
      try {
        return (await cache.restoreCache(paths, key)) === key;
      } catch (err) {
        log.warning(`Cache restore of ${key} failed (${(err as Error).message}); computing instead.`);
        return false;
      }
    },
    async save(key, paths) {
      if (!available()) return;
      const cache = await import('@actions/cache');
      try {
        await cache.saveCache(paths, key);
      } catch (err) {
        // Another job saved the same key first, or the cache is full: the work is done either way.
        log.debug(`cache save of ${key}: ${(err as Error).message}`);
      }
    },
  };
}

/** A cache in a folder: <root>/<key>/<file name>; relative paths are the workspace's. */
export function folderCache(root: string, workspace: string): CacheStore {
  const abs = (p: string) => resolve(workspace, p);
  return {
    async restore(key, paths) {
      const dir = join(root, key);
      if (!paths.every((p) => existsSync(join(dir, basename(p))))) return false;
      for (const p of paths) {
        await mkdir(dirname(abs(p)), { recursive: true });
        await cp(join(dir, basename(p)), abs(p));
      }
      return true;
    },
    async save(key, paths) {
      const dir = join(root, key);
      if (existsSync(dir)) return;
      await mkdir(dir, { recursive: true });
      for (const p of paths) await cp(abs(p), join(dir, basename(p)));
    },
  };
}
