/**
 * A dataset: one file or several (a glob), read as one stream of row batches, with a content hash.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, readdir, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors';
import { displayPath } from './common';
import { readCsv } from './csv';
import { readCsvOnThread, readsOnThread } from './csv-thread';
import { readJsonl } from './jsonl';
import { readParquet } from './parquet';
import type { DataFormat, DatasetFile, ReadOptions, RowBatch } from './types';

const FORMATS: readonly DataFormat[] = ['csv', 'jsonl', 'parquet'];

const EXTENSIONS: Record<string, DataFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.parquet': 'parquet',
  '.pq': 'parquet',
};

/** The format of a file: `override` when given, else from the extension. */
export function formatOf(path: string, override?: DataFormat): DataFormat {
  if (override !== undefined) {
    if (!FORMATS.includes(override)) {
      throw new UserError(`unknown data format '${String(override)}'`, { input: 'format' }, 'Set the `format` input to csv, jsonl or parquet.');
    }
    return override;
  }
  const ext = extname(path).toLowerCase();
  const format = EXTENSIONS[ext];
  if (format === undefined) {
    throw new UserError(
      ext === ''
        ? `cannot tell the format of '${displayPath(path)}': it has no extension`
        : `cannot tell the format of '${displayPath(path)}' from its extension '${ext}'`,
      { input: 'format' },
      'Set the `format` input to csv, jsonl or parquet, or name the file .csv, .tsv, .jsonl, .ndjson or .parquet.',
    );
  }
  return format;
}

/**
 * The files a `data` input names: a path (a file, or a directory: every data file under it) or a glob
 * (`*` and `?` within a path segment, `**` for any number of directories, `[abc]` and `{a,b}`),
 * relative to `cwd` unless absolute. Paths are absolute, sorted, without duplicates. Names starting
 * with '.' match only a pattern segment that starts with '.'.
 */
export async function listDataset(pattern: string, cwd: string): Promise<DatasetFile[]> {
  const trimmed = pattern.trim();
  if (trimmed === '') {
    throw new UserError('no dataset given', { input: 'data' }, 'Set the `data` input to a file path or a glob such as data/*.csv.');
  }
  const found = new Set<string>();
  for (const p of expandBraces(trimmed)) {
    const abs = isAbsolute(p) ? p : resolve(cwd, p);
    const segments = abs.split(/[\\/]+/);
    const firstMagic = segments.findIndex(hasMagic);
    if (firstMagic < 0) {
      await addLiteral(abs, found);
    } else {
      const base = segments.slice(0, firstMagic).join('/') || '/';
      const before = found.size;
      await walk(base, segments.slice(firstMagic), 0, found);
      // A name with a literal '[' or '?' in it: take it as a path when the glob matched nothing.
      if (found.size === before) await addLiteral(abs, found);
    }
  }
  if (found.size === 0) {
    const magic = expandBraces(trimmed).some((p) => p.split(/[\\/]+/).some(hasMagic));
    throw new UserError(
      magic ? `no file matches '${trimmed}'` : `'${trimmed}' does not exist or holds no data files`,
      { input: 'data' },
      `Paths are relative to ${cwd}. Check the spelling, and that the data is there at this step (checked out, downloaded or generated earlier in the job).`,
    );
  }
  const paths = [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files: DatasetFile[] = [];
  for (const path of paths) {
    try {
      await access(path, constants.R_OK);
      const st = await stat(path);
      files.push({ path, size: st.size });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      throw new UserError(
        `cannot read '${displayPath(path)}' (${code})`,
        { input: 'data', file: displayPath(path) },
        'Check the file permissions, or exclude this file from the `data` pattern.',
      );
    }
  }
  return files;
}

function hasMagic(segment: string): boolean {
  return /[*?[]/.test(segment);
}

/** `a{b,c}d` → [abd, acd]; nested braces are expanded too; a brace without a comma is literal. */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  const commas: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '{') {
      if (depth === 0) {
        open = i;
        commas.length = 0;
      }
      depth++;
    } else if (ch === ',' && depth === 1) {
      commas.push(i);
    } else if (ch === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        if (commas.length === 0) continue;
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const bounds = [open, ...commas, i];
        const out: string[] = [];
        for (let k = 0; k + 1 < bounds.length; k++) {
          const alt = pattern.slice(bounds[k]! + 1, bounds[k + 1]!);
          out.push(...expandBraces(head + alt + tail));
        }
        return out;
      }
    }
  }
  return [pattern];
}

/** A regular expression for one glob segment. */
function segmentRegex(segment: string): RegExp {
  let re = '^';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`, process.platform === 'win32' ? 'i' : '');
}

type Kind = 'file' | 'dir' | 'other';

async function kindOf(path: string): Promise<Kind> {
  try {
    const st = await stat(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'other';
  }
}

async function entries(dir: string): Promise<{ name: string; kind: Kind; link: boolean }[]> {
  let list;
  try {
    list = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: { name: string; kind: Kind; link: boolean }[] = [];
  for (const d of list) {
    if (d.isSymbolicLink()) out.push({ name: d.name, kind: await kindOf(join(dir, d.name)), link: true });
    else out.push({ name: d.name, kind: d.isFile() ? 'file' : d.isDirectory() ? 'dir' : 'other', link: false });
  }
  return out;
}

async function walk(dir: string, segs: string[], idx: number, found: Set<string>): Promise<void> {
  const seg = segs[idx]!;
  const last = idx === segs.length - 1;
  if (seg === '**') {
    if (last) {
      await allFiles(dir, found, () => true);
      return;
    }
    // Zero directories, then one more level for each (not following links, not into dot-directories).
    await walk(dir, segs, idx + 1, found);
    for (const e of await entries(dir)) {
      if (e.kind === 'dir' && !e.link && !e.name.startsWith('.')) await walk(join(dir, e.name), segs, idx, found);
    }
    return;
  }
  if (!hasMagic(seg)) {
    const child = join(dir, seg);
    const kind = await kindOf(child);
    if (last ? kind === 'file' : kind === 'dir') {
      if (last) found.add(child);
      else await walk(child, segs, idx + 1, found);
    }
    return;
  }
  const re = segmentRegex(seg);
  const dots = seg.startsWith('.');
  for (const e of await entries(dir)) {
    if (e.name.startsWith('.') && !dots) continue;
    if (!re.test(e.name)) continue;
    const child = join(dir, e.name);
    if (last) {
      if (e.kind === 'file') found.add(child);
    } else if (e.kind === 'dir') await walk(child, segs, idx + 1, found);
  }
}

async function allFiles(dir: string, found: Set<string>, keep: (path: string) => boolean): Promise<void> {
  for (const e of await entries(dir)) {
    if (e.name.startsWith('.')) continue;
    const child = join(dir, e.name);
    if (e.kind === 'file') {
      if (keep(child)) found.add(child);
    } else if (e.kind === 'dir' && !e.link) await allFiles(child, found, keep);
  }
}

async function addLiteral(abs: string, found: Set<string>): Promise<void> {
  const kind = await kindOf(abs);
  if (kind === 'file') found.add(abs);
  else if (kind === 'dir') await allFiles(abs, found, (p) => extname(p).toLowerCase() in EXTENSIONS);
}

/** Whether readDataset(files, options) reads some file on a thread of its own (a large CSV file: csv-thread.ts). */
export function readsOnAThread(files: DatasetFile[], options: ReadOptions = {}): boolean {
  return files.some((f) => formatOf(f.path, options.format) === 'csv' && readsOnThread(f.size, options));
}

/**
 * Reads the files one after another with the reader for each one's format. `onProgress` counts bytes
 * over the whole dataset.
 */
export async function* readDataset(files: DatasetFile[], options: ReadOptions = {}): AsyncGenerator<RowBatch> {
  const total = files.reduce((sum, f) => sum + f.size, 0);
  let done = 0;
  for (const f of files) {
    const format = formatOf(f.path, options.format);
    const onProgress = options.onProgress;
    const opts: ReadOptions = { ...options, onProgress: onProgress ? (bytes: number) => onProgress(done + bytes, total) : undefined };
    if (format === 'csv') yield* readsOnThread(f.size, opts) ? readCsvOnThread(f.path, opts) : readCsv(f.path, opts);
    else if (format === 'jsonl') yield* readJsonl(f.path, opts);
    else yield* readParquet(f.path, opts);
    done += f.size;
  }
}

/**
 * Content hash of a dataset, `sha256:<hex>`.
 * - One file: the sha256 of its bytes (so it equals `sha256sum file`).
 * - Several files: the sha256 of a manifest text with one line per file, `<path>\t<sha256 hex>\n`,
 *   sorted by path, where path is relative to the files' deepest common directory with '/' separators.
 *   It is thus independent of the order the files are given in and of where the dataset is checked
 *   out, and changes when any file's bytes, name or place in the tree change.
 * Files are hashed as streams (constant memory).
 */
export async function hashDataset(files: DatasetFile[], known?: ReadonlyMap<string, string>): Promise<string> {
  // `known`: sha256 (hex) of files already hashed while they were read (ReadOptions.onFileHash), by path.
  const fileHash = async (path: string) => known?.get(path) ?? (await hashFile(path));
  if (files.length === 1) return `sha256:${await fileHash(files[0]!.path)}`;
  const base = commonDir(files.map((f) => resolve(f.path)));
  const lines: string[] = [];
  for (const f of files) {
    const rel = relative(base, resolve(f.path)).split(sep).join('/');
    lines.push(`${rel}\t${await fileHash(f.path)}\n`);
  }
  lines.sort();
  return `sha256:${createHash('sha256').update(lines.join('')).digest('hex')}`;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new UserError(`cannot read '${displayPath(path)}' (${code})`, { input: 'data', file: displayPath(path) }, 'Check that the file exists and is readable.');
  }
  return hash.digest('hex');
}

function commonDir(paths: string[]): string {
  let base = dirname(paths[0]!);
  for (const p of paths) {
    while (base !== dirname(base) && !(p === base || p.startsWith(base.endsWith(sep) ? base : base + sep))) base = dirname(base);
  }
  return base;
}
