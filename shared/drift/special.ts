/**
 * Special functions for the drift tests: log-gamma, the regularized incomplete gamma functions, the
 * chi-squared survival function and the standard normal CDF.
 *
 * Written for relative accuracy, not speed (each is called once per test):
 *   - lgamma(x), x > 0: Stirling's series (terms to z^-13) after shifting the argument to ≥ 15 with
 *     the recurrence Γ(x) = Γ(x + k) / (x (x+1) … (x+k−1)); relative error ≈ 1e-15.
 *   - gammaP(a, x) / gammaQ(a, x), the regularized lower / upper incomplete gamma functions: the power
 *     series of P for x < a + 1, Legendre's continued fraction for Q (modified Lentz) otherwise; the
 *     other one as the complement, so the one that can be small is always computed directly. The common
 *     prefactor x^a e^−x / Γ(a+1) (the Poisson density at a with mean x) is computed as
 *     exp(−stirlerr(a) − bd0(a, x)) / √(2πa) for a ≥ 10 (Loader's saddle-point form, "Fast and
 *     accurate computation of binomial probabilities", 2000), which keeps its relative error near
 *     machine precision even for a and x in the millions; for a < 10 from logarithms directly.
 *     Relative error of Q ≲ 1e-13 over the chi-squared use (df up to 10^6, tail probabilities down to
 *     the double range), checked against SciPy's chdtrc (cephes igamc) in test/unit/drift.
 *   - chi2Sf(x, df) = Q(df/2, x/2), SciPy's `chi2.sf` (NaN for df ≤ 0, as SciPy).
 *   - ndtr(z) = Φ(z) via erfc(t) = Q(1/2, t²), SciPy's `norm.cdf` / `special.ndtr`.
 */

const LN_SQRT_2PI = 0.9189385332046728; // log(sqrt(2π))
const SQRT_2PI = 2.5066282746310002;

/** Stirling's series S(z) = lnΓ(z) − [(z − ½) ln z − z + ln √(2π)] for z ≥ 15 (B_2k / (2k(2k−1)) z^(1−2k)). */
function stirlingSeries(z: number): number {
  const r = 1 / z;
  const r2 = r * r;
  return (
    r *
    (1 / 12 +
      r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156 + r2 * (-3617 / 122400))))))))
  );
}

/** ln Γ(x) for x > 0 (NaN otherwise). */
export function lgamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x === Infinity) return Infinity;
  if (x >= 15) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingSeries(x);
  // shift up: Γ(x) = Γ(z) / (x (x+1) … (z−1)), the product has fewer than 16 factors
  let prod = 1;
  let z = x;
  while (z < 15) {
    prod *= z;
    z += 1;
  }
  return (z - 0.5) * Math.log(z) - z + LN_SQRT_2PI + stirlingSeries(z) - Math.log(prod);
}

/** stirlerr(a) = ln Γ(a+1) − (a + ½) ln a + a − ln √(2π) (the error of Stirling's formula for a!). */
function stirlerr(a: number): number {
  if (a >= 15) return stirlingSeries(a);
  return lgamma(a + 1) - (a + 0.5) * Math.log(a) + a - LN_SQRT_2PI;
}

/** bd0(x, m) = x ln(x/m) + m − x, without cancellation when x ≈ m (Loader). */
function bd0(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let s = (x - m) * v;
    let ej = 2 * x * v;
    v = v * v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  return x * Math.log(x / m) + m - x;
}

/** x^a e^−x / Γ(a+1), for a > 0, x > 0. */
function poissonDensity(a: number, x: number): number {
  if (a >= 10) return Math.exp(-stirlerr(a) - bd0(a, x)) / (SQRT_2PI * Math.sqrt(a));
  return Math.exp(a * Math.log(x) - x - lgamma(a + 1));
}

const MAX_ITER = 100_000_000;

/** Σ_{n≥0} x^n / ((a+1)…(a+n)), so that P(a, x) = poissonDensity(a, x) · series. */
function lowerSeries(a: number, x: number): number {
  let sum = 1;
  let term = 1;
  for (let n = 1; n < MAX_ITER; n++) {
    term *= x / (a + n);
    sum += term;
    if (term <= sum * 1e-17) break;
  }
  return sum;
}

/** The continued fraction for Q: Q(a, x) = x^a e^−x / Γ(a) · cf (Legendre; modified Lentz). */
function upperFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return h;
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x) / Γ(a), a > 0, x ≥ 0. */
export function gammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  if (x < a + 1) return Math.min(1, poissonDensity(a, x) * lowerSeries(a, x));
  return 1 - gammaQ(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a) = 1 − P(a, x), a > 0, x ≥ 0. */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  if (x < a + 1) return 1 - gammaP(a, x);
  const pre = poissonDensity(a, x) * a; // x^a e^−x / Γ(a)
  if (pre === 0) return 0;
  return Math.min(1, pre * upperFraction(a, x));
}

/** Survival function of the chi-squared distribution (SciPy's `chi2.sf(x, df)`; NaN for df ≤ 0). */
export function chi2Sf(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return gammaQ(df / 2, x / 2);
}

/** Complementary error function erfc(x) = 1 − erf(x). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x >= 0) return gammaQ(0.5, x * x);
  return 2 - gammaQ(0.5, x * x);
}

/** Standard normal CDF Φ(z) (SciPy's `norm.cdf` / `special.ndtr`). */
export function ndtr(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const t = (z * z) / 2;
  if (t < 0.5) {
    // |z| < 1: Φ = ½ + ½ sign(z) P(½, z²/2), like SciPy's ½ + ½ erf(z/√2) in this range
    const p = gammaP(0.5, t);
    return z >= 0 ? 0.5 + 0.5 * p : 0.5 - 0.5 * p;
  }
  // cephes' erfc underflows to 0 once (z/√2)² > MAXLOG = ln(DBL_MAX)
  if (t > 709.782712893384) return z > 0 ? 1 : 0;
  const q = 0.5 * gammaQ(0.5, t);
  return z > 0 ? 1 - q : q;
}
