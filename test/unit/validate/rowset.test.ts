import { describe, expect, it } from 'vitest';
import { hashLatin1, hashRange } from '../../../shared/validate/rowset';

describe('cell hashes', () => {
  it('hashLatin1 on the bytes equals hashRange on the text, so rows hash alike whichever path typed them', () => {
    const cells = ['', '0', '-12.5', 'north', 'channel-10', 'ümlaut', 'a "quoted" cell', 'x'.repeat(300)];
    const text = `,${cells.join(',')},`;
    const bytes = Buffer.from(text, 'latin1');
    const a = new Int32Array(2);
    const b = new Int32Array(2);
    const seen = new Set<string>();
    let s = 1;
    for (const cell of cells) {
      hashRange(text, s, s + cell.length, a);
      hashLatin1(bytes, s, s + cell.length, b);
      expect([...b]).toEqual([...a]);
      seen.add(`${a[0]},${a[1]}`);
      s += cell.length + 1;
    }
    // distinct cells, distinct hashes (a broken hash that ignored its input would pass the equality above)
    expect(seen.size).toBe(cells.length);
  });
});
