import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * GitHub shows an annotation on a file only when its path is relative to the repository root.
 * Returns that relative path (with forward slashes), or undefined when the file is outside the workspace.
 */
export function workspaceRelative(file: string, workspace: string): string | undefined {
  const abs = isAbsolute(file) ? file : resolve(workspace, file);
  const rel = relative(workspace, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/**
 * How reports, outputs and messages name a path: relative to the workspace when inside it, else as
 * given.
 */
export function displayIn(workspace: string): (path: string) => string {
  return (p) => {
    const rel = relative(workspace, isAbsolute(p) ? p : resolve(workspace, p));
    return rel.startsWith('..') ? p : rel;
  };
}

/** GitHub rejects a job summary over 1 MiB; cut it at a line boundary and say so. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

export function capSummary(markdown: string, limit = SUMMARY_LIMIT_BYTES): string {
  const bytes = Buffer.byteLength(markdown, 'utf8');
  if (bytes <= limit) return markdown;
  const note = '\n\n> ⚠️ The summary was cut here: GitHub accepts at most 1 MiB. The full report is in the `report` output file.\n';
  const budget = limit - Buffer.byteLength(note, 'utf8');
  let cut = Buffer.from(markdown, 'utf8').subarray(0, budget).toString('utf8');
  // Drop a partial trailing character and the partial last line.
  cut = cut.replace(/\uFFFD$/, '');
  const nl = cut.lastIndexOf('\n');
  if (nl > 0) cut = cut.slice(0, nl);
  return cut + note;
}
