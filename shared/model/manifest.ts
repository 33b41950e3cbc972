/**
 * The model manifest: what train writes next to model.onnx, so that evaluate, register and deploy know
 * where a model came from (data, code, run, parameters) without asking anyone. Versioned JSON.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { UserError } from '../errors';

export const MANIFEST_FORMAT = 'mlops-actions/manifest';
export const MANIFEST_VERSION = 1;

const Feature = z.object({ name: z.string(), kind: z.enum(['numeric', 'categorical']) });

export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(MANIFEST_VERSION),
  modelName: z.string(),
  model: z.object({
    file: z.string(),
    sha256: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    bytes: z.number().int().nonnegative(),
  }),
  task: z.enum(['classification', 'regression']).optional(),
  target: z.string(),
  features: z.array(Feature),
  classes: z.array(z.string()).optional(),
  trainer: z.object({
    kind: z.enum(['ridge', 'logistic', 'command']),
    command: z.string().optional(),
    params: z.record(z.string(), z.unknown()),
    seed: z.number().int(),
  }),
  data: z.object({ source: z.string(), hash: z.string(), rows: z.number().int().nonnegative() }),
  /** Files written beside the model (paths relative to the manifest). */
  files: z.object({ profile: z.string().optional(), metrics: z.string().optional(), params: z.string().optional(), log: z.string().optional() }),
  /** Metrics the trainer reported (metrics.json), if any. */
  metrics: z.record(z.string(), z.number()).optional(),
  git: z.object({ repository: z.string().optional(), sha: z.string().optional(), ref: z.string().optional() }),
  run: z.object({ id: z.string().optional(), attempt: z.string().optional(), url: z.string().optional(), pullRequest: z.number().int().optional() }),
  startedAt: z.string(),
  durationSeconds: z.number().nonnegative(),
});
export type Manifest = z.output<typeof Manifest>;

export async function readManifest(path: string, display: string, input = 'manifest'): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(`Cannot read the manifest ${display}: ${(err as Error).message}`, { input }, 'give the `manifest` output of the train step');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`The manifest ${display} is not valid JSON: ${(err as Error).message}`, { file: display, input });
  }
  const head = json as { version?: unknown };
  if (typeof head?.version === 'number' && head.version > MANIFEST_VERSION) {
    throw new UserError(`The manifest ${display} has version ${head.version}; this mlops-actions reads up to ${MANIFEST_VERSION}`, { file: display, input }, 'update mlops-actions');
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UserError(`The manifest ${display} is invalid at '${i.path.join('.')}': ${i.message}`, { file: display, input }, 'regenerate it with the train action');
  }
  return parsed.data;
}

export async function writeManifest(path: string, m: Manifest): Promise<void> {
  await writeFile(path, `${JSON.stringify(Manifest.parse(m), null, 2)}\n`);
}
