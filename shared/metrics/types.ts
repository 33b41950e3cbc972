/**
 * Result types of the evaluation metrics, as zod schemas (the evaluation JSON written by the
 * `evaluate` action is read back by other actions and must be validated), and the direction of every
 * scalar metric (the gates need to know whether a larger value is an improvement).
 *
 * Scalar metrics are flat snake_case keys; a metric that is undefined for the data (no probabilities,
 * a class without positives, fewer than two rows for R², …) is absent, and `notes` says why.
 */
import { z } from 'zod';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const count = z.number().int().nonnegative();

export const PerClassSchema = z.object({
  /** Class label (as given in `classes`). */
  class: z.string(),
  precision: finite,
  recall: finite,
  f1: finite,
  /** Number of rows whose true class is this one. */
  support: count,
});
export type PerClass = z.infer<typeof PerClassSchema>;

export const ClassificationMetricsSchema = z.object({
  task: z.literal('classification'),
  /** Class labels; indices into this list are the class ids of y_true / y_pred / probability columns. */
  classes: z.array(z.string()).min(2),
  /** Binary only: the positive class, `classes[1]` (sklearn's pos_label=1 for labels {0, 1}). */
  positive_class: z.string().optional(),
  count,
  accuracy: finite.optional(),
  /** Binary only (of the positive class, sklearn `average='binary'`); absent for multiclass. */
  precision: finite.optional(),
  recall: finite.optional(),
  f1: finite.optional(),
  precision_macro: finite.optional(),
  recall_macro: finite.optional(),
  f1_macro: finite.optional(),
  precision_weighted: finite.optional(),
  recall_weighted: finite.optional(),
  f1_weighted: finite.optional(),
  /** Binary: ROC AUC of the positive-class probability. Multiclass: one-vs-rest, macro average. */
  roc_auc: finite.optional(),
  /** Multiclass only: one-vs-rest ROC AUC, averaged with weights = class support. */
  roc_auc_ovr_weighted: finite.optional(),
  /** Binary: average precision of the positive class. Multiclass: macro average of one-vs-rest AP. */
  average_precision: finite.optional(),
  log_loss: finite.optional(),
  /** Binary: sklearn `brier_score_loss` (mean (p₁ − y)²). Multiclass: mean over rows of Σₖ (pₖ − yₖ)². */
  brier: finite.optional(),
  /** counts[true][predicted], class order = `classes`. */
  confusion_matrix: z.array(z.array(count)),
  per_class: z.array(PerClassSchema),
  notes: z.array(z.string()),
});
export type ClassificationMetrics = z.infer<typeof ClassificationMetricsSchema>;

export const RegressionMetricsSchema = z.object({
  task: z.literal('regression'),
  count,
  mae: finite.optional(),
  mse: finite.optional(),
  rmse: finite.optional(),
  r2: finite.optional(),
  mape: finite.optional(),
  max_error: finite.optional(),
  mean_label: finite.optional(),
  mean_prediction: finite.optional(),
  notes: z.array(z.string()),
});
export type RegressionMetrics = z.infer<typeof RegressionMetricsSchema>;

export const MetricsSchema = z.discriminatedUnion('task', [ClassificationMetricsSchema, RegressionMetricsSchema]);
export type Metrics = z.infer<typeof MetricsSchema>;

export const IntervalSchema = z.object({ low: finite, high: finite });
export type Interval = z.infer<typeof IntervalSchema>;
/** Bootstrap confidence intervals by metric name. */
export const BootstrapIntervalsSchema = z.record(z.string(), IntervalSchema);
export type BootstrapIntervals = z.infer<typeof BootstrapIntervalsSchema>;

export function sliceResultSchema<T extends z.ZodType>(metrics: T) {
  return z.object({
    /** The slice value, or `(other)` for the values beyond the slice cap. */
    key: z.string(),
    count,
    /** Only for `(other)`: how many distinct slice values it merges (counted up to a cap). */
    other_keys: count.optional(),
    metrics,
  });
}
export const ClassificationSliceSchema = sliceResultSchema(ClassificationMetricsSchema);
export const RegressionSliceSchema = sliceResultSchema(RegressionMetricsSchema);
export type SliceResult<M> = { key: string; count: number; other_keys?: number; metrics: M };

export const SlicesSchema = z.union([z.array(ClassificationSliceSchema), z.array(RegressionSliceSchema)]);

export const CLASSIFICATION_METRICS = [
  'count',
  'accuracy',
  'precision',
  'recall',
  'f1',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'precision_weighted',
  'recall_weighted',
  'f1_weighted',
  'roc_auc',
  'roc_auc_ovr_weighted',
  'average_precision',
  'log_loss',
  'brier',
] as const;
export type ClassificationMetricName = (typeof CLASSIFICATION_METRICS)[number];

export const REGRESSION_METRICS = ['count', 'mae', 'mse', 'rmse', 'r2', 'mape', 'max_error', 'mean_label', 'mean_prediction'] as const;
export type RegressionMetricName = (typeof REGRESSION_METRICS)[number];

export type MetricName = ClassificationMetricName | RegressionMetricName;

/** `higher`: greater is better; `lower`: smaller is better; `none`: descriptive, not a quality measure. */
export type MetricDirection = 'higher' | 'lower' | 'none';

export const METRIC_DIRECTIONS: Readonly<Record<MetricName, MetricDirection>> = Object.freeze({
  count: 'none',
  accuracy: 'higher',
  precision: 'higher',
  recall: 'higher',
  f1: 'higher',
  precision_macro: 'higher',
  recall_macro: 'higher',
  f1_macro: 'higher',
  precision_weighted: 'higher',
  recall_weighted: 'higher',
  f1_weighted: 'higher',
  roc_auc: 'higher',
  roc_auc_ovr_weighted: 'higher',
  average_precision: 'higher',
  log_loss: 'lower',
  brier: 'lower',
  mae: 'lower',
  mse: 'lower',
  rmse: 'lower',
  r2: 'higher',
  mape: 'lower',
  max_error: 'lower',
  mean_label: 'none',
  mean_prediction: 'none',
});

export function isMetricName(name: string): name is MetricName {
  return Object.prototype.hasOwnProperty.call(METRIC_DIRECTIONS, name);
}

/** True when a larger value of `name` is better; false when smaller is better; undefined for descriptive metrics. */
export function greaterIsBetter(name: string): boolean | undefined {
  if (!isMetricName(name)) throw new Error(`unknown metric '${name}'; known: ${Object.keys(METRIC_DIRECTIONS).join(', ')}`);
  const d = METRIC_DIRECTIONS[name];
  return d === 'none' ? undefined : d === 'higher';
}

/** The scalar metrics of a result as a flat name → value map (absent metrics are left out). */
export function scalarMetrics(m: Metrics): Partial<Record<MetricName, number>> {
  const names: readonly MetricName[] = m.task === 'classification' ? CLASSIFICATION_METRICS : REGRESSION_METRICS;
  const out: Partial<Record<MetricName, number>> = {};
  const rec = m as unknown as Record<string, unknown>;
  for (const n of names) {
    const v = rec[n];
    if (typeof v === 'number') out[n] = v;
  }
  return out;
}
