/** Small markdown helpers shared by every report (job summary, PR comment, CLI output). */

/** Escapes text for a markdown table cell (pipes, newlines, backticks kept readable). */
export function cell(text: string | number | boolean | undefined | null): string {
  if (text === undefined || text === null || text === '') return '';
  return String(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ↵ ');
}

/** Inline code that survives backticks inside the text. */
export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

export function table(headers: string[], rows: (string | number | boolean | undefined | null)[][], align?: ('l' | 'r' | 'c')[]): string {
  const sep = headers.map((_, i) => {
    const a = align?.[i] ?? 'l';
    return a === 'r' ? '---:' : a === 'c' ? ':---:' : '---';
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers.map(cell)), line(sep), ...rows.map((r) => line(r.map(cell)))].join('\n');
}

/** Formats a number for people: integers with separators, others with 4 significant digits. */
export function num(x: number | undefined | null, digits = 4): string {
  if (x === undefined || x === null) return '';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 12 });
}

export function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** A hidden marker that finds our own comment again (sticky comments, issues). */
export function marker(kind: string, name: string): string {
  return `<!-- mlops-actions:${kind}:${name} -->`;
}
