/**
 * The monitor's view of drift: its config file, and the drift results shaped for the report. The
 * statistics and Evidently's test selection are in shared/drift.
 *
 *   # mlops/monitor.yml
 *   drift-share: 0.5              # dataset drift when this share of columns drifted
 *   ignore: [customer_id]         # identifiers, timestamps: not features
 *   performance: true             # score labelled production rows with the production model
 *   prediction-column: prediction # compared with the training labels (prediction drift)
 *   thresholds: { wasserstein: 0.1, jensenshannon: 0.1, ks: 0.05, chisquare: 0.05, z: 0.05, psi: 0.1 }
 *   columns:
 *     monthly_charges: { test: psi, threshold: 0.2 }
 */
import { z } from 'zod';
import { DRIFT_TESTS, columnDrift, datasetDrift, type ColumnDriftResult, type DriftTest } from '../drift';
import type { DatasetProfile } from '../profile/profile';

const test = z.enum(DRIFT_TESTS, { error: `must be one of: ${DRIFT_TESTS.join(', ')}` });

export const MonitorConfig = z.strictObject({
  'drift-share': z.number().min(0).max(1).default(0.5),
  ignore: z.array(z.string()).default([]),
  performance: z.boolean().default(true),
  'prediction-column': z.string().default('prediction'),
  thresholds: z.partialRecord(test, z.number().positive()).default({}),
  columns: z.record(z.string(), z.strictObject({ test: test.optional(), threshold: z.number().positive().optional() })).default({}),
});
export type MonitorConfig = z.output<typeof MonitorConfig>;

export interface ColumnDriftView {
  name: string;
  kind: string;
  test: string;
  statistic: number;
  pValue?: number;
  thresholdText: string;
  drifted: boolean;
  psi?: number;
  bins?: { labels: string[]; reference: number[]; current: number[] };
}

export interface DriftOutcome {
  columns: ColumnDriftView[];
  driftedColumns: string[];
  share: number;
  shareThreshold: number;
  datasetDrift: boolean;
  /** Which regime the tests follow (small reference: tests on the exact sample; large: distances). */
  referenceMode: string;
  prediction?: ColumnDriftView;
  skipped: { column: string; reason: string }[];
}

const P_TESTS = new Set<DriftTest>(['ks', 'chisquare', 'z']);

function fmtEdge(x: number): string {
  const a = Math.abs(x);
  return a >= 1e5 || (a > 0 && a < 1e-3) ? x.toExponential(1) : String(Number(x.toPrecision(3)));
}

export function view(c: ColumnDriftResult): ColumnDriftView {
  const d = c.distribution;
  const labels =
    d.type === 'bins'
      ? d.reference.map((_, i) => (i === 0 ? `< ${fmtEdge(d.edges[1] ?? d.edges[0]!)}` : i === d.reference.length - 1 ? `≥ ${fmtEdge(d.edges[i]!)}` : `${fmtEdge(d.edges[i]!)}–${fmtEdge(d.edges[i + 1]!)}`))
      : d.categories.map(String);
  return {
    name: c.column,
    kind: c.type,
    test: c.test,
    statistic: c.statistic,
    ...(c.pValue !== null ? { pValue: c.pValue } : {}),
    thresholdText: P_TESTS.has(c.test) ? `p < ${c.threshold}` : `≥ ${c.threshold}`,
    drifted: c.drifted,
    ...(c.psi !== null ? { psi: c.psi } : {}),
    bins: { labels, reference: d.reference, current: d.current },
  };
}

/** `target`: the label column of the training data (prediction drift compares predictions with it). */
export function computeDrift(reference: DatasetProfile, current: DatasetProfile, config: MonitorConfig, target?: string): DriftOutcome {
  const tests: Record<string, DriftTest> = {};
  const columnThresholds: Record<string, number> = {};
  for (const [name, c] of Object.entries(config.columns)) {
    if (c.test) tests[name] = c.test;
    if (c.threshold !== undefined) columnThresholds[name] = c.threshold;
  }
  const predictionColumn = config['prediction-column'];
  const result = datasetDrift(reference, current, {
    tests,
    columnThresholds,
    thresholds: config.thresholds,
    driftShare: config['drift-share'],
    // The label is not a feature of production data: when the current data has no labels, skip it.
    ignore: [...config.ignore, ...(target && !(target in current.columns) ? [target] : [])],
  });
  // Prediction drift: the model's predictions now against the labels it was trained on.
  let prediction: ColumnDriftView | undefined;
  const refLabels = target ? reference.columns[target] : undefined;
  const curPred = current.columns[predictionColumn];
  if (refLabels && curPred && target !== predictionColumn) {
    try {
      prediction = view(columnDrift(refLabels, curPred, { name: predictionColumn, thresholds: config.thresholds }));
    } catch {
      prediction = undefined;
    }
  }
  return {
    columns: result.columns.map(view),
    driftedColumns: result.driftedColumns,
    share: result.shareOfDriftedColumns,
    shareThreshold: result.driftShare,
    datasetDrift: result.datasetDrift,
    referenceMode:
      reference.rows <= 1000
        ? 'small reference (≤ 1000 rows): statistical tests on every reference value'
        : 'large reference (> 1000 rows): distances (Wasserstein / Jensen–Shannon) on its bins',
    ...(prediction ? { prediction } : {}),
    skipped: result.skipped,
  };
}
