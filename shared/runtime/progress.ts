/**
 * Progress for long work: a redrawn bar on an interactive terminal; on a GitHub runner and in CI (where
 * a bar would print thousands of lines) one plain line at most every `intervalMs`, plus a final line.
 */
import type { Progress } from './context';
import { grouped } from '../report/markdown';

export interface ProgressOptions {
  label: string;
  total: number;
  unit?: 'bytes' | 'rows';
  /** true: redraw a bar in place (TTY). false: periodic lines. */
  interactive: boolean;
  write: (text: string) => void;
  intervalMs?: number;
  now?: () => number;
}

function fmt(n: number, unit: 'bytes' | 'rows' | undefined): string {
  if (unit === 'bytes') {
    if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
    if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
    if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
    return `${n} B`;
  }
  return grouped(n);
}

export function createProgress(o: ProgressOptions): Progress {
  const now = o.now ?? (() => Date.now());
  const start = now();
  const interval = o.intervalMs ?? (o.interactive ? 100 : 10_000);
  let last = start;
  let lastDone = 0;
  let finished = false;
  const line = (done: number): string => {
    const pct = o.total > 0 ? Math.min(100, (done / o.total) * 100) : 0;
    const secs = (now() - start) / 1000;
    const rate = secs > 0 ? `${fmt(Math.round(done / secs), o.unit)}/s` : '';
    if (o.interactive) {
      const width = 24;
      const filled = Math.round((pct / 100) * width);
      return `\r${o.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct.toFixed(0).padStart(3)}% ${fmt(done, o.unit)} ${rate}   `;
    }
    return `${o.label}: ${pct.toFixed(0)}% (${fmt(done, o.unit)} of ${fmt(o.total, o.unit)}, ${rate}, ${secs.toFixed(1)} s)\n`;
  };
  return {
    update(done) {
      lastDone = done;
      if (finished) return;
      const t = now();
      if (t - last >= interval) {
        last = t;
        o.write(line(done));
      }
    },
    done(message) {
      if (finished) return;
      finished = true;
      const secs = ((now() - start) / 1000).toFixed(1);
      const tail = message ?? `${fmt(Math.max(lastDone, o.total), o.unit)} in ${secs} s`;
      o.write(o.interactive ? `\r${o.label}: ${tail}${' '.repeat(30)}\n` : `${o.label}: done, ${tail}\n`);
    },
  };
}
