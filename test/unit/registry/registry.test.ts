// One test suite, two backends: the local folder and GitHub Releases (on the fake GitHub API, including
// its failure modes). Same semantics: versions, dedup by digest, references, aliases with history,
// digest-verified downloads, and consistency under concurrency and interruptions.
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRegistry } from '../../../shared/registry/local';
import { GitHubRegistry } from '../../../shared/registry/github';
import type { Registry, RegisterFiles } from '../../../shared/registry/types';
import { createGitHubClient } from '../../../shared/github';
import { startFakeGitHub, DEFAULT_TOKEN, type FakeGitHub } from '../../fake-github';
import { UserError } from '../../../shared/errors';
import { testContext } from '../helpers';

const REPO = { owner: 'octo-org', name: 'churn-model' };

function files(dir: string, seed: string): RegisterFiles {
  const write = (name: string, text: string) => {
    const p = join(dir, `${seed}-${name}`);
    writeFileSync(p, text);
    return p;
  };
  return {
    'model.onnx': write('model.onnx', `onnx bytes of ${seed}`),
    'manifest.json': write('manifest.json', JSON.stringify({ seed })),
    'evaluation.json': write('evaluation.json', JSON.stringify({ passed: true })),
    'profile.json': write('profile.json', '{}'),
  };
}

const meta = (extra: object = {}) => ({ createdBy: 'octocat', card: (v: number, d: string) => `# model v${v}\n\ndigest ${d}\n`, ...extra });

interface Backend {
  name: string;
  setup(): Promise<{ reg: Registry; fake?: FakeGitHub; newClient?: () => Registry }>;
}

const log = testContext().log;

const backends: Backend[] = [
  {
    name: 'local folder',
    async setup() {
      const root = mkdtempSync(join(tmpdir(), 'registry-'));
      return { reg: new LocalRegistry(root), newClient: () => new LocalRegistry(root) };
    },
  },
  {
    name: 'GitHub Releases (fake API)',
    async setup() {
      const fake = await startFakeGitHub({ repos: [REPO] });
      const commit = fake.getRef(`${REPO.owner}/${REPO.name}`, 'refs/heads/main')!;
      const make = () =>
        new GitHubRegistry(createGitHubClient({ token: DEFAULT_TOKEN, apiUrl: fake.url, log, retry: { retryAfterBaseValue: 1 }, throttle: { pacing: false, retryAfterBaseValue: 1 } }), {
          owner: REPO.owner,
          repo: REPO.name,
          commit,
          log,
        });
      return { reg: make(), fake, newClient: make };
    },
  },
];

for (const b of backends) {
  describe(`registry: ${b.name}`, () => {
    let reg: Registry;
    let fake: FakeGitHub | undefined;
    let newClient: () => Registry;
    let dir: string;
    beforeEach(async () => {
      ({ reg, fake, newClient } = (await b.setup()) as { reg: Registry; fake?: FakeGitHub; newClient: () => Registry });
      dir = mkdtempSync(join(tmpdir(), 'assets-'));
    });
    afterEach(async () => {
      if (fake) {
        fake.assertNoViolations();
        await fake.close();
      }
    });

    it('registers versions 1, 2, …; the same bytes again return the existing version', async () => {
      const a = await reg.register('churn', files(dir, 'a'), meta({ pullRequest: 7, headSha: 'f'.repeat(40) }));
      expect(a.created).toBe(true);
      expect(a.version).toMatchObject({ name: 'churn', version: 1, tag: 'churn/v1', pullRequest: 7 });
      expect(a.version.assets.map((x) => x.name).sort()).toEqual(['evaluation.json', 'manifest.json', 'model-card.md', 'model.onnx', 'profile.json']);
      const b2 = await reg.register('churn', files(dir, 'b'), meta());
      expect(b2.version.version).toBe(2);
      const again = await reg.register('churn', files(dir, 'a'), meta());
      expect(again).toMatchObject({ created: false, version: { version: 1 } });
      expect((await reg.list('churn')).map((v) => v.version)).toEqual([2, 1]);
      expect(await reg.get('churn', 3)).toBeUndefined();
    });

    it('resolves name@alias, name@v3, name@latest and name@sha256:…', async () => {
      const v1 = (await reg.register('churn', files(dir, 'a'), meta())).version;
      await reg.register('churn', files(dir, 'b'), meta());
      await reg.setAlias('churn', 'production', 1, { by: 'octocat', reason: 'first deploy' });
      expect((await reg.resolve('churn@production')).version).toBe(1);
      expect((await reg.resolve('churn@v2')).version).toBe(2);
      expect((await reg.resolve('churn@latest')).version).toBe(2);
      expect((await reg.resolve('churn')).version).toBe(2);
      expect((await reg.resolve(`churn@${v1.digest}`)).version).toBe(1);
      await expect(reg.resolve('churn@staging')).rejects.toThrow(/has no alias 'staging' \(aliases: production\)/);
      await expect(reg.resolve('churn@v9')).rejects.toThrow(/has no version 9/);
      await expect(reg.resolve('nope@latest')).rejects.toThrow(/No version of model 'nope'/);
      await expect(reg.resolve('bad name@v1')).rejects.toBeInstanceOf(UserError);
    });

    it('aliases keep their history: who, when, from, to, why', async () => {
      await reg.register('churn', files(dir, 'a'), meta());
      await reg.register('churn', files(dir, 'b'), meta());
      await reg.setAlias('churn', 'production', 1, { by: 'alice', reason: 'PR #3', pullRequest: 3 });
      await reg.setAlias('churn', 'production', 2, { by: 'bob', reason: 'PR #4', pullRequest: 4 });
      await reg.setAlias('churn', 'production', 1, { by: 'carol', reason: 'rollback' });
      const book = await reg.aliases('churn');
      expect(book.aliases).toEqual({ production: 1 });
      expect(book.history.map((h) => [h.from, h.to, h.by, h.reason])).toEqual([
        [null, 1, 'alice', 'PR #3'],
        [1, 2, 'bob', 'PR #4'],
        [2, 1, 'carol', 'rollback'],
      ]);
      await expect(reg.setAlias('churn', 'production', 5, { by: 'x' })).rejects.toThrow(/has no version 5/);
      await expect(reg.setAlias('churn', 'Prod!', 1, { by: 'x' })).rejects.toThrow(/not a valid alias/);
    });

    it('downloads assets with their digests verified; tampered bytes are refused', async () => {
      const v = (await reg.register('churn', files(dir, 'a'), meta())).version;
      const out = await reg.download(v, join(dir, 'dl'));
      expect(readFileSync(out['model.onnx']!, 'utf8')).toBe('onnx bytes of a');
      // Tamper with the stored model.
      if (fake) {
        const asset = fake.repo(`${REPO.owner}/${REPO.name}`).releases.find((r) => r.tagName === 'churn/v1')!.assets.find((a) => a.name === 'model.onnx')!;
        asset.data = Buffer.from('evil bytes');
      } else {
        writeFileSync(join((reg as LocalRegistry).root, 'churn/v1/model.onnx'), 'evil bytes');
      }
      await expect(reg.download(v, join(dir, 'dl2'), ['model.onnx'])).rejects.toThrow(/model.onnx does not match its recorded digest/);
    });

    it('8 concurrent registrations get 8 distinct consecutive versions', async () => {
      const clients = Array.from({ length: 8 }, () => newClient());
      const results = await Promise.all(clients.map((c, i) => c.register('churn', files(dir, `c${i}`), meta())));
      expect(results.map((r) => r.version.version).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect((await reg.list('churn')).map((v) => v.version)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    }, 60_000);

    it('concurrent alias moves are all recorded, none lost', async () => {
      for (const s of ['a', 'b', 'c']) await reg.register('churn', files(dir, s), meta());
      const clients = Array.from({ length: 6 }, () => newClient());
      await Promise.all(clients.map((c, i) => c.setAlias('churn', i % 2 ? 'staging' : 'production', (i % 3) + 1, { by: `user${i}` })));
      const book = await reg.aliases('churn');
      expect(book.history).toHaveLength(6);
      expect(new Set(book.history.map((h) => h.by))).toEqual(new Set(['user0', 'user1', 'user2', 'user3', 'user4', 'user5']));
      // Each move's `from` is the alias's value just before it: the history is a consistent sequence.
      for (const alias of ['production', 'staging']) {
        const moves = book.history.filter((h) => h.alias === alias);
        moves.forEach((m, i) => expect(m.from).toBe(i === 0 ? null : moves[i - 1]!.to));
        expect(book.aliases[alias]).toBe(moves.at(-1)!.to);
      }
    }, 60_000);

    if (b.name.startsWith('GitHub')) {
      it('a 502 in the middle of the asset uploads leaves no published release; the rerun completes it', async () => {
        fake!.failNext({ operationId: 'repos/upload-release-asset', status: 502, times: 20 });
        const f = files(dir, 'a');
        await expect(reg.register('churn', f, meta())).rejects.toThrow();
        const repo = fake!.repo(`${REPO.owner}/${REPO.name}`);
        expect(repo.releases.filter((r) => !r.draft)).toHaveLength(0);
        expect(await reg.list('churn')).toEqual([]);
        fake!.resetRecords();
        const res = await newClient().register('churn', f, meta());
        expect(res).toMatchObject({ created: true, version: { version: 1 } });
        expect(repo.releases.filter((r) => !r.draft).map((r) => r.tagName)).toEqual(['churn/v1']);
        expect(repo.releases).toHaveLength(1);
        const dl = await reg.download(res.version, join(dir, 'dl'));
        expect(Object.keys(dl).sort()).toEqual(['evaluation.json', 'manifest.json', 'model-card.md', 'model.onnx', 'profile.json']);
      });

      it('a dropped connection mid-upload: same guarantees', async () => {
        fake!.failNext({ operationId: 'repos/upload-release-asset', dropConnection: { afterBytes: 5 }, times: 20 });
        const f = files(dir, 'a');
        await expect(reg.register('churn', f, meta())).rejects.toThrow();
        expect(await reg.list('churn')).toEqual([]);
        fake!.resetRecords();
        expect((await newClient().register('churn', f, meta())).version.version).toBe(1);
      });

      it('API calls: register with 5 assets ≤ 10', async () => {
        await reg.register('churn', files(dir, 'a'), meta()); // first use creates the registry branch
        fake!.resetRecords();
        await reg.register('churn', files(dir, 'b'), meta());
        const calls = fake!.requests.map((r) => r.operationId);
        expect(calls.length, calls.join('\n')).toBeLessThanOrEqual(10);
      });
    }
  });
}
