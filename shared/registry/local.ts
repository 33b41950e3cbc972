/**
 * The registry in a folder (default .mlops/registry), for the CLI and the demo:
 *   <root>/<name>/v<N>/        model.onnx, manifest.json, …, model-card.md, version.json
 *   <root>/<name>/aliases.json the alias book (current aliases and every move)
 * A version is assembled in a temporary folder and published by renaming it to v<N>: the rename fails
 * when v<N> exists, so concurrent registrations take consecutive numbers and no half-written version is
 * ever visible. The alias book is changed under an exclusive lock file and replaced by rename.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors';
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

export async function sha256OfFile(path: string): Promise<{ sha256: string; size: number }> {
  const data = await readFile(path);
  return { sha256: `sha256:${createHash('sha256').update(data).digest('hex')}`, size: data.length };
}

export class LocalRegistry implements Registry {
  readonly kind = 'local' as const;
  constructor(readonly root: string) {}

  private dir(name: string): string {
    return join(this.root, name);
  }

  private toVersion(meta: VersionMeta): ModelVersion {
    return { ...meta, tag: tagOf(meta.name, meta.version), url: pathToFileURL(join(this.dir(meta.name), `v${meta.version}`)).href };
  }

  async versionIndex(name: string): Promise<{ versions: VersionIndexEntry[]; aliases: Record<string, number> }> {
    const versions = (await this.list(name)).map((v) => ({
      version: v.version,
      digest: v.digest,
      createdAt: v.createdAt,
      ...(v.passed !== undefined ? { passed: v.passed } : {}),
      ...(v.pullRequest !== undefined ? { pullRequest: v.pullRequest } : {}),
      ...(v.headSha ? { headSha: v.headSha } : {}),
    }));
    return { versions, aliases: (await this.aliases(name)).aliases };
  }

  urlOf(name: string, version: number): string {
    return pathToFileURL(join(this.dir(name), `v${version}`)).href;
  }

  async get(name: string, version: number): Promise<ModelVersion | undefined> {
    checkName(name);
    const file = join(this.dir(name), `v${version}`, 'version.json');
    if (!existsSync(file)) return undefined;
    const parsed = VersionMeta.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.success) throw new UserError(`The registry entry ${file} is corrupt: ${parsed.error.issues[0]?.message}`, { file });
    return this.toVersion(parsed.data);
  }

  async list(name: string): Promise<ModelVersion[]> {
    checkName(name);
    if (!existsSync(this.dir(name))) return [];
    const nums = (await readdir(this.dir(name)))
      .map((d) => /^v(\d+)$/.exec(d)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => b - a);
    const out: ModelVersion[] = [];
    for (const n of nums) {
      const v = await this.get(name, n);
      if (v) out.push(v);
    }
    return out;
  }

  resolve(ref: string): Promise<ModelVersion> {
    return resolveWith(this, ref);
  }

  async register(name: string, files: RegisterFiles, meta: RegisterMeta): Promise<RegisterResult> {
    checkName(name);
    const model = await sha256OfFile(files['model.onnx']);
    const existing = (await this.list(name)).find((v) => v.digest === model.sha256);
    if (existing) return { version: existing, created: false };
    await mkdir(this.dir(name), { recursive: true });
    const tmp = join(this.dir(name), `.tmp-${randomBytes(6).toString('hex')}`);
    await mkdir(tmp);
    try {
      const assets: AssetInfo[] = [];
      for (const [asset, path] of Object.entries(files) as [AssetName, string | undefined][]) {
        if (!path) continue;
        await copyFile(path, join(tmp, asset));
        const h = await sha256OfFile(join(tmp, asset));
        assets.push({ name: asset, ...h });
      }
      const latest = (await this.list(name))[0]?.version ?? 0;
      for (let n = latest + 1; ; n++) {
        const card = meta.card(n, model.sha256);
        await writeFile(join(tmp, 'model-card.md'), card);
        const cardHash = await sha256OfFile(join(tmp, 'model-card.md'));
        const v: VersionMeta = {
          name,
          version: n,
          digest: model.sha256,
          createdAt: new Date().toISOString(),
          ...(meta.createdBy ? { createdBy: meta.createdBy } : {}),
          ...(meta.commit ? { commit: meta.commit } : {}),
          ...(meta.pullRequest !== undefined ? { pullRequest: meta.pullRequest } : {}),
          ...(meta.headSha ? { headSha: meta.headSha } : {}),
          ...(meta.runUrl ? { runUrl: meta.runUrl } : {}),
          ...(meta.passed !== undefined ? { passed: meta.passed } : {}),
          ...(meta.parent !== undefined ? { parent: meta.parent } : {}),
          ...(meta.notes ? { notes: meta.notes } : {}),
          assets: [...assets, { name: 'model-card.md', ...cardHash }],
        };
        await writeFile(join(tmp, 'version.json'), `${JSON.stringify(v, null, 2)}\n`);
        try {
          // Atomic publish: fails when another registration took v<n> first.
          await rename(tmp, join(this.dir(name), `v${n}`));
          return { version: this.toVersion(v), created: true };
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        }
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async aliases(name: string): Promise<AliasBook> {
    checkName(name);
    const file = join(this.dir(name), 'aliases.json');
    if (!existsSync(file)) return emptyBook(name);
    const parsed = AliasBook.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.success) throw new UserError(`The alias book ${file} is corrupt: ${parsed.error.issues[0]?.message}`, { file });
    return parsed.data;
  }

  async setAlias(name: string, alias: string, version: number, meta: MoveMeta): Promise<AliasMove> {
    checkAlias(alias);
    if (!(await this.get(name, version))) throw new UserError(`Model '${name}' has no version ${version}`, { input: 'version' });
    return this.withLock(name, async () => {
      const book = await this.aliases(name);
      const move = applyMove(book, alias, version, meta);
      const file = join(this.dir(name), 'aliases.json');
      const tmp = `${file}.${randomBytes(4).toString('hex')}`;
      await writeFile(tmp, `${JSON.stringify(book, null, 2)}\n`);
      await rename(tmp, file);
      return move;
    });
  }

  /** Serializes alias changes between processes with an exclusive lock file (stale after 30 s). */
  private async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    await mkdir(this.dir(name), { recursive: true });
    const lock = join(this.dir(name), '.aliases.lock');
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const fh = await open(lock, 'wx');
        await fh.close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
        if (age > 30_000) await rm(lock, { force: true });
        if (Date.now() - started > 60_000) throw new UserError(`The registry's alias lock ${lock} is held for over a minute`, {}, 'remove the lock file if no other mlops process is running');
        await new Promise((r) => setTimeout(r, Math.min(200, 5 * (attempt + 1))));
      }
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  }

  async download(version: ModelVersion, dir: string, only?: AssetName[]): Promise<Record<string, string>> {
    await mkdir(dir, { recursive: true });
    const out: Record<string, string> = {};
    for (const a of version.assets) {
      if (only && !only.includes(a.name as AssetName)) continue;
      const src = join(this.dir(version.name), `v${version.version}`, a.name);
      const dst = join(dir, a.name);
      await copyFile(src, dst);
      const h = await sha256OfFile(dst);
      if (h.sha256 !== a.sha256) {
        await rm(dst, { force: true });
        throw new UserError(
          `${version.name}@v${version.version}: ${a.name} does not match its recorded digest (recorded ${a.sha256}, got ${h.sha256})`,
          { file: src },
          'the registry copy was changed or corrupted: do not deploy it; register the model again',
        );
      }
      out[a.name] = dst;
    }
    return out;
  }
}
