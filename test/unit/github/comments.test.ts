import { describe, expect, it } from 'vitest';
import { upsertStickyComment, type StickyCommentParams } from '../../../shared/github/comments';
import { marker } from '../../../shared/report/markdown';
import { BOT_LOGIN, READ_ONLY_TOKEN, USER_LOGIN, USER_TOKEN } from '../../fake-github/server';
import { useFakeGitHub } from '../../fake-github/vitest';
import { countCalls, fastClient, recordingLogger } from './helpers';

const OWNER = 'octo-org';
const REPO = 'models';
const FULL = `${OWNER}/${REPO}`;
const MARK = marker('validate-data', 'train');

const gh = useFakeGitHub({ repos: [{ owner: OWNER, name: REPO }] }, (fake) => {
  fake.addPull(FULL, { head: 'feature', title: 'Retrain' }); // #1
});

function params(log: StickyCommentParams['log'], body: string, extra: Partial<StickyCommentParams> = {}): StickyCommentParams {
  return { owner: OWNER, repo: REPO, issueNumber: 1, kind: 'validate-data', name: 'train', body, log, ...extra };
}

describe('upsertStickyComment', () => {
  it('creates once, updates on the second call, leaves an identical third call alone (1 list call)', async () => {
    const log = recordingLogger();
    const client = fastClient(gh.fake, log);

    const first = await countCalls(gh.fake, () => upsertStickyComment(client, params(log, '## Report\n\nall good')));
    expect(first.result).toMatchObject({ action: 'created', truncated: false, deleted: [] });
    expect(first.calls).toEqual({ 'issues/list-comments': 1, 'issues/create-comment': 1 });

    const second = await countCalls(gh.fake, () => upsertStickyComment(client, params(log, '## Report\n\n2 errors')));
    expect(second.result).toMatchObject({ action: 'updated' });
    expect(second.calls).toEqual({ 'issues/list-comments': 1, 'issues/update-comment': 1 });

    const third = await countCalls(gh.fake, () => upsertStickyComment(client, params(log, '## Report\n\n2 errors')));
    expect(third.result).toMatchObject({ action: 'unchanged' });
    expect(third.calls).toEqual({ 'issues/list-comments': 1 });
    expect(third.total).toBe(1);

    const comments = gh.fake.commentsOn(FULL, 1);
    expect(comments).toHaveLength(1);
    const [only] = comments;
    expect(only!.user).toBe(BOT_LOGIN);
    expect(only!.body).toBe(`${MARK}\n## Report\n\n2 errors`);
    if (first.result.action !== 'skipped' && third.result.action !== 'skipped') {
      expect(third.result.id).toBe(first.result.id);
      expect(third.result.url).toMatch(new RegExp(`/${FULL}/pull/1#issuecomment-${only!.id}$`));
    }
    // per_page=100 on the lookup
    expect(gh.fake.callsTo('issues/list-comments').every((r) => r.search.includes('per_page=100'))).toBe(true);
  });

  it('puts the marker on top: added when missing, moved when the caller put it elsewhere', async () => {
    const log = recordingLogger();
    const client = fastClient(gh.fake, log);
    await upsertStickyComment(client, params(log, `report\n\n${MARK}\n`));
    expect(gh.fake.commentsOn(FULL, 1)[0]!.body).toBe(`${MARK}\nreport\n\n\n`);
    // A body that already starts with it is kept as is, and matches (no update).
    const again = await upsertStickyComment(client, params(log, `${MARK}\nreport\n\n\n`));
    expect(again.action).toBe('unchanged');
  });

  it('finds ours on page 3 behind 250 other comments (3 list calls, no write when unchanged)', async () => {
    const fake = gh.fake;
    for (let i = 0; i < 250; i++) fake.addComment(FULL, 1, `comment ${i}`, { user: i % 2 ? USER_LOGIN : 'someone' });
    const ours = fake.addComment(FULL, 1, `${MARK}\nold report`, { user: BOT_LOGIN });
    const log = recordingLogger();
    const client = fastClient(fake, log);

    const same = await countCalls(fake, () => upsertStickyComment(client, params(log, 'old report')));
    expect(same.result).toMatchObject({ action: 'unchanged', id: ours.id });
    expect(same.calls).toEqual({ 'issues/list-comments': 3 });
    expect(fake.callsTo('issues/list-comments').map((r) => new URLSearchParams(r.search).get('page') ?? '1')).toEqual(['1', '2', '3']);

    const changed = await countCalls(fake, () => upsertStickyComment(client, params(log, 'new report')));
    expect(changed.result).toMatchObject({ action: 'updated', id: ours.id });
    expect(changed.calls).toEqual({ 'issues/list-comments': 3, 'issues/update-comment': 1 });
    expect(fake.commentsOn(FULL, 1)).toHaveLength(251);
  });

  it('keeps the newest of several marked copies, deletes the other copies of that author, never another author’s', async () => {
    const fake = gh.fake;
    const a = fake.addComment(FULL, 1, `${MARK}\nv1`, { user: BOT_LOGIN });
    const unrelated = fake.addComment(FULL, 1, 'unrelated');
    const human = fake.addComment(FULL, 1, `${MARK}\npasted by a person`, { user: USER_LOGIN });
    const b = fake.addComment(FULL, 1, `${MARK}\nv2`, { user: BOT_LOGIN });
    const c = fake.addComment(FULL, 1, `${MARK}\nv3`, { user: BOT_LOGIN });
    // Someone quoting our comment (not on the first line) is not ours either.
    const quote = fake.addComment(FULL, 1, `> quoting\n${MARK}\n> v3`, { user: USER_LOGIN });
    const log = recordingLogger();
    const client = fastClient(fake, log);

    const run = await countCalls(fake, () => upsertStickyComment(client, params(log, 'v4')));
    expect(run.result).toMatchObject({ action: 'updated', id: c.id, deleted: [b.id, a.id] });
    expect(run.calls).toEqual({ 'issues/list-comments': 1, 'issues/update-comment': 1, 'issues/delete-comment': 2 });
    expect(fake.commentsOn(FULL, 1).map((x) => x.id)).toEqual([unrelated.id, human.id, c.id, quote.id]);
    expect(fake.commentsOn(FULL, 1).find((x) => x.id === c.id)!.body).toBe(`${MARK}\nv4`);

    // The next run finds exactly one of ours: nothing to do.
    const next = await countCalls(fake, () => upsertStickyComment(client, params(log, 'v4')));
    expect(next.result.action).toBe('unchanged');
    expect(next.total).toBe(1);
  });

  it('with `author`, only that login’s comments count (a PAT’s own comment, not the bot’s)', async () => {
    const fake = gh.fake;
    const bot = fake.addComment(FULL, 1, `${MARK}\nbot`, { user: BOT_LOGIN });
    const mine = fake.addComment(FULL, 1, `${MARK}\nmine`, { user: USER_LOGIN });
    const log = recordingLogger();
    const client = fastClient(fake, log, USER_TOKEN);
    const res = await upsertStickyComment(client, params(log, 'mine, updated', { author: USER_LOGIN }));
    expect(res).toMatchObject({ action: 'updated', id: mine.id, deleted: [] });
    expect(fake.commentsOn(FULL, 1).find((x) => x.id === bot.id)!.body).toBe(`${MARK}\nbot`);
  });

  it('without `author`, a bot-authored marked comment is preferred over a newer one by a person', async () => {
    const fake = gh.fake;
    const bot = fake.addComment(FULL, 1, `${MARK}\nbot`, { user: BOT_LOGIN });
    const person = fake.addComment(FULL, 1, `${MARK}\nperson`, { user: USER_LOGIN });
    const log = recordingLogger();
    const res = await upsertStickyComment(fastClient(fake, log), params(log, 'bot'));
    expect(res).toMatchObject({ action: 'unchanged', id: bot.id, deleted: [] });
    expect(fake.commentsOn(FULL, 1).map((c) => c.id)).toEqual([bot.id, person.id]);
  });

  it('a 502 on the update is retried and succeeds', async () => {
    const fake = gh.fake;
    const ours = fake.addComment(FULL, 1, `${MARK}\nold`, { user: BOT_LOGIN });
    const failure = fake.failNext({ operationId: 'issues/update-comment', status: 502 });
    const log = recordingLogger();
    const run = await countCalls(fake, () => upsertStickyComment(fastClient(fake, log), params(log, 'new')));
    expect(run.result).toMatchObject({ action: 'updated', id: ours.id });
    expect(failure.hits).toBe(1);
    expect(run.calls).toEqual({ 'issues/list-comments': 1, 'issues/update-comment': 2 });
    expect(fake.commentsOn(FULL, 1)[0]!.body).toBe(`${MARK}\nnew`);
    expect(log.infos().some((m) => /answered 502; retrying in \d+ ms \(retry 1 of 3\)/.test(m))).toBe(true);
  });

  it('a 403 secondary rate limit with retry-after 1 is waited on, then the comment is created', async () => {
    const fake = gh.fake;
    const failure = fake.failNext({ operationId: 'issues/create-comment', secondaryRateLimit: true, retryAfter: 1 });
    const log = recordingLogger();
    // Real seconds here: the wait GitHub asked for is what is being tested.
    const client = fastClient(fake, log, undefined, { throttle: { retryAfterBaseValue: 1000, pacing: false } });
    const t0 = Date.now();
    const run = await countCalls(fake, () => upsertStickyComment(client, params(log, 'report')));
    const elapsed = Date.now() - t0;
    expect(run.result.action).toBe('created');
    expect(failure.hits).toBe(1);
    expect(run.calls).toEqual({ 'issues/list-comments': 1, 'issues/create-comment': 2 });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(log.infos().some((m) => /secondary rate limit \(POST \/repos\/\{owner\}\/\{repo\}\/issues\/\{issue_number\}\/comments\); waiting 1 second/.test(m))).toBe(true);
    expect(fake.commentsOn(FULL, 1)).toHaveLength(1);
  });

  it('a read-only token (fork PR) degrades to skipped with a warning: create and update', async () => {
    const fake = gh.fake;
    const log = recordingLogger();
    const client = fastClient(fake, log, READ_ONLY_TOKEN);
    const create = await countCalls(fake, () => upsertStickyComment(client, params(log, 'report')));
    expect(create.result).toEqual({ action: 'skipped', reason: expect.stringContaining('Resource not accessible by integration') });
    expect(create.calls).toEqual({ 'issues/list-comments': 1, 'issues/create-comment': 1 }); // 403 is not retried
    expect(log.warnings()).toHaveLength(1);
    expect(log.warnings()[0]).toMatch(/token cannot write.*fork.*job summary has the report/);

    fake.addComment(FULL, 1, `${MARK}\nold`, { user: BOT_LOGIN });
    const update = await upsertStickyComment(client, params(log, 'new'));
    expect(update.action).toBe('skipped');
    expect(log.warnings()).toHaveLength(2);
    expect(fake.commentsOn(FULL, 1)[0]!.body).toBe(`${MARK}\nold`);
  });

  it('a failing read is an error (with the API message), not a skip', async () => {
    const log = recordingLogger();
    await expect(upsertStickyComment(fastClient(gh.fake, log), params(log, 'x', { issueNumber: 99 }))).rejects.toThrow(
      /Cannot list the comments of octo-org\/models#99: GitHub API GET \/repos\/octo-org\/models\/issues\/99\/comments → 404: Not Found/,
    );
  });

  it('a body over 65,536 characters is truncated with a note (and GitHub accepts it)', async () => {
    const fake = gh.fake;
    const log = recordingLogger();
    const line = `| row | ${'x'.repeat(90)} |\n`;
    const body = `## Big report\n\n\`\`\`\n${line.repeat(1000)}\`\`\`\n`;
    expect(body.length).toBeGreaterThan(65536);
    const res = await upsertStickyComment(fastClient(fake, log), params(log, body));
    expect(res).toMatchObject({ action: 'created', truncated: true });
    const stored = fake.commentsOn(FULL, 1)[0]!.body;
    expect(stored.length).toBeLessThanOrEqual(65536);
    expect(stored.startsWith(`${MARK}\n## Big report`)).toBe(true);
    expect(stored).toMatch(/Truncated: this report has [\d,]+ characters, more than GitHub's limit of 65,536\. The full report is in the job summary/);
    // The cut code block is closed before the note.
    expect(stored.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0);
    expect(log.warnings().some((w) => /truncated/.test(w))).toBe(true);
    // Same long body again: unchanged (the comparison is on the truncated text).
    const again = await countCalls(fake, () => upsertStickyComment(fastClient(fake, log), params(log, body)));
    expect(again.result.action).toBe('unchanged');
    expect(again.total).toBe(1);
  });
});

describe('upsertStickyComment: marker parts', () => {
  it('rejects a name that would end the hidden comment early', async () => {
    const log = recordingLogger();
    await expect(upsertStickyComment(fastClient(gh.fake, log), params(log, 'x', { name: 'a-->b' }))).rejects.toThrow(/Invalid marker name/);
  });
});
