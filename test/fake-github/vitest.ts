/**
 * Vitest glue: a fresh fake GitHub per test, checked for protocol violations after each.
 *
 *   const gh = useFakeGitHub({ repos: [{ owner: 'o', name: 'r' }] });
 *   it('...', async () => { const octokit = new Octokit({ baseUrl: gh.fake.url, auth: DEFAULT_TOKEN }); ... });
 *
 * A test that provokes violations on purpose must `gh.fake.resetRecords()` before it ends.
 */
import { afterEach, beforeEach } from 'vitest';
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from './server';

export function useFakeGitHub(options: FakeGitHubOptions = {}, setup?: (fake: FakeGitHub) => void | Promise<void>): { readonly fake: FakeGitHub } {
  let current: FakeGitHub | undefined;
  beforeEach(async () => {
    current = await startFakeGitHub(options);
    await setup?.(current);
  });
  afterEach(async () => {
    const fake = current;
    current = undefined;
    if (!fake) return;
    try {
      fake.assertNoViolations();
    } finally {
      await fake.close();
    }
  });
  return {
    get fake(): FakeGitHub {
      if (!current) throw new Error('useFakeGitHub: the fake only exists inside a test');
      return current;
    },
  };
}
