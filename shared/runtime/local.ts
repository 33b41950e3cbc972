/**
 * Running an action from the `mlops` CLI: inputs from flags, outputs printed at the end, the summary
 * printed to the terminal, annotations as `file:line:col: level: message` lines (the format editors and
 * terminals make clickable). Nothing here imports @actions/*.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, isAbsolute } from 'node:path';
import type { Annotation, AnyActionSpec, Logger, RunContext } from './context';
import { execute, type Host } from './execute';
import { readGitHubInfo } from './github-context';
import { createProgress } from './progress';
import { folderArtifacts, folderCache } from './artifacts';

const useColor = !!process.stderr.isTTY && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
export const colors = {
  red: (s: string) => paint('31', s),
  yellow: (s: string) => paint('33', s),
  green: (s: string) => paint('32', s),
  dim: (s: string) => paint('2', s),
  bold: (s: string) => paint('1', s),
  cyan: (s: string) => paint('36', s),
};

export interface LocalOptions {
  workspace?: string;
  /** Where the printed text goes (tests capture it). */
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Print the markdown summary to `out` at the end (default true). */
  printSummary?: boolean;
  quiet?: boolean;
}

export function localLogger(workspace: string, o: Required<Pick<LocalOptions, 'out' | 'err'>> & { quiet?: boolean }): Logger & {
  annotations: Annotation[];
} {
  const annotations: Annotation[] = [];
  const interactive = !!process.stderr.isTTY && !process.env.CI;
  return {
    annotations,
    info: (m) => {
      if (!o.quiet) o.out(`${m}\n`);
    },
    debug: (m) => {
      if (process.env.MLOPS_DEBUG) o.err(colors.dim(`debug: ${m}\n`));
    },
    warning: (m) => o.err(`${colors.yellow('warning')}: ${m}\n`),
    annotate(a) {
      annotations.push(a);
      let where = '';
      if (a.file) {
        const f = isAbsolute(a.file) ? relative(workspace, a.file) || a.file : a.file;
        where = `${f}${a.line !== undefined ? `:${a.line}` : ''}${a.line !== undefined && a.column !== undefined ? `:${a.column}` : ''}: `;
      }
      const level = a.level === 'error' ? colors.red('error') : a.level === 'warning' ? colors.yellow('warning') : colors.cyan('notice');
      o.err(`${where}${level}: ${a.title ? `${a.title}: ` : ''}${a.message}\n`);
    },
    async group(title, fn) {
      if (!o.quiet) o.out(`${colors.bold(`▸ ${title}`)}\n`);
      return fn();
    },
    progress: (label, total, unit) =>
      createProgress({ label, total, unit, interactive, write: (t) => (o.quiet ? undefined : process.stderr.write(t)) }),
  };
}

export interface LocalRun {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  failure?: string;
}

/** Runs an action spec locally with inputs given as a name → value map. */
export async function runLocally(spec: AnyActionSpec, inputs: Record<string, string>, options: LocalOptions = {}): Promise<LocalRun> {
  const workspace = options.workspace ?? process.cwd();
  const out = options.out ?? ((t: string) => process.stdout.write(t));
  const err = options.err ?? ((t: string) => process.stderr.write(t));
  const log = localLogger(workspace, { out, err, quiet: options.quiet });
  let summary = '';
  const outputs: Record<string, string> = {};
  let failure: string | undefined;
  const ctx: RunContext = {
    kind: 'local',
    workspace,
    tempDir: mkdtempSync(join(tmpdir(), `mlops-${spec.name}-`)),
    log,
    summary: (md) => {
      summary += md.endsWith('\n') ? md : `${md}\n`;
    },
    github: readGitHubInfo(process.env),
    artifacts: folderArtifacts(join(workspace, '.mlops/artifacts')),
    cache: folderCache(join(workspace, '.mlops/cache/entries'), workspace),
  };
  const host: Host = {
    ctx,
    readInput: (name) => inputs[name] ?? '',
    expressionFallback: (_name, expression) => (/github\.token/.test(expression) ? (process.env.GITHUB_TOKEN ?? '') : ''),
    setOutput: (name, value) => {
      outputs[name] = value;
    },
    flushSummary: async () => undefined,
    fail: (message) => {
      failure = message;
    },
  };
  const exitCode = await execute(spec, host);
  if (options.printSummary !== false && summary && !options.quiet) out(`\n${summary}\n`);
  if (!options.quiet && Object.keys(outputs).length) {
    out(`${colors.bold('outputs')}\n${Object.entries(outputs).map(([k, v]) => `  ${k}: ${v.includes('\n') ? `${v.split('\n')[0]}…` : v}`).join('\n')}\n`);
  }
  if (failure) err(`${colors.red('✖')} ${failure}\n`);
  return { exitCode, outputs, summary, annotations: log.annotations, failure };
}
