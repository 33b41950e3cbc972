import { describe, expect, it } from 'vitest';
import { Interner, SHORT_MAX, UNTYPED } from '../../../shared/validate/intern';
import { hashOut, hashString } from '../../../shared/profile/hash';
import { hashLatin1, hashRange } from '../../../shared/validate/rowset';

const h = new Int32Array(2);
function cellHash(text: string, s: number, e: number): number {
  hashRange(text, s, e, h);
  return h[0]!;
}

describe('Interner', () => {
  const text = 'north,south,north,true,north,2024-05-01';
  const ranges = [[0, 5], [6, 11], [12, 17], [18, 22], [23, 28], [29, 39]] as const;

  it('one string per distinct text, with its profile hash and the typing it was added with', () => {
    const it = new Interner();
    const [a0, a1] = ranges[0];
    expect(it.find(text, a0, a1, cellHash(text, a0, a1))).toBe(-1);
    const north = it.add(text, a0, a1, cellHash(text, a0, a1), 5, 0);
    hashString('north');
    expect([it.h1, it.h2]).toEqual([hashOut[0], hashOut[1]]);
    // the same text elsewhere is the same string, found with its hash and kind
    const [b0, b1] = ranges[2];
    const slot = it.find(text, b0, b1, cellHash(text, b0, b1));
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(it.strings[slot]).toBe(north);
    expect(it.kinds[slot]).toBe(5);
    expect([it.h1, it.h2]).toEqual([hashOut[0], hashOut[1]]);
    // another text is not found, even if its hash collided
    const [c0, c1] = ranges[1];
    expect(it.find(text, c0, c1, cellHash(text, a0, a1))).toBe(-1);
    // get() interns untyped
    const [d0, d1] = ranges[3];
    expect(it.get(text, d0, d1, cellHash(text, d0, d1))).toBe('true');
    expect(it.kinds[it.find(text, d0, d1, cellHash(text, d0, d1))]).toBe(UNTYPED);
  });

  it('past its capacity it makes strings (hashed) without keeping them', () => {
    const it = new Interner(2);
    for (const [s, e] of ranges) if (it.find(text, s, e, cellHash(text, s, e)) < 0) it.add(text, s, e, cellHash(text, s, e), 5, 0);
    expect(it.full).toBe(true);
    const [s, e] = ranges[5];
    expect(it.find(text, s, e, cellHash(text, s, e))).toBe(-1);
    expect(it.add(text, s, e, cellHash(text, s, e), 4, 1)).toBe('2024-05-01');
    hashString('2024-05-01');
    expect([it.h1, it.h2]).toEqual([hashOut[0], hashOut[1]]);
    expect(it.find(text, s, e, cellHash(text, s, e))).toBe(-1);
  });

  it('finds, adds and gets from bytes the strings it finds from the text, and both ways meet', () => {
    const bytes = Buffer.from(`${text},a-longer-category-than-twenty-four-characters`, 'latin1');
    const long = [40, bytes.length] as const;
    const it = new Interner();
    const [a0, a1] = ranges[0];
    expect(it.findBytes(bytes, a0, a1, cellHash(text, a0, a1))).toBe(-1);
    const north = it.addBytes(bytes, a0, a1, cellHash(text, a0, a1), 5, 0);
    expect(north).toBe('north');
    hashString('north');
    expect([it.h1, it.h2]).toEqual([hashOut[0], hashOut[1]]);
    // found again from the bytes and from the text, as the same string
    const [b0, b1] = ranges[2];
    expect(it.strings[it.findBytes(bytes, b0, b1, cellHash(text, b0, b1))]).toBe(north);
    expect(it.strings[it.find(text, b0, b1, cellHash(text, b0, b1))]).toBe(north);
    // a string added from the text is found from the bytes
    const [c0, c1] = ranges[1];
    expect(it.find(text, c0, c1, cellHash(text, c0, c1))).toBe(-1);
    const south = it.add(text, c0, c1, cellHash(text, c0, c1), 5, 0);
    expect(it.strings[it.findBytes(bytes, c0, c1, cellHash(text, c0, c1))]).toBe(south);
    // same hash, other characters: not found
    expect(it.findBytes(bytes, c0, c1, cellHash(text, a0, a1))).toBe(-1);
    // getBytes interns untyped, short strings and long ones
    const [d0, d1] = ranges[3];
    expect(it.getBytes(bytes, d0, d1, cellHash(text, d0, d1))).toBe('true');
    expect(it.kinds[it.findBytes(bytes, d0, d1, cellHash(text, d0, d1))]).toBe(UNTYPED);
    const longText = bytes.toString('latin1');
    expect(it.getBytes(bytes, long[0], long[1], cellHash(longText, long[0], long[1]))).toBe('a-longer-category-than-twenty-four-characters');
  });

  it('finds short strings by their bytes as words, with the cell hash of those bytes, and nothing else', () => {
    // every length from 1 to SHORT_MAX, and strings that differ only in their last byte or their length
    const words = ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'abcdefgh', 'abcdefghi', 'abcdefghij', 'abcdefghijk', 'abcdefghijkl'];
    expect(words.at(-1)!.length).toBe(SHORT_MAX);
    const others = ['b', 'abd', 'abcdefgx', 'abcdefghijkx', 'caf\u00e9', '2024-05-01'];
    // twelve spare bytes after the last cell, as findShort reads three words from a cell's start
    const line = `${[...words, ...others].join(',')},${'z'.repeat(SHORT_MAX)}`;
    const bytes = Buffer.from(line, 'latin1');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const at = (w: string): [number, number] => {
      const s = line.indexOf(`${w},`) === 0 ? 0 : line.indexOf(`,${w},`) + 1;
      return [s, s + w.length];
    };
    const it = new Interner();
    const cell = new Int32Array(2);
    const want = new Int32Array(2);
    for (const w of words) it.get(w, 0, w.length, cellHash(w, 0, w.length));
    it.get('caf\u00e9', 0, 4, cellHash('caf\u00e9', 0, 4));
    for (const w of [...words, 'caf\u00e9']) {
      const [s, e] = at(w);
      const slot = it.findShort(view, s, e, cell);
      expect(it.strings[slot], w).toBe(w);
      hashLatin1(bytes, s, e, want);
      expect([...cell], w).toEqual([...want]);
      hashString(w);
      expect([it.h1, it.h2]).toEqual([hashOut[0], hashOut[1]]);
    }
    for (const w of ['b', 'abd', 'abcdefgx', 'abcdefghijkx', '2024-05-01']) expect(it.findShort(view, ...at(w), cell), w).toBe(-1);
    // a string with a character above 255 is kept, but found only by its text
    const wide = 'r\u0151d';
    it.get(wide, 0, 3, cellHash(wide, 0, 3));
    expect(it.strings[it.find(wide, 0, 3, cellHash(wide, 0, 3))]).toBe(wide);
    const narrow = Buffer.from(`r${String.fromCharCode(0x51)}d${'z'.repeat(SHORT_MAX)}`, 'latin1');
    expect(it.findShort(new DataView(narrow.buffer, narrow.byteOffset, narrow.byteLength), 0, 3, cell)).toBe(-1);
  });
});
