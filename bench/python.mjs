// The Python peers of the benchmarks run on Debian's /usr/bin/python3. Checked before any data is
// generated or timed, so a missing package is one clear line with the command that installs it, not a
// traceback after the first timed run.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

/**
 * Exits 1 with the apt-get command to run unless /usr/bin/python3 imports every module named. `then`,
 * Python run after the imports (e.g. printing their versions), shares the one start-up; its stdout is
 * returned.
 */
export function requirePython(modules, aptPackages, skipFlag, then = '') {
  const skip = skipFlag ? ` (or pass ${skipFlag} to time mlops alone)` : '';
  if (!existsSync(PYTHON)) {
    process.stdout.write(`the peer needs ${PYTHON}: apt-get install -y python3 ${aptPackages.join(' ')}${skip}\n`);
    process.exit(1);
  }
  const r = spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}${then ? `; ${then}` : ''}`], { encoding: 'utf8' });
  if (r.status !== 0) {
    const why = r.stderr.trim().split('\n').pop() || `exit ${r.status}`;
    process.stdout.write(`the peer cannot run: ${why}\n  apt-get update && apt-get install -y ${aptPackages.join(' ')}${skip}\n`);
    process.exit(1);
  }
  return r.stdout;
}
