/**
 * The bootstrap's PRNG (also the deterministic test-data generator that
 * scripts/fixtures/metrics_reference.py mirrors in Python): the project's xoshiro128** generator of
 * shared/rng.ts, with this module's seeding and integer draws kept as they were, so results do not
 * change: the seed is reduced with `seed >>> 0` (shared/rng.ts folds a non-integer or large double
 * instead), and `nextInt` rejects for every n up to 2^32 (shared/rng.ts switches to 53-bit floats above
 * 2^20). nextU32 and nextFloat are the generator's own.
 */
import { Rng } from '../rng';

export { splitmix32 } from '../rng';

export class MetricsRng extends Rng {
  /** `seed` is reduced to an unsigned 32-bit integer (`seed >>> 0`). */
  constructor(seed = 0) {
    super(seed >>> 0);
  }

  /** Unbiased uniform integer in [0, n), 1 ≤ n ≤ 2^32 (rejection sampling). */
  override nextInt(n: number): number {
    return this.nextU32Below(n);
  }
}
