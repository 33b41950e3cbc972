// CPU time the hypervisor took from this VM (steal, summed over all CPUs, seconds) since boot, from
// /proc/stat; NaN where there is no such line. A benchmark reads it before and after a run: on a busy
// host a run's wall time includes seconds in which its threads were ready but no CPU ran them.
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc/stat on Linux. */
const TICKS_PER_SECOND = 100;

export function stealSeconds() {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
    // cpu user nice system idle iowait irq softirq steal …
    return cpu[0] === 'cpu' && cpu.length > 8 ? Number(cpu[8]) / TICKS_PER_SECOND : NaN;
  } catch {
    return NaN;
  }
}

/** " (host steal N s)" for a steal delta, or '' where steal is not known. */
export function stealNote(seconds) {
  return Number.isFinite(seconds) ? ` (host steal ${seconds.toFixed(2)} s)` : '';
}
