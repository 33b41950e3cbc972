/**
 * Hyperparameters of the built-in trainers, validated with zod. Unknown names are an error that
 * names the parameter and lists the valid ones (a typo must not silently train with a default).
 */
import { z } from 'zod';
import { UserError } from '../../errors';
import type { LogisticParams, RidgeParams, TrainerName } from './types';

export const RidgeParamsSchema = z.object({
  /** L2 penalty on the coefficients (not the intercept); 0 is ordinary least squares. */
  alpha: z.number().finite().min(0).default(1),
});

export const LogisticParamsSchema = z.object({
  /** Inverse regularization strength, as in sklearn: objective C·Σloss + ½‖W‖². */
  C: z.number().finite().positive().default(1),
  /** Maximum Newton iterations. */
  max_iter: z.number().int().min(1).max(100_000).default(100),
  /** Stop when max |gradient| of the mean objective (loss/n + ‖W‖²/(2·C·n)) is at most this. */
  tol: z.number().finite().positive().default(1e-8),
});

const SCHEMAS = { ridge: RidgeParamsSchema, logistic: LogisticParamsSchema } as const;

export interface ParamsFor {
  ridge: RidgeParams;
  logistic: LogisticParams;
}

export function validParamNames(trainer: TrainerName): string[] {
  return Object.keys(SCHEMAS[trainer].shape);
}

/** Validate `params` for a trainer and fill in defaults. Throws UserError naming the bad parameter. */
export function parseParams<T extends TrainerName>(trainer: T, params: unknown = {}): ParamsFor[T] {
  const schema = SCHEMAS[trainer];
  if (!schema) throw new UserError(`unknown trainer '${String(trainer)}'`, {}, `use one of: ${Object.keys(SCHEMAS).join(', ')}`);
  const valid = validParamNames(trainer);
  const given: unknown = params ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new UserError(`params for trainer ${trainer} must be an object (e.g. {"${valid[0]}": …}), got ${Array.isArray(given) ? 'an array' : typeof given}`);
  }
  const unknown = Object.keys(given).filter((k) => !valid.includes(k));
  if (unknown.length) {
    const list = unknown.map((k) => `'${k}'`).join(', ');
    throw new UserError(
      `unknown parameter${unknown.length > 1 ? 's' : ''} ${list} for trainer ${trainer}`,
      {},
      `valid parameters of ${trainer}: ${valid.join(', ')}`,
    );
  }
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
    throw new UserError(`invalid parameter for trainer ${trainer}: ${problems}`, {}, `valid parameters of ${trainer}: ${valid.join(', ')}`);
  }
  return parsed.data as ParamsFor[T];
}
