import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expandBraces, formatOf, hashDataset, listDataset, readDataset } from '../../../shared/data/dataset';
import type { DatasetFile } from '../../../shared/data/types';
import { UserError } from '../../../shared/errors';
import { collect, tempDir, userError } from './helpers';

let root: string;
const files: Record<string, string> = {
  'data/a.csv': 'x,y\n1,2\n',
  'data/b.csv': 'x,y\n3,4\n5,6\n',
  'data/c.tsv': 'x\ty\n7\t8\n',
  'data/notes.md': '# notes\n',
  'data/.hidden.csv': 'x\n1\n',
  'data/x1.csv': 'x\n1\n',
  'data/x2.csv': 'x\n2\n',
  'data/x10.csv': 'x\n10\n',
  'data/sub/d.csv': 'x,y\n9,10\n',
  'data/sub/f.jsonl': '{"x":11}\n',
  'data/sub/deep/e.jsonl': '{"x":12,"z":"q"}\n',
  'data/.git/g.jsonl': '{"x":0}\n',
};

beforeAll(async () => {
  root = await tempDir('mlops-dataset-');
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), content);
  }
});

const list = async (pattern: string) => (await listDataset(pattern, root)).map((f) => f.path.slice(root.length + 1).replaceAll('\\', '/'));
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe('formatOf', () => {
  it('infers the format from the extension, case-insensitively', () => {
    expect(formatOf('a/b.csv')).toBe('csv');
    expect(formatOf('b.TSV')).toBe('csv');
    expect(formatOf('b.txt')).toBe('csv');
    expect(formatOf('b.jsonl')).toBe('jsonl');
    expect(formatOf('b.ndjson')).toBe('jsonl');
    expect(formatOf('b.parquet')).toBe('parquet');
    expect(formatOf('b.pq')).toBe('parquet');
  });

  it('uses the override when given', () => {
    expect(formatOf('b.dat', 'jsonl')).toBe('jsonl');
    expect(formatOf('b.csv', 'parquet')).toBe('parquet');
  });

  it('rejects an unknown extension, suggesting the format input', () => {
    for (const p of ['data/b.xlsx', 'data/README']) {
      let err: unknown;
      try {
        formatOf(p);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).location.input).toBe('format');
      expect((err as UserError).message).toContain(p);
      expect((err as UserError).hint).toContain('`format` input');
    }
  });
});

describe('listDataset', () => {
  it('resolves a single path to an absolute path with its size', async () => {
    const got = await listDataset('data/a.csv', root);
    expect(got).toEqual([{ path: join(root, 'data/a.csv'), size: files['data/a.csv']!.length }]);
    expect(await listDataset(join(root, 'data/b.csv'), '/')).toEqual([{ path: join(root, 'data/b.csv'), size: files['data/b.csv']!.length }]);
  });

  it('matches * within one directory, skipping dot-files, sorted', async () => {
    expect(await list('data/*.csv')).toEqual(['data/a.csv', 'data/b.csv', 'data/x1.csv', 'data/x10.csv', 'data/x2.csv']);
    expect(await list('./data/*.tsv')).toEqual(['data/c.tsv']);
  });

  it('matches ? as exactly one character and [..] as a character class', async () => {
    expect(await list('data/x?.csv')).toEqual(['data/x1.csv', 'data/x2.csv']);
    expect(await list('data/[ab].csv')).toEqual(['data/a.csv', 'data/b.csv']);
    expect(await list('data/[!ab].tsv')).toEqual(['data/c.tsv']);
  });

  it('matches ** as any number of directories (including none), not entering dot-directories', async () => {
    expect(await list('data/**/*.jsonl')).toEqual(['data/sub/deep/e.jsonl', 'data/sub/f.jsonl']);
    expect(await list('data/**/*.csv')).toEqual([
      'data/a.csv',
      'data/b.csv',
      'data/sub/d.csv',
      'data/x1.csv',
      'data/x10.csv',
      'data/x2.csv',
    ]);
    expect(await list('**/deep/*')).toEqual(['data/sub/deep/e.jsonl']);
    expect(await list('data/sub/**')).toEqual(['data/sub/d.csv', 'data/sub/deep/e.jsonl', 'data/sub/f.jsonl']);
  });

  it('matches dot-files when the pattern segment starts with a dot', async () => {
    expect(await list('data/.*.csv')).toEqual(['data/.hidden.csv']);
  });

  it('expands {a,b} alternatives', async () => {
    expect(expandBraces('x/{a,b{1,2}}.csv')).toEqual(['x/a.csv', 'x/b1.csv', 'x/b2.csv']);
    expect(expandBraces('x/{a}.csv')).toEqual(['x/{a}.csv']);
    expect(await list('data/{a,c}.{csv,tsv}')).toEqual(['data/a.csv', 'data/c.tsv']);
  });

  it('lists the data files under a directory', async () => {
    expect(await list('data/sub')).toEqual(['data/sub/d.csv', 'data/sub/deep/e.jsonl', 'data/sub/f.jsonl']);
  });

  it('fails with a UserError on input data when nothing matches', async () => {
    const none = await userError(listDataset('data/*.parquet', root));
    expect(none.message).toBe("no file matches 'data/*.parquet'");
    expect(none.location).toEqual({ input: 'data' });
    expect(none.hint).toContain(root);
    const missing = await userError(listDataset('data/missing.csv', root));
    expect(missing.message).toContain("'data/missing.csv' does not exist");
    expect(missing.location).toEqual({ input: 'data' });
    expect((await userError(listDataset('  ', root))).location).toEqual({ input: 'data' });
  });

  it.skipIf(process.getuid?.() === 0)('fails with a UserError when a file cannot be read', async () => {
    const locked = join(root, 'locked.csv');
    await writeFile(locked, 'a\n1\n');
    await chmod(locked, 0o000);
    try {
      const err = await userError(listDataset('locked.csv', root));
      expect(err.message).toContain('cannot read');
      expect(err.location.input).toBe('data');
    } finally {
      await chmod(locked, 0o644);
    }
  });
});

describe('readDataset', () => {
  it('reads each file in turn with the reader for its format', async () => {
    const found = await listDataset('data/{a.csv,c.tsv,sub/**/*.jsonl}', root);
    const r = await collect(readDataset(found));
    expect(r.batches.map((b) => [b.file.slice(root.length + 1), b.columns, b.length])).toEqual([
      ['data/a.csv', ['x', 'y'], 1],
      ['data/c.tsv', ['x', 'y'], 1],
      ['data/sub/deep/e.jsonl', ['x', 'z'], 1],
      ['data/sub/f.jsonl', ['x'], 1],
    ]);
    expect(r.rows).toEqual([['1', '2'], ['7', '8'], [12, 'q'], [11]]);
  });

  it('reports progress over the whole dataset', async () => {
    const found = await listDataset('data/[ab].csv', root);
    const total = found.reduce((s, f) => s + f.size, 0);
    const seen: [number, number][] = [];
    await collect(readDataset(found, { onProgress: (d, t) => seen.push([d, t]) }));
    expect(seen.at(-1)).toEqual([total, total]);
    expect(seen.every(([, t]) => t === total)).toBe(true);
  });

  it('uses the format option, and fails on an unknown extension without it', async () => {
    const md: DatasetFile[] = [{ path: join(root, 'data/notes.md'), size: 8 }];
    expect((await userError(collect(readDataset(md)))).location.input).toBe('format');
    const r = await collect(readDataset(md, { format: 'csv' }));
    expect(r.columns).toEqual(['# notes']);
  });
});

describe('hashDataset', () => {
  it('is the sha256 of the bytes for a single file', async () => {
    const found = await listDataset('data/a.csv', root);
    expect(await hashDataset(found)).toBe(`sha256:${sha(files['data/a.csv']!)}`);
  });

  it('is the same for the same bytes and different after a one-byte change', async () => {
    const dir = join(root, 'hash');
    await mkdir(dir, { recursive: true });
    const content = 'x,y\n' + '1,2\n'.repeat(100_000);
    await writeFile(join(dir, 'one.csv'), content);
    await writeFile(join(dir, 'two.csv'), content);
    await writeFile(join(dir, 'three.csv'), content.slice(0, 200_000) + '3' + content.slice(200_001));
    const h = async (name: string) => hashDataset(await listDataset(join(dir, name), root));
    expect(await h('one.csv')).toBe(await h('two.csv'));
    expect(await h('one.csv')).not.toBe(await h('three.csv'));
    expect(await h('one.csv')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('hashes several files as the sorted manifest of relative paths and file hashes', async () => {
    const found = await listDataset('data/**/*.jsonl', root);
    const expected = sha(
      `deep/e.jsonl\t${sha(files['data/sub/deep/e.jsonl']!)}\n` + `f.jsonl\t${sha(files['data/sub/f.jsonl']!)}\n`,
    );
    expect(await hashDataset(found)).toBe(`sha256:${expected}`);
  });

  it('CSV files hashed as they are read (onFileHash) give the same dataset hash, without reading them again', async () => {
    const dir = join(root, 'hash-read');
    await mkdir(dir, { recursive: true });
    // ASCII (read as Latin-1, records carried between chunks as bytes), a BOM and UTF-8, no last line end.
    await writeFile(join(dir, 'a.csv'), 'x,y\n' + '1,"a,b"\n'.repeat(30_000));
    await writeFile(join(dir, 'b.csv'), '\ufeffname,v\r\n' + 'café,1\r\nnaïve,2\r\n'.repeat(9_000) + 'end,3');
    await writeFile(join(dir, 'c.jsonl'), '{"x":1}\n');
    const found = await listDataset(join(dir, '*'), root);
    for (const chunkSize of [61, 4096, 1 << 20]) {
      const hashed = new Map<string, string>();
      for await (const _ of readDataset(found, { raw: chunkSize > 61, chunkSize, onFileHash: (f, h) => hashed.set(f, h) } as Parameters<typeof readDataset>[1])) void _;
      // Each CSV file's own sha256; the JSON Lines file is not hashed by its reader.
      expect(new Map([...hashed].map(([f, h]) => [f.slice(dir.length + 1), h]))).toEqual(
        new Map([
          ['a.csv', sha(await readFile(join(dir, 'a.csv')))],
          ['b.csv', sha(await readFile(join(dir, 'b.csv')))],
        ]),
      );
      expect(await hashDataset(found, hashed)).toBe(await hashDataset(found));
    }
    // The known hashes are used as given: a wrong one shows.
    const one = found.filter((f) => f.path.endsWith('a.csv'));
    expect(await hashDataset(one, new Map([[one[0]!.path, '0'.repeat(64)]]))).toBe(`sha256:${'0'.repeat(64)}`);
  });

  it('does not depend on the order the files are given in, nor on where the dataset is', async () => {
    const found = await listDataset('data/**/*.csv', root);
    const h = await hashDataset(found);
    expect(await hashDataset([...found].reverse())).toBe(h);
    const moved = join(root, 'elsewhere', 'copy');
    await cp(join(root, 'data'), moved, { recursive: true });
    expect(await hashDataset(await listDataset('copy/**/*.csv', join(root, 'elsewhere')))).toBe(h);
    // A different set of files (one fewer) changes it.
    expect(await hashDataset(found.slice(1))).not.toBe(h);
  });
});
