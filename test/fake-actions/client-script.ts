/**
 * Runs the REAL @actions/artifact and @actions/cache clients in a process of their own (both read their
 * environment when they are imported and used: a child process per job keeps one test's environment from
 * leaking into another's). Started by ./clients (runClients) with Node 24, which runs this file as is
 * (type stripping: erasable TypeScript only, no relative runtime imports).
 *
 *   node client-script.ts <ops.json> <results.json>
 *
 * ops.json is an array of ClientOp; results.json gets one ClientResult per op, rewritten after each op so a
 * crash leaves the results so far.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ClientOp, ClientResult } from './clients';

const [opsPath, resultsPath] = process.argv.slice(2);
if (!opsPath || !resultsPath) throw new Error('usage: client-script.ts <ops.json> <results.json>');
const ops = JSON.parse(readFileSync(opsPath, 'utf8')) as ClientOp[];
const results: ClientResult[] = [];

const { DefaultArtifactClient } = await import('@actions/artifact');
const cache = await import('@actions/cache');
const artifact = new DefaultArtifactClient();

for (const op of ops) {
  const started = Date.now();
  try {
    let value: unknown;
    switch (op.op) {
      case 'upload':
        value = await artifact.uploadArtifact(op.name, op.files, op.root, op.options ?? {});
        break;
      case 'list':
        value = (await artifact.listArtifacts({ latest: op.latest ?? false })).artifacts;
        break;
      case 'get':
        value = (await artifact.getArtifact(op.name)).artifact;
        break;
      case 'download':
        value = await artifact.downloadArtifact(op.id, { path: op.path, ...(op.expectedHash ? { expectedHash: op.expectedHash } : {}) });
        break;
      case 'delete':
        value = await artifact.deleteArtifact(op.name);
        break;
      case 'cacheSave':
        value = await cache.saveCache(op.paths, op.key);
        break;
      case 'cacheRestore':
        value = (await cache.restoreCache(op.paths, op.key, op.restoreKeys, { lookupOnly: op.lookupOnly ?? false })) ?? null;
        break;
      case 'cacheAvailable':
        value = cache.isFeatureAvailable();
        break;
    }
    results.push({ op: op.op, ok: true, value: normalize(value), ms: Date.now() - started });
  } catch (err) {
    results.push({ op: op.op, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), ms: Date.now() - started });
  }
  writeFileSync(resultsPath, JSON.stringify(results));
}

/** Dates to ISO strings, so results survive JSON. */
function normalize(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v ?? null)) as unknown;
}
