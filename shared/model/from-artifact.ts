/**
 * evaluate and register take the model either as paths or as the workflow artifact train uploaded in an
 * earlier job (`artifact: model-churn`): the artifact is downloaded and model.onnx, manifest.json and
 * profile.json inside it fill the paths not given.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UserError } from '../errors';
import type { RunContext } from '../runtime/context';

export interface ModelPaths {
  model: string;
  manifest?: string;
  profile?: string;
}

export async function modelPaths(
  inputs: { model?: string; manifest?: string; profile?: string; artifact?: string },
  ctx: RunContext,
): Promise<ModelPaths> {
  if (!inputs.artifact) {
    if (!inputs.model) throw new UserError("Give the model: `model` (a path) or `artifact` (the name train uploaded it under)", { input: 'model' });
    return { model: inputs.model, manifest: inputs.manifest, profile: inputs.profile };
  }
  const dir = resolve(ctx.workspace, '.mlops/artifacts-in', inputs.artifact);
  await ctx.log.group(`Downloading the artifact ${inputs.artifact}`, () => ctx.artifacts.download(inputs.artifact!, dir));
  const rel = (p: string) => relative(ctx.workspace, p);
  const inside = (name: string) => (existsSync(join(dir, name)) ? rel(join(dir, name)) : undefined);
  const model = inputs.model ?? inside('model.onnx');
  if (!model) throw new UserError(`The artifact '${inputs.artifact}' has no model.onnx`, { input: 'artifact' }, 'upload it with the train action (its artifact-name)');
  return { model, manifest: inputs.manifest ?? inside('manifest.json'), profile: inputs.profile ?? inside('profile.json') };
}
