/**
 * Where an action runs: on a GitHub runner or in the local CLI. Core functions receive a RunContext and
 * never look at process.env or @actions/* themselves, so the same function serves the action, the CLI,
 * the demo and the unit tests.
 */
import type { InputSpec, InputValues } from './inputs';
import type { GitHubInfo } from './github-context';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title?: string;
  /** Path of the file; made relative to the workspace by the runtime, dropped when outside it. */
  file?: string;
  line?: number;
  endLine?: number;
  column?: number;
}

export interface Progress {
  /** Work done so far, in the unit of `total` (bytes, rows…). */
  update(done: number): void;
  /** Marks the work finished and prints the final line. */
  done(message?: string): void;
}

export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string): void;
  /** An annotation: on a runner it shows on the file in the PR; locally it prints `file:line: message`. */
  annotate(annotation: Annotation): void;
  /** A collapsible log group on a runner; a heading locally. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** A progress bar on a terminal; periodic lines in Actions logs and in CI. */
  progress(label: string, total: number, unit?: 'bytes' | 'rows'): Progress;
}

export interface ArtifactStore {
  /** Uploads files (paths under rootDirectory) as one artifact; `id` is the artifact's id on GitHub. */
  upload(name: string, files: string[], rootDirectory: string): Promise<{ id: number | undefined; where: string }>;
  /** Downloads an artifact of this workflow run (uploaded by an earlier job) into `dir`. */
  download(name: string, dir: string): Promise<void>;
}

export interface CacheStore {
  /** Restores the files saved under `key` to `paths` (absolute); true on a hit. */
  restore(key: string, paths: string[]): Promise<boolean>;
  /** Saves `paths` under `key` (a key is written once; saving an existing key is a no-op). */
  save(key: string, paths: string[]): Promise<void>;
}

export interface RunContext {
  kind: 'github' | 'local';
  /** The workspace (repository root on a runner, the current directory locally): relative paths resolve here. */
  workspace: string;
  /** A scratch directory for this run. */
  tempDir: string;
  log: Logger;
  /** Appends markdown to the job summary (locally: to the printed report). */
  summary(markdown: string): void;
  /** The event and repository, when running on GitHub (or when a local run was given them). */
  github?: GitHubInfo;
  /** Workflow artifacts on a runner; a folder locally. */
  artifacts: ArtifactStore;
  /** The Actions cache on a runner (keyed by content hash); a folder locally. */
  cache: CacheStore;
}

export type OutputValue = string | number | boolean;

export interface ActionResult<O extends string> {
  outputs: Record<O, OutputValue>;
  /** When set, the step fails with this message after the outputs and the summary are written. */
  failure?: string;
}

export interface ActionSpec<I extends Record<string, InputSpec<unknown, boolean>>, O extends string> {
  name: string;
  description: string;
  inputs: I;
  outputs: Record<O, string>;
  run(inputs: InputValues<I>, ctx: RunContext): Promise<ActionResult<O>>;
}

/** Keeps the generic parameters inferred at the declaration site. */
export function defineAction<I extends Record<string, InputSpec<unknown, boolean>>, O extends string>(
  spec: ActionSpec<I, O>,
): ActionSpec<I, O> {
  return spec;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry of specs is heterogeneous.
export type AnyActionSpec = ActionSpec<any, string>;
