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

/**
 * A finite number whose String() is plain decimal (|x| < 1e21, not below 1e-6), with its integer part
 * grouped by commas: what toLocaleString('en-US', { maximumFractionDigits: 20 }) shows, without Intl.
 * (The first toLocaleString of a process loads ICU's data, ~20 ms, and each call with options makes a
 * formatter, ~25 µs: 45 of a small evaluate's 220 ms went to its report's numbers.)
 */
export function grouped(x: number): string {
  const s = String(x);
  const neg = s.charCodeAt(0) === 45 || Object.is(x, -0);
  const body = s.charCodeAt(0) === 45 ? s.slice(1) : s;
  const dot = body.indexOf('.');
  const int = dot < 0 ? body : body.slice(0, dot);
  let out = int.slice(0, int.length % 3 || 3);
  for (let i = out.length; i < int.length; i += 3) out += `,${int.slice(i, i + 3)}`;
  return (neg ? '-' : '') + out + (dot < 0 ? '' : body.slice(dot));
}

/** Formats a number for people: integers with separators, others with 4 significant digits. */
export function num(x: number | undefined | null, digits = 4): string {
  if (x === undefined || x === null) return '';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return grouped(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return x.toExponential(digits - 1);
  // At most `digits` significant digits from 1e-3 up: a plain decimal String() shows exactly.
  return grouped(Number(x.toPrecision(digits)));
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
