/**
 * A local emulation of GitHub's Actions results service — the backend of `@actions/artifact` (v2+/v4
 * artifacts) and `@actions/cache` (cache service v2) — so tests run the REAL clients end to end. Bytes go
 * to Azurite (see ./azurite) through SAS-signed URLs, exactly as they go to Azure Blob Storage on GitHub.
 *
 *   const azurite = await startAzurite();
 *   const svc = await startResultsService({ azurite });
 *   spawn(node, [script], { env: { ...svc.env({ job: 'train' }), ... } })  // real clients read the env
 *   svc.assertNoViolations(); await svc.close(); await azurite.close();
 *
 * Twirp JSON over `POST /twirp/github.actions.results.api.v1.{ArtifactService,CacheService}/<Method>`:
 * - ArtifactService: CreateArtifact (→ a signed upload URL, Put Block/Put Block List to Azurite),
 *   FinalizeArtifact (checks the blob: committed, size and sha256 as the client says; → artifact_id),
 *   ListArtifacts (finalized artifacts of the token's run; name_filter, id_filter), GetSignedArtifactURL
 *   (read SAS, with a Content-Disposition override naming the file), DeleteArtifact (deletes the blob too).
 * - CacheService: CreateCacheEntry (→ signed upload URL; 409 if key+version exists in the scope),
 *   FinalizeCacheEntryUpload (checks the blob and size_bytes; → entry_id), GetCacheEntryDownloadURL
 *   (GitHub's matching: per readable scope — the token's ref, then the default branch — the key exactly,
 *   then as a prefix, then each restore key exactly and as a prefix; newest first; the version must match;
 *   a miss is `ok: false`).
 * Requests are checked: method and route, Content-Type, the bearer token (one this service minted: HS256
 * signature checked), the body against the request message (unknown fields, wrong types, missing fields),
 * backend ids against the token's `scp` claim, and the order of calls. A broken rule answers a Twirp error
 * `{code, msg}` and is recorded in `violations`; legitimate refusals (not found, already exists) are not.
 * Responses are written as GitHub's Twirp server writes them: proto field names, defaults emitted, int64 as
 * strings, unset messages as null.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BlobSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  type ContainerClient,
} from '@azure/storage-blob';
import type { Azurite } from './azurite';
import {
  ARTIFACT_SERVICE,
  ArtifactMessages,
  CACHE_SERVICE,
  CacheMessages,
  TWIRP_STATUS,
  TwirpError,
  decodeMessage,
  type MessageSchema,
} from './twirp';

/** The SAS version the signed URLs carry (Azurite 3.35 validates up to 2025-11-05). */
export const SAS_VERSION = '2024-11-04';

export interface ResultsServiceOptions {
  azurite: Pick<Azurite, 'blobUrl' | 'accountName' | 'accountKey'>;
  /** The blob container everything goes to (created at start). Default `actions-results`. */
  container?: string;
  /** The repository's default branch: caches saved there are readable from every ref. Default refs/heads/main. */
  defaultBranch?: string;
  /** Lifetime of signed URLs. Default 60 minutes. */
  sasLifetimeMinutes?: number;
}

export interface JobEnvOptions {
  /** The workflow run (by a name of yours); jobs of one run share artifacts. Default `run`. */
  run?: string;
  /** The job within the run (by a name of yours; the same name gives the same job backend id). Default `job`. */
  job?: string;
  /** GITHUB_REF of the job: its cache scope. Default refs/heads/main. */
  ref?: string;
  /** What the token may do with caches: read-write (default), read-only (e.g. a fork's pull request), none. */
  cache?: 'read-write' | 'read-only' | 'none';
}

export interface ArtifactRecord {
  id: string;
  runBackendId: string;
  jobBackendId: string;
  name: string;
  version: number;
  mimeType?: string;
  expiresAt?: string;
  createdAt: string;
  blobName: string;
  state: 'created' | 'finalized' | 'deleted';
  /** After finalize: bytes in the blob, its sha256 (`sha256:<hex>`) and how many blocks were committed. */
  size?: number;
  digest?: string;
  blocks?: number;
}

export interface CacheEntryRecord {
  id: string;
  key: string;
  version: string;
  scope: string;
  createdAt: string;
  blobName: string;
  state: 'created' | 'finalized';
  size?: number;
}

export interface TwirpCall {
  service: string;
  method: string;
  /** The decoded request (proto field names), or the raw body when it did not decode. */
  request: unknown;
  status: number;
  response: unknown;
  job?: { run: string; job: string };
}

export interface Violation {
  method: string;
  code: string;
  message: string;
  request: unknown;
}

export interface ResultsService {
  /** http://127.0.0.1:<port>/ — ACTIONS_RESULTS_URL. */
  url: string;
  /** The environment a job step gets from the runner for these services (token, URLs, run ids). */
  env(options?: JobEnvOptions): Record<string, string>;
  /** The backend ids a job's token carries. */
  backendIds(options?: Pick<JobEnvOptions, 'run' | 'job'>): { runBackendId: string; jobBackendId: string };
  readonly artifacts: ArtifactRecord[];
  readonly cacheEntries: CacheEntryRecord[];
  readonly calls: TwirpCall[];
  readonly violations: Violation[];
  callsTo(method: string): TwirpCall[];
  /** The stored bytes of a finalized artifact (the zip, or the raw file for skipArchive uploads). */
  artifactBytes(id: string | number): Promise<Buffer>;
  assertNoViolations(): void;
  resetRecords(): void;
  close(): Promise<void>;
}

interface TokenClaims {
  scp: string;
  ac: string;
  run: string;
  job: string;
  iat: number;
  exp: number;
}

interface Caller {
  runBackendId: string;
  jobBackendId: string;
  names: { run: string; job: string };
  /** Cache scopes in read order, with permission bits (1 read, 2 write) as GitHub's `ac` claim has them. */
  scopes: { Scope: string; Permission: number }[];
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const MAX_BODY = 1 << 20;

export async function startResultsService(options: ResultsServiceOptions): Promise<ResultsService> {
  const { azurite } = options;
  const containerName = options.container ?? 'actions-results';
  const defaultBranch = options.defaultBranch ?? 'refs/heads/main';
  const sasLifetimeMs = (options.sasLifetimeMinutes ?? 60) * 60_000;
  const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
  const blobService = new BlobServiceClient(azurite.blobUrl, credential, { retryOptions: { maxTries: 2, tryTimeoutInMs: 30_000 } });
  const container: ContainerClient = blobService.getContainerClient(containerName);
  await container.createIfNotExists();

  const secret = createHash('sha256').update(randomUUID()).digest();
  const runs = new Map<string, { backendId: string; runId: string }>();
  const jobs = new Map<string, string>();
  const artifacts: ArtifactRecord[] = [];
  const cacheEntries: CacheEntryRecord[] = [];
  const calls: TwirpCall[] = [];
  const violations: Violation[] = [];
  let nextArtifactId = 2n ** 32n + 1n; // beyond int32, so a truncating client shows
  let nextCacheId = 2n ** 32n + 101n;
  let url = '';

  const run = (name: string) => {
    let r = runs.get(name);
    if (!r) runs.set(name, (r = { backendId: randomUUID(), runId: String(1_658_821_493 + runs.size) }));
    return r;
  };
  const job = (runName: string, jobName: string) => {
    const k = `${runName}\u0000${jobName}`;
    let j = jobs.get(k);
    if (!j) jobs.set(k, (j = randomUUID()));
    return j;
  };

  function mintToken(o: Required<JobEnvOptions>): string {
    const r = run(o.run);
    const jobId = job(o.run, o.job);
    const bits = o.cache === 'read-write' ? 3 : o.cache === 'read-only' ? 1 : 0;
    const scopes = o.cache === 'none' ? [] : [{ Scope: o.ref, Permission: bits }];
    if (o.cache !== 'none' && o.ref !== defaultBranch) scopes.push({ Scope: defaultBranch, Permission: 1 });
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      // Like the runner's token: other scopes around the one the clients look for.
      scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.UploadArtifacts:${r.backendId}:${jobId} Actions.Results:${r.backendId}:${jobId}`,
      ac: JSON.stringify(scopes),
      run: o.run,
      job: o.job,
      iat: now,
      exp: now + 6 * 3600,
    };
    const head = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))}.${b64url(JSON.stringify(claims))}`;
    return `${head}.${b64url(createHmac('sha256', secret).update(head).digest())}`;
  }

  function authenticate(req: IncomingMessage): Caller {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!m) throw new TwirpError('unauthenticated', 'no bearer token in the Authorization header', true);
    const parts = m[1]!.split('.');
    if (parts.length !== 3) throw new TwirpError('unauthenticated', 'the bearer token is not a JWT', true);
    const sig = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2]!, 'base64url');
    if (given.length !== sig.length || !timingSafeEqual(given, sig)) {
      throw new TwirpError('unauthenticated', 'the bearer token was not issued by this service (bad signature)', true);
    }
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as TokenClaims;
    if (claims.exp * 1000 < Date.now()) throw new TwirpError('unauthenticated', 'the bearer token has expired', true);
    const results = claims.scp.split(' ').find((s) => s.startsWith('Actions.Results:'))!.split(':');
    return {
      runBackendId: results[1]!,
      jobBackendId: results[2]!,
      names: { run: claims.run, job: claims.job },
      scopes: JSON.parse(claims.ac) as Caller['scopes'],
    };
  }

  // ---- signed URLs ----
  function signedUrl(blobName: string, permissions: string, extra: { contentDisposition?: string } = {}): string {
    const sas = generateBlobSASQueryParameters(
      {
        containerName,
        blobName,
        permissions: BlobSASPermissions.parse(permissions),
        expiresOn: new Date(Date.now() + sasLifetimeMs),
        version: SAS_VERSION,
        ...extra,
      },
      credential,
    ).toString();
    return `${container.getBlobClient(blobName).url}?${sas}`;
  }

  async function inspectBlob(blobName: string): Promise<{ size: number; digest: string; blocks: number } | undefined> {
    const blob = container.getBlockBlobClient(blobName);
    if (!(await blob.exists())) return undefined;
    const dl = await blob.download();
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of dl.readableStreamBody as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    const list = await blob.getBlockList('committed');
    return { size, digest: `sha256:${hash.digest('hex')}`, blocks: list.committedBlocks?.length ?? 0 };
  }

  // ---- ArtifactService ----
  function checkRun(caller: Caller, body: Record<string, unknown>, sameJob: boolean) {
    if (body.workflow_run_backend_id !== caller.runBackendId) {
      throw new TwirpError('permission_denied', `workflow_run_backend_id ${String(body.workflow_run_backend_id)} is not the token's run (${caller.runBackendId})`, true);
    }
    const jobKnown = [...jobs.values()].includes(String(body.workflow_job_run_backend_id));
    if (sameJob ? body.workflow_job_run_backend_id !== caller.jobBackendId : !jobKnown) {
      throw new TwirpError('permission_denied', `workflow_job_run_backend_id ${String(body.workflow_job_run_backend_id)} is not ${sameJob ? "the token's job" : 'a job of this run'}`, true);
    }
  }
  const live = (a: ArtifactRecord) => a.state !== 'deleted';
  /** The finalized artifact a request names: by run and name; the job id must be the uploading job's (the clients take it from ListArtifacts). */
  function finalizedByName(caller: Caller, body: Record<string, unknown>): ArtifactRecord {
    const a = artifacts.find((x) => x.state === 'finalized' && x.runBackendId === caller.runBackendId && x.name === body.name);
    if (!a) throw new TwirpError('not_found', `no artifact '${String(body.name)}' in this run`, false);
    if (a.jobBackendId !== body.workflow_job_run_backend_id) {
      throw new TwirpError('not_found', `artifact '${a.name}' was not uploaded by job ${String(body.workflow_job_run_backend_id)} (ListArtifacts gives the uploader's id)`, true);
    }
    return a;
  }
  const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\r\n\\/]/;

  const artifactHandlers: Record<string, (caller: Caller, body: Record<string, unknown>) => Promise<unknown>> = {
    async CreateArtifact(caller, body) {
      checkRun(caller, body, true);
      const name = body.name as string;
      if (ARTIFACT_NAME_FORBIDDEN.test(name)) throw new TwirpError('invalid_argument', `artifact name '${name}' has a forbidden character`, true);
      if ((body.version as number) < 4) throw new TwirpError('invalid_argument', `version ${String(body.version)}: this service serves artifacts v4 and later`, true);
      if (artifacts.some((a) => live(a) && a.runBackendId === caller.runBackendId && a.name === name)) {
        throw new TwirpError('already_exists', 'an artifact with this name already exists on the workflow run', false);
      }
      const mimeType = body.mime_type as string | undefined;
      const id = String(nextArtifactId++);
      const zip = mimeType === undefined || mimeType === 'application/zip';
      const record: ArtifactRecord = {
        id,
        runBackendId: caller.runBackendId,
        jobBackendId: caller.jobBackendId,
        name,
        version: body.version as number,
        mimeType,
        expiresAt: body.expires_at as string | undefined,
        createdAt: new Date().toISOString(),
        blobName: `${caller.runBackendId}/${caller.jobBackendId}/artifacts/${id}${zip ? '.zip' : ''}`,
        state: 'created',
      };
      artifacts.push(record);
      return { ok: true, signed_upload_url: signedUrl(record.blobName, 'cw') };
    },

    async FinalizeArtifact(caller, body) {
      checkRun(caller, body, true);
      const a = artifacts.find((x) => live(x) && x.runBackendId === caller.runBackendId && x.name === body.name);
      if (!a) throw new TwirpError('not_found', `no artifact '${String(body.name)}' was created in this run`, true);
      if (a.state === 'finalized') throw new TwirpError('failed_precondition', `artifact '${a.name}' is already finalized`, true);
      if (a.jobBackendId !== caller.jobBackendId) throw new TwirpError('permission_denied', `artifact '${a.name}' was created by another job`, true);
      const blob = await inspectBlob(a.blobName);
      if (!blob) throw new TwirpError('failed_precondition', `nothing was uploaded for artifact '${a.name}' (no committed blob)`, true);
      const size = (body.size as string | undefined) ?? '0';
      if (BigInt(size) !== BigInt(blob.size)) {
        throw new TwirpError('invalid_argument', `size ${size} differs from the uploaded blob's ${blob.size} bytes`, true);
      }
      const hash = body.hash as string | undefined;
      if (hash !== undefined && hash !== blob.digest) {
        throw new TwirpError('invalid_argument', `hash ${hash} differs from the uploaded blob's ${blob.digest}`, true);
      }
      Object.assign(a, { state: 'finalized', size: blob.size, digest: hash ?? blob.digest, blocks: blob.blocks });
      return { ok: true, artifact_id: a.id };
    },

    async ListArtifacts(caller, body) {
      checkRun(caller, body, false);
      const name = body.name_filter as string | undefined;
      const id = body.id_filter as string | undefined;
      const found = artifacts.filter(
        (a) => a.state === 'finalized' && a.runBackendId === caller.runBackendId && (name === undefined || a.name === name) && (id === undefined || a.id === id),
      );
      return {
        artifacts: found.map((a) => ({
          workflow_run_backend_id: a.runBackendId,
          workflow_job_run_backend_id: a.jobBackendId,
          database_id: a.id,
          name: a.name,
          size: String(a.size ?? 0),
          created_at: a.createdAt,
          digest: a.digest ?? null,
        })),
      };
    },

    async GetSignedArtifactURL(caller, body) {
      checkRun(caller, body, false);
      const a = finalizedByName(caller, body);
      const file = a.blobName.endsWith('.zip') ? `${a.name}.zip` : a.name;
      const ascii = file.replace(/[^\x20-\x7e]|["\\]/g, '_');
      return { signed_url: signedUrl(a.blobName, 'r', { contentDisposition: `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file)}` }) };
    },

    async DeleteArtifact(caller, body) {
      checkRun(caller, body, false);
      const a = finalizedByName(caller, body);
      a.state = 'deleted';
      await container.getBlobClient(a.blobName).deleteIfExists();
      return { ok: true, artifact_id: a.id };
    },
  };

  // ---- CacheService ----
  function checkKey(key: string, what: string) {
    if (key.length > 512) throw new TwirpError('invalid_argument', `${what} is longer than 512 characters`, true);
    if (key.includes(',')) throw new TwirpError('invalid_argument', `${what} '${key}' contains a comma`, true);
  }
  const writeScope = (caller: Caller) => caller.scopes.find((s) => s.Permission & 2)?.Scope;
  const readScopes = (caller: Caller) => caller.scopes.filter((s) => s.Permission & 1).map((s) => s.Scope);

  const cacheHandlers: Record<string, (caller: Caller, body: Record<string, unknown>) => Promise<unknown>> = {
    async CreateCacheEntry(caller, body) {
      const key = body.key as string;
      checkKey(key, 'key');
      const scope = writeScope(caller);
      if (!scope) return { ok: false, signed_upload_url: '', message: `cache write denied: the token may not write caches (key ${key})` };
      if (cacheEntries.some((e) => e.scope === scope && e.key === key && e.version === body.version)) {
        throw new TwirpError('already_exists', 'cache entry with the same key, version, and scope already exists', false);
      }
      const id = String(nextCacheId++);
      const entry: CacheEntryRecord = {
        id,
        key,
        version: body.version as string,
        scope,
        createdAt: new Date().toISOString(),
        blobName: `caches/${createHash('sha256').update(scope).digest('hex').slice(0, 16)}/${id}`,
        state: 'created',
      };
      cacheEntries.push(entry);
      return { ok: true, signed_upload_url: signedUrl(entry.blobName, 'cw'), message: '' };
    },

    async FinalizeCacheEntryUpload(caller, body) {
      const scope = writeScope(caller);
      const e = cacheEntries.find((x) => x.scope === scope && x.key === body.key && x.version === body.version);
      if (!e) throw new TwirpError('not_found', `no cache entry '${String(body.key)}' (version ${String(body.version)}) was created in scope ${String(scope)}`, true);
      if (e.state === 'finalized') throw new TwirpError('failed_precondition', `cache entry '${e.key}' is already finalized`, true);
      const blob = await inspectBlob(e.blobName);
      if (!blob) throw new TwirpError('failed_precondition', `nothing was uploaded for cache entry '${e.key}'`, true);
      const size = (body.size_bytes as string | undefined) ?? '0';
      if (BigInt(size) !== BigInt(blob.size)) {
        throw new TwirpError('invalid_argument', `size_bytes ${size} differs from the uploaded blob's ${blob.size} bytes`, true);
      }
      Object.assign(e, { state: 'finalized', size: blob.size });
      return { ok: true, entry_id: e.id, message: '' };
    },

    async GetCacheEntryDownloadURL(caller, body) {
      const key = body.key as string;
      const restoreKeys = (body.restore_keys as string[] | undefined) ?? [];
      checkKey(key, 'key');
      restoreKeys.forEach((k, i) => checkKey(k, `restore_keys[${i}]`));
      if (restoreKeys.length + 1 > 10) throw new TwirpError('invalid_argument', 'at most 10 keys (key and restore_keys)', true);
      const scopes = readScopes(caller);
      if (scopes.length === 0) throw new TwirpError('permission_denied', 'cache read denied: the token has no readable cache scope', false);
      const hit = matchCache(cacheEntries, scopes, key, restoreKeys, body.version as string);
      if (!hit) return { ok: false, signed_download_url: '', matched_key: '' };
      return { ok: true, signed_download_url: signedUrl(hit.blobName, 'r'), matched_key: hit.key };
    },
  };

  // ---- HTTP ----
  const services: Record<string, { handlers: typeof artifactHandlers; messages: Record<string, MessageSchema> }> = {
    [ARTIFACT_SERVICE]: { handlers: artifactHandlers, messages: ArtifactMessages },
    [CACHE_SERVICE]: { handlers: cacheHandlers, messages: CacheMessages },
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    const path = (req.url ?? '').split('?')[0]!;
    const m = /^\/twirp\/([\w.]+)\/(\w+)$/.exec(path);
    const call: TwirpCall = { service: m?.[1] ?? '', method: m?.[2] ?? path, request: raw.toString('utf8'), status: 0, response: undefined };
    calls.push(call);
    const send = (status: number, body: unknown) => {
      call.status = status;
      call.response = body;
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      if (!m) throw new TwirpError('bad_route', `no route ${req.method} ${path} (this service answers POST /twirp/<service>/<method>)`, true);
      if (req.method !== 'POST') throw new TwirpError('bad_route', `unsupported method ${req.method} (only POST is allowed)`, true);
      const service = services[m[1]!];
      const handler = service?.handlers[m[2]!];
      if (!service || !handler) throw new TwirpError('bad_route', `no handler for path ${path}`, true);
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') throw new TwirpError('bad_route', `unexpected Content-Type '${type}' (this fake speaks Twirp JSON only)`, true);
      const caller = authenticate(req);
      call.job = caller.names;
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw new TwirpError('malformed', `the body is not JSON: ${(err as Error).message}`, true);
      }
      const body = decodeMessage(service.messages[m[2]!]!, json);
      call.request = body;
      send(200, await handler(caller, body));
    } catch (err) {
      if (err instanceof TwirpError) {
        if (err.violation) violations.push({ method: call.method, code: err.code, message: err.message, request: call.request });
        send(TWIRP_STATUS[err.code], { code: err.code, msg: err.message });
      } else {
        violations.push({ method: call.method, code: 'internal', message: `the fake failed: ${(err as Error).stack ?? String(err)}`, request: call.request });
        // 500 would make the clients retry for a while; a fake's own failure should fail fast.
        send(400, { code: 'internal', msg: `the fake results service failed: ${(err as Error).message}` });
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      violations.push({ method: req.url ?? '', code: 'internal', message: String(err), request: undefined });
      if (!res.headersSent) res.writeHead(400).end();
    });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => res());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const service: ResultsService = {
    url,
    env(o = {}) {
      const full: Required<JobEnvOptions> = { run: o.run ?? 'run', job: o.job ?? 'job', ref: o.ref ?? defaultBranch, cache: o.cache ?? 'read-write' };
      return {
        ACTIONS_RUNTIME_TOKEN: mintToken(full),
        ACTIONS_RESULTS_URL: url,
        ACTIONS_CACHE_SERVICE_V2: 'True',
        // The v1 cache service is not emulated; a client that fell back to it would call here and fail.
        ACTIONS_CACHE_URL: `${url}v1-cache-service-not-emulated/`,
        GITHUB_RUN_ID: run(full.run).runId,
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_REF: full.ref,
        GITHUB_JOB: full.job,
        // Anything but github.com / *.ghe.com / *.localhost is taken for GitHub Enterprise Server, which
        // both clients refuse: point GITHUB_API_URL, not this, at a fake API.
        GITHUB_SERVER_URL: 'https://github.com',
      };
    },
    backendIds(o = {}) {
      return { runBackendId: run(o.run ?? 'run').backendId, jobBackendId: job(o.run ?? 'run', o.job ?? 'job') };
    },
    artifacts,
    cacheEntries,
    calls,
    violations,
    callsTo: (method) => calls.filter((c) => c.method === method),
    async artifactBytes(id) {
      const a = artifacts.find((x) => x.id === String(id) && x.state === 'finalized');
      if (!a) throw new Error(`no finalized artifact ${id}`);
      return container.getBlobClient(a.blobName).downloadToBuffer();
    },
    assertNoViolations() {
      if (violations.length) {
        throw new Error(`the fake results service saw ${violations.length} protocol violation(s):\n${violations.map((v) => `- ${v.method}: [${v.code}] ${v.message}`).join('\n')}`);
      }
    },
    resetRecords() {
      calls.length = 0;
      violations.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
  return service;
}

/**
 * GitHub's cache matching: for each readable scope in order (the job's ref, then the default branch), the
 * key exactly, then the key as a prefix, then each restore key exactly and then as a prefix; among several
 * prefix matches the newest entry wins; only finalized entries of the same version count.
 */
export function matchCache<E extends Pick<CacheEntryRecord, 'key' | 'version' | 'scope' | 'createdAt' | 'state' | 'id'>>(
  entries: E[],
  scopes: string[],
  key: string,
  restoreKeys: string[],
  version: string,
): E | undefined {
  for (const scope of scopes) {
    const candidates = entries
      .filter((e) => e.scope === scope && e.version === version && e.state === 'finalized')
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    for (const k of [key, ...restoreKeys]) {
      const hit = candidates.find((e) => e.key === k) ?? candidates.find((e) => e.key.startsWith(k));
      if (hit) return hit;
    }
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) {
        req.destroy();
        rej(new Error('request body over 1 MiB'));
      } else chunks.push(c);
    });
    req.on('end', () => res(Buffer.concat(chunks)));
    req.on('error', rej);
  });
}
