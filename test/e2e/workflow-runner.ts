/**
 * A small interpreter of our workflow templates (workflows-templates/*.yml), for end-to-end scenarios:
 * it parses a template, checks that the event triggers it (`on:` with its filters, workflow_dispatch
 * inputs as GitHub validates them), runs its jobs in `needs` order and their steps in order, the way the
 * runner would:
 *
 * - `uses: mlops-actions/mlops-actions/actions/<name>@v1` → the built bundle through runAction (harness.ts),
 *   with the step's `with:` evaluated, the env context (workflow + job + step env) in the process
 *   environment, the event payload, the fake GitHub API and the job's Actions runtime (artifact service:
 *   one run id per workflow run, one job id per job, so the jobs of a run share artifacts);
 * - `uses: actions/checkout@v4` → copies the `checkout` folder into the job's workspace (each job has a
 *   fresh, empty workspace, as on a runner: a job without checkout has no files);
 * - `run:` → not executed: evaluated (script and env), checked by `bash -n` (a syntax error is a problem
 *   of the job), recorded, and handed to `onRun`, through which the test performs its effect when the
 *   scenario needs it (status `performed-by-test`, else `not-run`).
 *
 * Expressions: the subset of GitHub's expression language the templates use — contexts `github`
 * (a fixed set of fields, `github.event.*` from the payload), `env`, `steps.<id>.outputs|outcome|conclusion`,
 * `needs.<job>.outputs|result`, `inputs`, `secrets`; string/number/boolean/null literals; `==`, `!=`, `!`,
 * `&&`, `||`, parentheses; `format()`. `if:` has the implicit `success() &&`. Anything else — another
 * context or function, a step id or output that does not exist, an env variable that is not defined, an
 * input the workflow does not declare, a step or job key we do not interpret — throws: a template typo
 * must not quietly evaluate to ''.
 *
 * Permissions: every request a step made to the fake API is checked against the job's `permissions:`
 * (GITHUB_TOKEN's scopes), by the operation's documented permission; a missing one is recorded as a
 * problem of the job (`permissionProblems`), since the fake itself does not model scoped tokens.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, readActionYml, runAction, type RunResult } from './harness';
import { DEFAULT_TOKEN, type FakeGitHub, type RecordedRequest } from '../fake-github';
import type { ResultsService } from '../fake-actions';

// ------------------------------------------------------------------------------------------ expressions

type Value = unknown;

type Node =
  | { kind: 'literal'; value: Value }
  | { kind: 'path'; path: string[] }
  | { kind: 'not'; arg: Node }
  | { kind: 'binary'; op: '==' | '!=' | '&&' | '||'; left: Node; right: Node }
  | { kind: 'call'; name: string; args: Node[] };

type Token = { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new Error(`unterminated string in expression: ${src}`);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += src[i++];
      }
      out.push({ t: 'str', v });
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = ['==', '!=', '&&', '||', '!', '(', ')', '.', ','].find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`the workflow runner does not implement '${src.slice(i, i + 2)}' (in \${{ ${src} }})`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

export function parseExpression(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (v: string) => peek()?.t === 'op' && peek()!.v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new Error(`expected '${v}' in \${{ ${src} }}`);
    p++;
  };
  const or = (): Node => {
    let left = and();
    while (isOp('||')) {
      p++;
      left = { kind: 'binary', op: '||', left, right: and() };
    }
    return left;
  };
  const and = (): Node => {
    let left = eq();
    while (isOp('&&')) {
      p++;
      left = { kind: 'binary', op: '&&', left, right: eq() };
    }
    return left;
  };
  const eq = (): Node => {
    let left = unary();
    while (isOp('==') || isOp('!=')) {
      const op = toks[p++]!.v as '==' | '!=';
      left = { kind: 'binary', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    if (isOp('!')) {
      p++;
      return { kind: 'not', arg: unary() };
    }
    return primary();
  };
  const primary = (): Node => {
    const tok = toks[p++];
    if (!tok) throw new Error(`unexpected end of \${{ ${src} }}`);
    if (tok.t === 'str' || tok.t === 'num') return { kind: 'literal', value: tok.v };
    if (tok.t === 'op') {
      if (tok.v !== '(') throw new Error(`unexpected '${tok.v}' in \${{ ${src} }}`);
      const inner = or();
      expect(')');
      return inner;
    }
    if (tok.v === 'true' || tok.v === 'false') return { kind: 'literal', value: tok.v === 'true' };
    if (tok.v === 'null') return { kind: 'literal', value: null };
    if (isOp('(')) {
      p++;
      const args: Node[] = [];
      if (!isOp(')')) {
        args.push(or());
        while (isOp(',')) {
          p++;
          args.push(or());
        }
      }
      expect(')');
      return { kind: 'call', name: tok.v, args };
    }
    const path = [tok.v];
    while (isOp('.')) {
      p++;
      const next = toks[p++];
      if (next?.t !== 'id') throw new Error(`expected a property name after '.' in \${{ ${src} }}`);
      path.push(next.v);
    }
    return { kind: 'path', path };
  };
  const node = or();
  if (p !== toks.length) throw new Error(`unexpected '${JSON.stringify(toks[p])}' in \${{ ${src} }} (the workflow runner does not implement it)`);
  return node;
}

export function truthy(v: Value): boolean {
  return !(v === false || v === null || v === undefined || v === '' || v === 0 || (typeof v === 'number' && Number.isNaN(v)));
}

function toNumber(v: Value): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return Number.NaN;
}

/** GitHub's `==`: strings case-insensitively, other mixed types coerced to numbers, objects by identity. */
function looseEquals(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === 'object' && a !== null) return a === b;
  if (typeof b === 'object' && b !== null) return false;
  if (typeof a === typeof b && typeof a !== 'string') return a === b;
  return toNumber(a) === toNumber(b);
}

export function toStr(v: Value): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v, null, 2);
}

export type Lookup = (path: string[]) => Value;

export function evaluate(node: Node, lookup: Lookup): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'path':
      return lookup(node.path);
    case 'not':
      return !truthy(evaluate(node.arg, lookup));
    case 'binary': {
      const left = evaluate(node.left, lookup);
      if (node.op === '&&') return truthy(left) ? evaluate(node.right, lookup) : left;
      if (node.op === '||') return truthy(left) ? left : evaluate(node.right, lookup);
      const eq = looseEquals(left, evaluate(node.right, lookup));
      return node.op === '==' ? eq : !eq;
    }
    case 'call': {
      if (node.name !== 'format') throw new Error(`the workflow runner does not implement the function ${node.name}()`);
      const [fmt, ...args] = node.args.map((a) => evaluate(a, lookup));
      if (typeof fmt !== 'string') throw new Error('format(): the first argument must be a string');
      return fmt.replace(/\{\{|\}\}|\{(\d+)\}/g, (m, n: string | undefined) => {
        if (m === '{{') return '{';
        if (m === '}}') return '}';
        if (Number(n) >= args.length) throw new Error(`format('${fmt}'): no argument {${n}}`);
        return toStr(args[Number(n)]);
      });
    }
  }
}

/** Splits a string into literal text and `${{ … }}` expressions (a `}}` inside a string literal does not close). */
function templateParts(text: string): Array<{ text: string } | { expr: string }> {
  const parts: Array<{ text: string } | { expr: string }> = [];
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${{', i);
    if (start < 0) {
      parts.push({ text: text.slice(i) });
      break;
    }
    if (start > i) parts.push({ text: text.slice(i, start) });
    let j = start + 3;
    let inString = false;
    for (; j < text.length; j++) {
      if (text[j] === "'") inString = !inString;
      else if (!inString && text.startsWith('}}', j)) break;
    }
    if (j >= text.length) throw new Error(`unterminated \${{ in: ${text}`);
    parts.push({ expr: text.slice(start + 3, j).trim() });
    i = j + 2;
  }
  return parts;
}

/** A string with `${{ … }}` interpolations, as `with:`, `env:` and `run:` values are. */
export function interpolate(text: string, lookup: Lookup): string {
  return templateParts(text)
    .map((p) => ('text' in p ? p.text : toStr(evaluate(parseExpression(p.expr), lookup))))
    .join('');
}

/** An `if:` condition: an expression with or without `${{ }}`, with the implicit `success() &&`. */
export function condition(text: string, lookup: Lookup): boolean {
  const t = text.trim();
  const parts = templateParts(t);
  const only = parts.length === 1 && 'expr' in parts[0]! ? parts[0].expr : undefined;
  if (t.includes('${{') && only === undefined) throw new Error(`the workflow runner does not implement an if: mixing text and \${{ }}: ${text}`);
  return truthy(evaluate(parseExpression(only ?? t), lookup));
}

// ------------------------------------------------------------------------------------------ templates

export const TEMPLATES = join(ROOT, 'workflows-templates');
const OUR_ACTION = /^mlops-actions\/mlops-actions\/actions\/([a-z-]+)@v1$/;
const CHECKOUT = 'actions/checkout@v4';

type Scalar = string | number | boolean;
interface StepYml {
  id?: string;
  name?: string;
  uses?: string;
  with?: Record<string, Scalar>;
  run?: string;
  if?: string;
  env?: Record<string, Scalar>;
}
interface JobYml {
  'runs-on': string;
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  outputs?: Record<string, string>;
  environment?: string | { name: string; url?: string };
  env?: Record<string, Scalar>;
  if?: string;
  steps: StepYml[];
}
interface DispatchInputYml {
  description?: string;
  required?: boolean;
  default?: Scalar;
  type?: 'string' | 'boolean' | 'choice' | 'number' | 'environment';
  options?: string[];
}
interface WorkflowYml {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean } | string;
  env?: Record<string, Scalar>;
  jobs: Record<string, JobYml>;
}

const WORKFLOW_KEYS = ['name', 'on', 'permissions', 'concurrency', 'env', 'jobs'];
const JOB_KEYS = ['runs-on', 'needs', 'permissions', 'outputs', 'environment', 'env', 'if', 'steps'];
const STEP_KEYS = ['id', 'name', 'uses', 'with', 'run', 'if', 'env'];

function onlyKeys(obj: object, allowed: string[], where: string): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) throw new Error(`${where}: the workflow runner does not interpret '${k}'`);
}

export function readTemplate(file: string): WorkflowYml {
  const path = file.includes('/') ? file : join(TEMPLATES, file);
  const wf = parse(readFileSync(path, 'utf8')) as WorkflowYml;
  onlyKeys(wf, WORKFLOW_KEYS, basename(path));
  if (typeof wf.on !== 'object' || wf.on === null || Array.isArray(wf.on)) throw new Error(`${basename(path)}: the runner reads only the mapping form of on:`);
  for (const [id, job] of Object.entries(wf.jobs)) {
    onlyKeys(job, JOB_KEYS, `${basename(path)} job ${id}`);
    const ids = new Set<string>();
    for (const [i, step] of job.steps.entries()) {
      const where = `${basename(path)} job ${id} step ${step.id ?? i + 1}`;
      onlyKeys(step, STEP_KEYS, where);
      if (step.id) {
        if (ids.has(step.id)) throw new Error(`${where}: duplicate step id`);
        ids.add(step.id);
      }
      if (!!step.uses === !!step.run) throw new Error(`${where}: a step has either uses: or run:`);
      if (step.uses) {
        const m = OUR_ACTION.exec(step.uses);
        if (m) {
          const declared = readActionYml(m[1]!).inputs ?? {};
          for (const k of Object.keys(step.with ?? {})) if (!(k in declared)) throw new Error(`${where}: ${m[1]} declares no input '${k}'`);
        } else if (step.uses === CHECKOUT) {
          if (step.with) throw new Error(`${where}: the runner's checkout takes no with:`);
        } else throw new Error(`${where}: the workflow runner does not run ${step.uses}`);
      }
    }
  }
  return wf;
}

/** A minimal glob for on: filters: `**` any path, `*` any characters but `/`. */
function globMatch(pattern: string, value: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*');
  return new RegExp(`^${re}$`).test(value);
}

// ------------------------------------------------------------------------------------------ running

export interface WorkflowEvent {
  name: string;
  payload: unknown;
  sha: string;
  ref: string;
}

export interface RunStepContext {
  workflow: string;
  job: string;
  id?: string;
  name: string;
  /** The script with its expressions evaluated. */
  script: string;
  /** The step's environment as the shell would get it: the env context and the GITHUB_* variables. */
  env: Record<string, string>;
  /** The job's workspace. */
  workspace: string;
  runId: string;
}

export interface WorkflowRunOptions {
  /** The template's file name in workflows-templates/ (or a path). */
  template: string;
  event: WorkflowEvent;
  fake: FakeGitHub;
  service: ResultsService;
  repository: string;
  /** What actions/checkout@v4 checks out: a folder copied into the job's workspace. */
  checkout?: string;
  /** Files the push / pull request changed, for `paths:` filters (without it the filter is not checked). */
  changedFiles?: string[];
  secrets?: Record<string, string>;
  /** The GITHUB_TOKEN (default the fake's DEFAULT_TOKEN). */
  token?: string;
  /** Performs a `run:` step's effect; return true when it did (the step is then `performed-by-test`). */
  onRun?: (step: RunStepContext) => boolean | void | Promise<boolean | void>;
  /** Per action step. Default 90 s. */
  stepTimeoutMs?: number;
}

export type StepStatus = 'success' | 'failure' | 'skipped' | 'not-run' | 'performed-by-test';

export interface StepResult {
  id?: string;
  name: string;
  kind: 'action' | 'checkout' | 'run';
  /** The action folder (kind action). */
  action?: string;
  status: StepStatus;
  /** The evaluated `with:` (kind action). */
  inputs?: Record<string, string>;
  /** The evaluated script (kind run). */
  script?: string;
  /** What `bash -n` says of the script (kind run), when it is not valid bash. */
  syntaxError?: string;
  env?: Record<string, string>;
  outputs: Record<string, string>;
  exitCode?: number;
  stdout?: string;
  result?: RunResult;
  /** The fake API requests the step made. */
  requests: RecordedRequest[];
  /** Wall time of the action (kind action). */
  durationMs?: number;
}

export interface JobResult {
  id: string;
  status: 'success' | 'failure' | 'skipped';
  steps: StepResult[];
  /** The job's `outputs:`, evaluated after its steps. */
  outputs: Record<string, string>;
  environment?: { name: string; url?: string };
  permissions: Record<string, string>;
  /** API requests the job's permissions would not allow. */
  permissionProblems: string[];
  workspace: string;
  /** The artifact-service identity of the job. */
  runtime: { run: string; job: string };
  step(id: string): StepResult;
}

export interface WorkflowResult {
  template: string;
  name: string;
  runId: string;
  concurrencyGroup?: string;
  jobs: Record<string, JobResult>;
  /** Every job's steps, in the order run. */
  order: string[];
  job(id: string): JobResult;
  /** Problems of every job: a failed step, a permission the job lacks. */
  problems(): string[];
}

let runCounter = 0;

/** The permissions GITHUB_TOKEN gets: the job's `permissions:` replaces the workflow's; unlisted scopes are none. */
function effectivePermissions(wf: WorkflowYml, job: JobYml): Record<string, string> {
  const p = job.permissions ?? wf.permissions;
  if (p === undefined) return { '*': 'write' }; // no permissions key: the repository default (take it as permissive)
  if (typeof p === 'string') {
    if (p === 'read-all') return { '*': 'read' };
    if (p === 'write-all') return { '*': 'write' };
    throw new Error(`permissions: ${p} is not interpreted`);
  }
  return { ...p, metadata: 'read' };
}

function checkEvent(wf: WorkflowYml, o: WorkflowRunOptions): Record<string, Value> {
  const file = o.template;
  const ev = o.event;
  if (!(ev.name in wf.on)) throw new Error(`${file} does not run on ${ev.name} (on: ${Object.keys(wf.on).join(', ')})`);
  const filter = (wf.on[ev.name] ?? {}) as Record<string, unknown>;
  const payload = ev.payload as Record<string, unknown>;
  const patterns = (k: string) => (filter[k] === undefined ? undefined : (filter[k] as string[]));
  const known: Record<string, string[]> = {
    pull_request: ['paths', 'types', 'branches'],
    push: ['branches', 'paths'],
    schedule: [],
    workflow_dispatch: ['inputs'],
  };
  if (!known[ev.name]) throw new Error(`${file}: the workflow runner does not implement ${ev.name} events`);
  if (!Array.isArray(filter)) onlyKeys(filter, known[ev.name]!, `${file} on.${ev.name}`);
  const paths = patterns('paths');
  if (paths && o.changedFiles && !o.changedFiles.some((f) => paths.some((pat) => globMatch(pat, f)))) {
    throw new Error(`${file}: none of the changed files ${o.changedFiles.join(', ')} matches on.${ev.name}.paths`);
  }
  if (ev.name === 'pull_request') {
    const types = patterns('types') ?? ['opened', 'synchronize', 'reopened'];
    if (!types.includes(String(payload.action))) throw new Error(`${file}: pull_request ${String(payload.action)} is not among its types ${types.join(', ')}`);
    const branches = patterns('branches');
    const base = (payload.pull_request as { base: { ref: string } }).base.ref;
    if (branches && !branches.some((b) => globMatch(b, base))) throw new Error(`${file}: base branch ${base} is not among on.pull_request.branches`);
  }
  if (ev.name === 'push') {
    const branches = patterns('branches');
    const branch = ev.ref.replace(/^refs\/heads\//, '');
    if (branches && (!ev.ref.startsWith('refs/heads/') || !branches.some((b) => globMatch(b, branch)))) throw new Error(`${file}: ${ev.ref} is not among on.push.branches`);
  }
  if (ev.name === 'schedule') {
    const crons = (wf.on.schedule as Array<{ cron: string }>).map((c) => c.cron);
    if (!crons.includes(String(payload.schedule))) throw new Error(`${file}: no schedule ${String(payload.schedule)} (crons: ${crons.join(', ')})`);
  }
  // The inputs context: workflow_dispatch inputs, typed, as GitHub validates them on dispatch.
  const inputs: Record<string, Value> = {};
  if (ev.name === 'workflow_dispatch') {
    const declared = ((filter as { inputs?: Record<string, DispatchInputYml> }).inputs ?? {}) as Record<string, DispatchInputYml>;
    const given = ((payload.inputs ?? {}) as Record<string, unknown>);
    for (const k of Object.keys(given)) if (!(k in declared)) throw new Error(`${file}: GitHub would refuse the dispatch: unexpected input '${k}' (declared: ${Object.keys(declared).join(', ') || 'none'})`);
    for (const [k, spec] of Object.entries(declared)) {
      const raw = given[k] ?? spec.default;
      if (raw === undefined || raw === '') {
        if (spec.required) throw new Error(`${file}: GitHub would refuse the dispatch: required input '${k}' not provided`);
        inputs[k] = spec.type === 'boolean' ? false : '';
        continue;
      }
      const s = String(raw);
      if (spec.type === 'boolean') {
        if (s !== 'true' && s !== 'false') throw new Error(`${file}: input '${k}' must be true or false, got ${s}`);
        inputs[k] = s === 'true';
      } else if (spec.type === 'number') {
        inputs[k] = Number(s);
      } else if (spec.type === 'choice') {
        if (!spec.options?.includes(s)) throw new Error(`${file}: input '${k}' must be one of ${spec.options?.join(', ')}, got ${s}`);
        inputs[k] = s;
      } else inputs[k] = s;
    }
  }
  return inputs;
}

function topoOrder(jobs: Record<string, JobYml>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string) => {
    if (!jobs[id]) throw new Error(`needs: no job ${id}`);
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`needs: a cycle through ${id}`);
    state.set(id, 'visiting');
    for (const n of needsOf(jobs[id])) visit(n);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of Object.keys(jobs)) visit(id);
  return order;
}

const needsOf = (job: JobYml): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
const strMap = (m: Record<string, Scalar> | undefined, f: (v: string) => string = (v) => v) =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, f(String(v))]));

export async function runWorkflow(o: WorkflowRunOptions): Promise<WorkflowResult> {
  const wf = readTemplate(o.template);
  const inputs = checkEvent(wf, o);
  const token = o.token ?? DEFAULT_TOKEN;
  const runName = `${basename(o.template)}#${++runCounter}`;
  const payload = o.event.payload as Record<string, unknown>;
  const pr = payload.pull_request as { head: { ref: string }; base: { ref: string } } | undefined;
  const runId = o.service.env({ run: runName, job: '_' }).GITHUB_RUN_ID!;
  const github: Record<string, Value> = {
    token,
    repository: o.repository,
    repository_owner: o.repository.split('/')[0],
    server_url: 'https://github.com',
    api_url: o.fake.url,
    event_name: o.event.name,
    event: o.event.payload,
    sha: o.event.sha,
    ref: o.event.ref,
    ref_name: o.event.ref.replace(/^refs\/(heads|tags)\//, ''),
    run_id: runId,
    run_attempt: '1',
    actor: 'octocat',
    workflow: wf.name,
    head_ref: pr?.head.ref ?? '',
    base_ref: pr?.base.ref ?? '',
  };
  const workflowEnvRaw = wf.env ?? {};
  const baseLookup = (env: Record<string, string>): Lookup => (path) => {
    const [root, key, ...rest] = path;
    switch (root) {
      case 'github': {
        if (key === 'event') return rest.reduce<Value>((v, k) => (v !== null && typeof v === 'object' ? ((v as Record<string, Value>)[k] ?? null) : null), o.event.payload);
        if (key === 'workspace') throw new Error('github.workspace: evaluate it in a job');
        if (key === undefined || !(key in github) || rest.length) throw new Error(`the workflow runner does not provide ${path.join('.')}`);
        return github[key];
      }
      case 'env':
        if (key === undefined || rest.length || !(key in env)) throw new Error(`${path.join('.')} is not defined (env: ${Object.keys(env).join(', ') || 'none'})`);
        return env[key];
      case 'inputs':
        if (o.event.name !== 'workflow_dispatch') throw new Error(`${path.join('.')}: the inputs context is empty on ${o.event.name}`);
        if (key === undefined || rest.length || !(key in inputs)) throw new Error(`${path.join('.')}: the workflow declares no such input`);
        return inputs[key];
      case 'secrets':
        if (key === undefined || rest.length) throw new Error(`${path.join('.')}: name a secret`);
        return key === 'GITHUB_TOKEN' ? token : (o.secrets?.[key] ?? null);
      default:
        throw new Error(`the workflow runner does not implement the context '${root}' (in ${path.join('.')})`);
    }
  };
  // The workflow's env cannot use env itself.
  const workflowEnv = strMap(workflowEnvRaw, (v) => interpolate(v, baseLookup({})));
  const concurrency = wf.concurrency === undefined ? undefined : typeof wf.concurrency === 'string' ? wf.concurrency : wf.concurrency.group;
  // Nor can the workflow's concurrency group (github, inputs and vars only).
  const concurrencyGroup = concurrency === undefined ? undefined : interpolate(concurrency, baseLookup({}));

  const jobs: Record<string, JobResult> = {};
  const order = topoOrder(wf.jobs);
  for (const jobId of order) {
    const job = wf.jobs[jobId]!;
    const runtime = { run: runName, job: jobId };
    const workspace = mkdtempSync(join(tmpdir(), `wf-${basename(o.template, '.yml')}-${jobId}-`));
    const steps: StepResult[] = [];
    const result: JobResult = {
      id: jobId,
      status: 'success',
      steps,
      outputs: {},
      permissions: effectivePermissions(wf, job),
      permissionProblems: [],
      workspace,
      runtime,
      step(id) {
        const s = steps.find((x) => x.id === id);
        if (!s) throw new Error(`job ${jobId} has no step ${id} (${steps.map((x) => x.id ?? x.name).join(', ')})`);
        return s;
      },
    };
    jobs[jobId] = result;
    const needs = needsOf(job);
    if (needs.some((n) => jobs[n]?.status !== 'success')) {
      result.status = 'skipped';
      continue;
    }
    const stepIds = job.steps.map((s) => s.id).filter((x): x is string => !!x);
    const lookupFor = (env: Record<string, string>): Lookup => (path) => {
      const [root, key, field, name, ...rest] = path;
      if (root === 'steps') {
        if (!key || !stepIds.includes(key)) throw new Error(`${path.join('.')}: job ${jobId} has no step with id ${key}`);
        const yml = job.steps.find((s) => s.id === key)!;
        const ran = steps.find((s) => s.id === key);
        if (field === 'outcome' || field === 'conclusion') {
          if (name !== undefined) throw new Error(`${path.join('.')}: nothing below ${field}`);
          return ran ? (ran.status === 'failure' ? 'failure' : ran.status === 'skipped' ? 'skipped' : 'success') : '';
        }
        if (field !== 'outputs' || name === undefined || rest.length) throw new Error(`the workflow runner does not implement ${path.join('.')}`);
        const action = yml.uses ? OUR_ACTION.exec(yml.uses)?.[1] : undefined;
        if (!action) throw new Error(`${path.join('.')}: step ${key} declares no outputs`);
        if (!(name in (readActionYml(action).outputs ?? {}))) throw new Error(`${path.join('.')}: the ${action} action has no output '${name}'`);
        return ran?.outputs[name] ?? null;
      }
      if (root === 'needs') {
        if (!key || !needs.includes(key)) throw new Error(`${path.join('.')}: job ${jobId} does not need ${key}`);
        if (field === 'result' && name === undefined) return jobs[key]!.status;
        if (field !== 'outputs' || name === undefined || rest.length) throw new Error(`the workflow runner does not implement ${path.join('.')}`);
        if (!(name in (wf.jobs[key]!.outputs ?? {}))) throw new Error(`${path.join('.')}: job ${key} has no output '${name}'`);
        return jobs[key]!.outputs[name] ?? '';
      }
      if (root === 'github' && key === 'workspace' && field === undefined) return workspace;
      if (root === 'github' && key === 'job' && field === undefined) return jobId;
      return baseLookup(env)(path);
    };
    if (job.if !== undefined && !condition(job.if, lookupFor(workflowEnv))) {
      result.status = 'skipped';
      continue;
    }
    const jobEnv = { ...workflowEnv, ...strMap(job.env, (v) => interpolate(v, lookupFor(workflowEnv))) };
    const envRaw = job.environment;
    if (envRaw !== undefined) {
      const name = typeof envRaw === 'string' ? envRaw : envRaw.name;
      result.environment = { name: interpolate(name, lookupFor(jobEnv)) };
    }
    const runtimeEnv = o.service.env({ run: runName, job: jobId, ref: o.event.ref });
    const ghEnv: Record<string, string> = {
      GITHUB_WORKFLOW: wf.name,
      GITHUB_WORKFLOW_REF: `${o.repository}/.github/workflows/${basename(o.template)}@${o.event.ref}`,
      ...(pr ? { GITHUB_HEAD_REF: pr.head.ref, GITHUB_BASE_REF: pr.base.ref } : {}),
    };

    for (const [i, yml] of job.steps.entries()) {
      const name = yml.name ?? (yml.uses ? `Run ${yml.uses}` : `Run ${yml.run!.split('\n')[0]}`);
      const base: Omit<StepResult, 'kind' | 'status'> = { ...(yml.id ? { id: yml.id } : {}), name, outputs: {}, requests: [] };
      const kind: StepResult['kind'] = yml.run ? 'run' : yml.uses === CHECKOUT ? 'checkout' : 'action';
      const action = kind === 'action' ? OUR_ACTION.exec(yml.uses!)![1]! : undefined;
      const failedBefore = steps.some((s) => s.status === 'failure');
      const lookup0 = lookupFor(jobEnv);
      if (failedBefore || (yml.if !== undefined && !condition(yml.if, lookup0))) {
        steps.push({ ...base, kind, ...(action ? { action } : {}), status: 'skipped' });
        continue;
      }
      const stepEnv = { ...jobEnv, ...strMap(yml.env, (v) => interpolate(v, lookup0)) };
      const lookup = lookupFor(stepEnv);
      if (kind === 'checkout') {
        if (!o.checkout) throw new Error(`${o.template} job ${jobId}: actions/checkout needs the runner's checkout option`);
        cpSync(o.checkout, workspace, { recursive: true });
        steps.push({ ...base, kind, status: 'success' });
        continue;
      }
      if (kind === 'run') {
        const script = interpolate(yml.run!, lookup);
        const check = spawnSync('bash', ['--noprofile', '--norc', '-n', '-c', script], { encoding: 'utf8', timeout: 10_000 });
        const syntaxError = check.status === 0 ? undefined : (check.stderr || `bash -n exited with ${check.status}`).trim();
        const env = { ...stepEnv, ...ghEnv, GITHUB_RUN_ID: runId, GITHUB_REPOSITORY: o.repository, GITHUB_WORKSPACE: workspace, GITHUB_EVENT_NAME: o.event.name };
        const done = o.onRun ? await o.onRun({ workflow: basename(o.template), job: jobId, ...(yml.id ? { id: yml.id } : {}), name, script, env, workspace, runId }) : false;
        steps.push({ ...base, kind, script, env: strMap(yml.env, (v) => interpolate(v, lookup0)), status: done ? 'performed-by-test' : 'not-run', ...(syntaxError ? { syntaxError } : {}) });
        continue;
      }
      const withInputs = strMap(yml.with, (v) => interpolate(v, lookup));
      const before = o.fake.requests.length;
      const t0 = Date.now();
      const res = await runAction({
        action: action!,
        inputs: withInputs,
        workspace,
        event: { name: o.event.name, payload: o.event.payload },
        repository: o.repository,
        sha: o.event.sha,
        ref: o.event.ref,
        token,
        apiUrl: o.fake.url,
        env: { ...stepEnv, ...ghEnv, ...runtimeEnv, GITHUB_ACTION: yml.id ?? `__run_${i}` },
        timeoutMs: o.stepTimeoutMs ?? 90_000,
      });
      const requests = o.fake.requests.slice(before);
      steps.push({
        ...base,
        kind,
        action: action!,
        inputs: withInputs,
        status: res.exitCode === 0 ? 'success' : 'failure',
        outputs: res.outputs,
        exitCode: res.exitCode,
        stdout: res.stdout,
        result: res,
        requests,
        durationMs: Date.now() - t0,
      });
      result.permissionProblems.push(...permissionProblems(requests, result.permissions, o).map((p) => `step ${yml.id ?? name}: ${p}`));
    }
    if (steps.some((s) => s.status === 'failure')) result.status = 'failure';
    const finalLookup = lookupFor(jobEnv);
    result.outputs = strMap(job.outputs, (v) => interpolate(v, finalLookup));
    if (envRaw !== undefined && typeof envRaw !== 'string' && envRaw.url !== undefined) result.environment!.url = interpolate(envRaw.url, finalLookup);
  }

  return {
    template: basename(o.template),
    name: wf.name,
    runId,
    ...(concurrencyGroup !== undefined ? { concurrencyGroup } : {}),
    jobs,
    order,
    job(id) {
      const j = jobs[id];
      if (!j) throw new Error(`${o.template} has no job ${id}`);
      return j;
    },
    problems() {
      return Object.values(jobs).flatMap((j) => [
        ...j.steps.filter((s) => s.status === 'failure').map((s) => `job ${j.id} step ${s.id ?? s.name} failed (exit ${s.exitCode}):\n${s.stdout}\n${s.result?.stderr ?? ''}`),
        ...j.steps.filter((s) => s.syntaxError).map((s) => `job ${j.id} step ${s.id ?? s.name}: the script is not valid bash: ${s.syntaxError}\n${s.script}`),
        ...j.permissionProblems.map((p) => `job ${j.id}: ${p}`),
      ]);
    },
  };
}

// ------------------------------------------------------------------------------------------ permissions

/**
 * The GITHUB_TOKEN permission each REST operation our actions call needs (GitHub's "Permissions required
 * for GitHub Apps"), as alternatives: [scope, 'read' | 'write'][]. Comments on a pull request's
 * conversation take issues or pull-requests.
 */
const OPERATION_PERMISSIONS: Record<string, Array<[string, 'read' | 'write']>> = {
  'repos/get': [['metadata', 'read']],
  'repos/list-releases': [['contents', 'read']],
  'repos/get-release': [['contents', 'read']],
  'repos/get-release-by-tag': [['contents', 'read']],
  'repos/create-release': [['contents', 'write']],
  'repos/update-release': [['contents', 'write']],
  'repos/delete-release': [['contents', 'write']],
  'repos/list-release-assets': [['contents', 'read']],
  'repos/get-release-asset': [['contents', 'read']],
  'repos/upload-release-asset': [['contents', 'write']],
  'repos/delete-release-asset': [['contents', 'write']],
  'repos/get-content': [['contents', 'read']],
  'repos/create-or-update-file-contents': [['contents', 'write']],
  'repos/get-branch': [['contents', 'read']],
  'repos/get-commit': [['contents', 'read']],
  'git/get-ref': [['contents', 'read']],
  'git/create-ref': [['contents', 'write']],
  'git/update-ref': [['contents', 'write']],
  'git/get-commit': [['contents', 'read']],
  'git/create-commit': [['contents', 'write']],
  'git/get-tree': [['contents', 'read']],
  'git/create-tree': [['contents', 'write']],
  'git/create-blob': [['contents', 'write']],
  'git/get-blob': [['contents', 'read']],
  'repos/list-pull-requests-associated-with-commit': [['pull-requests', 'read']],
  'pulls/get': [['pull-requests', 'read']],
  'repos/create-deployment': [['deployments', 'write']],
  'repos/create-deployment-status': [['deployments', 'write']],
  'repos/list-deployments': [['deployments', 'read']],
  'checks/create': [['checks', 'write']],
  'checks/update': [['checks', 'write']],
  'actions/create-workflow-dispatch': [['actions', 'write']],
  'issues/create': [['issues', 'write']],
  'issues/update': [['issues', 'write']],
  'issues/list-for-repo': [['issues', 'read']],
  'issues/get': [['issues', 'read']],
  'issues/list-labels-for-repo': [['issues', 'read']],
  'issues/create-label': [['issues', 'write']],
  'issues/add-labels': [['issues', 'write']],
  'issues/list-comments': [['issues', 'read'], ['pull-requests', 'read']],
  'issues/create-comment': [['issues', 'write'], ['pull-requests', 'write']],
  'issues/update-comment': [['issues', 'write'], ['pull-requests', 'write']],
  'issues/delete-comment': [['issues', 'write'], ['pull-requests', 'write']],
};

function permissionProblems(requests: RecordedRequest[], granted: Record<string, string>, o: WorkflowRunOptions): string[] {
  const level = (scope: string) => granted[scope] ?? granted['*'] ?? 'none';
  const allows = (scope: string, need: 'read' | 'write') => (need === 'read' ? ['read', 'write'] : ['write']).includes(level(scope));
  const problems: string[] = [];
  for (const r of requests) {
    if (!r.operationId) continue; // an unknown route is a violation of the fake already
    const need = OPERATION_PERMISSIONS[r.operationId];
    if (!need) {
      problems.push(`${r.method} ${r.path} (${r.operationId}): the workflow runner does not know its permission; add it to OPERATION_PERMISSIONS`);
      continue;
    }
    // A comment on an issue (not a PR) takes issues: only.
    const onIssue = /\/issues\/(\d+)\/comments$/.exec(r.path);
    const alternatives = onIssue && !o.fake.repo(o.repository).issues.get(Number(onIssue[1]))?.pull ? need.filter(([s]) => s === 'issues') : need;
    if (!alternatives.some(([s, l]) => allows(s, l))) {
      problems.push(`${r.method} ${r.path} (${r.operationId}) needs ${alternatives.map(([s, l]) => `${s}: ${l}`).join(' or ')}; the job has ${JSON.stringify(granted)}`);
    }
  }
  return problems;
}
