import { beforeAll, describe, expect, it } from 'vitest';
import { readJsonl, type JsonlReadOptions } from '../../../shared/data/jsonl';
import { collect, fixture, tempDir, userError } from './helpers';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('mlops-jsonl-');
});

async function parse(content: string, options: JsonlReadOptions = {}) {
  const path = await fixture(dir, 'data.jsonl', content);
  return { path, ...(await collect(readJsonl(path, options))) };
}

async function parseError(content: string, options: JsonlReadOptions = {}) {
  const path = await fixture(dir, 'data.jsonl', content);
  return { path, err: await userError(collect(readJsonl(path, options))) };
}

describe('readJsonl', () => {
  it('reads objects as rows, with keys in first-seen order and null for absent keys', async () => {
    const r = await parse('{"a":1,"b":"x"}\n{"b":"y","c":true}\n{"a":2.5}\n');
    expect(r.columns).toEqual(['a', 'b', 'c']);
    expect(r.rows).toEqual([
      [1, 'x', null],
      [null, 'y', true],
      [2.5, null, null],
    ]);
    expect(r.lines).toEqual([1, 2, 3]);
    expect(r.batches[0]!.file).toBe(r.path);
  });

  it('keeps nested objects and arrays as JSON text, and null as null', async () => {
    const r = await parse('{"o":{"k":[1,2]},"l":[{"x":null}],"n":null,"s":"é"}\n');
    expect(r.rows).toEqual([['{"k":[1,2]}', '[{"x":null}]', null, 'é']]);
  });

  it('lists in each batch the columns seen so far', async () => {
    const r = await parse('{"a":1}\n{"a":2}\n{"b":3}\n{"a":4,"c":5}\n', { batchSize: 2 });
    expect(r.batches.map((b) => b.columns)).toEqual([['a'], ['a', 'b', 'c']]);
    expect(r.batches.map((b) => b.firstRow)).toEqual([0, 2]);
    expect(r.batches[1]!.values).toEqual([
      [null, 4],
      [3, null],
      [null, 5],
    ]);
  });

  it('skips blank lines, counting them, and reads CRLF, a BOM and a last line without a line end', async () => {
    const r = await parse('\ufeff{"a":1}\r\n\r\n  \n{"a":2}\n\n{"a":3}');
    expect(r.rows).toEqual([[1], [2], [3]]);
    expect(r.lines).toEqual([1, 4, 6]);
  });

  it('gives the same result for every chunk size (multi-byte characters cut between chunks)', async () => {
    const content = '{"t":"日本語😀","n":1}\n\n{"t":"é\\n","n":-2e3}\r\n{"z":{"deep":"ü"}}\n';
    const whole = await parse(content);
    expect(whole.rows).toEqual([
      ['日本語😀', 1, null],
      ['é\n', -2000, null],
      [null, null, '{"deep":"ü"}'],
    ]);
    for (const chunkSize of [1, 2, 3, 5, 16]) {
      const r = await parse(content, { chunkSize, batchSize: 2 });
      // The first batch has not seen column 'z' yet: pad its rows.
      expect(r.rows.map((row) => [...row, ...Array(3 - row.length).fill(null)])).toEqual(whole.rows);
      expect(r.lines).toEqual([1, 3, 4]);
    }
  });

  it('emits one empty batch for an empty file', async () => {
    const r = await parse('');
    expect(r.batches).toHaveLength(1);
    expect(r.batches[0]!.length).toBe(0);
    expect(r.batches[0]!.columns).toEqual([]);
  });

  it('reports invalid JSON with its line and column', async () => {
    const { path, err } = await parseError('{"a":1}\n{"a":1,}\n');
    expect(err.message).toMatch(/^invalid JSON on line 2: /);
    expect(err.message).not.toContain('position');
    expect(err.location).toEqual({ file: path, line: 2, column: 8 });
    expect(err.hint).toContain('one complete JSON object');
  });

  it('reports an object cut short at the end of its line', async () => {
    const { path, err } = await parseError('{"a":1}\n\n{"a":\n');
    expect(err.message).toContain('line 3');
    expect(err.location.file).toBe(path);
    expect(err.location.line).toBe(3);
  });

  it('gives the line (and no column) when JSON.parse tells no position', async () => {
    const { path, err } = await parseError('{"a":1}\nxyz\n');
    expect(err.message).toMatch(/^invalid JSON on line 2: Unexpected token/);
    expect(err.message).not.toContain('is not valid JSON');
    expect(err.location.file).toBe(path);
    expect(err.location.line).toBe(2);
  });

  it('rejects a line that is valid JSON but not an object', async () => {
    for (const [line, kind] of [
      ['[1,2]', 'an array'],
      ['"x"', 'a string'],
      ['3', 'a number'],
      ['null', 'null'],
    ] as const) {
      const { path, err } = await parseError(`{"a":1}\n${line}\n`);
      expect(err.message).toBe(`line 2 holds ${kind}, not a JSON object`);
      expect(err.location).toEqual({ file: path, line: 2, column: 1 });
    }
  });
});
