/**
 * Drives every operation of the fixture through @octokit/rest, so that every response the
 * fake can send for a successful call is validated against GitHub's description.
 */
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_LOGIN, DEFAULT_TOKEN, USER_TOKEN, startFakeGitHub, type FakeGitHub } from '../../fake-github/server';

const OWNER = 'octo-org';
const REPO = 'pipeline';
const FULL = `${OWNER}/${REPO}`;
const SILENT = { debug() {}, info() {}, warn() {}, error() {} };
const base = { owner: OWNER, repo: REPO };

let fake: FakeGitHub;
let kit: Octokit;

beforeAll(async () => {
  fake = await startFakeGitHub({ repos: [{ owner: OWNER, name: REPO, workflows: ['train.yml'], files: { 'models/aliases.json': '{}\n', 'models/README.md': 'x' } }] });
  kit = new Octokit({ baseUrl: fake.url, auth: DEFAULT_TOKEN, log: SILENT });
});

afterAll(async () => {
  try {
    // Every operation of the fixture was exercised successfully at least once...
    const succeeded = new Set(fake.requests.filter((r) => r.status >= 200 && r.status < 400).map((r) => r.operationId));
    const missing = fake.spec.operations.map((o) => o.operationId).filter((id) => !succeeded.has(id));
    expect(missing).toEqual([]);
    // ...and every request and response matched the description.
    fake.assertNoViolations();
  } finally {
    await fake.close();
  }
});

describe('fake GitHub: every operation', () => {
  it('issues: create, get, update (close/reopen, labels), list with filters', async () => {
    const { data: a } = await kit.rest.issues.create({ ...base, title: 'Drift detected', body: 'details', labels: ['drift', { name: 'model' }] });
    const { data: b } = await kit.rest.issues.create({ ...base, title: 'Other', labels: ['model'] });
    expect(a.number).toBe(1);
    expect(a.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual(['drift', 'model']);
    expect((await kit.rest.issues.get({ ...base, issue_number: a.number })).data.title).toBe('Drift detected');

    const { data: closed } = await kit.rest.issues.update({ ...base, issue_number: b.number, state: 'closed', state_reason: 'not_planned' });
    expect(closed.state).toBe('closed');
    expect(closed.state_reason).toBe('not_planned');
    expect(closed.closed_by?.login).toBe(BOT_LOGIN);

    expect((await kit.rest.issues.listForRepo({ ...base })).data.map((i) => i.number)).toEqual([a.number]);
    expect((await kit.rest.issues.listForRepo({ ...base, state: 'all', labels: 'model', direction: 'asc' })).data.map((i) => i.number)).toEqual([a.number, b.number]);
    expect((await kit.rest.issues.listForRepo({ ...base, state: 'all', labels: 'drift,model' })).data.map((i) => i.number)).toEqual([a.number]);

    const { data: reopened } = await kit.rest.issues.update({ ...base, issue_number: b.number, state: 'open', labels: [] });
    expect(reopened.state_reason).toBe('reopened');
    expect(reopened.labels).toEqual([]);
  });

  it('comments: create, update, list, delete; body limits like GitHub', async () => {
    const issue = fake.addIssue(FULL, { title: 'PR-less issue' });
    const { data: c1 } = await kit.rest.issues.createComment({ ...base, issue_number: issue.number, body: '<!-- mlops-report -->\nv1' });
    const { data: c2 } = await kit.rest.issues.createComment({ ...base, issue_number: issue.number, body: 'second' });
    const { data: updated } = await kit.rest.issues.updateComment({ ...base, comment_id: c1.id, body: '<!-- mlops-report -->\nv2' });
    expect(updated.body).toContain('v2');
    await kit.rest.issues.deleteComment({ ...base, comment_id: c2.id });
    const { data: list } = await kit.rest.issues.listComments({ ...base, issue_number: issue.number });
    expect(list.map((c) => c.body)).toEqual(['<!-- mlops-report -->\nv2']);

    const tooLong = await kit.rest.issues.createComment({ ...base, issue_number: issue.number, body: 'x'.repeat(65537) }).catch((e: { status: number }) => e);
    expect(tooLong).toMatchObject({ status: 422 });
    const missing = await kit.rest.issues.createComment({ ...base, issue_number: 999, body: 'x' }).catch((e: { status: number }) => e);
    expect(missing).toMatchObject({ status: 404 });
  });

  it('pulls: create, get, list (head/base filters), commit association', async () => {
    const mainSha = fake.getRef(FULL, 'heads/main')!;
    const feature = fake.addCommit(FULL, { parents: [mainSha], branch: 'feature/retrain', message: 'retrain' });
    const { data: pr } = await kit.rest.pulls.create({ ...base, title: 'Retrain', head: 'feature/retrain', base: 'main', body: 'new model' });
    expect(pr.head.sha).toBe(feature.sha);
    expect(pr.base.sha).toBe(mainSha);
    expect(pr.merged).toBe(false);
    expect(pr.user.login).toBe(BOT_LOGIN);

    const dup = await kit.rest.pulls.create({ ...base, title: 'again', head: 'feature/retrain', base: 'main' }).catch((e: { status: number }) => e);
    expect(dup).toMatchObject({ status: 422 });

    expect((await kit.rest.pulls.get({ ...base, pull_number: pr.number })).data.number).toBe(pr.number);
    expect((await kit.rest.pulls.list({ ...base, head: `${OWNER}:feature/retrain` })).data.map((p) => p.number)).toEqual([pr.number]);
    expect((await kit.rest.pulls.list({ ...base, base: 'other' })).data).toEqual([]);

    const merged = fake.addPull(FULL, { head: 'feature/old', merged: true, title: 'Old' });
    const mergeSha = merged.pull!.mergeCommitSha!;
    const assoc = await kit.rest.repos.listPullRequestsAssociatedWithCommit({ ...base, commit_sha: mergeSha });
    expect(assoc.data.map((p) => [p.number, p.merged_at !== null])).toEqual([[merged.number, true]]);
    const assocHead = await kit.rest.repos.listPullRequestsAssociatedWithCommit({ ...base, commit_sha: feature.sha });
    expect(assocHead.data.map((p) => p.number)).toEqual([pr.number]);

    // PRs are issues too: comments on a PR are issue comments, and issues/get shows pull_request.
    const { data: asIssue } = await kit.rest.issues.get({ ...base, issue_number: pr.number });
    expect(asIssue.pull_request?.url).toBe(pr.url);
  });

  it('checks: create (GitHub App tokens only), update, list for ref (latest per name)', async () => {
    const sha = fake.getRef(FULL, 'heads/main')!;
    const { data: run } = await kit.rest.checks.create({ ...base, name: 'mlops/validate', head_sha: sha, status: 'in_progress', output: { title: 'Validating', summary: 'running' } });
    expect(run.status).toBe('in_progress');
    const { data: done } = await kit.rest.checks.update({
      ...base,
      check_run_id: run.id,
      conclusion: 'failure',
      output: { title: 'Schema drift', summary: '2 columns changed', annotations: [{ path: 'data/train.parquet', start_line: 1, end_line: 1, annotation_level: 'failure', message: 'column removed' }] },
    });
    expect(done.status).toBe('completed');
    expect(done.completed_at).not.toBeNull();
    expect(done.output.annotations_count).toBe(1);
    await kit.rest.checks.create({ ...base, name: 'mlops/validate', head_sha: sha, conclusion: 'success' });

    const latest = await kit.rest.checks.listForRef({ ...base, ref: 'main' });
    expect(latest.data.total_count).toBe(1);
    expect(latest.data.check_runs[0]!.conclusion).toBe('success');
    expect((await kit.rest.checks.listForRef({ ...base, ref: sha, filter: 'all' })).data.total_count).toBe(2);

    const pat = new Octokit({ baseUrl: fake.url, auth: USER_TOKEN, log: SILENT });
    const denied = await pat.rest.checks.create({ ...base, name: 'x', head_sha: sha }).catch((e: { status: number }) => e);
    expect(denied).toMatchObject({ status: 403 });
  });

  it('deployments: create, statuses (auto_inactive), list with filters', async () => {
    const { data: d1 } = await kit.rest.repos.createDeployment({ ...base, ref: 'main', environment: 'staging', auto_merge: false, required_contexts: [], payload: { model: 'v1' } });
    if (!('id' in d1)) throw new Error('expected a deployment');
    expect(d1.payload).toEqual({ model: 'v1' });
    expect(d1.production_environment).toBe(false);
    await kit.rest.repos.createDeploymentStatus({ ...base, deployment_id: d1.id, state: 'success', environment_url: 'https://staging.example.com' });
    const { data: d2 } = await kit.rest.repos.createDeployment({ ...base, ref: 'main', environment: 'staging', auto_merge: false, required_contexts: [] });
    if (!('id' in d2)) throw new Error('expected a deployment');
    const { data: s2 } = await kit.rest.repos.createDeploymentStatus({ ...base, deployment_id: d2.id, state: 'success', log_url: 'https://ci.example.com/1' });
    expect(s2.target_url).toBe('https://ci.example.com/1');

    const { data: statuses1 } = await kit.rest.repos.listDeploymentStatuses({ ...base, deployment_id: d1.id });
    expect(statuses1.map((s) => s.state)).toEqual(['inactive', 'success']);
    expect((await kit.rest.repos.listDeployments({ ...base, environment: 'staging' })).data.map((d) => d.id)).toEqual([d2.id, d1.id]);
    expect((await kit.rest.repos.listDeployments({ ...base, environment: 'production' })).data).toEqual([]);

    const badRef = await kit.rest.repos.createDeployment({ ...base, ref: 'no-such-branch' }).catch((e: { status: number }) => e);
    expect(badRef).toMatchObject({ status: 422 });
  });

  it('workflow dispatch is recorded; unknown workflows and refs are rejected', async () => {
    await kit.rest.actions.createWorkflowDispatch({ ...base, workflow_id: 'train.yml', ref: 'main', inputs: { model: 'm', epochs: '3' } });
    expect(fake.repo(FULL).workflowDispatches).toMatchObject([{ workflowId: 'train.yml', ref: 'main', inputs: { model: 'm', epochs: '3' }, actor: BOT_LOGIN }]);
    const unknown = await kit.rest.actions.createWorkflowDispatch({ ...base, workflow_id: 'nope.yml', ref: 'main' }).catch((e: { status: number }) => e);
    expect(unknown).toMatchObject({ status: 404 });
    const badRef = await kit.rest.actions.createWorkflowDispatch({ ...base, workflow_id: 'train.yml', ref: 'nope' }).catch((e: { status: number }) => e);
    expect(badRef).toMatchObject({ status: 422 });
  });

  it('contents: get file/dir, create and update with sha (409 on a stale sha)', async () => {
    const { data: file } = await kit.rest.repos.getContent({ ...base, path: 'models/aliases.json' });
    if (Array.isArray(file) || file.type !== 'file') throw new Error('expected a file');
    expect(Buffer.from(file.content, 'base64').toString()).toBe('{}\n');

    const { data: dir } = await kit.rest.repos.getContent({ ...base, path: 'models' });
    expect(Array.isArray(dir) && dir.map((e) => e.name)).toEqual(['README.md', 'aliases.json']);

    const content = Buffer.from('{"prod":"m@3"}\n').toString('base64');
    const { data: upd, status } = await kit.rest.repos.createOrUpdateFileContents({ ...base, path: 'models/aliases.json', message: 'alias prod', content, sha: file.sha });
    expect(status).toBe(200);
    expect(upd.commit.parents?.[0]?.sha).toBeDefined();
    expect(fake.getRef(FULL, 'heads/main')).toBe(upd.commit.sha);

    const stale = await kit.rest.repos.createOrUpdateFileContents({ ...base, path: 'models/aliases.json', message: 'stale', content, sha: file.sha }).catch((e: { status: number }) => e);
    expect(stale).toMatchObject({ status: 409 });
    const noSha = await kit.rest.repos.createOrUpdateFileContents({ ...base, path: 'models/aliases.json', message: 'no sha', content }).catch((e: { status: number }) => e);
    expect(noSha).toMatchObject({ status: 422 });

    const { status: createdStatus } = await kit.rest.repos.createOrUpdateFileContents({ ...base, path: 'models/history/1.json', message: 'add', content });
    expect(createdStatus).toBe(201);
    const raw = await kit.rest.repos.getContent({ ...base, path: 'models/history/1.json', mediaType: { format: 'raw' } });
    expect(String(raw.data)).toBe('{"prod":"m@3"}\n');
    // Older commits keep their content.
    const { data: old } = await kit.rest.repos.getContent({ ...base, path: 'models/aliases.json', ref: upd.commit.parents![0]!.sha! });
    if (Array.isArray(old) || old.type !== 'file') throw new Error('expected a file');
    expect(Buffer.from(old.content, 'base64').toString()).toBe('{}\n');
    expect(await kit.rest.repos.getContent({ ...base, path: 'nope.txt' }).catch((e: { status: number }) => e.status)).toBe(404);
  });

  it('releases and refs: the remaining operations', async () => {
    const { data: repo } = await kit.rest.repos.get({ ...base });
    expect(repo.permissions?.push).toBe(true);
    const { data: rel } = await kit.rest.repos.createRelease({ ...base, tag_name: 'registry/churn@1', name: 'churn 1', body: 'metrics', prerelease: true });
    expect(rel.prerelease).toBe(true);
    const { data: asset } = await kit.rest.repos.uploadReleaseAsset({ ...base, release_id: rel.id, url: rel.upload_url, name: 'model.json', data: '{"w":[1,2]}', headers: { 'content-type': 'application/json' } });
    const { data: meta } = await kit.rest.repos.getReleaseAsset({ ...base, asset_id: asset.id });
    expect(meta.content_type).toBe('application/json');
    expect((await kit.rest.repos.getReleaseByTag({ ...base, tag: 'registry/churn@1' })).data.assets).toHaveLength(1);
    expect((await kit.rest.repos.listReleaseAssets({ ...base, release_id: rel.id })).data).toHaveLength(1);
    await kit.rest.repos.deleteReleaseAsset({ ...base, asset_id: asset.id });
    const { data: renamed } = await kit.rest.repos.updateRelease({ ...base, release_id: rel.id, name: 'churn 1 (final)', prerelease: false });
    expect(renamed.name).toBe('churn 1 (final)');
    expect((await kit.rest.repos.getRelease({ ...base, release_id: rel.id })).data.assets).toEqual([]);
    expect((await kit.rest.repos.listReleases({ ...base })).data.map((r) => r.id)).toContain(rel.id);
    await kit.rest.repos.deleteRelease({ ...base, release_id: rel.id });

    const sha = fake.getRef(FULL, 'heads/main')!;
    await kit.rest.git.createRef({ ...base, ref: 'refs/heads/tmp', sha });
    expect((await kit.rest.git.getRef({ ...base, ref: 'heads/tmp' })).data.object.sha).toBe(sha);
    await kit.rest.git.updateRef({ ...base, ref: 'heads/tmp', sha, force: false });
    expect((await kit.rest.git.listMatchingRefs({ ...base, ref: 'heads/' })).data.map((r) => r.ref)).toContain('refs/heads/tmp');
    await kit.rest.git.deleteRef({ ...base, ref: 'heads/tmp' });

    const { data: me } = await new Octokit({ baseUrl: fake.url, auth: USER_TOKEN, log: SILENT }).rest.users.getAuthenticated();
    expect(me.login).toBe('octocat');
  });
});
