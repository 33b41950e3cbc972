/**
 * What validate-data found: one Finding per (check, column), with a count and the first offending rows
 * (file and line) so the report and the annotations can point at them.
 */
export const CHECKS = {
  'empty-dataset': 'the dataset has no rows',
  'missing-column': 'a column the schema expects is absent',
  'unexpected-column': 'a column the schema does not list',
  type: 'a value does not have the column\'s type',
  null: 'a null in a column that is not nullable',
  nan: 'NaN or ±Infinity in a numeric column',
  range: 'a value outside the schema\'s range',
  values: 'a value outside the schema\'s allowed values',
  regex: 'a value that does not match the schema\'s regex',
  unique: 'a repeated value in a column declared unique',
  rows: 'the row count is outside the schema\'s bounds',
  freshness: 'the newest timestamp is older than allowed',
  'duplicate-rows': 'a row identical to an earlier row',
  constant: 'a column with a single value',
  'label-missing': 'the label column is absent',
  'label-null': 'a row without a label',
  'new-category': 'a category the reference profile never saw',
  'out-of-range': 'a value outside the reference profile\'s [min, max]',
} as const;
export type CheckId = keyof typeof CHECKS;

export type FindingSeverity = 'error' | 'warning';

export interface Example {
  file: string;
  /** 1-based line in the file (absent for Parquet). */
  line?: number;
  /** 0-based row in the file. */
  row: number;
  value?: string;
}

export interface Finding {
  check: CheckId;
  severity: FindingSeverity;
  column?: string;
  expected: string;
  found: string;
  /** Offending rows (or 1 for dataset-level findings). */
  count: number;
  examples: Example[];
}

export const MAX_EXAMPLES = 10;

export class Findings {
  private readonly byKey = new Map<string, Finding>();

  /** Records one offending row; the first MAX_EXAMPLES keep their location. */
  add(
    check: CheckId,
    severity: FindingSeverity,
    column: string | undefined,
    expected: string,
    found: string,
    example?: Example,
  ): Finding {
    const key = `${check}\u0000${column ?? ''}`;
    let f = this.byKey.get(key);
    if (!f) {
      f = { check, severity, column, expected, found, count: 0, examples: [] };
      this.byKey.set(key, f);
    }
    f.count++;
    if (example && f.examples.length < MAX_EXAMPLES) f.examples.push(example);
    return f;
  }

  /** Updates the `found` summary of a finding (e.g. "3 values: x, y, z"). */
  get(check: CheckId, column?: string): Finding | undefined {
    return this.byKey.get(`${check}\u0000${column ?? ''}`);
  }

  /** Adds findings made elsewhere (another worker's part of the same file): counts add, and the
   *  first MAX_EXAMPLES offending rows of the union are kept. */
  absorb(other: Finding[]): void {
    for (const o of other) {
      const key = `${o.check}\u0000${o.column ?? ''}`;
      const f = this.byKey.get(key);
      if (!f) {
        this.byKey.set(key, { ...o, examples: o.examples.slice(0, MAX_EXAMPLES) });
        continue;
      }
      f.count += o.count;
      f.examples = [...f.examples, ...o.examples].sort((a, b) => a.row - b.row).slice(0, MAX_EXAMPLES);
      // The `found` text describes the first offending row.
      if (o.examples[0] && f.examples[0] === o.examples[0]) f.found = o.found;
    }
  }

  list(): Finding[] {
    const order = (f: Finding) => (f.severity === 'error' ? 0 : 1);
    return [...this.byKey.values()].sort((a, b) => order(a) - order(b));
  }

  count(severity: FindingSeverity): number {
    let n = 0;
    for (const f of this.byKey.values()) if (f.severity === severity) n++;
    return n;
  }
}

export function exampleWhere(e: Example): string {
  return e.line !== undefined ? `${e.file}:${e.line}` : `${e.file} row ${e.row + 1}`;
}
