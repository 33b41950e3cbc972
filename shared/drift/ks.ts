/**
 * The two-sample Kolmogorov–Smirnov test, as `scipy.stats.ks_2samp(a, b)` computes it in SciPy 1.10.1
 * with its defaults (alternative='two-sided', method='auto'):
 *
 *   D = max over the pooled values x of |F_a(x) − F_b(x)| (right-continuous empirical CDFs, computed as
 *   count/n in floating point like SciPy, so D is bit-identical).
 *
 *   'auto' picks 'exact' when max(n1, n2) ≤ 10000, else 'asymp'.
 *   exact: with g = gcd(n1, n2), lcm = n1/g · n2 and h = round(D · lcm), D becomes h / lcm (the value
 *     SciPy reports), and p = P(D ≥ h/lcm) is the proportion of lattice paths leaving the band
 *     |x/n1 − y/n2| < h/lcm (Hodges 1958): for n1 = n2 the alternating series of
 *     `_compute_prob_outside_square`, otherwise the "inside method" recursion that computes 1 − p
 *     directly (Viehmann 2021), as `_compute_outer_prob_inside_method`. A result outside [0, 1] falls
 *     back to 'asymp' as in SciPy.
 *   asymp: p = kstwo.sf(D, round(n1·n2/(n1+n2))), the exact one-sample two-sided KS distribution at the
 *     effective sample size — SciPy's `_kolmogn` (Simard & L'Ecuyer 2011): Ruben–Gambino closed forms at
 *     the ends, 2·smirnov(n, D) (one-sided Smirnov, Birnbaum–Tingey sum) for D ≥ 0.5 or large n·D², the
 *     Durbin matrix (Marsaglia–Tsang–Wang) or Pomeranz recursion for small n, and the Pelz–Good
 *     asymptotic series beyond; the same branches and cut-offs as SciPy.
 *
 * Precision: the exact branch follows SciPy's arithmetic step by step (agreement ~1e-15). In the
 * asymptotic branch SciPy evaluates smirnov() in double-double arithmetic; here the Birnbaum–Tingey
 * terms are summed from logarithms in double precision, with relative error ≲ n·1e-16 (≤ 1e-10 at the
 * n ≤ 10^6 where SciPy computes the sum; above 10^6 both use the same closed-form approximation).
 * The Pelz–Good branch is itself an approximation in SciPy (≈1e-10 absolute) and is reproduced
 * term for term.
 */

export interface KsResult {
  /** D, as SciPy reports it (in the exact branch: h / lcm(n1, n2)). */
  statistic: number;
  pValue: number;
  /** Which p-value computation SciPy's 'auto' took. */
  method: 'exact' | 'asymp';
  n1: number;
  n2: number;
}

/** SciPy's `MAX_AUTO_N`: 'auto' is exact while both samples have at most this many values. */
export const KS_MAX_EXACT_N = 10000;

function sortedCopy(values: ArrayLike<number>, name: string): Float64Array {
  const out = Float64Array.from(values as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) {
    if (Number.isNaN(out[i]!)) throw new Error(`ks2samp: ${name} contains NaN`);
  }
  return out.sort();
}

/** `scipy.stats.ks_2samp(data1, data2)` (two-sided, method='auto'). */
export function ks2samp(data1: ArrayLike<number>, data2: ArrayLike<number>): KsResult {
  const a = sortedCopy(data1, 'data1');
  const b = sortedCopy(data2, 'data2');
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error('ks2samp: both samples need at least one value');
  let maxDiff = -Infinity;
  let minDiff = Infinity;
  let i = 0;
  let j = 0;
  while (i < n1 || j < n2) {
    const x = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i]! <= x) i++;
    while (j < n2 && b[j]! <= x) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  return ksFromDiffs(maxDiff, minDiff, n1, n2);
}

/**
 * The test from the extreme ECDF differences max(F1 − F2) and min(F1 − F2) over the pooled points
 * (each difference computed as c1/n1 − c2/n2). Used by ks2samp and by the drift code, which gets the
 * same differences from counts.
 */
export function ksFromDiffs(maxDiff: number, minDiff: number, n1: number, n2: number): KsResult {
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  const maxS = maxDiff;
  const d = minS > maxS ? minS : maxS;
  return ksPValue(d, n1, n2);
}

/** The p-value of an observed two-sided statistic d for sample sizes n1, n2 (SciPy's 'auto'). */
export function ksPValue(d: number, n1: number, n2: number): KsResult {
  let mode: 'exact' | 'asymp' = Math.max(n1, n2) <= KS_MAX_EXACT_N ? 'exact' : 'asymp';
  let prob = -Infinity;
  if (mode === 'exact') {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) {
      prob = 1;
    } else {
      prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
      if (!(prob >= 0 && prob <= 1)) mode = 'asymp';
    }
  }
  if (mode === 'asymp') {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    prob = kstwoSf(d, roundHalfEven(en));
  }
  prob = Math.min(Math.max(prob, 0), 1);
  return { statistic: d, pValue: prob, method: mode, n1, n2 };
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** NumPy's np.round: to the nearest integer, halves to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/** P(D_{n,n} ≥ h/n) (SciPy's `_compute_prob_outside_square`). */
export function probOutsideSquare(n: number, h: number): number {
  // P = 2 A0 (1 − A1 (1 − A2 (1 − …))), Horner-like, each Ai a product of h ratios
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * Proportion of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm
 * (SciPy's `_compute_outer_prob_inside_method`: the inside method with Viehmann's recursion for 1 − p).
 */
export function outerProbInside(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = Math.trunc(m / g);
  const ng = Math.trunc(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(maxj - minj + (lastlen - curlen), lenA));
  }
  return A[maxj - minj - 1]!;
}

// ---- the one-sample two-sided KS distribution (scipy.stats.kstwo) ------------------------------

const E128 = 2 ** 128;
const EM128 = 2 ** -128;
const LOG_2PI = Math.log(2 * Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const MIN_LOG = -708;

/** Survival function of kstwo(n) at x: P(D_n ≥ x) for the one-sample two-sided statistic. */
export function kstwoSf(x: number, n: number): number {
  if (!(n >= 1) || n !== Math.round(n) || Number.isNaN(x)) return Number.NaN;
  // rv_continuous.sf: 1 at and below the support's lower end 0.5/n, 0 at and above 1
  if (x <= 0.5 / n) return 1;
  if (x >= 1) return 0;
  return clip01(kolmogn(n, x, false));
}

/** CDF of kstwo(n) at x. */
export function kstwoCdf(x: number, n: number): number {
  if (!(n >= 1) || n !== Math.round(n) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0.5 / n) return 0;
  if (x >= 1) return 1;
  return clip01(kolmogn(n, x, true));
}

function clip01(p: number): number {
  return Math.min(Math.max(p, 0), 1);
}

function select(cdfProb: number, sfProb: number, cdf: boolean): number {
  return clip01(cdf ? cdfProb : sfProb);
}

/** n!/n^n in logs via Stirling's series (SciPy's `_log_nfactorial_div_n_pow_n`). */
function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  const t = rn / n;
  // polyval of B_2j / (2j (2j−1)) for j = 8 … 1 at t
  const series = -3617 / 122400 * t ** 7 + (1 / 156) * t ** 6 - (691 / 360360) * t ** 5 + (1 / 1188) * t ** 4 - (1 / 1680) * t ** 3 + (1 / 1260) * t ** 2 - (1 / 360) * t + 1 / 12;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * series;
}

/** SciPy's `_kolmogn(n, x, cdf)` (Simard & L'Ecuyer's choice of method). */
function kolmogn(n: number, x: number, cdf: boolean): number {
  if (x >= 1) return select(1, 0, cdf);
  if (x <= 0) return select(0, 1, cdf);
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: 1/2n ≤ x ≤ 1/n
    if (t <= 0.5) return select(0, 1, cdf);
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let k = 1; k <= n; k++) prob *= k * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return select(prob, 1 - prob, cdf);
  }
  if (t >= n - 1) {
    const prob = 2 * (1 - x) ** n;
    return select(1 - prob, prob, cdf);
  }
  if (x >= 0.5) {
    const prob = 2 * smirnov(n, x);
    return select(1 - prob, prob, cdf);
  }
  const nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) {
      const prob = kolmognDMTW(n, x);
      return select(prob, 1 - prob, cdf);
    }
    if (nxsquared <= 4) {
      const prob = kolmognPomeranz(n, x);
      return select(prob, 1 - prob, cdf);
    }
    const prob = 2 * smirnov(n, x);
    return select(1 - prob, prob, cdf);
  }
  if (!cdf) {
    if (nxsquared >= 370) return 0;
    if (nxsquared >= 2.2) return clip01(2 * smirnov(n, x));
  }
  let cdfprob: number;
  if (nxsquared >= 18) cdfprob = 1;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdfprob = kolmognDMTW(n, x);
  else cdfprob = kolmognPelzGood(n, x);
  return select(cdfprob, 1 - cdfprob, cdf);
}

/** Pr(D_n ≤ d) by Durbin's matrix, Marsaglia–Tsang–Wang's way (SciPy's `_kolmogn_DMTW`, cdf). */
function kolmognDMTW(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H: Float64Array = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    v[j - 1] = 1 - h ** j;
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = v[j - 1]! * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) {
    // H[i-1:, i] = w[:m-i+1]
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1]!;
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r]!;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!;

  let Hpwr: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) Hpwr[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let Hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      Hpwr = matmul(Hpwr, H, m);
      expnt += Hexpnt;
    }
    H = matmul(H, H, m);
    Hexpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > E128) {
      for (let i = 0; i < H.length; i++) H[i] = H[i]! / E128;
      Hexpnt += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = Hpwr[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      expnt -= 128;
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt);
  return clip01(p);
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] = out[i * m + j]! + aik * b[k * m + j]!;
    }
  }
  return out;
}

/** x · 2^e without intermediate overflow/underflow. */
function ldexp(x: number, e: number): number {
  while (e > 1000) {
    x *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    x *= 2 ** -1000;
    e += 1000;
  }
  return x * 2 ** e;
}

function pomeranzJ1J2(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pr(D_n ≤ x) by Pomeranz's recursion (SciPy's `_kolmogn_Pomeranz`, cdf). */
function kolmognPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1;
  twogpower[0] = 1;
  onem2gpower[0] = 1;
  let expnt = 0;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1]! * gOverN) / m;
    twogpower[m] = (twogpower[m - 1]! * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1]! * oneMinusTwoGOverN) / m;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let [j1, j2] = pomeranzJ1J2(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // conv = convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]); V1[:convLen] = conv[convStart : …]
      const base = k1 - V0s;
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      for (let r = 0; r < convLen; r++) {
        const idx = convStart + r; // index into the full convolution (length 2·ln2 − 1)
        let s = 0;
        const lo = Math.max(0, idx - (ln2 - 1));
        const hi = Math.min(idx, ln2 - 1);
        for (let q = lo; q <= hi; q++) {
          const vi = base + q;
          const vv = vi >= 0 && vi < npwrs ? V0[vi]! : 0;
          s += vv * pwrs[idx - q]!;
        }
        V1[r] = s;
      }
      let mx = -Infinity;
      for (let r = 0; r < npwrs; r++) if (V1[r]! > mx) mx = V1[r]!;
      if (mx > 0 && mx < EM128) {
        for (let r = 0; r < npwrs; r++) V1[r] = V1[r]! * E128;
        expnt -= 128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > E128) {
      ans *= EM128;
      expnt += 128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = ldexp(ans, expnt);
  return clip01(ans);
}

/** Pelz–Good approximation of Pr(D_n ≤ x) (SciPy's `_kolmogn_PelzGood`, cdf). */
function kolmognPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const zsquared = z ** 2;
  const zthree = z ** 3;
  const zfour = z ** 4;
  const zsix = z ** 6;
  const qlog = -PI2 / 8 / zsquared;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -zsquared;
  const k1b = PI2 / 4;
  const k2a = 6 * zsix + 2 * zfour;
  const k2b = ((2 * zfour - 5 * zsquared) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * zsquared)) / 16;
  const k3d = (PI6 * (5 - 30 * zsquared)) / 64;
  const k3c = (PI4 * (-60 * zsquared + 212 * zfour)) / 16;
  const k3b = (PI2 * (135 * zfour - 96 * zsix)) / 4;
  const k3a = -30 * zsix - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const msquared = m ** 2;
    const mfour = m ** 4;
    const msix = m ** 6;
    const qpower = q ** (8 * k);
    const coeffs = [1, k1a + k1b * msquared, k2a + k2b * msquared + k2c * mfour, k3a + k3b * msquared + k3c * mfour + k3d * msix];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qpower + coeffs[i]!;
  }
  const div = [z, 6 * zfour, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT_2PI) / div[i]!;
  q = Math.exp(-PI2 / 2 / zsquared);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const ksq = k * k;
    const qp = q ** ksq;
    k2extra += ksq * qp;
    const kspi = Math.PI * k;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp;
  }
  K[2] = K[2]! + (k2extra * PI2 * SQRT_2PI) / (-36 * zthree);
  K[3] = K[3]! + (k3extra * PI2 * SQRT_2PI) / (216 * zsix);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i]! / Math.pow(n, i / 2);
  return sum;
}

// ---- the one-sided Smirnov distribution (scipy.special.smirnov) ---------------------------------

const MINLOG = -708.3964185322641; // cephes MINLOG = log(2^-1022)

/** Error-free product: [p, e] with p = fl(a·b) and a·b = p + e exactly (Dekker/Veltkamp). */
function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  const SPLIT = 134217729; // 2^27 + 1
  let t = SPLIT * a;
  const ahi = t - (t - a);
  const alo = a - ahi;
  t = SPLIT * b;
  const bhi = t - (t - b);
  const blo = b - bhi;
  const e = ahi * bhi - p + ahi * blo + alo * bhi + alo * blo;
  return [p, e];
}

/**
 * P(D⁺_n ≥ x), the one-sided Smirnov statistic's survival function (`scipy.special.smirnov(n, x)`),
 * by the Birnbaum–Tingey sum x Σ_{j=0}^{⌊n(1−x)⌋} C(n,j) (x + j/n)^(j−1) (1 − x − j/n)^(n−j),
 * with SciPy's special cases (x ≤ 1/n, x ≥ 1 − 1/n, underflow, and n > 10^6).
 */
export function smirnov(n: number, x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  // floor(n·x) and the remainder alpha, exactly
  const [p, e] = twoProduct(n, x);
  let nxfl = Math.floor(p);
  let alpha = p - nxfl + e;
  if (alpha < 0) {
    nxfl -= 1;
    alpha += 1;
  }
  if (alpha >= 1) {
    nxfl += 1;
    alpha = 0;
  }
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const cdf = x * (1 + x) ** (n - 1);
    return clip01(1 - cdf);
  }
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return clip01((1 - x) ** n);
  if (n > 1000000) {
    const logp = -Math.pow(6 * n * x + 1, 2) / 18 / n;
    if (logp < -Math.LN2) return clip01(Math.exp(logp));
    return clip01(1 - -Math.expm1(logp));
  }
  let n1mxceil = n - nxfl;
  if (alpha === 0) n1mxceil += 1;
  const nUpperTerms = n - n1mxceil + 1;
  if ((nUpperTerms <= 1 && x < 0.5) || (n >= 10 && nUpperTerms <= 3 && x <= 0.5 / Math.sqrt(n))) {
    // SciPy's "upper sum" for small x: the CDF from the few terms j = n, n−1, … ≥ ⌈n(1−x)⌉, whose
    // factor (1 − x − j/n) is negative (the terms alternate in sign)
    let cdfSum = 0;
    let binom = 1;
    for (let k = 0; k < nUpperTerms; k++) {
      const v = n - k;
      const up = (nxfl + v + alpha) / n; // x + v/n
      const down = (n - v - nxfl - alpha) / n; // 1 − x − v/n
      cdfSum += binom * up ** (v - 1) * down ** (n - v);
      binom = (binom * v) / (k + 1);
    }
    return clip01(1 - x * cdfSum);
  }
  // lower sum over j = 0 … n1mxfl (terms with 1 − x − j/n ≤ 0 vanish)
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  if (alpha === 0) n1mxfl -= 1;
  const nTerms = n1mxfl + 1;
  // log-terms: log C(n,j) + (j−1) log((nxfl + j + alpha)/n) + (n−j) log((n − j − nxfl − alpha)/n)
  const logN = Math.log(n);
  let logC = 0;
  let logC_c = 0; // Neumaier compensation for the running log C(n, j)
  let maxLog = -Infinity;
  let sum = 0; // Σ exp(logA_j − maxLog)
  for (let j = 0; j < nTerms; j++) {
    const up = nxfl + j + alpha; // n (x + j/n)
    const down = n - j - nxfl - alpha; // n (1 − x − j/n)
    if (down <= 0) break;
    // log(1 − x − j/n) as log1p(−(x + j/n)): its error stays relative to x + j/n, not to 1
    const logA = logC + logC_c + (j - 1) * (Math.log(up) - logN) + (n - j) * Math.log1p(-up / n);
    if (logA > maxLog) {
      sum = sum * Math.exp(maxLog - logA) + 1;
      maxLog = logA;
    } else {
      const term = Math.exp(logA - maxLog);
      sum += term;
      // SciPy's early exit: the remaining terms cannot matter
      if (j !== nTerms - 1 && 4 * (nTerms - j) * term < 2.220446049250313e-16 * sum) break;
    }
    // log C(n, j+1) = log C(n, j) + log((n − j)/(j + 1))
    const inc = Math.log((n - j) / (j + 1));
    const s = logC + inc;
    if (Math.abs(logC) >= Math.abs(inc)) logC_c += logC - s + inc;
    else logC_c += inc - s + logC;
    logC = s;
  }
  const logSf = Math.log(x) + maxLog + Math.log(sum);
  return clip01(Math.exp(logSf));
}
