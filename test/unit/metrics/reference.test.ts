/**
 * Every metric against scikit-learn 1.2.1 (scripts/fixtures/metrics_reference.py →
 * test/fixtures/metrics/*.json) to 1e-9, with the rows fed in several batch sizes: the results must be
 * identical whatever the batching.
 */
import { describe, expect, it } from 'vitest';
import {
  ClassificationAccumulator,
  ClassificationMetricsSchema,
  CLASSIFICATION_METRICS,
  MetricsSchema,
  RegressionAccumulator,
  REGRESSION_METRICS,
  type ClassificationMetrics,
  type RegressionMetrics,
} from '../../../shared/metrics';
import {
  batches,
  classificationRows,
  expectClose,
  loadCases,
  regressionRows,
  type ClassificationCase,
  type RegressionCase,
} from './fixtures';

const cases = loadCases();
const BATCH_SIZES = [Infinity, 1, 7, 1000, 65_536];

function runClassification(c: ClassificationCase, batch: number, keepRows = true): ClassificationMetrics {
  const { yTrue, yPred, proba } = classificationRows(c);
  const k = c.classes.length;
  const acc = new ClassificationAccumulator(c.classes, { keepRows });
  for (const [s, e] of batches(yTrue.length, batch)) {
    acc.add(yTrue.subarray(s, e), yPred.subarray(s, e), proba?.subarray(s * k, e * k));
  }
  return acc.finish();
}

function runRegression(c: RegressionCase, batch: number): RegressionMetrics {
  const { yTrue, yPred } = regressionRows(c);
  const acc = new RegressionAccumulator();
  for (const [s, e] of batches(yTrue.length, batch)) acc.add(yTrue.subarray(s, e), yPred.subarray(s, e));
  return acc.finish();
}

describe('metrics vs scikit-learn reference fixtures', () => {
  it('has the expected cases', () => {
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'binary_ties',
        'binary_imbalanced',
        'binary_strings',
        'binary_single_class',
        'binary_no_predicted_positive',
        'binary_no_proba',
        'binary_large_200k',
        'multiclass_3',
        'multiclass_5_ties',
        'multiclass_strings_never_predicted',
        'multiclass_absent_class',
        'regression_basic',
        'regression_zeros',
        'regression_constant',
        'regression_constant_perfect',
        'regression_single_row',
        'regression_large_200k',
      ]),
    );
  });

  for (const c of cases) {
    if (c.task === 'classification') {
      describe(c.name, () => {
        const first = runClassification(c, Infinity);

        it('matches sklearn to 1e-9', () => {
          expect(first.count).toBe(c.expected.count);
          expect(first.classes).toEqual(c.classes);
          for (const name of CLASSIFICATION_METRICS) {
            const want = c.expected[name];
            if (typeof want === 'number') expectClose(first[name], want, `${c.name}.${name}`);
            else expect(first[name], `${c.name}.${name} should be absent`).toBeUndefined();
          }
          expect(first.confusion_matrix).toEqual(c.expected.confusion_matrix);
          expect(first.per_class.map((r) => [r.class, r.support])).toEqual(c.expected.per_class.map((r) => [r.class, r.support]));
          first.per_class.forEach((row, i) => {
            const ref = c.expected.per_class[i]!;
            expectClose(row.precision, ref.precision, `${c.name}.per_class[${row.class}].precision`);
            expectClose(row.recall, ref.recall, `${c.name}.per_class[${row.class}].recall`);
            expectClose(row.f1, ref.f1, `${c.name}.per_class[${row.class}].f1`);
          });
          if (c.classes.length === 2) expect(first.positive_class).toBe(c.classes[1]);
        });

        it('leaves out what sklearn cannot compute, with a note', () => {
          for (const name of c.undefined) {
            expect(first[name as keyof ClassificationMetrics]).toBeUndefined();
            expect(first.notes.some((n) => n.startsWith(`${name.startsWith('roc_auc') ? 'roc_auc' : name} undefined`)), `note for ${name}: ${first.notes.join(' | ')}`).toBe(true);
          }
          if (c.proba === null) expect(first.notes.join(' ')).toContain('no probabilities');
        });

        it('does not depend on batching', () => {
          for (const b of BATCH_SIZES.slice(1)) {
            if (b === 1 && c.expected.count > 10_000) continue;
            expect(runClassification(c, b), `batch size ${b}`).toEqual(first);
          }
        });

        it('is the same without the rows stored (keepRows: false, what evaluate does without a bootstrap)', () => {
          // From running totals and the ranking's keys: the same doubles, whatever the batching.
          for (const b of [Infinity, 7, 65_536]) expect(runClassification(c, b, false), `batch size ${b}`).toEqual(first);
          const acc = new ClassificationAccumulator(c.classes, { keepRows: false });
          // Two classes store nothing per row but the keys; more keep their rows (each class's AUC sorts them).
          expect(acc.keepsRows).toBe(c.classes.length > 2);
          if (c.classes.length === 2) expect(() => acc.data()).toThrow(/not kept/);
        });

        it('round-trips through JSON and the zod schema', () => {
          const back = ClassificationMetricsSchema.parse(JSON.parse(JSON.stringify(first)));
          expect(back).toEqual(first);
          expect(MetricsSchema.parse(JSON.parse(JSON.stringify(first)))).toEqual(first);
        });
      });
    } else {
      describe(c.name, () => {
        const first = runRegression(c, Infinity);

        it('matches sklearn to 1e-9', () => {
          expect(first.count).toBe(c.expected.count);
          for (const name of REGRESSION_METRICS) {
            const want = c.expected[name];
            if (typeof want === 'number') expectClose(first[name], want, `${c.name}.${name}`);
            else expect(first[name], `${c.name}.${name} should be absent`).toBeUndefined();
          }
          for (const name of c.undefined) expect(first.notes.some((n) => n.startsWith(`${name} undefined`))).toBe(true);
        });

        it('does not depend on batching', () => {
          for (const b of BATCH_SIZES.slice(1)) {
            if (b === 1 && c.expected.count > 10_000) continue;
            expect(runRegression(c, b), `batch size ${b}`).toEqual(first);
          }
        });

        it('round-trips through JSON and the zod schema', () => {
          expect(MetricsSchema.parse(JSON.parse(JSON.stringify(first)))).toEqual(first);
        });
      });
    }
  }
});
