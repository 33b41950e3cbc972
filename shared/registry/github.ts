/**
 * The registry on a GitHub repository.
 *
 *   version  = a release tagged <name>/v<N>: assets model.onnx, manifest.json, evaluation.json,
 *              profile.json, model-card.md; body = the model card, with the version's metadata in a
 *              hidden block (<!-- mlops-actions:version {...} -->).
 *   index    = models/<name>.json on the branch `mlops-registry`: aliases, every alias move, and a
 *              digest index of the versions (so a registration and a deploy need no release listing).
 *
 * Consistency:
 *   - Version numbers are allocated by creating the tag: a second create of the same ref fails with 422,
 *     so concurrent registrations take N, N+1, … and never the same number.
 *   - A release is created as a draft, its assets uploaded and each upload's sha256 (GitHub's `digest`)
 *     checked against the local bytes, and only then published: an interrupted run leaves a draft, never
 *     a published half-version. The next registration of the same bytes finds that draft (by tag and
 *     digest), completes it and publishes it.
 *   - The index is replaced with the contents API's compare-and-swap (the blob sha of the version read):
 *     a concurrent change makes the write fail with 409, and the change is re-applied to the new index,
 *     so no alias move and no version is lost.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors';
import { isApiError, type GitHubClient } from '../github';
import type { Logger } from '../runtime/context';
import {
  AliasBook,
  VersionMeta,
  applyMove,
  checkAlias,
  checkName,
  emptyBook,
  resolveWith,
  tagOf,
  type AliasMove,
  type AssetInfo,
  type AssetName,
  type ModelVersion,
  type MoveMeta,
  type RegisterFiles,
  type RegisterMeta,
  type RegisterResult,
  type Registry,
  type VersionIndexEntry,
} from './types';

export const REGISTRY_BRANCH = 'mlops-registry';
const META_RE = /<!-- mlops-actions:version (\{.*?\}) -->/s;

/** The index file: the alias book plus what a registration and a deploy need about each version. */
export const RegistryIndex = AliasBook.extend({
  versions: z.record(z.string(), z.object({ digest: z.string(), passed: z.boolean().optional(), pullRequest: z.number().int().optional(), headSha: z.string().optional(), createdAt: z.string() })).default({}),
});
export type RegistryIndex = z.output<typeof RegistryIndex>;

interface IndexRead {
  index: RegistryIndex;
  /** Blob sha of the file read (undefined: the file does not exist yet). */
  sha: string | undefined;
}

const ReleaseAsset = z.object({ id: z.number(), name: z.string(), size: z.number(), digest: z.string().nullable().optional(), state: z.string().optional() });
const Release = z.object({
  id: z.number(),
  tag_name: z.string(),
  draft: z.boolean(),
  html_url: z.string(),
  upload_url: z.string(),
  body: z.string().nullable().optional(),
  created_at: z.string(),
  assets: z.array(ReleaseAsset).default([]),
});
type Release = z.output<typeof Release>;

function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface GitHubRegistryOptions {
  owner: string;
  repo: string;
  /** For the URLs of release pages (default https://github.com). */
  serverUrl?: string;
  /** The commit new version tags point at (the workflow's GITHUB_SHA). */
  commit: string;
  log: Logger;
  branch?: string;
}

export class GitHubRegistry implements Registry {
  readonly kind = 'github' as const;
  private readonly branch: string;
  /** The index as last read by versionIndex(): the compare-and-swap base of the next setAlias. */
  private readonly lastRead = new Map<string, IndexRead>();
  constructor(
    private readonly gh: GitHubClient,
    private readonly o: GitHubRegistryOptions,
  ) {
    this.branch = o.branch ?? REGISTRY_BRANCH;
  }

  private get repoArgs() {
    return { owner: this.o.owner, repo: this.o.repo };
  }

  // ---- the index file ---------------------------------------------------------------------------

  private indexPath(name: string): string {
    return `models/${name}.json`;
  }

  async readIndex(name: string): Promise<IndexRead> {
    try {
      const res = await this.gh.rest.repos.getContent({ ...this.repoArgs, path: this.indexPath(name), ref: this.branch });
      const file = z.object({ sha: z.string(), content: z.string(), encoding: z.literal('base64') }).parse(res.data);
      const parsed = RegistryIndex.safeParse(JSON.parse(Buffer.from(file.content, 'base64').toString('utf8')));
      if (!parsed.success) {
        throw new UserError(`The registry index ${this.indexPath(name)} on branch ${this.branch} is corrupt: ${parsed.error.issues[0]?.message}`, {}, 'restore it from the branch history');
      }
      return { index: parsed.data, sha: file.sha };
    } catch (err) {
      if (isApiError(err) && err.status === 404) return { index: { ...emptyBook(name), versions: {} }, sha: undefined };
      throw err;
    }
  }

  /** Applies `change` to the index with compare-and-swap, re-reading and re-applying on a conflict. */
  private async updateIndex<T>(name: string, message: string, change: (index: RegistryIndex) => T, first?: IndexRead): Promise<T> {
    let read = first ?? (await this.readIndex(name));
    for (let attempt = 0; attempt < 20; attempt++) {
      const result = change(read.index);
      const content = Buffer.from(`${JSON.stringify(read.index, null, 2)}\n`).toString('base64');
      try {
        await this.gh.rest.repos.createOrUpdateFileContents({
          ...this.repoArgs,
          path: this.indexPath(name),
          message,
          content,
          branch: this.branch,
          ...(read.sha ? { sha: read.sha } : {}),
        });
        return result;
      } catch (err) {
        if (!isApiError(err)) throw err;
        if (err.status === 404 && attempt === 0 && !read.sha) {
          // The registry branch does not exist yet: create it at this commit, then write.
          await this.createBranch();
          continue;
        }
        if (err.status === 409 || err.status === 422) {
          // Someone else changed the index since we read it: re-read and re-apply.
          this.o.log.debug(`registry index changed concurrently (HTTP ${err.status}); re-applying`);
          await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
          read = await this.readIndex(name);
          continue;
        }
        throw err;
      }
    }
    throw new UserError(`Could not update the registry index for '${name}': it kept changing under us (20 attempts)`, {}, 'retry the job');
  }

  private async createBranch(): Promise<void> {
    try {
      await this.gh.rest.git.createRef({ ...this.repoArgs, ref: `refs/heads/${this.branch}`, sha: this.o.commit });
      this.o.log.info(`Created the registry branch ${this.branch}`);
    } catch (err) {
      if (!(isApiError(err) && err.status === 422)) throw err; // created concurrently: fine
    }
  }

  // ---- versions -----------------------------------------------------------------------------------

  private toVersion(r: Release): ModelVersion | undefined {
    const m = META_RE.exec(r.body ?? '');
    if (!m) return undefined;
    const parsed = VersionMeta.safeParse(JSON.parse(m[1]!));
    if (!parsed.success) return undefined;
    return { ...parsed.data, tag: r.tag_name, url: r.html_url };
  }

  async get(name: string, version: number): Promise<ModelVersion | undefined> {
    checkName(name);
    try {
      const res = await this.gh.rest.repos.getReleaseByTag({ ...this.repoArgs, tag: tagOf(name, version) });
      return this.toVersion(Release.parse(res.data));
    } catch (err) {
      if (isApiError(err) && err.status === 404) return undefined;
      throw err;
    }
  }

  private async releases(): Promise<Release[]> {
    const all = await this.gh.paginate(this.gh.rest.repos.listReleases, { ...this.repoArgs, per_page: 100 });
    return z.array(Release).parse(all);
  }

  async list(name: string): Promise<ModelVersion[]> {
    checkName(name);
    const prefix = `${name}/v`;
    return (await this.releases())
      .filter((r) => !r.draft && r.tag_name.startsWith(prefix))
      .map((r) => this.toVersion(r))
      .filter((v): v is ModelVersion => v !== undefined && v.name === name)
      .sort((a, b) => b.version - a.version);
  }

  resolve(ref: string): Promise<ModelVersion> {
    return resolveWith(this, ref);
  }

  async aliases(name: string): Promise<AliasBook> {
    checkName(name);
    const { index } = await this.readIndex(name);
    return { format: index.format, version: index.version, name: index.name, aliases: index.aliases, history: index.history };
  }

  async versionIndex(name: string): Promise<{ versions: VersionIndexEntry[]; aliases: Record<string, number> }> {
    checkName(name);
    const read = await this.readIndex(name);
    this.lastRead.set(name, read);
    const versions = Object.entries(read.index.versions)
      .map(([n, v]) => ({ version: Number(n), ...v }))
      .sort((a, b) => b.version - a.version);
    return { versions, aliases: { ...read.index.aliases } };
  }

  urlOf(name: string, version: number): string {
    return `${this.o.serverUrl ?? 'https://github.com'}/${this.o.owner}/${this.o.repo}/releases/tag/${tagOf(name, version)}`;
  }

  async setAlias(name: string, alias: string, version: number, meta: MoveMeta): Promise<AliasMove> {
    checkAlias(alias);
    // Reuse the index deploy just read (one call fewer); the write's compare-and-swap catches a change since.
    const read = this.lastRead.get(name) ?? (await this.readIndex(name));
    this.lastRead.delete(name);
    if (!read.index.versions[String(version)] && !(await this.get(name, version))) {
      throw new UserError(`Model '${name}' has no version ${version}`, { input: 'version' });
    }
    return this.updateIndex(name, `${name}: ${alias} → v${version}${meta.reason ? ` (${meta.reason})` : ''}`, (index) => applyMove(index, alias, version, meta), read);
  }

  async register(name: string, files: RegisterFiles, meta: RegisterMeta): Promise<RegisterResult> {
    checkName(name);
    const log = this.o.log;
    const local: { name: AssetName; data: Uint8Array; info: AssetInfo }[] = [];
    for (const [asset, path] of Object.entries(files) as [AssetName, string | undefined][]) {
      if (!path) continue;
      const data = new Uint8Array(await readFile(path));
      local.push({ name: asset, data, info: { name: asset, sha256: sha256(data), size: data.length } });
    }
    const digest = local.find((a) => a.name === 'model.onnx')!.info.sha256;

    const read = await this.readIndex(name);
    const known = Object.entries(read.index.versions).find(([, v]) => v.digest === digest);
    if (known) {
      const existing = await this.get(name, Number(known[0]));
      if (existing) return { version: existing, created: false };
    }
    let n = Math.max(0, ...Object.keys(read.index.versions).map(Number)) + 1;
    let release: Release | undefined;
    let versionMeta: VersionMeta | undefined;
    for (let attempt = 0; attempt < 50 && !release; attempt++, n++) {
      const tag = tagOf(name, n);
      try {
        await this.gh.rest.git.createRef({ ...this.repoArgs, ref: `refs/tags/${tag}`, sha: this.o.commit });
      } catch (err) {
        if (!(isApiError(err) && err.status === 422)) throw err;
        // The tag exists: a published version (maybe ours, if a run died before indexing it), a draft
        // of ours left by an interrupted run (same digest: complete it), or another run's.
        const adopted = await this.adoptExisting(name, n, digest);
        if (adopted === 'published') {
          const v = await this.get(name, n);
          if (v) {
            await this.updateIndex(name, `${name}: index v${n}`, (index) => indexVersion(index, v));
            return { version: v, created: false };
          }
        } else if (adopted) {
          release = adopted;
          versionMeta = this.toVersionMeta(adopted);
          log.info(`Completing the draft of ${tag} left by an interrupted run`);
          break;
        }
        continue;
      }
      versionMeta = buildMeta(name, n, digest, meta, local.map((a) => a.info));
      const card = meta.card(n, digest);
      const body = `${card}\n\n<!-- mlops-actions:version ${JSON.stringify(versionMeta)} -->\n`;
      const res = await this.gh.rest.repos.createRelease({ ...this.repoArgs, tag_name: tag, name: `${name} v${n}`, body, draft: true, target_commitish: this.o.commit });
      release = Release.parse(res.data);
      local.push({ name: 'model-card.md', data: new Uint8Array(Buffer.from(card)), info: versionMeta.assets.find((a) => a.name === 'model-card.md')! });
    }
    if (!release || !versionMeta) throw new UserError(`Could not allocate a version number for '${name}' after 50 attempts`, {}, 'retry the job');
    if (!local.some((a) => a.name === 'model-card.md')) {
      local.push({ name: 'model-card.md', data: new Uint8Array(Buffer.from(meta.card(versionMeta.version, digest))), info: versionMeta.assets.find((a) => a.name === 'model-card.md')! });
    }

    // Upload what is missing; GitHub reports each asset's sha256, which must be the local bytes'.
    const have = new Map(release.assets.map((a) => [a.name, a]));
    for (const a of local) {
      const recorded = versionMeta.assets.find((x) => x.name === a.name);
      const present = have.get(a.name);
      if (present && present.state !== 'starter' && present.digest === recorded?.sha256) continue;
      if (present) await this.gh.rest.repos.deleteReleaseAsset({ ...this.repoArgs, asset_id: present.id });
      const res = await this.gh.rest.repos.uploadReleaseAsset({
        ...this.repoArgs,
        release_id: release.id,
        url: release.upload_url,
        name: a.name,
        data: Buffer.from(a.data) as unknown as string,
        headers: { 'content-type': a.name.endsWith('.json') ? 'application/json' : a.name.endsWith('.md') ? 'text/markdown' : 'application/octet-stream', 'content-length': a.data.length },
      });
      const uploaded = ReleaseAsset.parse(res.data);
      if (uploaded.digest && recorded && uploaded.digest !== recorded.sha256) {
        throw new UserError(`Upload of ${a.name} to ${release.tag_name} was corrupted: GitHub has ${uploaded.digest}, the file is ${recorded.sha256}`, {}, 'retry the job; the draft is not published');
      }
    }
    const published = await this.gh.rest.repos.updateRelease({ ...this.repoArgs, release_id: release.id, draft: false });
    const version: ModelVersion = { ...versionMeta, tag: release.tag_name, url: Release.parse(published.data).html_url };
    // The index read at the start is the compare-and-swap base: a concurrent change since makes the write
    // fail and the change is re-applied to the new index.
    await this.updateIndex(name, `${name}: register v${version.version}`, (index) => indexVersion(index, version), read);
    return { version, created: true };
  }

  private toVersionMeta(r: Release): VersionMeta | undefined {
    const v = this.toVersion(r);
    if (!v) return undefined;
    const { tag: _t, url: _u, ...meta } = v;
    return meta;
  }

  /** After a 422 on tag N: 'published' when N is a published version of these bytes, our draft to complete, or undefined. */
  private async adoptExisting(name: string, n: number, digest: string): Promise<Release | 'published' | undefined> {
    const tag = tagOf(name, n);
    const r = (await this.releases()).find((x) => x.tag_name === tag);
    if (!r) return undefined;
    const v = this.toVersion(r);
    if (!v || v.digest !== digest) return undefined;
    return r.draft ? r : 'published';
  }

  async download(version: ModelVersion, dir: string, only?: AssetName[]): Promise<Record<string, string>> {
    await mkdir(dir, { recursive: true });
    const res = await this.gh.rest.repos.getReleaseByTag({ ...this.repoArgs, tag: version.tag });
    const release = Release.parse(res.data);
    const out: Record<string, string> = {};
    for (const a of version.assets) {
      if (only && !only.includes(a.name as AssetName)) continue;
      const asset = release.assets.find((x) => x.name === a.name);
      if (!asset) throw new UserError(`${version.tag} has no asset ${a.name}`, {}, 'the release was edited: register the model again');
      const got = await this.gh.rest.repos.getReleaseAsset({ ...this.repoArgs, asset_id: asset.id, headers: { accept: 'application/octet-stream' } });
      const data = new Uint8Array(got.data as unknown as ArrayBuffer);
      const h = sha256(data);
      if (h !== a.sha256) {
        throw new UserError(
          `${version.name}@v${version.version}: ${a.name} does not match its recorded digest (recorded ${a.sha256}, downloaded ${h})`,
          {},
          'the release asset was replaced or corrupted: do not deploy it; register the model again',
        );
      }
      const path = join(dir, a.name);
      await writeFile(path, data);
      out[a.name] = path;
    }
    return out;
  }
}

function buildMeta(name: string, version: number, digest: string, meta: RegisterMeta, assets: AssetInfo[]): VersionMeta {
  const card = Buffer.from(meta.card(version, digest));
  return {
    name,
    version,
    digest,
    createdAt: new Date().toISOString(),
    ...(meta.createdBy ? { createdBy: meta.createdBy } : {}),
    ...(meta.commit ? { commit: meta.commit } : {}),
    ...(meta.pullRequest !== undefined ? { pullRequest: meta.pullRequest } : {}),
    ...(meta.headSha ? { headSha: meta.headSha } : {}),
    ...(meta.runUrl ? { runUrl: meta.runUrl } : {}),
    ...(meta.passed !== undefined ? { passed: meta.passed } : {}),
    ...(meta.parent !== undefined ? { parent: meta.parent } : {}),
    ...(meta.notes ? { notes: meta.notes } : {}),
    assets: [...assets, { name: 'model-card.md', sha256: sha256(card), size: card.length }],
  };
}

function indexVersion(index: RegistryIndex, v: ModelVersion): void {
  index.versions[String(v.version)] = {
    digest: v.digest,
    createdAt: v.createdAt,
    ...(v.passed !== undefined ? { passed: v.passed } : {}),
    ...(v.pullRequest !== undefined ? { pullRequest: v.pullRequest } : {}),
    ...(v.headSha ? { headSha: v.headSha } : {}),
  };
}
