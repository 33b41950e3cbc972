import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsv, type CsvReadOptions } from '../../../shared/data/csv';
import { collect, fixture, tempDir, userError } from './helpers';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('mlops-csv-');
});

async function parse(content: string | Uint8Array, options: CsvReadOptions = {}, name = 'data.csv') {
  const path = await fixture(dir, name, content);
  return { path, ...(await collect(readCsv(path, options))) };
}

async function parseError(content: string, options: CsvReadOptions = {}, name = 'data.csv') {
  const path = await fixture(dir, name, content);
  const err = await userError(collect(readCsv(path, options)));
  return { path, err };
}

describe('readCsv: dialect', () => {
  it('reads the header and rows, with the line each row starts on', async () => {
    const r = await parse('id,name,score\n1,alice,3.5\n2,bob,\n3,carol,4\n');
    expect(r.columns).toEqual(['id', 'name', 'score']);
    expect(r.rows).toEqual([
      ['1', 'alice', '3.5'],
      ['2', 'bob', null],
      ['3', 'carol', '4'],
    ]);
    expect(r.lines).toEqual([2, 3, 4]);
    expect(r.batches).toHaveLength(1);
    expect(r.batches[0]!.file).toBe(r.path);
    expect(r.batches[0]!.firstRow).toBe(0);
  });

  it('emits batches of batchSize rows with firstRow and lines per batch', async () => {
    const r = await parse('a\n1\n2\n3\n4\n5\n', { batchSize: 2 });
    expect(r.batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(r.batches.map((b) => b.firstRow)).toEqual([0, 2, 4]);
    expect(r.batches.map((b) => Array.from(b.lines!))).toEqual([[2, 3], [4, 5], [6]]);
    expect(r.rows.flat()).toEqual(['1', '2', '3', '4', '5']);
  });

  it('does not emit an empty batch after a full one at the end', async () => {
    const r = await parse('a\n1\n2\n', { batchSize: 2 });
    expect(r.batches.map((b) => b.length)).toEqual([2]);
  });

  it('handles quoted fields, delimiters and doubled quotes inside them', async () => {
    const r = await parse('a,b,c,d\n"x,y","say ""hi""","",""""\n');
    expect(r.rows).toEqual([['x,y', 'say "hi"', '', '"']]);
  });

  it('keeps line breaks inside quotes and counts them for the next row\'s line', async () => {
    const r = await parse('a,b\n1,"line1\nline2"\n2,"p\n\nq"\n3,z\n');
    expect(r.rows).toEqual([
      ['1', 'line1\nline2'],
      ['2', 'p\n\nq'],
      ['3', 'z'],
    ]);
    expect(r.lines).toEqual([2, 4, 7]);
  });

  it('reads CRLF line ends (and CRLF inside quotes)', async () => {
    const r = await parse('a,b\r\n1,"x\r\ny"\r\n2,3\r\n');
    expect(r.columns).toEqual(['a', 'b']);
    expect(r.rows).toEqual([
      ['1', 'x\r\ny'],
      ['2', '3'],
    ]);
    expect(r.lines).toEqual([2, 4]);
  });

  it('reads lone CR line ends', async () => {
    const r = await parse('a,b\r1,2\r3,4');
    expect(r.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(r.lines).toEqual([2, 3]);
  });

  it('drops a UTF-8 BOM', async () => {
    const r = await parse('\ufeffa,b\n1,2\n');
    expect(r.columns).toEqual(['a', 'b']);
    expect(r.rows).toEqual([['1', '2']]);
  });

  it('uses a custom delimiter', async () => {
    const r = await parse('a;b\n"1;2";3,4\n', { delimiter: ';' });
    expect(r.rows).toEqual([['1;2', '3,4']]);
  });

  it('uses tab for .tsv files by default, and a tab delimiter elsewhere when asked', async () => {
    const tsv = await parse('a\tb\n1\t2,3\n"x\ty"\tz\n', {}, 'data.tsv');
    expect(tsv.rows).toEqual([
      ['1', '2,3'],
      ['x\ty', 'z'],
    ]);
    const txt = await parse('a\tb\n1\t2\n', { delimiter: '\t' }, 'data.txt');
    expect(txt.rows).toEqual([['1', '2']]);
  });

  it('turns unquoted null markers into null; quoted values stay strings', async () => {
    const r = await parse('a,b,c\nNA,"",x\n,"NA",N/A\nnull,NULL,None\n<NA>,na,\n');
    expect(r.rows).toEqual([
      [null, '', 'x'],
      [null, 'NA', null],
      [null, null, null],
      [null, 'na', null],
    ]);
  });

  it('uses the nullValues option instead of the defaults', async () => {
    const r = await parse('a,b\n-,NA\n,x\n', { nullValues: ['-'] });
    expect(r.rows).toEqual([
      [null, 'NA'],
      ['', 'x'],
    ]);
  });

  it('reads a last record without a line end', async () => {
    expect((await parse('a,b\n1,2')).rows).toEqual([['1', '2']]);
    expect((await parse('a,b\n1,')).rows).toEqual([['1', null]]);
    expect((await parse('a,b\n1,"x"')).rows).toEqual([['1', 'x']]);
  });

  it('skips blank lines but counts them', async () => {
    const r = await parse('\n\na,b\n\n1,2\n\r\n\n3,4\n\n');
    expect(r.columns).toEqual(['a', 'b']);
    expect(r.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(r.lines).toEqual([5, 8]);
  });

  it('emits one empty batch with the columns for a header-only file', async () => {
    const r = await parse('a,b\n');
    expect(r.batches).toHaveLength(1);
    expect(r.batches[0]!.length).toBe(0);
    expect(r.batches[0]!.columns).toEqual(['a', 'b']);
  });

  it('keeps multi-byte characters', async () => {
    const r = await parse('näme,город\ncafé,日本語\n"😀,x",ü\n');
    expect(r.columns).toEqual(['näme', 'город']);
    expect(r.rows).toEqual([
      ['café', '日本語'],
      ['😀,x', 'ü'],
    ]);
  });

  it('reports progress in bytes up to the file size', async () => {
    const content = 'a,b\n' + '1,2\n'.repeat(100);
    const path = await fixture(dir, 'progress.csv', content);
    const seen: [number, number][] = [];
    await collect(readCsv(path, { chunkSize: 64, onProgress: (done, total) => seen.push([done, total]) }));
    const size = (await stat(path)).size;
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toEqual([size, size]);
  });
});

describe('readCsv: chunk boundaries', () => {
  const tricky =
    '\ufeffid,text,emoji,"quoted ""name"""\r\n' +
    '1,"a,b","😀😀",x\r\n' +
    '2,"multi\nline\r\nvalue","é",""\n' +
    '3,,日本語,NA\r' +
    `4,"${'long '.repeat(400)}",z,"${'""'.repeat(50)}"\n` +
    '\n' +
    '5,last,ü,"end"';

  it('gives the same rows and lines for every chunk size, whatever the chunk splits', async () => {
    const whole = await parse(tricky);
    expect(whole.rows).toHaveLength(5);
    expect(whole.columns).toEqual(['id', 'text', 'emoji', 'quoted "name"']);
    expect(whole.rows[1]).toEqual(['2', 'multi\nline\r\nvalue', 'é', '']);
    expect(whole.rows[2]).toEqual(['3', null, '日本語', null]);
    expect(whole.rows[3]![3]).toBe('"'.repeat(50));
    expect(whole.lines).toEqual([2, 3, 6, 7, 9]);
    for (const chunkSize of [1, 2, 3, 4, 5, 7, 13, 64, 1000]) {
      for (const batchSize of [1, 2, 65536]) {
        const r = await parse(tricky, { chunkSize, batchSize });
        expect({ chunkSize, batchSize, rows: r.rows, lines: r.lines, columns: r.columns }).toEqual({
          chunkSize,
          batchSize,
          rows: whole.rows,
          lines: whole.lines,
          columns: whole.columns,
        });
      }
    }
  });

  it('splits multi-byte characters across chunks correctly', async () => {
    // 'é' is 2 bytes, '日' 3 and '😀' 4: chunk sizes 1..5 cut each of them somewhere.
    const content = 'v\n' + ['é', '日本', '😀', 'aé😀日b'].join('\n') + '\n';
    for (const chunkSize of [1, 2, 3, 4, 5]) {
      const r = await parse(content, { chunkSize });
      expect(r.rows.flat()).toEqual(['é', '日本', '😀', 'aé😀日b']);
    }
  });

  it('decodes a cut or invalid UTF-8 sequence as the whole-file decoder does, whatever the chunks', async () => {
    // ASCII chunks take a faster path than the streaming decoder: a sequence cut off by ASCII bytes,
    // a stray continuation byte and a sequence cut by the end of the file must still read as U+FFFD
    // exactly where TextDecoder puts it when it sees the file at once.
    const bytes = Buffer.concat([
      Buffer.from('v\n'),
      Buffer.from([0xc3]), // 'é' without its second byte, then ASCII
      Buffer.from('x\nplain\n'),
      Buffer.from([0x80]), // a continuation byte on its own
      Buffer.from('y\n日\n'),
      Buffer.from([0xe6, 0x97]), // '日' cut by the end of the file
    ]);
    const expected = new TextDecoder().decode(bytes).split('\n').slice(1);
    expect(expected).toEqual(['\ufffdx', 'plain', '\ufffdy', '日', '\ufffd']);
    for (const chunkSize of [1, 2, 3, 4, 5, 7, 1000]) {
      for (const raw of [false, true]) {
        const r = await parse(bytes, { chunkSize, raw });
        expect({ chunkSize, raw, rows: r.rows.flat() }).toEqual({ chunkSize, raw, rows: expected });
      }
    }
  });

  it('reads a quoted field much longer than the chunk', async () => {
    const big = 'x'.repeat(200_000) + '\n' + '""'.repeat(1000);
    const content = `a,b\n1,"${big}"\n2,y\n`;
    const r = await parse(content, { chunkSize: 1024 });
    expect(r.rows[0]![1]).toBe('x'.repeat(200_000) + '\n' + '"'.repeat(1000));
    expect(r.rows[1]).toEqual(['2', 'y']);
    expect(r.lines).toEqual([2, 4]);
  });
});

describe('readCsv: malformed input', () => {
  it('reports a row with too many fields', async () => {
    const { path, err } = await parseError('a,b\n1,2\n3,4,5\n');
    expect(err.message).toContain('expected 2 fields');
    expect(err.message).toContain('found 3');
    expect(err.message).toContain('line 3');
    expect(err.location).toEqual({ file: path, line: 3, column: 5 });
    expect(err.hint).toMatch(/double quotes/);
  });

  it('reports a row with too few fields', async () => {
    const { path, err } = await parseError('a,b,c\n1,2\n');
    expect(err.message).toContain('expected 3 fields');
    expect(err.message).toContain('found 2');
    expect(err.message).toContain('line 2');
    expect(err.location).toEqual({ file: path, line: 2, column: 4 });
  });

  it('points at the physical line of the extra field in a row spanning lines', async () => {
    const { path, err } = await parseError('a,b\n"x\ny",2,3\n');
    expect(err.message).toContain('found 3 in the row on line 2');
    expect(err.location).toEqual({ file: path, line: 3, column: 6 });
  });

  it('reports an unterminated quote at the line and column where it opened', async () => {
    const { path, err } = await parseError('a,b\n1,2\n3,"abc\n4,5\n');
    expect(err.message).toContain('unterminated quoted field');
    expect(err.message).toContain('line 3');
    expect(err.location).toEqual({ file: path, line: 3, column: 3 });
  });

  it('reports a quote inside an unquoted field', async () => {
    const { path, err } = await parseError('a,b\n1,ab"c\n');
    expect(err.message).toContain("field 2 ('b')");
    expect(err.message).toContain('line 2');
    expect(err.location).toEqual({ file: path, line: 2, column: 5 });
    expect(err.hint).toContain('""');
  });

  it('reports a character after a closing quote', async () => {
    const { path, err } = await parseError('a,b\n1,"ab"c\n');
    expect(err.message).toContain("unexpected character 'c' after the closing quote of field 2 ('b')");
    expect(err.location).toEqual({ file: path, line: 2, column: 7 });
  });

  it('counts columns in characters, not bytes or UTF-16 units', async () => {
    const { path, err } = await parseError('a,b\n"é😀"x,1\n');
    expect(err.location).toEqual({ file: path, line: 2, column: 5 });
  });

  it('gives the same locations whatever the chunk size', async () => {
    for (const chunkSize of [1, 2, 3, 7]) {
      const many = await parseError('a,b\n1,2\n"q\nq",4,5\n', { chunkSize });
      expect(many.err.location).toEqual({ file: many.path, line: 4, column: 6 });
      const open = await parseError('a,b\n1,2\n3,"abc\n4,5\n', { chunkSize });
      expect(open.err.location).toEqual({ file: open.path, line: 3, column: 3 });
    }
  });

  it('rejects an empty file, a BOM-only file and a blank file', async () => {
    for (const content of ['', '\ufeff', '\n\r\n\n']) {
      const { path, err } = await parseError(content);
      expect(err.message).toContain('empty CSV file');
      expect(err.location).toEqual({ file: path, line: 1 });
    }
  });

  it('rejects a duplicate column name', async () => {
    const { path, err } = await parseError('a,b,a\n1,2,3\n');
    expect(err.message).toContain("duplicate column name 'a'");
    expect(err.message).toContain('fields 1 and 3');
    expect(err.location).toEqual({ file: path, line: 1, column: 5 });
  });

  it('rejects an empty column name', async () => {
    const empty = await parseError('a,,c\n1,2,3\n');
    expect(empty.err.message).toContain('empty column name');
    expect(empty.err.location).toEqual({ file: empty.path, line: 1, column: 3 });
    const blank = await parseError('a, ,c\n');
    expect(blank.err.location.column).toBe(3);
    const trailing = await parseError('a,b,\n1,2,\n');
    expect(trailing.err.location).toEqual({ file: trailing.path, line: 1, column: 5 });
    expect(trailing.err.hint).toContain('trailing');
  });

  it('rejects a delimiter that is not one character', async () => {
    for (const delimiter of [';;', '', '"', '\n']) {
      const { err } = await parseError('a\n1\n', { delimiter });
      expect(err.location).toEqual({ input: 'delimiter' });
    }
  });
});

const PYTHON = '/usr/bin/python3';

describe.skipIf(!existsSync(PYTHON))('readCsv agrees with Python\'s csv module', () => {
  it('on a generated file full of quotes, delimiters, line breaks and multi-byte text', async () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const atoms = ['a', 'b', 'Z', '1', '2.5', ' ', ',', '"', '\n', '\r\n', 'é', '日本', '😀', '-', 'NA'];
    const cell = () => {
      const n = rand(5);
      let s = '';
      for (let i = 0; i < n; i++) s += atoms[rand(atoms.length)];
      return s;
    };
    const encode = (s: string) => (/[,"\r\n]/.test(s) || s.startsWith(' ') || rand(4) === 0 ? `"${s.replaceAll('"', '""')}"` : s);
    const ncol = 4;
    const header = Array.from({ length: ncol }, (_, i) => `col${i}`);
    const rows: string[][] = [];
    for (let r = 0; r < 400; r++) rows.push(Array.from({ length: ncol }, cell));
    let text = header.join(',') + '\n';
    for (const row of rows) text += row.map(encode).join(',') + (rand(2) ? '\r\n' : '\n');
    const path = join(dir, 'tricky-python.csv');
    await writeFile(path, text);

    const script =
      'import csv, json, sys\n' +
      'rows, ends = [], []\n' +
      'with open(sys.argv[1], newline="", encoding="utf-8") as f:\n' +
      '    rd = csv.reader(f, strict=True)\n' +
      '    for row in rd:\n' +
      '        rows.append(row); ends.append(rd.line_num)\n' +
      'print(json.dumps({"rows": rows, "ends": ends}))\n';
    const py = JSON.parse(execFileSync(PYTHON, ['-c', script, path], { encoding: 'utf8', maxBuffer: 1 << 26 })) as {
      rows: string[][];
      ends: number[];
    };
    for (const chunkSize of [3, 1 << 20]) {
      const ours = await collect(readCsv(path, { nullValues: [], chunkSize }));
      expect(ours.columns).toEqual(py.rows[0]);
      expect(ours.rows).toEqual(py.rows.slice(1));
      // Python gives the line each record ends on; a record starts on the line after the previous one.
      expect(ours.lines).toEqual(py.ends.slice(0, -1).map((end) => end + 1));
      expect(ours.rows).toEqual(rows);
    }
  });
});
