/** Dense symmetric positive-definite solves for the trainers (row-major Float64Array, n×n). */

/**
 * Cholesky factorization A = L·Lᵀ. Returns L (lower triangle, row-major; the upper triangle is 0),
 * or null when A is not (numerically) positive definite. Only A's lower triangle is read.
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j] as number;
    const rowJ = j * n;
    for (let k = 0; k < j; k++) {
      const v = l[rowJ + k] as number;
      d -= v * v;
    }
    // Relative pivot test: a pivot that lost all but rounding noise means a singular matrix.
    if (!(d > 1e-13 * Math.max(1, Math.abs(a[j * n + j] as number)))) return null;
    const ljj = Math.sqrt(d);
    l[rowJ + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let s = a[rowI + j] as number;
      for (let k = 0; k < j; k++) s -= (l[rowI + k] as number) * (l[rowJ + k] as number);
      l[rowI + j] = s / ljj;
    }
  }
  return l;
}

/** Solve L·Lᵀ·x = b given the Cholesky factor L. */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (l[i * n + k] as number) * (y[k] as number);
    y[i] = s / (l[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let k = i + 1; k < n; k++) s -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = s / (l[i * n + i] as number);
  }
  return x;
}
