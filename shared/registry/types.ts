/**
 * The model registry: one interface, two backends with the same semantics (GitHub Releases for a
 * repository; a folder for the CLI and the demo). A version is immutable: a number, the bytes of its
 * assets and their sha256, and where it came from. Aliases (production, staging, candidate, …) point at
 * versions; every move is recorded (who, when, from, to, why) and no concurrent move is lost.
 */
import { z } from 'zod';
import { UserError } from '../errors';

export const ASSET_NAMES = ['model.onnx', 'manifest.json', 'evaluation.json', 'profile.json', 'model-card.md'] as const;
export type AssetName = (typeof ASSET_NAMES)[number];

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const ALIAS_PATTERN = /^[a-z][a-z0-9-]{0,49}$/;

export const AssetInfo = z.object({ name: z.string(), sha256: z.string().regex(/^sha256:[0-9a-f]{64}$/), size: z.number().int().nonnegative() });
export type AssetInfo = z.output<typeof AssetInfo>;

/** What a version records about its origin; stored with it (release body / version.json). */
export const VersionMeta = z.object({
  name: z.string(),
  version: z.number().int().positive(),
  /** sha256 of model.onnx: what "the same model" means. */
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  createdAt: z.string(),
  createdBy: z.string().optional(),
  commit: z.string().optional(),
  pullRequest: z.number().int().optional(),
  /** The PR's head commit when registered from a PR: deploy finds the candidate by it too. */
  headSha: z.string().optional(),
  runUrl: z.string().optional(),
  /** Whether evaluate's gates passed (undefined when no evaluation was registered). */
  passed: z.boolean().optional(),
  /** The version this one was compared with (evaluate's baseline), when it came from the registry. */
  parent: z.number().int().optional(),
  notes: z.string().optional(),
  assets: z.array(AssetInfo),
});
export type VersionMeta = z.output<typeof VersionMeta>;

export interface ModelVersion extends VersionMeta {
  tag: string;
  /** Where a person can see it: the release page, or the folder. */
  url: string;
}

export const AliasMove = z.object({
  alias: z.string(),
  from: z.number().int().nullable(),
  to: z.number().int(),
  at: z.string(),
  by: z.string(),
  reason: z.string().optional(),
  pullRequest: z.number().int().optional(),
  runUrl: z.string().optional(),
});
export type AliasMove = z.output<typeof AliasMove>;

/** Aliases and their history for one model: a file the backends update by compare-and-swap. */
export const AliasBook = z.object({
  format: z.literal('mlops-actions/aliases'),
  version: z.literal(1),
  name: z.string(),
  aliases: z.record(z.string(), z.number().int()),
  history: z.array(AliasMove),
});
export type AliasBook = z.output<typeof AliasBook>;

export function emptyBook(name: string): AliasBook {
  return { format: 'mlops-actions/aliases', version: 1, name, aliases: {}, history: [] };
}

export interface RegisterFiles {
  /** Local paths of the assets to register; model.onnx is required. */
  'model.onnx': string;
  'manifest.json'?: string;
  'evaluation.json'?: string;
  'profile.json'?: string;
}

export interface RegisterMeta {
  createdBy?: string;
  commit?: string;
  pullRequest?: number;
  headSha?: string;
  runUrl?: string;
  passed?: boolean;
  parent?: number;
  notes?: string;
  /** The model card (the release body), made by the caller from manifest and evaluation. */
  card: (version: number, digest: string) => string;
}

export interface RegisterResult {
  version: ModelVersion;
  /** false when the same bytes were registered before: the existing version is returned. */
  created: boolean;
}

export interface MoveMeta {
  by: string;
  reason?: string;
  pullRequest?: number;
  runUrl?: string;
}

/** What deploy needs to know about each version, from one read. */
export interface VersionIndexEntry {
  version: number;
  digest: string;
  passed?: boolean;
  pullRequest?: number;
  headSha?: string;
  createdAt: string;
}

export interface Registry {
  readonly kind: 'github' | 'local';
  /** Every version's digest, verdict and PR, and the current aliases (GitHub: the index file, one call). */
  versionIndex(name: string): Promise<{ versions: VersionIndexEntry[]; aliases: Record<string, number> }>;
  /** The page where a person sees a version (release page or folder), without a lookup. */
  urlOf(name: string, version: number): string;
  register(name: string, files: RegisterFiles, meta: RegisterMeta): Promise<RegisterResult>;
  get(name: string, version: number): Promise<ModelVersion | undefined>;
  /** Every published version, newest first. */
  list(name: string): Promise<ModelVersion[]>;
  resolve(ref: string): Promise<ModelVersion>;
  /** Points an alias at a version (which must exist); returns the recorded move. */
  setAlias(name: string, alias: string, version: number, meta: MoveMeta): Promise<AliasMove>;
  aliases(name: string): Promise<AliasBook>;
  /** Downloads a version's assets into `dir`, refusing any whose sha256 differs from the recorded one. */
  download(version: ModelVersion, dir: string, only?: AssetName[]): Promise<Record<string, string>>;
}

export interface ParsedRef {
  name: string;
  /** alias, `v3`, `latest` or `sha256:…` */
  selector: { kind: 'alias'; alias: string } | { kind: 'version'; version: number } | { kind: 'latest' } | { kind: 'digest'; digest: string };
}

export function parseRef(ref: string, input = 'model'): ParsedRef {
  const at = ref.lastIndexOf('@');
  const name = at < 0 ? ref : ref.slice(0, at);
  const sel = at < 0 ? 'latest' : ref.slice(at + 1);
  if (!NAME_PATTERN.test(name)) {
    throw new UserError(`'${ref}' is not a model reference: the name '${name}' must be letters, digits, '.', '_' or '-'`, { input }, 'write name@production, name@v3, name@latest or name@sha256:<hex>');
  }
  if (sel === 'latest') return { name, selector: { kind: 'latest' } };
  const v = /^v(\d+)$/.exec(sel);
  if (v) return { name, selector: { kind: 'version', version: Number(v[1]) } };
  if (/^sha256:[0-9a-f]{64}$/.test(sel)) return { name, selector: { kind: 'digest', digest: sel } };
  if (ALIAS_PATTERN.test(sel)) return { name, selector: { kind: 'alias', alias: sel } };
  throw new UserError(`'${ref}' is not a model reference`, { input }, 'write name@production, name@v3, name@latest or name@sha256:<hex>');
}

export function tagOf(name: string, version: number): string {
  return `${name}/v${version}`;
}

/** Resolution shared by the backends, over the list of versions and the alias book. */
export async function resolveWith(reg: Pick<Registry, 'list' | 'aliases' | 'get'>, ref: string): Promise<ModelVersion> {
  const { name, selector } = parseRef(ref);
  const notFound = (what: string, hint: string) => new UserError(`${what}`, { input: 'model' }, hint);
  switch (selector.kind) {
    case 'latest': {
      const all = await reg.list(name);
      if (!all[0]) throw notFound(`No version of model '${name}' is registered`, 'register one with the register action');
      return all[0];
    }
    case 'version': {
      const v = await reg.get(name, selector.version);
      if (!v) throw notFound(`Model '${name}' has no version ${selector.version}`, `list the versions with \`mlops registry list ${name}\``);
      return v;
    }
    case 'digest': {
      const hit = (await reg.list(name)).find((v) => v.digest === selector.digest);
      if (!hit) throw notFound(`No version of '${name}' has the digest ${selector.digest}`, 'the model was never registered, or under another name');
      return hit;
    }
    case 'alias': {
      const book = await reg.aliases(name);
      const n = book.aliases[selector.alias];
      if (n === undefined) {
        const known = Object.keys(book.aliases);
        throw notFound(`Model '${name}' has no alias '${selector.alias}'${known.length ? ` (aliases: ${known.join(', ')})` : ''}`, `point it at a version with deploy, or \`mlops registry alias ${name} ${selector.alias} <version>\``);
      }
      const v = await reg.get(name, n);
      if (!v) throw notFound(`Alias ${name}@${selector.alias} points at version ${n}, which does not exist`, 'move the alias to an existing version');
      return v;
    }
  }
}

/** Applies a move to a book (pure: the backends do the compare-and-swap around it). */
export function applyMove(book: AliasBook, alias: string, to: number, meta: MoveMeta, at = new Date().toISOString()): AliasMove {
  const move: AliasMove = { alias, from: book.aliases[alias] ?? null, to, at, by: meta.by };
  if (meta.reason) move.reason = meta.reason;
  if (meta.pullRequest !== undefined) move.pullRequest = meta.pullRequest;
  if (meta.runUrl) move.runUrl = meta.runUrl;
  book.aliases[alias] = to;
  book.history.push(move);
  return move;
}

export function checkAlias(alias: string): void {
  if (!ALIAS_PATTERN.test(alias)) {
    throw new UserError(`'${alias}' is not a valid alias`, { input: 'alias' }, 'use lower-case letters, digits and dashes, starting with a letter (production, staging, candidate)');
  }
}

export function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw new UserError(`'${name}' is not a valid model name`, { input: 'model-name' }, 'use letters, digits, dots, dashes or underscores');
}
