/**
 * labelIndex: a label output that gathers a constant class list (the built-in trainers' layout) is read
 * from its class index, so no string crosses from onnxruntime. The predictions, and the error for a label
 * that is not a class, must be those of the label output itself.
 */
import { describe, expect, test } from 'vitest';
import { createScorer, loadModel, planOutputs, scoreBatches, type LoadedModel } from '../../../../shared/model/infer';
import { attr, ModelBuilder } from '../../../../shared/model/onnx';
import { EXPECTED, batchOf, collect, fixtureModel, flatten, tableBatches, userError } from './helpers';

/** x [N, 3] → softmax probabilities, and labels gathered from a class list in the ways to tell apart. */
function gatherModel(o: { classes?: string[]; metadataClasses?: string[] } = {}): Uint8Array {
  const m = new ModelBuilder({ graphName: 'g', opsets: { '': 17 }, producerVersion: '0.0.1' });
  if (o.metadataClasses) m.setMetadata('mlops.classes', JSON.stringify(o.metadataClasses));
  const g = m.graph;
  g.addInput('x', 'float', ['N', 3]);
  g.addStringInitializer('classes', o.classes ?? ['cat', 'dog', 'fish'], [3]);
  g.addInt64Initializer('classes_int', [10, 20, 30], [3]);
  g.addNode('Softmax', ['x'], ['probabilities'], { axis: attr.int(1) });
  g.addNode('ArgMax', ['probabilities'], ['idx'], { axis: attr.int(1), keepdims: attr.int(0) });
  g.addNode('Gather', ['classes', 'idx'], ['label']);
  // Read from the index too: int64 classes, and an index whose type nothing declares (Identity: kept).
  g.addNode('Gather', ['classes_int', 'idx'], ['label_int']);
  g.addNode('Identity', ['idx'], ['idx_copy']);
  g.addNode('Gather', ['classes', 'idx_copy'], ['label_untyped']);
  g.addOutput('label', 'string', ['N']);
  g.addOutput('probabilities', 'float', ['N', 3]);
  g.addOutput('label_int', 'int64', ['N']);
  g.addOutput('label_untyped', 'string', ['N']);
  return m.encodeModel();
}

const X = [
  [2, 0, 0],
  [0, 3, 1],
  [0, 1, 4],
  [1, 1, 0], // a tie: ArgMax takes the first
  [-1, -2, 5],
];

async function both(bytes: Uint8Array): Promise<[LoadedModel, LoadedModel]> {
  return [await loadModel(bytes, { name: 'plain' }), await loadModel(bytes, { name: 'indexed', labelIndex: true })];
}

/** Feeds x as the one [N, 3] input (the scorer's matrix layout needs feature names: give them). */
const FEATURES = { features: ['a', 'b', 'c'] };
function abcBatch() {
  return batchOf({ a: X.map((r) => r[0]!), b: X.map((r) => r[1]!), c: X.map((r) => r[2]!) });
}

describe('labelIndex', () => {
  test('exposes the index behind Gather(constant classes, ArgMax) labels only; the signature stays the file’s', async () => {
    const [plain, indexed] = await both(gatherModel({ metadataClasses: ['cat', 'dog', 'fish'] }));
    try {
      expect([...plain.labelIndex.keys()]).toEqual([]);
      expect([...indexed.labelIndex.keys()].sort()).toEqual(['label', 'label_int']);
      expect(indexed.labelIndex.get('label')).toEqual({ output: 'label', index: 'idx', values: ['cat', 'dog', 'fish'] });
      expect(indexed.labelIndex.get('label_int')).toEqual({ output: 'label_int', index: 'idx', values: ['10', '20', '30'] });
      expect(indexed.session.outputNames).toContain('idx');
      expect(indexed.signature).toEqual(plain.signature);
      const plan = planOutputs(indexed, { labelOutput: 'label' });
      expect(plan.fetches.sort()).toEqual(['idx', 'probabilities']);
      expect(planOutputs(plain, { labelOutput: 'label' }).fetches.sort()).toEqual(['label', 'probabilities']);
    } finally {
      await plain.release();
      await indexed.release();
    }
  });

  test('the same predictions from the index as from the label output', async () => {
    const [plain, indexed] = await both(gatherModel({ metadataClasses: ['cat', 'dog', 'fish'] }));
    try {
      for (const options of [{ labelOutput: 'label' }, { labelOutput: 'label_untyped' }, { labelOutput: 'label_int', classes: ['10', '20', '30'] }]) {
        const a = flatten([await createScorer(plain, { ...FEATURES, ...options }).run(abcBatch())]);
        const b = flatten([await createScorer(indexed, { ...FEATURES, ...options }).run(abcBatch())]);
        expect(b).toEqual(a);
        expect(a.predicted).toEqual([0, 1, 2, 0, 2]);
      }
    } finally {
      await plain.release();
      await indexed.release();
    }
  });

  test('a predicted label that is not one of the classes: the same error', async () => {
    // The class list says cat, dog, bird; the graph gathers fish for the third.
    const [plain, indexed] = await both(gatherModel({ metadataClasses: ['cat', 'dog', 'bird'] }));
    try {
      const a = await userError(createScorer(plain, { ...FEATURES, labelOutput: 'label' }).run(abcBatch()));
      const b = await userError(createScorer(indexed, { ...FEATURES, labelOutput: 'label' }).run(abcBatch()));
      expect(a.message).toMatch(/predicted the label 'fish', which is not one of its classes \(cat, dog, bird/);
      expect(b.message).toBe(a.message.replace("'plain'", "'indexed'"));
    } finally {
      await plain.release();
      await indexed.release();
    }
  });

  test('the built-in classifier fixture: its label is read from the index, with the same predictions', async () => {
    const plain = await fixtureModel('per_column_classifier', { encodeOneHot: true });
    const indexed = await fixtureModel('per_column_classifier', { encodeOneHot: true, labelIndex: true });
    expect([...indexed.labelIndex.keys()]).toEqual(['label']);
    expect(planOutputs(indexed).fetches).not.toContain('label');
    const a = flatten(await collect(scoreBatches(plain, tableBatches(7))));
    const b = flatten(await collect(scoreBatches(indexed, tableBatches(7))));
    expect(b).toEqual(a);
    expect(EXPECTED['per_column_classifier']!.predicted).toEqual(a.predicted);
  });
});
