/**
 * Runs a built action the way a GitHub runner does: `node <action dir>/<runs.main>` on Node 24, inputs as
 * INPUT_<NAME> environment variables (upper-cased, spaces to underscores, hyphens kept) with action.yml's
 * defaults filled in and `${{ … }}` expressions evaluated, the GITHUB_* context variables, an event payload
 * file, and the file commands (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE, GITHUB_STEP_SUMMARY, GITHUB_PATH)
 * as empty files. Afterwards it parses the outputs (including heredoc values), the summary and the
 * workflow commands (annotations) the action printed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Node 24 from the `node` dev dependency: the version GitHub runs `node24` actions with. */
export const NODE24 = join(ROOT, 'node_modules/node/bin/node');

const ActionYml = z.object({
  name: z.string(),
  description: z.string(),
  inputs: z
    .record(z.string(), z.object({ description: z.string(), required: z.boolean().optional(), default: z.string().optional() }))
    .optional(),
  outputs: z.record(z.string(), z.object({ description: z.string() })).optional(),
  runs: z.object({ using: z.literal('node24'), main: z.string() }),
});
export type ActionYml = z.infer<typeof ActionYml>;

export function readActionYml(action: string, root = ROOT): ActionYml {
  return ActionYml.parse(parse(readFileSync(join(root, 'actions', action, 'action.yml'), 'utf8')));
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice' | 'debug';
  message: string;
  properties: Record<string, string>;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  env: Record<string, string>;
  /** Wall time from starting the action's process to its exit (benchmarks report it as cold start). */
  seconds: number;
}

export interface RunOptions {
  /** Action folder name under actions/. */
  action: string;
  /** The step's `with:` block. */
  inputs?: Record<string, string | number | boolean>;
  /** The workspace (repository checkout); the action runs there. */
  workspace: string;
  event?: { name: string; payload: unknown };
  repository?: string;
  sha?: string;
  ref?: string;
  token?: string;
  apiUrl?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Where the action lives (a checkout of the action's repository); default this repository. */
  root?: string;
}

/** The input's environment variable name, exactly as the runner builds it. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Parses a GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE file: `NAME=VALUE` lines and `NAME<<DELIM` heredocs. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delim) value.push(lines[i++]!);
      if (i >= lines.length) throw new Error(`unterminated heredoc for ${name} (delimiter ${delim})`);
      out[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`malformed file command line: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');

/** Parses `::error file=x,line=3::message` workflow commands from stdout. */
export function parseWorkflowCommands(stdout: string): Annotation[] {
  const out: Annotation[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^::(error|warning|notice|debug)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const part of (m[2] ?? '').split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) properties[part.slice(0, eq)] = unescapeProperty(part.slice(eq + 1));
    }
    out.push({ level: m[1] as Annotation['level'], message: unescapeData(m[3] ?? ''), properties });
  }
  return out;
}

/** Evaluates the few expressions action.yml defaults use. */
function evaluateDefault(value: string, ctx: Record<string, string>): string {
  return value.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, expr: string) => {
    if (!(expr in ctx)) throw new Error(`the harness cannot evaluate \${{ ${expr} }} in an action.yml default`);
    return ctx[expr]!;
  });
}

export async function runAction(o: RunOptions): Promise<RunResult> {
  if (!existsSync(NODE24)) throw new Error(`Node 24 not found at ${NODE24}: run npm ci`);
  const root = o.root ?? ROOT;
  const meta = readActionYml(o.action, root);
  const actionDir = join(root, 'actions', o.action);
  const main = resolve(actionDir, meta.runs.main);
  if (!existsSync(main)) throw new Error(`${main} does not exist: run npm run build`);
  const dir = mkdtempSync(join(tmpdir(), `e2e-${o.action}-`));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_PATH: join(dir, 'path'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const event = o.event ?? { name: 'push', payload: {} };
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(event.payload));
  const repository = o.repository ?? 'octo-org/churn-model';
  const token = o.token ?? 'ghs_e2e_default_token';
  const serverUrl = 'https://github.com';
  const apiUrl = o.apiUrl ?? 'https://api.github.com';

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0]!,
    GITHUB_SHA: o.sha ?? 'ffac537e6cbbf934b08745a378932722df287a53',
    GITHUB_REF: o.ref ?? 'refs/heads/main',
    GITHUB_RUN_ID: '1658821493',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'e2e',
    GITHUB_JOB: o.action,
    GITHUB_ACTION: o.action,
    GITHUB_SERVER_URL: serverUrl,
    GITHUB_API_URL: apiUrl,
    GITHUB_GRAPHQL_URL: `${apiUrl}/graphql`,
    GITHUB_WORKSPACE: o.workspace,
    RUNNER_TEMP: mkdtempSync(join(dir, 'runner-temp-')),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    ...files,
    ...o.env,
  };
  const exprCtx: Record<string, string> = {
    'github.token': token,
    'github.repository': repository,
    'github.sha': env.GITHUB_SHA!,
    'github.ref': env.GITHUB_REF!,
    'github.workspace': o.workspace,
    'github.event_name': event.name,
    'runner.temp': env.RUNNER_TEMP!,
  };
  for (const [name, spec] of Object.entries(meta.inputs ?? {})) {
    const given = o.inputs?.[name];
    if (given !== undefined) env[inputEnvName(name)] = String(given);
    else if (spec.default !== undefined) env[inputEnvName(name)] = evaluateDefault(spec.default, exprCtx);
  }
  for (const name of Object.keys(o.inputs ?? {})) {
    if (!(name in (meta.inputs ?? {}))) throw new Error(`action ${o.action} declares no input '${name}' (the runner would warn and ignore it)`);
  }

  const started = process.hrtime.bigint();
  const child = spawn(NODE24, [main], { cwd: o.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exitCode = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`${o.action} did not finish in ${o.timeoutMs ?? 120_000} ms\n${stdout}\n${stderr}`));
    }, o.timeoutMs ?? 120_000);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      res(code ?? 1);
    });
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    seconds,
    exitCode,
    stdout,
    stderr,
    outputs: parseFileCommands(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    annotations: parseWorkflowCommands(stdout),
    env: parseFileCommands(readFileSync(files.GITHUB_ENV, 'utf8')),
  };
}
