import { describe, expect, it } from 'vitest';
import { createCheckRun, type CheckRunParams } from '../../../shared/github/checks';
import { BOT_LOGIN, READ_ONLY_TOKEN, USER_TOKEN } from '../../fake-github/server';
import { useFakeGitHub } from '../../fake-github/vitest';
import { countCalls, fastClient, recordingLogger } from './helpers';

const OWNER = 'octo-org';
const REPO = 'models';
const FULL = `${OWNER}/${REPO}`;

const gh = useFakeGitHub({ repos: [{ owner: OWNER, name: REPO }] });

function params(log: CheckRunParams['log'], extra: Partial<CheckRunParams> = {}): CheckRunParams {
  return {
    owner: OWNER,
    repo: REPO,
    headSha: gh.fake.getRef(FULL, 'heads/main')!,
    name: 'mlops / validate-data',
    conclusion: 'success',
    title: '0 errors, 2 warnings',
    summary: '## Data validation\n\nall good',
    log,
    ...extra,
  };
}

describe('createCheckRun', () => {
  it('creates a completed check run with its output (1 call) and returns its html_url', async () => {
    const log = recordingLogger();
    const run = await countCalls(gh.fake, () =>
      createCheckRun(fastClient(gh.fake, log), params(log, { text: 'details', detailsUrl: 'https://github.com/octo-org/models/actions/runs/1' })),
    );
    expect(run.calls).toEqual({ 'checks/create': 1 });
    const [state] = gh.fake.repo(FULL).checkRuns;
    expect(state).toMatchObject({
      name: 'mlops / validate-data',
      status: 'completed',
      conclusion: 'success',
      creator: BOT_LOGIN,
      detailsUrl: 'https://github.com/octo-org/models/actions/runs/1',
      output: { title: '0 errors, 2 warnings', summary: '## Data validation\n\nall good', text: 'details' },
    });
    expect(run.result).toEqual({ action: 'created', id: state!.id, url: expect.stringMatching(new RegExp(`/${FULL}/runs/${state!.id}$`)), truncated: false });
  });

  it('failure and neutral conclusions; a multi-line title becomes one line', async () => {
    const log = recordingLogger();
    const client = fastClient(gh.fake, log);
    await createCheckRun(client, params(log, { conclusion: 'failure', title: '3 errors\nin train.csv' }));
    await createCheckRun(client, params(log, { conclusion: 'neutral' }));
    expect(gh.fake.repo(FULL).checkRuns.map((c) => [c.conclusion, c.output.title])).toEqual([
      ['failure', '3 errors in train.csv'],
      ['neutral', '0 errors, 2 warnings'],
    ]);
  });

  it('a summary over 65,535 characters is truncated (the request stays valid)', async () => {
    const log = recordingLogger();
    const res = await createCheckRun(fastClient(gh.fake, log), params(log, { summary: `${'row\n'.repeat(20000)}` }));
    expect(res).toMatchObject({ action: 'created', truncated: true });
    const summary = gh.fake.repo(FULL).checkRuns[0]!.output.summary!;
    expect(summary.length).toBeLessThanOrEqual(65535);
    expect(summary).toMatch(/Truncated: this report has 80,000 characters/);
  });

  it('without checks: write (read-only token) it is skipped with a warning', async () => {
    const log = recordingLogger();
    const run = await countCalls(gh.fake, () => createCheckRun(fastClient(gh.fake, log, READ_ONLY_TOKEN), params(log)));
    expect(run.result).toEqual({ action: 'skipped', reason: expect.stringContaining('Resource not accessible by integration') });
    expect(run.total).toBe(1);
    expect(log.warnings()).toEqual([expect.stringMatching(/token cannot write .*checks: write.*job summary has the report/)]);
    expect(gh.fake.repo(FULL).checkRuns).toEqual([]);
  });

  it('with a personal access token it is skipped and the warning says why', async () => {
    const log = recordingLogger();
    const res = await createCheckRun(fastClient(gh.fake, log, USER_TOKEN), params(log));
    expect(res.action).toBe('skipped');
    expect(log.warnings()[0]).toMatch(/only a GitHub App token \(such as GITHUB_TOKEN\) may create check runs/);
  });

  it('an invalid SHA is an error, not a skip', async () => {
    const log = recordingLogger();
    await expect(createCheckRun(fastClient(gh.fake, log), params(log, { headSha: 'not-a-sha' }))).rejects.toThrow(/Cannot create the check run .* → 422: No commit found for SHA: not-a-sha/);
  });
});
