// The real @actions/cache client (cache service v2) against the fake results service, with Azurite as the
// blob store: save, restore by exact key and by restore-key prefix in another workspace, misses, versions,
// branch scopes, read-only tokens, duplicate keys.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startAzurite, startResultsService, runClients, valueOf, matchCache, type Azurite, type ResultsService } from '../../fake-actions';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under dir, relative path → sha256. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = sha256(readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe('@actions/cache (service v2) against the fake results service (Azurite storage)', () => {
  let azurite: Azurite;
  let svc: ResultsService;
  let source: string;
  let saved: Record<string, string>;
  const workspace = () => mkdtempSync(join(tmpdir(), 'fake-actions-cache-ws-'));

  beforeAll(async () => {
    azurite = await startAzurite();
    svc = await startResultsService({ azurite });
    source = workspace();
    mkdirSync(join(source, '.deps/sub'), { recursive: true });
    writeFileSync(join(source, '.deps/big.bin'), randomBytes(5 * 1024 * 1024));
    writeFileSync(join(source, '.deps/sub/a.txt'), 'alpha\n');
    writeFileSync(join(source, '.deps/sub/b.json'), '{"b":2}\n');
    saved = tree(join(source, '.deps'));
  });
  afterAll(async () => {
    await svc?.close();
    await azurite?.close();
  });
  afterEach(() => {
    svc.assertNoViolations();
  });

  it('the client sees the v2 service', async () => {
    const r = await runClients(svc.env(), [{ op: 'cacheAvailable' }], { workspace: source });
    expect(valueOf(r, 0)).toBe(true);
  });

  it('saves, then restores in a fresh workspace by the exact key and by a restore-key prefix', async () => {
    const save = await runClients(svc.env({ job: 'build' }), [{ op: 'cacheSave', paths: ['.deps'], key: 'deps-linux-abc123' }], { workspace: source });
    const id = valueOf<number>(save, 0);
    expect(id).toBeGreaterThan(2 ** 32);
    expect(save.problems).toEqual([]);
    expect(svc.cacheEntries).toEqual([expect.objectContaining({ id: String(id), key: 'deps-linux-abc123', scope: 'refs/heads/main', state: 'finalized' })]);

    const exact = workspace();
    const r1 = await runClients(svc.env({ job: 'test' }), [{ op: 'cacheRestore', paths: ['.deps'], key: 'deps-linux-abc123', restoreKeys: ['deps-'] }], { workspace: exact });
    expect(valueOf(r1, 0)).toBe('deps-linux-abc123');
    expect(tree(join(exact, '.deps'))).toEqual(saved);
    expect(r1.problems).toEqual([]);

    const prefix = workspace();
    const r2 = await runClients(svc.env({ job: 'test' }), [{ op: 'cacheRestore', paths: ['.deps'], key: 'deps-linux-zzz999', restoreKeys: ['deps-mac-', 'deps-linux-'] }], { workspace: prefix });
    expect(valueOf(r2, 0)).toBe('deps-linux-abc123');
    expect(r2.stdout).toContain('Cache hit for restore-key: deps-linux-abc123');
    expect(tree(join(prefix, '.deps'))).toEqual(saved);
    expect(svc.callsTo('GetCacheEntryDownloadURL').at(-1)!.request).toMatchObject({ key: 'deps-linux-zzz999', restore_keys: ['deps-mac-', 'deps-linux-'] });
  });

  it('a miss returns undefined without a warning; lookupOnly finds without downloading', async () => {
    const ws = workspace();
    const r = await runClients(
      svc.env({ job: 'test' }),
      [
        { op: 'cacheRestore', paths: ['.deps'], key: 'nothing-like-it', restoreKeys: ['nope-'] },
        { op: 'cacheRestore', paths: ['.deps'], key: 'deps-linux-abc123', lookupOnly: true },
      ],
      { workspace: ws },
    );
    expect(valueOf(r, 0)).toBeNull();
    expect(valueOf(r, 1)).toBe('deps-linux-abc123');
    expect(readdirSync(ws)).toEqual([]);
    expect(r.problems).toEqual([]);
  });

  it('the version (paths, compression) must match', async () => {
    const ws = workspace();
    const r = await runClients(svc.env({ job: 'test' }), [{ op: 'cacheRestore', paths: ['.deps', 'other'], key: 'deps-linux-abc123' }], { workspace: ws });
    expect(valueOf(r, 0)).toBeNull();
  });

  it('a second save of the same key is refused without failing the job (409 → "Failed to save")', async () => {
    const r = await runClients(svc.env({ job: 'build' }), [{ op: 'cacheSave', paths: ['.deps'], key: 'deps-linux-abc123' }], { workspace: source });
    expect(valueOf(r, 0)).toBe(-1);
    expect(r.stdout).toMatch(/Failed to save: Unable to reserve cache with key deps-linux-abc123/);
    expect(svc.callsTo('CreateCacheEntry').at(-1)!.status).toBe(409);
  });

  it('branch scopes: a feature branch reads the default branch\'s caches; main does not read the feature\'s', async () => {
    const feature = { job: 'pr', ref: 'refs/heads/feature' };
    const fromFeature = workspace();
    const r1 = await runClients(svc.env(feature), [{ op: 'cacheRestore', paths: ['.deps'], key: 'deps-linux-abc123' }], { workspace: fromFeature });
    expect(valueOf(r1, 0)).toBe('deps-linux-abc123');

    writeFileSync(join(source, '.deps/sub/a.txt'), 'changed on the branch\n');
    const save = await runClients(svc.env(feature), [{ op: 'cacheSave', paths: ['.deps'], key: 'deps-linux-feature1' }], { workspace: source });
    valueOf(save, 0);
    expect(svc.cacheEntries.at(-1)).toMatchObject({ key: 'deps-linux-feature1', scope: 'refs/heads/feature' });

    // On the branch the newest prefix match is its own entry; on main the branch's entry is invisible.
    const onBranch = await runClients(svc.env(feature), [{ op: 'cacheRestore', paths: ['.deps'], key: 'deps-linux-', restoreKeys: [] }], { workspace: workspace() });
    expect(valueOf(onBranch, 0)).toBe('deps-linux-feature1');
    const onMain = await runClients(svc.env({ job: 'main' }), [{ op: 'cacheRestore', paths: ['.deps'], key: 'deps-linux-feature1' }], { workspace: workspace() });
    expect(valueOf(onMain, 0)).toBeNull();
    writeFileSync(join(source, '.deps/sub/a.txt'), 'alpha\n');
  });

  it('a read-only token (a fork\'s pull request) restores but cannot save: "cache write denied"', async () => {
    const env = svc.env({ job: 'fork', ref: 'refs/pull/7/merge', cache: 'read-only' });
    const r = await runClients(env, [{ op: 'cacheSave', paths: ['.deps'], key: 'deps-fork-1' }, { op: 'cacheRestore', paths: ['.deps'], key: 'deps-linux-abc123' }], { workspace: source });
    expect(valueOf(r, 0)).toBe(-1);
    expect(r.problems.join('\n')).toMatch(/cache write denied/);
    expect(valueOf(r, 1)).toBe('deps-linux-abc123');
    const none = await runClients(svc.env({ job: 'none', cache: 'none' }), [{ op: 'cacheRestore', paths: ['.deps'], key: 'deps-linux-abc123' }], { workspace: workspace() });
    expect(valueOf(none, 0)).toBeNull();
    expect(none.problems.join('\n')).toMatch(/cache read denied/);
  });
});

describe('matchCache (GitHub\'s cache key matching)', () => {
  const e = (key: string, at: string, scope = 'refs/heads/main', version = 'v', id = at.replace(/\D/g, '')) => ({ key, version, scope, createdAt: `2024-01-01T00:00:${at}Z`, state: 'finalized' as const, id });
  const entries = [e('npm-a-1', '01'), e('npm-a-2', '02'), e('npm-b', '03'), e('npm-a', '04', 'refs/heads/main', 'other'), e('npm-a-9', '05', 'refs/heads/f')];

  it('exact key first, even when a newer entry has the key as a prefix', () => {
    expect(matchCache([...entries, e('npm-a-1-x', '09')], ['refs/heads/main'], 'npm-a-1', [], 'v')?.key).toBe('npm-a-1');
  });
  it('then the key as a prefix, newest first', () => {
    expect(matchCache(entries, ['refs/heads/main'], 'npm-a-', [], 'v')?.key).toBe('npm-a-2');
  });
  it('then the restore keys in order', () => {
    expect(matchCache(entries, ['refs/heads/main'], 'yarn', ['pnpm', 'npm-b', 'npm-'], 'v')?.key).toBe('npm-b');
    expect(matchCache(entries, ['refs/heads/main'], 'yarn', ['npm-'], 'v')?.key).toBe('npm-b');
  });
  it('scopes in order: the branch before the default branch', () => {
    expect(matchCache(entries, ['refs/heads/f', 'refs/heads/main'], 'npm-a', [], 'v')?.key).toBe('npm-a-9');
    expect(matchCache(entries, ['refs/heads/main'], 'npm-a-9', [], 'v')).toBeUndefined();
  });
  it('the version must match; unfinalized entries do not count', () => {
    expect(matchCache(entries, ['refs/heads/main'], 'npm-a', [], 'other')?.key).toBe('npm-a');
    expect(matchCache([{ ...e('npm-z', '01'), state: 'created' as const }], ['refs/heads/main'], 'npm-z', [], 'v')).toBeUndefined();
  });
});
