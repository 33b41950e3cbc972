/**
 * encodeOneHot: the scorer computes a string input's OneHotEncoder itself and feeds the rewritten graph
 * float rows. Whatever the strings (known, unknown, empty, null, quoted, in raw or in `values` batches),
 * the outputs must be bit for bit those of the model as it is.
 */
import type * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { readCsv } from '../../../../shared/data/csv';
import type { Cell, RowBatch } from '../../../../shared/data/types';
import { buildFeeds, loadModel, type LoadedModel } from '../../../../shared/model/infer';
import { attr, ModelBuilder } from '../../../../shared/model/onnx';
import { batchOf, collect, fixtureModel, tempDir, writeTemp } from './helpers';

async function run(m: LoadedModel, batch: RowBatch): Promise<Record<string, ort.Tensor>> {
  return m.session.run(buildFeeds(m, batch));
}

async function expectSameOutputs(plain: LoadedModel, encoded: LoadedModel, batch: RowBatch): Promise<void> {
  const a = await run(plain, batch);
  const b = await run(encoded, batch);
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const k of Object.keys(a)) {
    expect({ k, dims: b[k]!.dims, data: Array.from(b[k]!.data as ArrayLike<unknown>) }).toEqual({ k, dims: a[k]!.dims, data: Array.from(a[k]!.data as ArrayLike<unknown>) });
  }
}

/** A model whose string inputs go through OneHotEncoder in the ways the rewrite must tell apart. */
function oneHotModel(): Uint8Array {
  const m = new ModelBuilder({ graphName: 'g', opsets: { '': 17, 'ai.onnx.ml': 3 }, producerVersion: '0.0.1' });
  const g = m.graph;
  g.addInput('x', 'float', ['N', 1]);
  g.addInput('c1', 'string', ['N']); // rank 1: rewritten
  g.addInput('c2', 'string', ['N', 1]); // rank 2: rewritten
  g.addInput('c3', 'string', ['N', 1]); // zeros=0 (an unknown category is an error): kept
  g.addInput('c4', 'string', ['N', 1]); // read by two nodes: kept
  g.addInt64Initializer('axes', [1], [1]);
  g.addFloatInitializer('w1', [1, 10, 100], [3, 1]);
  g.addFloatInitializer('w2', [0.5, -2], [2, 1]);
  g.addNode('OneHotEncoder', ['c1'], ['oh1'], { cats_strings: attr.strings(['a', 'b', 'c,d']) }, { domain: 'ai.onnx.ml' });
  g.addNode('MatMul', ['oh1', 'w1'], ['s1']);
  g.addNode('OneHotEncoder', ['c2'], ['oh2_3'], { cats_strings: attr.strings(['', 'café']), zeros: attr.int(1) }, { domain: 'ai.onnx.ml' });
  g.addNode('Squeeze', ['oh2_3', 'axes'], ['oh2']);
  g.addNode('MatMul', ['oh2', 'w2'], ['s2']);
  g.addNode('OneHotEncoder', ['c3'], ['oh3'], { cats_strings: attr.strings(['p', 'q']), zeros: attr.int(0) }, { domain: 'ai.onnx.ml' });
  g.addNode('OneHotEncoder', ['c4'], ['oh4'], { cats_strings: attr.strings(['u', 'v']), zeros: attr.int(1) }, { domain: 'ai.onnx.ml' });
  g.addNode('Identity', ['c4'], ['c4_copy']);
  g.addNode('Add', ['s1', 's2'], ['s12']);
  g.addNode('Add', ['s12', 'x'], ['score']);
  g.addOutput('score', 'float', ['N', 1]);
  g.addOutput('oh3', 'float', ['N', 1, 2]);
  g.addOutput('oh4', 'float', ['N', 1, 2]);
  g.addOutput('c4_copy', 'string', ['N', 1]);
  return m.encodeModel();
}

describe('encodeOneHot', () => {
  test('rewrites only a string input read by one OneHotEncoder that zeroes unknown categories', async () => {
    const bytes = oneHotModel();
    const plain = await loadModel(bytes);
    const encoded = await loadModel(bytes, { encodeOneHot: true });
    try {
      expect([...plain.oneHot.keys()]).toEqual([]);
      expect([...encoded.oneHot.keys()].sort()).toEqual(['c1', 'c2']);
      expect(encoded.oneHot.get('c1')).toMatchObject({ categories: ['a', 'b', 'c,d'], rank: 1 });
      // The session takes float rows in their place; the signature is still the file's.
      expect([...encoded.session.inputNames].sort()).toEqual(['c1__mlops_one_hot', 'c2__mlops_one_hot', 'c3', 'c4', 'x']);
      expect(encoded.signature).toEqual(plain.signature);

      const c1: Cell[] = ['a', 'b', 'c,d', 'zz', '', null, 'A', 'b '];
      const n = c1.length;
      const batch = batchOf({
        x: Array.from({ length: n }, (_, i) => i / 4),
        c1,
        c2: ['', 'café', 'cafe', null, 'x', 'café', '', 'NA'],
        c3: ['p', 'q', 'p', 'q', 'p', 'q', 'p', 'q'],
        c4: ['u', 'v', 'w', null, 'u', 'v', 'u', 'v'],
      });
      await expectSameOutputs(plain, encoded, batch);
      // Spot-check the arithmetic too: row 0 is a (1) + '' (0.5) + x 0; row 3 is the unknown 'zz' (all
      // zeros) + a null, which a string input reads as '' (0.5), + x 0.75.
      const score = Array.from((await run(encoded, batch))['score']!.data as Float32Array);
      expect(score[0]).toBeCloseTo(1 + 0.5 + 0, 6);
      expect(score[3]).toBeCloseTo(0 + 0.5 + 0.75, 6);
    } finally {
      await plain.release();
      await encoded.release();
    }
  });

  test('categories of every length, matched in the bytes of ASCII batches, score as the model scores them', async () => {
    // The scorer compares an ASCII cell's bytes 4 at a time, then the rest one by one: categories of
    // 1 to 13 characters, cells that share all but their last or first character, that extend a
    // category, and the same cell quoted; a non-ASCII category that no ASCII cell can be.
    const cats = ['a', 'ab', 'abc', 'abcd', 'abcde', 'month-to-month', 'one-year', 'two-year', 'credit card', 'bank transfer', 'électronique', 'abcdefgh', 'abcdefgi', 'bbcdefgh', 'x y z w v u t'];
    const m = new ModelBuilder({ graphName: 'g', opsets: { '': 17, 'ai.onnx.ml': 3 }, producerVersion: '0.0.1' });
    m.graph.addInput('c', 'string', ['N']);
    m.graph.addFloatInitializer('w', cats.map((_, k) => 2 ** k), [cats.length, 1]);
    m.graph.addNode('OneHotEncoder', ['c'], ['oh'], { cats_strings: attr.strings(cats), zeros: attr.int(1) }, { domain: 'ai.onnx.ml' });
    m.graph.addNode('MatMul', ['oh', 'w'], ['score']);
    m.graph.addOutput('score', 'float', ['N', 1]);
    const bytes = m.encodeModel();
    const plain = await loadModel(bytes);
    const encoded = await loadModel(bytes, { encodeOneHot: true });
    try {
      expect([...encoded.oneHot.keys()]).toEqual(['c']);
      const cells = [...cats, 'abcdefgj', 'abcdefg', 'abcdefghi', 'Abcd', 'abcD', 'month-to-montH', 'one-yeat', 'credit-card', 'x y z w v u s', 'electronique', '"abcde"', '"one-year"', 'zzzz', ''];
      const lines = ['c'];
      for (let i = 0; i < 6; i++) for (const c of cells) lines.push(c.includes(' ') ? `"${c}"` : c);
      lines.push('abcdefgh'); // the file's last cell, with no line end after it
      const file = await writeTemp(await tempDir(), 'cats.csv', lines.join('\n'));
      const ascii = lines.filter((l) => l !== 'électronique').join('\n');
      const asciiFile = await writeTemp(await tempDir(), 'cats-ascii.csv', ascii);
      let withBytes = 0;
      for (const f of [file, asciiFile]) {
        for (const chunkSize of [64, 1 << 20]) {
          for (const batch of await collect(readCsv(f, { raw: true, rawBytes: true, chunkSize }))) {
            if (batch.raw!.bytes) withBytes++;
            await expectSameOutputs(plain, encoded, batch);
          }
        }
      }
      expect(withBytes).toBeGreaterThan(10);
    } finally {
      await plain.release();
      await encoded.release();
    }
  });

  test('the built-in fixture classifier scores the same from raw CSV batches and from values', async () => {
    const plain = await fixtureModel('per_column_classifier');
    const encoded = await fixtureModel('per_column_classifier', { encodeOneHot: true });
    expect([...encoded.oneHot.keys()]).toEqual(['color']);
    const colors = ['red', 'blue', 'green', 'purple', '', 'NA', '"red"', '"re""d"', 'Red'];
    const lines = ['x1,x2,color'];
    for (let i = 0; i < 40; i++) lines.push(`${(i % 7) / 3 - 1},${(i % 5) / 2 - 1},${colors[i % colors.length]}`);
    const file = await writeTemp(await tempDir(), 'colors.csv', `${lines.join('\n')}\n`);
    for (const raw of [true, false]) {
      for (const batch of await collect(readCsv(file, { raw, chunkSize: 64 }))) await expectSameOutputs(plain, encoded, batch);
    }
  });
});
