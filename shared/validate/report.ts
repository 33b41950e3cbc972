/** The validate-data report: job summary, CLI output and the `report` file share this markdown. */
import { CHECKS, exampleWhere, type Finding } from './findings';
import { code, num, pct, table } from '../report/markdown';
import type { ColumnSummary } from './profiling';

export interface ReportInput {
  valid: boolean;
  dataLabel: string;
  rows: number;
  columns: number;
  dataHash: string;
  schemaLabel?: string;
  schemaInferredFrom?: string;
  referenceLabel?: string;
  findings: Finding[];
  columnSummaries: ColumnSummary[];
  errors: number;
  warnings: number;
  failOn: string;
  seconds: number;
}

export function renderReport(r: ReportInput): string {
  const icon = r.valid ? '✅' : '❌';
  const counts = `${r.errors} error${r.errors === 1 ? '' : 's'}, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}`;
  const out: string[] = [];
  out.push(`## ${icon} Data validation: ${code(r.dataLabel)} — ${counts}`);
  const facts = [`**${num(r.rows)} rows** × ${r.columns} columns`, `data ${code(r.dataHash.slice(0, 19))}`];
  if (r.schemaLabel) facts.push(`schema ${code(r.schemaLabel)}`);
  else if (r.schemaInferredFrom) facts.push(`schema inferred from ${code(r.schemaInferredFrom)}`);
  else facts.push('no schema (generic checks only)');
  if (r.referenceLabel) facts.push(`reference ${code(r.referenceLabel)}`);
  facts.push(`${r.seconds.toFixed(2)} s`);
  out.push(facts.join(' · '));
  out.push('');

  if (r.findings.length === 0) {
    out.push('Every check passed.');
    out.push('');
  } else {
    out.push(`### Problems`);
    out.push('');
    const byCheck = new Map<string, Finding[]>();
    for (const f of r.findings) {
      const list = byCheck.get(f.check) ?? [];
      list.push(f);
      byCheck.set(f.check, list);
    }
    for (const [check, list] of byCheck) {
      const severity = list.some((f) => f.severity === 'error') ? '❌' : '⚠️';
      out.push(`#### ${severity} ${check}: ${CHECKS[check as keyof typeof CHECKS]}`);
      out.push('');
      out.push(
        table(
          ['column', 'check', 'expected', 'found', 'rows', 'example rows'],
          list.map((f) => [
            f.column ?? '(table)',
            `${f.severity === 'error' ? 'error' : 'warning'}: ${f.check}`,
            f.expected,
            f.found,
            num(f.count),
            f.examples
              .filter((e) => e.row >= 0)
              .slice(0, 5)
              .map((e) => exampleWhere(e) + (e.value !== undefined ? ` (${e.value})` : ''))
              .join(', ') || (f.examples[0] ? exampleWhere(f.examples[0]) : ''),
          ]),
          ['l', 'l', 'l', 'l', 'r', 'l'],
        ),
      );
      out.push('');
    }
  }

  out.push('### Columns');
  out.push('');
  out.push(
    table(
      ['column', 'type', 'nulls', 'distinct', 'min', 'mean', 'max', 'top values'],
      r.columnSummaries.map((c) => [
        c.name + (c.isLabel ? ' (label)' : ''),
        c.type,
        c.nulls === 0 ? '0' : `${num(c.nulls)} (${pct(c.nulls / Math.max(1, c.count))})`,
        c.distinct === undefined ? '' : `${c.distinctExact ? '' : '≈'}${num(c.distinct)}`,
        c.min,
        c.mean,
        c.max,
        c.top,
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  out.push('');
  if (!r.valid) {
    out.push(`_The step fails because of the ${r.failOn === 'warning' ? 'errors and warnings' : 'errors'} above (\`fail-on: ${r.failOn}\`)._`);
  }
  return `${out.join('\n')}\n`;
}

