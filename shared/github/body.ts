/** Text limits of GitHub and the hidden marker at the top of what we write. */

/** Issue and PR comment bodies, issue bodies (GitHub: "body is too long (maximum is 65536 characters)"). */
export const COMMENT_BODY_LIMIT = 65536;
/** Check run output summary and text. */
export const CHECK_OUTPUT_LIMIT = 65535;

/** The marker's kind/name must not end the HTML comment early or span lines (it would show, or not match). */
export function assertMarkerPart(what: 'kind' | 'name', value: string): void {
  if (!value || /-->|[\r\n]/.test(value)) {
    throw new Error(`Invalid marker ${what} ${JSON.stringify(value)}: it must be non-empty, on one line, without "-->"`);
  }
}

/**
 * The body with `mark` as its first line: kept as is when it already starts with it, otherwise any
 * copy of the marker elsewhere is removed and the marker is put on top.
 */
export function withMarker(body: string, mark: string): string {
  if (body.startsWith(mark)) return body;
  const rest = body.split(mark).join('').replace(/^\s*\n/, '');
  return `${mark}\n${rest}`;
}

/** Whether a body is marked with `mark` (on top: a quote or a mention further down does not count). */
export function hasMarker(body: string | null | undefined, mark: string): boolean {
  return !!body && body.trimStart().startsWith(mark);
}

/** Line endings GitHub may have normalised, so an identical body compares equal. */
export function sameText(a: string | null | undefined, b: string | null | undefined): boolean {
  return (a ?? '').replace(/\r\n/g, '\n') === (b ?? '').replace(/\r\n/g, '\n');
}

export interface Fitted {
  text: string;
  truncated: boolean;
}

/**
 * Cuts `text` to at most `limit` characters (UTF-16 units, which never undercount GitHub's count), at a
 * line break when one is near, closes a code fence or <details> left open by the cut, and ends with a
 * note saying it was truncated and where the full report is.
 */
export function fitToLimit(text: string, limit: number, fullReportAt = 'the job summary of this run'): Fitted {
  if (text.length <= limit) return { text, truncated: false };
  const note = `\n\n> [!WARNING]\n> Truncated: this report has ${text.length.toLocaleString('en-US')} characters, more than GitHub's limit of ${limit.toLocaleString('en-US')}. The full report is in ${fullReportAt}.\n`;
  const reserve = note.length + 64; // room for the closers below
  let cut = Math.max(0, limit - reserve);
  const newline = text.lastIndexOf('\n', cut);
  if (newline > 0 && cut - newline < 4096) cut = newline;
  // Never split a surrogate pair.
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  let kept = text.slice(0, cut);
  let closers = '';
  const fences = kept.split('\n').filter((l) => /^\s{0,3}(```|~~~)/.test(l)).length;
  if (fences % 2 === 1) closers += '\n```';
  const open = (kept.match(/<details\b/gi) ?? []).length - (kept.match(/<\/details>/gi) ?? []).length;
  for (let i = 0; i < Math.min(open, 4); i++) closers += '\n</details>';
  kept += closers;
  const out = `${kept}${note}`;
  return { text: out.length <= limit ? out : out.slice(0, limit), truncated: true };
}
