import { describe, expect, it } from 'vitest';
import { Interner, UNTYPED } from '../../../shared/validate/intern';
import { hashOut, hashString } from '../../../shared/profile/hash';
import { hashRange } from '../../../shared/validate/rowset';

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
});
