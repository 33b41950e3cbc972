/**
 * Where the served model comes from, and swapping versions without failing a request.
 *
 * A source says which version should be served now (`check`: cheap, no download) and fetches it
 * (`fetch`: the bytes, digest-verified). The host loads a new version completely (session, output
 * plan, a warm-up run) next to the old one, then switches `current` in one assignment: requests that
 * arrive afterwards go to the new version, requests already pinned to the old one finish in its
 * batches, and the old session is released after the last of them. Reloads are serialized; a failed
 * one leaves the current version serving.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { displayPath } from '../data/common';
import { isUserError, UserError } from '../errors';
import { loadModel } from '../model/infer';
import { parseRef, type ModelVersion, type Registry } from '../registry/types';
import type { BatcherOptions } from './batcher';
import { HttpError } from './http';
import { ServedModel, type BatchObserver } from './served-model';

export interface Target {
  version: string;
  digest: string;
}

export interface Fetched extends Target {
  bytes: Uint8Array;
  origin: string;
  /** How messages name the model (`churn v3`, `models/churn.onnx`). */
  label: string;
  /** The version's training-data profile (profile.json), when the registry has one. */
  profile?: unknown;
}

export interface ModelSource {
  /** The model's name in URLs (/v2/models/{name}). */
  readonly name: string;
  /** For logs: `churn@production in .mlops/registry`, `model.onnx`. */
  describe(): string;
  /** Which version should be served now. */
  check(): Promise<Target>;
  fetch(target: Target): Promise<Fetched>;
}

/** The target column's interior bin edges from a profile.json, when it has numeric bins for it. */
export function profileBuckets(profile: unknown, target: string | undefined): number[] | undefined {
  if (!target || profile === null || typeof profile !== 'object') return undefined;
  const col = (profile as { columns?: Record<string, { numeric?: { binEdges?: unknown } }> }).columns?.[target];
  const edges = col?.numeric?.binEdges;
  if (!Array.isArray(edges) || edges.length < 3 || !edges.every((e) => typeof e === 'number' && Number.isFinite(e))) return undefined;
  return (edges as number[]).slice(1, -1);
}

/** A registry reference: `churn@production` (an alias: followed), `churn@v3`, `churn@latest`, `churn@sha256:…`. */
export class RegistrySource implements ModelSource {
  readonly name: string;
  private resolved: ModelVersion | undefined;

  constructor(
    private readonly registry: Registry,
    readonly ref: string,
    private readonly where: string,
  ) {
    this.name = parseRef(ref).name;
  }

  describe(): string {
    return `${this.ref} in ${this.where}`;
  }

  async check(): Promise<Target> {
    const v = await this.registry.resolve(this.ref);
    this.resolved = v;
    return { version: String(v.version), digest: v.digest };
  }

  async fetch(target: Target): Promise<Fetched> {
    const v = this.resolved && String(this.resolved.version) === target.version ? this.resolved : await this.registry.get(this.name, Number(target.version));
    if (!v) throw new UserError(`model '${this.name}' has no version ${target.version} any more`);
    const dir = await mkdtemp(join(tmpdir(), 'mlops-serve-'));
    try {
      const wanted = v.assets.some((a) => a.name === 'profile.json') ? (['model.onnx', 'profile.json'] as const) : (['model.onnx'] as const);
      const files = await this.registry.download(v, dir, [...wanted]);
      const bytes = await readFile(files['model.onnx']!);
      let profile: unknown;
      if (files['profile.json']) {
        try {
          profile = JSON.parse(await readFile(files['profile.json'], 'utf8'));
        } catch {
          profile = undefined; // only used for histogram buckets: a default will do
        }
      }
      return { version: String(v.version), digest: v.digest, bytes, origin: `${this.ref} (v${v.version}) in ${this.where}`, label: `${this.name} v${v.version}`, ...(profile !== undefined ? { profile } : {}) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** A model file: re-read when its bytes change (checked by size and mtime first, then sha256). */
export class FileSource implements ModelSource {
  private seen: { size: number; mtimeMs: number; digest: string; version: number } | undefined;

  constructor(
    readonly path: string,
    readonly name: string = basename(path, extname(path)),
  ) {}

  describe(): string {
    return displayPath(this.path);
  }

  async check(): Promise<Target> {
    let st;
    try {
      st = await stat(this.path);
    } catch {
      throw new UserError(`model file '${displayPath(this.path)}' does not exist`, { input: 'model' });
    }
    if (this.seen && this.seen.size === st.size && this.seen.mtimeMs === st.mtimeMs) return { version: String(this.seen.version), digest: this.seen.digest };
    const bytes = await readFile(this.path);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const version = !this.seen ? 1 : this.seen.digest === digest ? this.seen.version : this.seen.version + 1;
    this.seen = { size: st.size, mtimeMs: st.mtimeMs, digest, version };
    return { version: String(version), digest };
  }

  async fetch(target: Target): Promise<Fetched> {
    const bytes = await readFile(this.path);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    // Changed again since check(): serve what is there now, under a new version number.
    const version = digest === target.digest ? target.version : String(Number(target.version) + 1);
    if (digest !== target.digest && this.seen) this.seen = { ...this.seen, digest, version: Number(version) };
    return { version, digest, bytes, origin: displayPath(this.path), label: displayPath(this.path) };
  }
}

export interface ReloadResult {
  changed: boolean;
  version: string;
  digest: string;
  previous?: string;
  warning?: string;
}

export interface HostEvents {
  /** A version is now served (the previous one, if any, is retiring). */
  swapped?(current: ServedModel, previous: ServedModel | undefined): void;
  reload?(result: 'success' | 'unchanged' | 'failure', error?: unknown): void;
  log?(message: string): void;
}

export interface HostOptions {
  source: ModelSource;
  batch?: BatcherOptions;
  /** onnxruntime intra-op threads per session (default 1: a batch of a tabular model is microseconds of work). */
  threads?: number;
  observer?: BatchObserver;
  events?: HostEvents;
}

export class ModelHost {
  readonly source: ModelSource;
  current: ServedModel | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private pollTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: HostOptions) {
    this.source = options.source;
  }

  get name(): string {
    return this.source.name;
  }

  /**
   * Makes the source's current version the served one (no-op when it already is). Serialized: a
   * reload asked for while one runs starts after it (and usually finds nothing to do).
   */
  reload(): Promise<ReloadResult> {
    const run = this.chain.then(() => this.reloadNow());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(): Promise<ReloadResult> {
    const events = this.options.events;
    let next: ServedModel | undefined;
    try {
      const target = await this.source.check();
      const cur = this.current;
      if (cur && cur.digest === target.digest) {
        events?.reload?.('unchanged');
        return { changed: false, version: cur.version, digest: cur.digest };
      }
      const fetched = await this.source.fetch(target);
      const loaded = await loadModel(fetched.bytes, { name: fetched.label, intraOpNumThreads: this.options.threads ?? 1, interOpNumThreads: 1 });
      const valueBuckets = profileBuckets(fetched.profile, loaded.mlops.target);
      next = new ServedModel({
        name: this.name,
        version: fetched.version,
        digest: fetched.digest,
        origin: fetched.origin,
        loaded,
        ...(this.options.batch ? { batch: this.options.batch } : {}),
        ...(this.options.observer ? { observer: this.options.observer } : {}),
        ...(valueBuckets ? { valueBuckets } : {}),
      });
      const warning = await next.warmup();
      if (this.closed) {
        next.retire();
        throw new HttpError(503, 'the server is shutting down');
      }
      // The swap: one assignment. Requests from now on pin `next`.
      const previous = this.current;
      this.current = next;
      events?.swapped?.(next, previous);
      // Released once its last pinned request is answered.
      previous?.retire();
      events?.log?.(`serving ${this.name} v${next.version} (${next.digest.slice(0, 19)}…) from ${next.origin}${previous ? `, was v${previous.version}` : ''}`);
      if (warning) events?.log?.(`warning: ${warning}`);
      events?.reload?.('success');
      return { changed: true, version: next.version, digest: next.digest, ...(previous ? { previous: previous.version } : {}), ...(warning ? { warning } : {}) };
    } catch (e) {
      events?.reload?.('failure', e);
      throw e;
    }
  }

  /** Checks the source every `seconds` (0: never). A failed check is logged; the current version keeps serving. */
  startPolling(seconds: number): void {
    if (!(seconds > 0)) return;
    const tick = async (): Promise<void> => {
      if (this.closed) return;
      try {
        await this.reload();
      } catch (e) {
        this.options.events?.log?.(`warning: polling ${this.source.describe()} failed, still serving ${this.current ? `v${this.current.version}` : 'nothing'}: ${isUserError(e) ? e.message : e instanceof Error ? e.message : String(e)}`);
      }
      if (!this.closed) this.pollTimer = setTimeout(() => void tick(), seconds * 1000);
      this.pollTimer?.unref();
    };
    this.pollTimer = setTimeout(() => void tick(), seconds * 1000);
    this.pollTimer.unref();
  }

  /** The served model for a request (pinned until `release()`); 503 before the first load. */
  acquire(): ServedModel {
    const m = this.current;
    if (!m) throw new HttpError(503, `model '${this.name}' is not loaded yet`, { 'retry-after': '1' });
    m.acquire();
    return m;
  }

  /** Stops polling; waits for the running reload; releases the served version once idle. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    await this.chain;
    const m = this.current;
    this.current = undefined;
    if (m) {
      m.retire();
      await m.batcher.idle();
    }
  }
}
