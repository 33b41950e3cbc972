// The real @actions/artifact client against the fake results service, with Azurite as the blob store:
// upload (zip streamed as Put Block / Put Block List to a SAS URL), list, get, download in another job,
// delete, runs kept apart, raw (skipArchive) files; and the service's protocol checks, by hand.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startAzurite,
  startResultsService,
  runClients,
  valueOf,
  ARTIFACT_SERVICE,
  type Azurite,
  type ResultsService,
} from '../../fake-actions';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('@actions/artifact against the fake results service (Azurite storage)', () => {
  let azurite: Azurite;
  let svc: ResultsService;
  let ws: string;
  let files: Record<string, Buffer>;

  beforeAll(async () => {
    azurite = await startAzurite();
    svc = await startResultsService({ azurite });
    ws = mkdtempSync(join(tmpdir(), 'fake-actions-art-'));
    files = {
      'model.onnx': randomBytes(5 * 1024 * 1024),
      'manifest.json': Buffer.from(JSON.stringify({ name: 'churn', rows: 1000 }, null, 2)),
      'reports/metrics.json': Buffer.from('{"accuracy":0.91}\n'),
      'reports/deep/notes.txt': Buffer.from('ünïcödé\n'),
      'empty.txt': Buffer.alloc(0),
    };
    for (const [rel, data] of Object.entries(files)) {
      mkdirSync(join(ws, 'out', rel, '..'), { recursive: true });
      writeFileSync(join(ws, 'out', rel), data);
    }
  });
  afterAll(async () => {
    await svc?.close();
    await azurite?.close();
  });
  afterEach(() => {
    svc.assertNoViolations();
  });

  const upload = (name: string, env = svc.env({ job: 'train' })) =>
    runClients(env, [{ op: 'upload', name, files: Object.keys(files).map((f) => join(ws, 'out', f)), root: join(ws, 'out') }], { workspace: ws });

  it('uploads several files (one of 5 MB), lists them, and another job of the run downloads the same bytes', async () => {
    const up = await upload('model-churn');
    expect(up.exitCode, up.stderr).toBe(0);
    const res = valueOf<{ id: number; size: number; digest: string }>(up, 0);
    expect(up.problems).toEqual([]);

    // The service's record: finalized, the client's size and digest, the bytes really in Azurite.
    const record = svc.artifacts.find((a) => a.name === 'model-churn')!;
    expect(record).toMatchObject({ state: 'finalized', id: String(res.id), size: res.size, digest: `sha256:${res.digest}`, version: 7, mimeType: 'application/zip' });
    expect(res.id).toBeGreaterThan(2 ** 32); // int64 ids survive the client
    expect(record.blocks).toBeGreaterThanOrEqual(1); // staged blocks + a block list, not a single Put Blob
    const stored = await svc.artifactBytes(res.id);
    expect(stored.length).toBe(res.size);
    expect(sha256(stored)).toBe(res.digest);
    expect(stored.length).toBeGreaterThan(5 * 1024 * 1024); // random bytes do not compress

    const dest = join(ws, 'downloaded');
    const down = await runClients(
      svc.env({ job: 'evaluate' }),
      [{ op: 'list' }, { op: 'get', name: 'model-churn' }, { op: 'download', id: res.id, path: dest, expectedHash: `sha256:${res.digest}` }],
      { workspace: ws },
    );
    const listed = valueOf<{ name: string; id: number; size: number; digest: string }[]>(down, 0);
    expect(listed).toEqual([expect.objectContaining({ name: 'model-churn', id: res.id, size: res.size, digest: `sha256:${res.digest}` })]);
    expect(valueOf<{ id: number }>(down, 1).id).toBe(res.id);
    expect(valueOf<{ digestMismatch: boolean }>(down, 2)).toMatchObject({ downloadPath: dest, digestMismatch: false });
    for (const [rel, data] of Object.entries(files)) {
      expect(existsSync(join(dest, rel)), rel).toBe(true);
      expect(sha256(readFileSync(join(dest, rel))), rel).toBe(sha256(data));
    }
    expect(down.problems).toEqual([]);
    // The calls the clients made, in order.
    expect(svc.calls.filter((c) => c.job?.job === 'evaluate').map((c) => c.method)).toEqual(['ListArtifacts', 'ListArtifacts', 'ListArtifacts', 'GetSignedArtifactURL']);
    expect(svc.callsTo('ListArtifacts').at(-1)!.request).toMatchObject({ id_filter: String(res.id) });
  });

  it('a second upload under the same name in the run is refused (409), as GitHub does', async () => {
    const again = await upload('model-churn');
    expect(again.results[0]).toMatchObject({ ok: false });
    expect((again.results[0] as { error: string }).error).toMatch(/409.*already exists/);
    expect(svc.violations).toEqual([]); // a legitimate refusal, not a protocol error
  });

  it('another workflow run sees none of this run\'s artifacts', async () => {
    const other = await runClients(svc.env({ run: 'other-run', job: 'train' }), [{ op: 'list' }, { op: 'get', name: 'model-churn' }], { workspace: ws });
    expect(valueOf(other, 0)).toEqual([]);
    expect(other.results[1]).toMatchObject({ ok: false });
    expect((other.results[1] as { error: string }).error).toMatch(/ArtifactNotFoundError/);
  });

  it('a raw file (skipArchive) downloads under its own name', async () => {
    writeFileSync(join(ws, 'report.html'), '<h1>report</h1>\n');
    const up = await runClients(svc.env({ job: 'report' }), [{ op: 'upload', name: 'ignored', files: [join(ws, 'report.html')], root: ws, options: { skipArchive: true } }], { workspace: ws });
    const { id } = valueOf<{ id: number }>(up, 0);
    expect(svc.artifacts.find((a) => a.id === String(id))).toMatchObject({ name: 'report.html', mimeType: 'text/html' });
    const dest = join(ws, 'raw-download');
    const down = await runClients(svc.env({ job: 'read' }), [{ op: 'download', id, path: dest }], { workspace: ws });
    valueOf(down, 0);
    expect(readFileSync(join(dest, 'report.html'), 'utf8')).toBe('<h1>report</h1>\n');
  });

  it('deletes an artifact: gone from the list, from get, and from storage', async () => {
    writeFileSync(join(ws, 'tmp.txt'), 'temporary');
    const up = await runClients(svc.env({ job: 'tmp' }), [{ op: 'upload', name: 'scratch', files: [join(ws, 'tmp.txt')], root: ws }], { workspace: ws });
    const { id } = valueOf<{ id: number }>(up, 0);
    const blobName = svc.artifacts.find((a) => a.id === String(id))!.blobName;
    const del = await runClients(svc.env({ job: 'cleanup' }), [{ op: 'delete', name: 'scratch' }, { op: 'list' }, { op: 'get', name: 'scratch' }], { workspace: ws });
    expect(valueOf(del, 0)).toEqual({ id });
    expect(valueOf<{ name: string }[]>(del, 1).map((a) => a.name)).not.toContain('scratch');
    expect(del.results[2]).toMatchObject({ ok: false });
    expect(svc.artifacts.find((a) => a.id === String(id))!.state).toBe('deleted');
    const gone = await fetch(`${azurite.blobUrl}/actions-results/${blobName}`);
    expect(gone.status).toBeGreaterThanOrEqual(400);
    // The name is free again.
    const again = await runClients(svc.env({ job: 'tmp' }), [{ op: 'upload', name: 'scratch', files: [join(ws, 'tmp.txt')], root: ws }], { workspace: ws });
    expect(valueOf<{ id: number }>(again, 0).id).toBeGreaterThan(id);
  });

  describe('protocol checks (requests by hand)', () => {
    const call = async (method: string, body: unknown, init: { token?: string | null; contentType?: string; httpMethod?: string; service?: string } = {}) => {
      const token = init.token === undefined ? svc.env({ job: 'hand' }).ACTIONS_RUNTIME_TOKEN : init.token;
      const res = await fetch(`${svc.url}twirp/${init.service ?? ARTIFACT_SERVICE}/${method}`, {
        method: init.httpMethod ?? 'POST',
        headers: { 'Content-Type': init.contentType ?? 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: init.httpMethod === 'GET' ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { code?: string; msg?: string } };
    };
    const ids = () => {
      const { runBackendId, jobBackendId } = svc.backendIds({ job: 'hand' });
      return { workflow_run_backend_id: runBackendId, workflow_job_run_backend_id: jobBackendId };
    };
    afterEach(() => svc.resetRecords()); // these tests make violations on purpose

    it.each([
      ['an unknown field', () => ({ ...ids(), name: 'x', version: 7, nmae: 'typo' }), 400, 'malformed', /unknown field 'nmae'/],
      ['a missing field', () => ({ ...ids(), version: 7 }), 400, 'invalid_argument', /name is required/],
      ['a wrong type', () => ({ ...ids(), name: 'x', version: 'seven' }), 400, 'malformed', /version: expected an int32/],
      ['a bad timestamp', () => ({ ...ids(), name: 'x', version: 7, expires_at: 'tomorrow' }), 400, 'malformed', /RFC 3339/],
      ['another run\'s id', () => ({ ...ids(), workflow_run_backend_id: 'not-this-run', name: 'x', version: 7 }), 403, 'permission_denied', /not the token's run/],
      ['a forbidden name', () => ({ ...ids(), name: 'a/b', version: 7 }), 400, 'invalid_argument', /forbidden character/],
    ])('CreateArtifact with %s → a Twirp error and a violation', async (_what, body, status, code, msg) => {
      const res = await call('CreateArtifact', body());
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ code });
      expect(res.body.msg).toMatch(msg);
      expect(svc.violations).toEqual([expect.objectContaining({ method: 'CreateArtifact', code })]);
      expect(() => svc.assertNoViolations()).toThrow(/1 protocol violation/);
    });

    it('accepts JSON (lowerCamelCase) names and int64 numbers, as protojson does', async () => {
      const { workflow_run_backend_id, workflow_job_run_backend_id } = ids();
      const res = await call('ListArtifacts', { workflowRunBackendId: workflow_run_backend_id, workflowJobRunBackendId: workflow_job_run_backend_id, idFilter: 1 });
      expect(res).toEqual({ status: 200, body: { artifacts: [] } });
      expect(svc.violations).toEqual([]);
    });

    it('refuses a missing, foreign or malformed token (401)', async () => {
      expect((await call('ListArtifacts', ids(), { token: null })).status).toBe(401);
      const [h, p] = svc.env({ job: 'hand' }).ACTIONS_RUNTIME_TOKEN!.split('.');
      expect((await call('ListArtifacts', ids(), { token: `${h}.${p}.${Buffer.from('forged').toString('base64url')}` })).status).toBe(401);
      expect((await call('ListArtifacts', ids(), { token: 'not-a-jwt' })).body).toMatchObject({ code: 'unauthenticated' });
      expect(svc.violations.map((v) => v.code)).toEqual(['unauthenticated', 'unauthenticated', 'unauthenticated']);
    });

    it('routes only POST /twirp/<service>/<method> with JSON', async () => {
      expect(await call('NoSuchMethod', {})).toMatchObject({ status: 404, body: { code: 'bad_route' } });
      expect(await call('ListArtifacts', ids(), { httpMethod: 'GET' })).toMatchObject({ status: 404, body: { code: 'bad_route' } });
      expect(await call('ListArtifacts', ids(), { contentType: 'application/protobuf' })).toMatchObject({ status: 404, body: { code: 'bad_route' } });
      expect(await call('ListArtifacts', ids(), { service: 'github.actions.results.api.v1.Nope' })).toMatchObject({ status: 404 });
      expect(svc.violations).toHaveLength(4);
    });

    it('finalize checks the upload: none yet → failed_precondition; wrong size or hash → invalid_argument', async () => {
      const created = await call('CreateArtifact', { ...ids(), name: 'by-hand', version: 7 });
      expect(created.status).toBe(200);
      const signed = (created.body as { signed_upload_url: string }).signed_upload_url;
      expect(new URL(signed).searchParams.get('sv')).toBe('2024-11-04');
      expect(new URL(signed).searchParams.get('sp')).toBe('cw');
      expect(await call('FinalizeArtifact', { ...ids(), name: 'by-hand', size: '5' })).toMatchObject({ status: 412, body: { code: 'failed_precondition' } });
      // Put Blob straight to the SAS URL (Azurite checks the signature).
      const put = await fetch(signed, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'Content-Type': 'application/zip' }, body: 'hello' });
      expect(put.status).toBe(201);
      expect(await call('FinalizeArtifact', { ...ids(), name: 'by-hand', size: '6' })).toMatchObject({ status: 400, body: { msg: expect.stringMatching(/size 6 differs/) } });
      expect(await call('FinalizeArtifact', { ...ids(), name: 'by-hand', size: '5', hash: 'sha256:00' })).toMatchObject({ status: 400, body: { msg: expect.stringMatching(/hash/) } });
      const ok = await call('FinalizeArtifact', { ...ids(), name: 'by-hand', size: '5', hash: `sha256:${sha256(Buffer.from('hello'))}` });
      expect(ok).toMatchObject({ status: 200, body: { ok: true, artifact_id: expect.stringMatching(/^\d+$/) } });
      expect(svc.violations.map((v) => v.code)).toEqual(['failed_precondition', 'invalid_argument', 'invalid_argument']);
      // A single Put Blob commits no blocks: what tells the client's staged upload from it above.
      expect(svc.artifacts.find((a) => a.name === 'by-hand')).toMatchObject({ state: 'finalized', size: 5, blocks: 0 });
      // A read SAS is needed to read: the upload URL does not give read access.
      expect((await fetch(signed)).status).toBe(403);
    });

    it('answers a missing artifact with not_found, which is no violation', async () => {
      expect(await call('GetSignedArtifactURL', { ...ids(), name: 'nothing-here' })).toMatchObject({ status: 404, body: { code: 'not_found' } });
      expect(svc.violations).toEqual([]);
    });
  });
});
