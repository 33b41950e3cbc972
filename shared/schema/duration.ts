/** A schema duration ('30d', '1.5h', '90s'; units s, m, h, d, w) in milliseconds. Apart from schema.ts, which loads zod and yaml. */
export function durationMs(d: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(d);
  if (!m) throw new Error(`bad duration ${d}`);
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
