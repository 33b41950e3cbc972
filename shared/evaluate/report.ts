/**
 * The evaluation report: the sticky PR comment, the job summary and the check run's summary share it.
 * Metric table (candidate, baseline, Δ, Δ%, better/worse by the metric's direction, gate), every gate
 * with its reason, the confusion matrix or a residual summary, a Mermaid chart, slices and intervals.
 */
import type { Verdict } from '../gates/gates';
import { METRIC_DIRECTIONS, scalarMetrics, type Metrics } from '../metrics';
import { cell, code, details, marker, num, table } from '../report/markdown';
import type { ModelScore } from './score';

export interface ReportInput {
  modelName: string;
  candidateLabel: string;
  candidateDigest: string;
  baselineLabel?: string;
  baselineDigest?: string;
  /** Why there is no baseline, when there is none. */
  noBaselineReason?: string;
  dataLabel: string;
  dataHash: string;
  rows: number;
  candidate: ModelScore;
  baseline?: ModelScore;
  verdict: Verdict;
  failOnGate: boolean;
  runUrl?: string;
  sliceBy?: string;
}

const SHOWN_CLASSIFICATION = ['accuracy', 'precision', 'recall', 'f1', 'f1_macro', 'f1_weighted', 'roc_auc', 'average_precision', 'log_loss', 'brier', 'count'];
const SHOWN_REGRESSION = ['rmse', 'mae', 'mse', 'r2', 'mape', 'max_error', 'mean_label', 'mean_prediction', 'count'];

function fmt(x: number | undefined): string {
  if (x === undefined) return '—';
  if (Number.isInteger(x)) return num(x);
  return Math.abs(x) >= 1000 ? num(x, 6) : x.toFixed(4);
}

function signed(x: number, digits = 4): string {
  const s = Number.isInteger(x) || Math.abs(x) >= 1000 ? num(Math.abs(x), 6) : Math.abs(x).toFixed(digits);
  return `${x > 0 ? '+' : x < 0 ? '−' : '±'}${s}`;
}

/** The arrow for a change: ▲/▼ for the direction it moved, 🟢/🔴 for better/worse by the metric. */
function trend(metric: string, delta: number): string {
  if (delta === 0 || !Number.isFinite(delta)) return '=';
  const dir = (METRIC_DIRECTIONS as Record<string, string>)[metric] ?? 'none';
  const arrow = delta > 0 ? '▲' : '▼';
  if (dir === 'none') return arrow;
  const better = dir === 'higher' ? delta > 0 : delta < 0;
  return `${better ? '🟢' : '🔴'} ${arrow}`;
}

export function primaryMetric(m: Metrics): string {
  if (m.task === 'regression') return 'rmse';
  return m.roc_auc !== undefined ? 'roc_auc' : 'accuracy';
}

function chart(r: ReportInput): string {
  const cand = scalarMetrics(r.candidate.metrics) as Record<string, number>;
  const base = r.baseline ? (scalarMetrics(r.baseline.metrics) as Record<string, number>) : undefined;
  let names: string[];
  let lo = 0;
  let hi = 1;
  if (r.candidate.metrics.task === 'classification') {
    names = ['accuracy', 'precision', 'recall', 'f1', 'f1_macro', 'roc_auc', 'average_precision'].filter((n) => cand[n] !== undefined);
  } else {
    names = ['rmse', 'mae'].filter((n) => cand[n] !== undefined);
    const values = names.flatMap((n) => [cand[n]!, base?.[n] ?? 0]);
    hi = Math.max(...values) * 1.15 || 1;
    lo = 0;
  }
  if (!names.length) return '';
  const v = (m: Record<string, number>) => names.map((n) => Number((m[n] ?? 0).toPrecision(4))).join(', ');
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title "${r.modelName}: candidate${base ? ' (first bar) vs baseline (second bar)' : ''}"`,
    `  x-axis [${names.map((n) => `"${n}"`).join(', ')}]`,
    `  y-axis "${r.candidate.metrics.task === 'classification' ? 'score' : 'error'}" ${lo} --> ${Number(hi.toPrecision(3))}`,
    `  bar [${v(cand)}]`,
  ];
  if (base) lines.push(`  bar [${v(base)}]`);
  lines.push('```');
  return lines.join('\n');
}

function confusion(m: Metrics): string {
  if (m.task !== 'classification') return '';
  const shown = m.classes.length <= 12;
  if (!shown) return `_Confusion matrix omitted: ${m.classes.length} classes (it is in the evaluation JSON)._`;
  return table(
    ['true ↓ / predicted →', ...m.classes.map((c) => code(c))],
    m.confusion_matrix.map((row, i) => [code(m.classes[i]!), ...row.map((n, j) => (i === j ? `**${num(n)}**` : num(n)))]),
    ['l', ...m.classes.map(() => 'r' as const)],
  );
}

function perClass(m: Metrics): string {
  if (m.task !== 'classification') return '';
  return table(
    ['class', 'precision', 'recall', 'F1', 'support'],
    m.per_class.map((p) => [code(p.class), fmt(p.precision), fmt(p.recall), fmt(p.f1), num(p.support)]),
    ['l', 'r', 'r', 'r', 'r'],
  );
}

export function renderReport(r: ReportInput): string {
  const cand = scalarMetrics(r.candidate.metrics) as Record<string, number>;
  const base = r.baseline ? (scalarMetrics(r.baseline.metrics) as Record<string, number>) : undefined;
  const failed = r.verdict.results.filter((g) => g.status === 'fail');
  const counted = r.verdict.results.filter((g) => g.status !== 'skip');
  const icon = r.verdict.passed ? '✅' : '❌';
  const headline = counted.length
    ? r.verdict.passed
      ? `passes ${counted.length}/${counted.length} gates`
      : `fails ${failed.length} of ${counted.length} gates`
    : 'no gates configured';
  const out: string[] = [marker('evaluate', r.modelName), `## ${icon} \`${r.modelName}\`: candidate ${headline}`, ''];

  const facts = [
    `Evaluated on ${code(r.dataLabel)} (${num(r.rows)} rows, ${code(r.dataHash.slice(0, 19))})`,
    `candidate ${code(r.candidateLabel)} (${code(r.candidateDigest.slice(0, 19))})`,
    r.baselineLabel ? `baseline ${code(r.baselineLabel)} (${code((r.baselineDigest ?? '').slice(0, 19))})` : `no baseline${r.noBaselineReason ? `: ${r.noBaselineReason}` : ''}`,
  ];
  if (r.runUrl) facts.push(`[workflow run](${r.runUrl})`);
  out.push(facts.join(' · '), '');

  // Gate results per metric, for the table's last column.
  const gateCol = new Map<string, string>();
  for (const g of r.verdict.results) {
    const mark = g.status === 'pass' ? '✅' : g.status === 'fail' ? '❌' : '⏭️';
    gateCol.set(g.metric, `${gateCol.get(g.metric) ? `${gateCol.get(g.metric)}<br>` : ''}${mark} ${g.bound}`);
  }
  const shown = (r.candidate.metrics.task === 'classification' ? SHOWN_CLASSIFICATION : SHOWN_REGRESSION).filter(
    (n) => cand[n] !== undefined || base?.[n] !== undefined || gateCol.has(n),
  );
  for (const g of gateCol.keys()) if (!shown.includes(g)) shown.push(g);
  const ci = r.candidate.intervals;
  const headers = ['metric', 'candidate', ...(ci ? ['95% CI'] : []), ...(base ? ['baseline', 'Δ', 'Δ%', ''] : []), 'gate'];
  const rows = shown.map((n) => {
    const c = cand[n];
    const b = base?.[n];
    const row: string[] = [n, fmt(c)];
    if (ci) row.push(ci[n] ? `${fmt(ci[n]!.low)} – ${fmt(ci[n]!.high)}` : '');
    if (base) {
      if (c !== undefined && b !== undefined) {
        const d = c - b;
        row.push(fmt(b), signed(d), b !== 0 ? `${signed((d / Math.abs(b)) * 100, 2)}%` : '', n === 'count' ? '' : trend(n, d));
      } else row.push(fmt(b), '', '', '');
    }
    row.push(gateCol.get(n) ?? '');
    return row;
  });
  out.push(table(headers, rows, ['l', 'r', ...(ci ? ['r' as const] : []), ...(base ? (['r', 'r', 'r', 'c'] as const) : []), 'l']), '');

  if (r.verdict.results.length) {
    out.push('### Gates', '');
    for (const g of r.verdict.results) {
      const mark = g.status === 'pass' ? '✅' : g.status === 'fail' ? '❌' : '⏭️ skipped:';
      out.push(`- ${mark} **${g.metric}** ${g.bound}: ${g.reason}`);
    }
    if (r.verdict.noBaseline) out.push('', `_No baseline: change gates follow \`no-baseline: ${r.verdict.noBaseline}\`._`);
    out.push('');
  }
  if (!r.verdict.passed) {
    out.push(r.failOnGate ? `**This check fails** because ${failed.length === 1 ? 'a gate failed' : `${failed.length} gates failed`}.` : `_Gates failed, but \`fail-on-gate: false\`: the step passes._`, '');
  }

  const c = chart(r);
  if (c) out.push(c, '');

  const m = r.candidate.metrics;
  if (m.task === 'classification') {
    out.push(details('Confusion matrix (candidate)', confusion(m)), '');
    out.push(details('Per class (candidate)', perClass(m)), '');
  } else if (r.candidate.residuals) {
    const q = r.candidate.residuals;
    out.push(
      details(
        'Residuals (prediction − label, candidate)',
        table(['5%', '25%', 'median', '75%', '95%'], [[fmt(q.q05), fmt(q.q25), fmt(q.q50), fmt(q.q75), fmt(q.q95)]], ['r', 'r', 'r', 'r', 'r']),
      ),
      '',
    );
  }
  if (r.candidate.slices?.length) {
    const pm = primaryMetric(m);
    const baseBy = new Map((r.baseline?.slices ?? []).map((s) => [s.key, s]));
    const sliceRows = r.candidate.slices.map((s) => {
      const cv = (scalarMetrics(s.metrics) as Record<string, number>)[pm];
      const bs = baseBy.get(s.key);
      const bv = bs ? (scalarMetrics(bs.metrics) as Record<string, number>)[pm] : undefined;
      return [cell(s.key), num(s.count), fmt(cv), ...(r.baseline ? [fmt(bv), cv !== undefined && bv !== undefined ? `${signed(cv - bv)} ${trend(pm, cv - bv)}` : ''] : [])];
    });
    out.push(
      details(
        `Slices by ${code(r.sliceBy ?? '')} (${pm})`,
        table(['slice', 'rows', 'candidate', ...(r.baseline ? ['baseline', 'Δ'] : [])], sliceRows, ['l', 'r', 'r', ...(r.baseline ? (['r', 'l'] as const) : [])]),
      ),
      '',
    );
  }
  const notes = [...r.candidate.metrics.notes];
  const sk = r.candidate.skipped;
  const rowCount = (n: number) => `${num(n)} row${n === 1 ? '' : 's'}`;
  if (sk.noLabel) notes.push(`${rowCount(sk.noLabel)} without a label left out`);
  if (sk.unknownLabel) notes.push(`${rowCount(sk.unknownLabel)} whose label is not one of the model's classes left out`);
  if (sk.noPrediction) notes.push(`${rowCount(sk.noPrediction)} the model could not score (NaN output) left out`);
  if (notes.length) out.push(`Notes: ${notes.join('; ')}.`, '');
  out.push('<sub>Posted by mlops-actions/evaluate. This comment is updated in place on every run.</sub>', '');
  return out.join('\n');
}
