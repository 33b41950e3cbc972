import { DEFAULT_OPSET, ML_DOMAIN, ML_OPSET, ModelBuilder } from '../onnx/builder';
import type { FeatureSpec, Preprocessing, Task, TrainerName } from './types';
import { usesMlDomain } from './preprocess';

/** Metadata keys every built-in trainer writes into `metadata_props`. */
export const METADATA_KEYS = {
  task: 'mlops.task',
  target: 'mlops.target',
  features: 'mlops.features',
  classes: 'mlops.classes',
  trainer: 'mlops.trainer',
  params: 'mlops.params',
} as const;

/** JSON with object keys sorted, so equal values always serialize to equal bytes. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

export interface ModelHeader {
  trainer: TrainerName;
  task: Task;
  target: string;
  features: FeatureSpec[];
  params: object;
  classes?: string[];
}

export function newModel(header: ModelHeader, p: Preprocessing): ModelBuilder {
  const opsets: Record<string, number> = { '': DEFAULT_OPSET };
  if (usesMlDomain(p)) opsets[ML_DOMAIN] = ML_OPSET;
  const m = new ModelBuilder({
    graphName: `mlops_${header.trainer}`,
    opsets,
    docString: `${header.trainer} ${header.task} of '${header.target}' on raw feature columns (preprocessing inside the graph)`,
  });
  for (const [key, value] of Object.entries(metadataFor(header))) m.setMetadata(key, value);
  return m;
}

export function metadataFor(h: ModelHeader): Record<string, string> {
  const md: Record<string, string> = {
    [METADATA_KEYS.task]: h.task,
    [METADATA_KEYS.target]: h.target,
    [METADATA_KEYS.features]: JSON.stringify(h.features.map((f) => ({ name: f.name, kind: f.kind }))),
  };
  if (h.classes) md[METADATA_KEYS.classes] = JSON.stringify(h.classes);
  md[METADATA_KEYS.trainer] = h.trainer;
  md[METADATA_KEYS.params] = stableJson(h.params);
  return md;
}
