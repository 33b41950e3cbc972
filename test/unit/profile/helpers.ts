/** Shared helpers for the profile tests: data generators and exact order statistics. */
import { Rng } from '../../../shared/profile/rng';

export type Distribution = 'uniform' | 'normal' | 'heavy-tailed' | 'duplicates';

/** n values of a distribution, deterministic for a seed. */
export function generate(dist: Distribution, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (dist) {
      case 'uniform':
        out[i] = rng.nextDouble() * 1000 - 500;
        break;
      case 'normal':
        out[i] = 50 + 10 * rng.nextNormal();
        break;
      case 'heavy-tailed': {
        // Pareto (alpha = 1.1) with random sign: infinite variance
        const u = rng.nextOpen();
        out[i] = (rng.nextBit() ? 1 : -1) * Math.pow(u, -1 / 1.1);
        break;
      }
      case 'duplicates':
        // 20 distinct values, geometric-ish frequencies (a few values hold most of the mass)
        out[i] = Math.min(19, Math.floor(-Math.log(rng.nextOpen()) * 3));
        break;
    }
  }
  return out;
}

/** Number of sorted values < x. */
export function countLess(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of sorted values ≤ x. */
export function countLessEqual(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How far q lies outside the exact normalized rank interval [P(X < v), P(X ≤ v)] of an estimated
 * quantile v (0 when q is inside it: with ties any point of the interval is a correct answer).
 */
export function quantileRankError(sorted: Float64Array, v: number, q: number): number {
  const n = sorted.length;
  const lo = countLess(sorted, v) / n;
  const hi = countLessEqual(sorted, v) / n;
  return q < lo ? lo - q : q > hi ? q - hi : 0;
}

/** The inverted-CDF quantile (smallest x with F(x) ≥ q), as NumPy's method='inverted_cdf'. */
export function exactQuantile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const idx = Math.max(0, Math.ceil(q * n - 1e-9) - 1);
  return sorted[Math.min(n - 1, idx)]!;
}

export const QS: number[] = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);

export function relClose(actual: number, expected: number, tol: number): boolean {
  return Math.abs(actual - expected) <= tol * Math.max(Math.abs(expected), 1e-300);
}
