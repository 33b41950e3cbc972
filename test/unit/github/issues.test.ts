import { describe, expect, it } from 'vitest';
import { upsertMarkedIssue, type MarkedIssueParams } from '../../../shared/github/issues';
import { marker } from '../../../shared/report/markdown';
import { BOT_LOGIN, READ_ONLY_TOKEN, USER_LOGIN } from '../../fake-github/server';
import { useFakeGitHub } from '../../fake-github/vitest';
import { countCalls, fastClient, recordingLogger } from './helpers';

const OWNER = 'octo-org';
const REPO = 'models';
const FULL = `${OWNER}/${REPO}`;
const MARK = marker('drift', 'churn');

const gh = useFakeGitHub({ repos: [{ owner: OWNER, name: REPO }] });

function params(log: MarkedIssueParams['log'], extra: Partial<MarkedIssueParams> = {}): MarkedIssueParams {
  return { owner: OWNER, repo: REPO, kind: 'drift', name: 'churn', title: 'Drift: churn', body: 'PSI 0.31 on age', labels: ['drift'], state: 'open', log, ...extra };
}

describe('upsertMarkedIssue', () => {
  it('open → unchanged → update → close with a comment → stays closed → reopen the same issue', async () => {
    const fake = gh.fake;
    const log = recordingLogger();
    const client = fastClient(fake, log);
    fake.addIssue(FULL, { title: 'Unrelated' });
    fake.addPull(FULL, { head: 'f', body: `${MARK}\na PR that carries the marker is not the issue` });

    const created = await countCalls(fake, () => upsertMarkedIssue(client, params(log)));
    expect(created.result).toMatchObject({ action: 'created', number: 3 });
    expect(created.calls).toEqual({ 'issues/list-for-repo': 1, 'issues/create': 1 });
    const issue = fake.repo(FULL).issues.get(3)!;
    expect(issue).toMatchObject({ title: 'Drift: churn', body: `${MARK}\nPSI 0.31 on age`, labels: ['drift'], user: BOT_LOGIN, state: 'open' });
    const listCall = fake.callsTo('issues/list-for-repo')[0]!;
    expect(new URLSearchParams(listCall.search).get('state')).toBe('all');
    expect(new URLSearchParams(listCall.search).get('per_page')).toBe('100');

    const same = await countCalls(fake, () => upsertMarkedIssue(client, params(log)));
    expect(same.result).toMatchObject({ action: 'unchanged', number: 3 });
    expect(same.total).toBe(1);

    // A person added a triage label: it stays.
    issue.labels.push(fake.addLabel(FULL, 'triaged').name);
    const updated = await countCalls(fake, () => upsertMarkedIssue(client, params(log, { body: 'PSI 0.45 on age', labels: ['drift', 'model:churn'] })));
    expect(updated.result).toMatchObject({ action: 'updated', number: 3 });
    expect(updated.calls).toEqual({ 'issues/list-for-repo': 1, 'issues/update': 1 });
    expect(issue.body).toBe(`${MARK}\nPSI 0.45 on age`);
    expect(issue.labels).toEqual(['drift', 'triaged', 'model:churn']);

    const closed = await countCalls(fake, () => upsertMarkedIssue(client, params(log, { state: 'closed', body: 'clean', closingComment: 'Drift is gone (PSI 0.02).' })));
    expect(closed.result).toMatchObject({ action: 'closed', number: 3 });
    expect(closed.calls).toEqual({ 'issues/list-for-repo': 1, 'issues/create-comment': 1, 'issues/update': 1 });
    expect(issue.state).toBe('closed');
    expect(issue.stateReason).toBe('completed');
    expect(fake.commentsOn(FULL, 3).map((c) => c.body)).toEqual(['Drift is gone (PSI 0.02).']);
    expect(issue.body).toBe(`${MARK}\nPSI 0.45 on age`); // the last problem stays in the body

    const stillClosed = await countCalls(fake, () => upsertMarkedIssue(client, params(log, { state: 'closed', body: 'clean' })));
    expect(stillClosed.result).toMatchObject({ action: 'unchanged', number: 3 });
    expect(stillClosed.total).toBe(1);

    // Policy: drift after a clean period reopens the same issue.
    const reopened = await countCalls(fake, () => upsertMarkedIssue(client, params(log, { body: 'PSI 0.5 on income' })));
    expect(reopened.result).toMatchObject({ action: 'reopened', number: 3 });
    expect(reopened.calls).toEqual({ 'issues/list-for-repo': 1, 'issues/update': 1 });
    expect(issue).toMatchObject({ state: 'open', stateReason: 'reopened', body: `${MARK}\nPSI 0.5 on income` });
    expect([...fake.repo(FULL).issues.values()].filter((i) => i.body?.startsWith(MARK) && !i.pull)).toHaveLength(1);
  });

  it('state closed with no issue: nothing to do (1 call)', async () => {
    const log = recordingLogger();
    const run = await countCalls(gh.fake, () => upsertMarkedIssue(fastClient(gh.fake, log), params(log, { state: 'closed' })));
    expect(run.result).toEqual({ action: 'none' });
    expect(run.total).toBe(1);
  });

  it('stops listing at the first page with our issue (newest first)', async () => {
    const fake = gh.fake;
    for (let i = 0; i < 250; i++) fake.addIssue(FULL, { title: `old ${i}` });
    const ours = fake.addIssue(FULL, { title: 'Drift: churn', body: `${MARK}\nPSI 0.31 on age`, labels: ['drift'], user: BOT_LOGIN });
    const log = recordingLogger();
    const run = await countCalls(fake, () => upsertMarkedIssue(fastClient(fake, log), params(log)));
    expect(run.result).toMatchObject({ action: 'unchanged', number: ours.number });
    expect(run.calls).toEqual({ 'issues/list-for-repo': 1 });
  });

  it('pages on to an older issue (page 2) and prefers the bot-authored one', async () => {
    const fake = gh.fake;
    const person = fake.addIssue(FULL, { title: 'copy', body: `${MARK}\npasted`, user: USER_LOGIN });
    const ours = fake.addIssue(FULL, { title: 'Drift: churn', body: `${MARK}\nold`, labels: ['drift'], user: BOT_LOGIN });
    for (let i = 0; i < 150; i++) fake.addIssue(FULL, { title: `new ${i}` });
    const log = recordingLogger();
    const run = await countCalls(fake, () => upsertMarkedIssue(fastClient(fake, log), params(log)));
    expect(run.result).toMatchObject({ action: 'updated', number: ours.number });
    expect(run.calls).toEqual({ 'issues/list-for-repo': 2, 'issues/update': 1 });
    expect(person.body).toBe(`${MARK}\npasted`);
    expect(log.warnings()).toEqual([expect.stringMatching(/Several issues carry the marker/)]);
  });

  it('with `author`, lists only that creator’s issues', async () => {
    const fake = gh.fake;
    fake.addIssue(FULL, { title: 'copy', body: `${MARK}\npasted`, user: USER_LOGIN });
    const log = recordingLogger();
    const res = await upsertMarkedIssue(fastClient(fake, log), params(log, { author: BOT_LOGIN }));
    expect(res).toMatchObject({ action: 'created' });
    expect(new URLSearchParams(fake.callsTo('issues/list-for-repo')[0]!.search).get('creator')).toBe(BOT_LOGIN);
  });

  it('read-only token: skipped with a warning (open and close)', async () => {
    const fake = gh.fake;
    const log = recordingLogger();
    const client = fastClient(fake, log, READ_ONLY_TOKEN);
    const open = await upsertMarkedIssue(client, params(log));
    expect(open).toEqual({ action: 'skipped', reason: expect.stringContaining('Resource not accessible by integration') });
    fake.addIssue(FULL, { title: 'Drift: churn', body: `${MARK}\nx`, user: BOT_LOGIN });
    expect((await upsertMarkedIssue(client, params(log, { state: 'closed' }))).action).toBe('skipped');
    expect(log.warnings()).toHaveLength(2);
    expect(log.warnings()[0]).toMatch(/token cannot write .*issues: write/);
  });

  it('issues disabled (410): skipped with a warning', async () => {
    const fake = gh.fake;
    fake.addRepo({ owner: OWNER, name: 'no-issues', hasIssues: false });
    const log = recordingLogger();
    const res = await upsertMarkedIssue(fastClient(fake, log), { ...params(log), repo: 'no-issues' });
    expect(res).toEqual({ action: 'skipped', reason: expect.stringContaining('410') });
    expect(log.warnings()[0]).toMatch(/issues are disabled in octo-org\/no-issues/);
  });
});
