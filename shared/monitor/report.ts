/** The monitor report: job summary, the drift issue's body, report.md. Drifted columns first, with charts. */
import { marker, table, code, num } from '../report/markdown';
import type { ColumnDriftView, DriftOutcome } from './drift';

export interface MonitorReportInput {
  name: string;
  alias: string;
  version: number;
  versionUrl: string;
  dataLabel: string;
  rows: number;
  referenceRows: number;
  drift: DriftOutcome;
  performance?: { metric: string; reference: number; current: number }[];
  runUrl?: string;
}

function f(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  if (x !== 0 && Math.abs(x) < 1e-4) return x.toExponential(2);
  return x.toFixed(4);
}

function chart(c: ColumnDriftView): string {
  if (!c.bins || c.bins.labels.length === 0) return '';
  const labels = c.bins.labels.slice(0, 20).map((l) => `"${l.replace(/"/g, "'").slice(0, 18)}"`);
  const pct = (xs: number[]) => xs.slice(0, 20).map((x) => Number((x * 100).toFixed(2))).join(', ');
  const top = Math.max(...c.bins.reference, ...c.bins.current) * 100;
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${c.name}: reference (first bar) vs current (second bar), % of rows"`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis "%" 0 --> ${Math.max(1, Math.ceil(top * 1.1))}`,
    `  bar [${pct(c.bins.reference)}]`,
    `  bar [${pct(c.bins.current)}]`,
    '```',
  ].join('\n');
}

export function renderMonitorReport(r: MonitorReportInput): string {
  const d = r.drift;
  const icon = d.datasetDrift ? '🚨' : d.driftedColumns.length ? '⚠️' : '✅';
  const out: string[] = [marker('drift', r.name)];
  out.push(
    `## ${icon} Drift: \`${r.name}\` v${r.version} (${r.alias}): ${d.driftedColumns.length} of ${d.columns.length} columns drifted (${(d.share * 100).toFixed(0)}%); dataset drift: **${d.datasetDrift ? 'yes' : 'no'}** (threshold ${(d.shareThreshold * 100).toFixed(0)}%)`,
    '',
  );
  const facts = [
    `current ${code(r.dataLabel)}: ${num(r.rows)} rows`,
    `reference: the training data of [v${r.version}](${r.versionUrl}), ${num(r.referenceRows)} rows`,
    d.referenceMode,
  ];
  if (r.runUrl) facts.push(`[workflow run](${r.runUrl})`);
  out.push(facts.join(' · '), '');
  const sorted = [...d.columns].sort((a, b) => Number(b.drifted) - Number(a.drifted));
  out.push(
    table(
      ['column', 'type', 'test', 'statistic', 'p-value', 'threshold', 'drift', 'PSI'],
      sorted.map((c) => [code(c.name), c.kind, c.test, f(c.statistic), c.pValue === undefined ? '' : f(c.pValue), c.thresholdText, c.drifted ? '🔴 drift' : '🟢 ok', f(c.psi)]),
      ['l', 'l', 'l', 'r', 'r', 'l', 'l', 'r'],
    ),
    '',
  );
  if (d.prediction) {
    const p = d.prediction;
    out.push(`**Prediction drift** (${p.test}): statistic ${f(p.statistic)}${p.pValue !== undefined ? `, p-value ${f(p.pValue)}` : ''}: ${p.drifted ? '🔴 drift' : '🟢 ok'}.`, '');
  }
  if (r.performance?.length) {
    out.push('### Performance on labelled production rows', '');
    out.push(table(['metric', 'at evaluation', 'now', 'Δ'], r.performance.map((p) => [p.metric, f(p.reference), f(p.current), `${p.current - p.reference >= 0 ? '+' : '−'}${Math.abs(p.current - p.reference).toFixed(4)}`]), ['l', 'r', 'r', 'r']), '');
  }
  const drifted = sorted.filter((c) => c.drifted);
  if (drifted.length) {
    out.push('### Drifted columns', '');
    for (const c of drifted.slice(0, 12)) {
      out.push(`#### ${code(c.name)}: ${c.test} ${f(c.statistic)} (${c.thresholdText})`, '', chart(c), '');
    }
  }
  out.push('<sub>Posted by mlops-actions/monitor. One issue per model: updated while drift lasts, closed by a clean run.</sub>', '');
  return out.join('\n');
}
