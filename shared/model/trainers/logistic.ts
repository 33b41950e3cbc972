/**
 * L2-regularized logistic regression with sklearn's objective (the lbfgs solver's):
 *   minimize  C·Σᵢ loss(xᵢ, yᵢ) + ½‖W‖²        (intercepts not penalized)
 * two classes: the binary logistic loss on one coefficient vector (sklearn's binary `coef_`);
 * more: the multinomial (softmax) loss with one coefficient vector per class.
 *
 * Solver: Newton's method with the Newton step from preconditioned conjugate gradients on
 * Hessian-vector products (no d²-sized Hessian, so wide one-hot designs stay cheap), an Armijo
 * backtracking line search, from W = 0. No randomness: the same data gives the same model.
 *
 * Graph: raw columns → preprocessing → MatMul(W [d, C]) → Add(b [C]) → Softmax(axis 1)
 *   → `probabilities` float [N, C]  (classes in sorted order, as in `mlops.classes`)
 *   → ArgMax → Gather(classes) → `label` string [N]
 * Two classes are written as C = 2 logits [0, w·x + b], whose softmax is exactly the sigmoid.
 */
import { attr } from '../onnx/builder';
import { parseParams } from './params';
import {
  classificationTarget,
  designColumns,
  emitPreprocessing,
  featureSpecs,
  fitPreprocessing,
  transform,
  validateTable,
} from './preprocess';
import { metadataFor, newModel } from './common';
import { BATCH_DIM, INTERNAL_PREFIX, LABEL_OUTPUT, PROBABILITIES_OUTPUT } from './types';
import type { ClassifierPrediction, FeatureTable, FitReport, TrainedLogistic, TrainingTable, TrainOptions } from './types';

export interface LogisticProblem {
  /** Row-major design [n, d]. */
  x: Float64Array;
  n: number;
  d: number;
  /** Class index per row, 0..classes-1. */
  y: Int32Array;
  classes: number;
  C: number;
}

export interface LogisticSolution {
  /** Parameters θ: W row-major [d, K] then b [K]; K = 1 for two classes, else the class count. */
  theta: Float64Array;
  K: number;
  fit: FitReport;
}

/** The objective and its derivatives at the last point passed to `evaluate`. */
class Objective {
  readonly K: number;
  readonly P: number;
  readonly z: Float64Array;
  /** Probabilities: binary P(class 1); multinomial softmax per class. */
  readonly p: Float64Array;
  private readonly u: Float64Array;
  private readonly s: Float64Array;
  /** Curvature added along the all-ones intercept direction, where the multinomial loss is flat. */
  private readonly tau: number;

  constructor(private readonly pr: LogisticProblem) {
    this.K = pr.classes === 2 ? 1 : pr.classes;
    this.P = (pr.d + 1) * this.K;
    this.z = new Float64Array(pr.n * this.K);
    this.p = new Float64Array(pr.n * this.K);
    this.u = new Float64Array(pr.n * this.K);
    this.s = new Float64Array(pr.n * this.K);
    this.tau = (pr.C * pr.n) / (4 * this.K);
  }

  /** out[i, k] = b_k + Σⱼ x[i, j]·W[j, k] */
  private linear(theta: Float64Array, out: Float64Array): void {
    const { x, n, d } = this.pr;
    const K = this.K;
    const bOff = d * K;
    for (let i = 0; i < n; i++) {
      const o = i * K;
      for (let k = 0; k < K; k++) out[o + k] = theta[bOff + k] as number;
      const row = i * d;
      for (let j = 0; j < d; j++) {
        const v = x[row + j] as number;
        if (v === 0) continue;
        const w = j * K;
        for (let k = 0; k < K; k++) out[o + k] = (out[o + k] as number) + v * (theta[w + k] as number);
      }
    }
  }

  /** f(θ) = C·Σloss + ½‖W‖²; also sets z and p. */
  evaluate(theta: Float64Array): number {
    const { n, y, C, d } = this.pr;
    const K = this.K;
    const z = this.z;
    const p = this.p;
    this.linear(theta, z);
    let loss = 0;
    if (K === 1) {
      for (let i = 0; i < n; i++) {
        const zi = z[i] as number;
        const yi = y[i] as number;
        if (zi >= 0) {
          const e = Math.exp(-zi);
          loss += zi + Math.log1p(e) - yi * zi;
          p[i] = 1 / (1 + e);
        } else {
          const e = Math.exp(zi);
          loss += Math.log1p(e) - yi * zi;
          p[i] = e / (1 + e);
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        const o = i * K;
        let m = -Infinity;
        for (let k = 0; k < K; k++) m = Math.max(m, z[o + k] as number);
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.exp((z[o + k] as number) - m);
        const lse = m + Math.log(sum);
        loss += lse - (z[o + (y[i] as number)] as number);
        for (let k = 0; k < K; k++) p[o + k] = Math.exp((z[o + k] as number) - lse);
      }
    }
    let penalty = 0;
    for (let j = 0; j < d * K; j++) penalty += (theta[j] as number) * (theta[j] as number);
    return C * loss + 0.5 * penalty;
  }

  /** ∇f at the last evaluated θ. */
  gradient(theta: Float64Array, g: Float64Array): void {
    const { n, d, y, C } = this.pr;
    const K = this.K;
    const p = this.p;
    const r = this.s;
    for (let i = 0; i < n; i++) {
      const o = i * K;
      const yi = y[i] as number;
      if (K === 1) r[i] = (p[i] as number) - yi;
      else for (let k = 0; k < K; k++) r[o + k] = (p[o + k] as number) - (k === yi ? 1 : 0);
    }
    this.transposeTimes(r, g);
    for (let q = 0; q < this.P; q++) g[q] = C * (g[q] as number);
    for (let j = 0; j < d * K; j++) g[j] = (g[j] as number) + (theta[j] as number);
  }

  /** out = [Xᵀ·m ; Σᵢ mᵢ] for m [n, K]. */
  private transposeTimes(m: Float64Array, out: Float64Array): void {
    const { x, n, d } = this.pr;
    const K = this.K;
    out.fill(0);
    const bOff = d * K;
    for (let i = 0; i < n; i++) {
      const o = i * K;
      const row = i * d;
      for (let j = 0; j < d; j++) {
        const v = x[row + j] as number;
        if (v === 0) continue;
        const w = j * K;
        for (let k = 0; k < K; k++) out[w + k] = (out[w + k] as number) + v * (m[o + k] as number);
      }
      for (let k = 0; k < K; k++) out[bOff + k] = (out[bOff + k] as number) + (m[o + k] as number);
    }
  }

  /** out = H·v at the last evaluated θ (plus τ·uuᵀ on the intercepts for the multinomial loss). */
  hessianTimes(v: Float64Array, out: Float64Array): void {
    const { n, d, C } = this.pr;
    const K = this.K;
    const p = this.p;
    const u = this.u;
    const s = this.s;
    this.linear(v, u);
    if (K === 1) {
      for (let i = 0; i < n; i++) {
        const pi = p[i] as number;
        s[i] = pi * (1 - pi) * (u[i] as number);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const o = i * K;
        let pu = 0;
        for (let k = 0; k < K; k++) pu += (p[o + k] as number) * (u[o + k] as number);
        for (let k = 0; k < K; k++) s[o + k] = (p[o + k] as number) * ((u[o + k] as number) - pu);
      }
    }
    this.transposeTimes(s, out);
    for (let q = 0; q < this.P; q++) out[q] = C * (out[q] as number);
    for (let j = 0; j < d * K; j++) out[j] = (out[j] as number) + (v[j] as number);
    if (K > 1) {
      let sumB = 0;
      for (let k = 0; k < K; k++) sumB += v[d * K + k] as number;
      for (let k = 0; k < K; k++) out[d * K + k] = (out[d * K + k] as number) + (this.tau * sumB) / K;
    }
  }

  /** Diagonal of H (the Jacobi preconditioner). */
  diagonal(out: Float64Array): void {
    const { x, n, d, C } = this.pr;
    const K = this.K;
    const p = this.p;
    out.fill(0);
    const bOff = d * K;
    for (let i = 0; i < n; i++) {
      const o = i * K;
      const row = i * d;
      for (let k = 0; k < K; k++) {
        const pk = p[o + k] as number;
        const h = pk * (1 - pk);
        out[bOff + k] = (out[bOff + k] as number) + h;
        for (let j = 0; j < d; j++) {
          const v = x[row + j] as number;
          if (v !== 0) out[j * K + k] = (out[j * K + k] as number) + v * v * h;
        }
      }
    }
    for (let q = 0; q < this.P; q++) out[q] = C * (out[q] as number);
    for (let j = 0; j < d * K; j++) out[j] = (out[j] as number) + 1;
    if (K > 1) for (let k = 0; k < K; k++) out[bOff + k] = (out[bOff + k] as number) + this.tau / K;
    for (let q = 0; q < this.P; q++) if (!((out[q] as number) > 1e-12)) out[q] = 1e-12;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

/** Minimize the objective by Newton-CG. */
export function solveLogistic(pr: LogisticProblem, maxIter: number, tol: number): LogisticSolution {
  const obj = new Objective(pr);
  const { P, K } = obj;
  const scale = pr.C * pr.n;
  const theta = new Float64Array(P);
  const g = new Float64Array(P);
  const step = new Float64Array(P);
  const r = new Float64Array(P);
  const zr = new Float64Array(P);
  const dir = new Float64Array(P);
  const hd = new Float64Array(P);
  const diag = new Float64Array(P);
  const trial = new Float64Array(P);

  let f = obj.evaluate(theta);
  let iterations = 0;
  let converged = false;
  let gradient = Infinity;
  for (;;) {
    obj.gradient(theta, g);
    gradient = maxAbs(g) / scale;
    if (gradient <= tol) {
      converged = true;
      break;
    }
    if (iterations >= maxIter) break;

    // Newton step: solve H·step = −g by Jacobi-preconditioned CG, to a relative residual
    // η = min(0.5, √‖g‖) (inexact early, exact near the optimum: superlinear convergence).
    obj.diagonal(diag);
    const gNorm = Math.sqrt(dot(g, g));
    const eta = Math.min(0.5, Math.sqrt(gNorm / scale));
    step.fill(0);
    for (let q = 0; q < P; q++) {
      r[q] = -(g[q] as number);
      zr[q] = (r[q] as number) / (diag[q] as number);
      dir[q] = zr[q] as number;
    }
    let rz = dot(r, zr);
    const maxCg = Math.min(Math.max(2 * P, 20), 1000);
    for (let it = 0; it < maxCg; it++) {
      obj.hessianTimes(dir, hd);
      const curvature = dot(dir, hd);
      if (!(curvature > 0)) break;
      const alpha = rz / curvature;
      for (let q = 0; q < P; q++) {
        step[q] = (step[q] as number) + alpha * (dir[q] as number);
        r[q] = (r[q] as number) - alpha * (hd[q] as number);
      }
      if (Math.sqrt(dot(r, r)) <= eta * gNorm) break;
      for (let q = 0; q < P; q++) zr[q] = (r[q] as number) / (diag[q] as number);
      const rzNew = dot(r, zr);
      const beta = rzNew / rz;
      rz = rzNew;
      for (let q = 0; q < P; q++) dir[q] = (zr[q] as number) + beta * (dir[q] as number);
    }
    if (K > 1) {
      // The multinomial loss is flat along "add the same constant to every intercept". An inexact
      // preconditioned CG step can drift along it; drop that component so the intercepts keep
      // summing to 0 (as sklearn's lbfgs ones do), which changes nothing else.
      const bOff = pr.d * K;
      let mean = 0;
      for (let k = 0; k < K; k++) mean += step[bOff + k] as number;
      mean /= K;
      for (let k = 0; k < K; k++) step[bOff + k] = (step[bOff + k] as number) - mean;
    }
    let slope = dot(g, step);
    if (!(slope < 0)) {
      // CG made no progress (should not happen with a positive-definite H): fall back to steepest descent.
      for (let q = 0; q < P; q++) step[q] = -(g[q] as number) / (diag[q] as number);
      slope = dot(g, step);
    }

    // Armijo backtracking.
    let t = 1;
    let accepted = false;
    for (let ls = 0; ls < 40; ls++) {
      for (let q = 0; q < P; q++) trial[q] = (theta[q] as number) + t * (step[q] as number);
      const fTrial = obj.evaluate(trial);
      if (fTrial <= f + 1e-4 * t * slope) {
        theta.set(trial);
        f = fTrial;
        accepted = true;
        break;
      }
      t /= 2;
    }
    iterations++;
    if (!accepted) {
      // No decrease representable in float64: we are at the optimum up to rounding.
      f = obj.evaluate(theta);
      obj.gradient(theta, g);
      gradient = maxAbs(g) / scale;
      converged = gradient <= tol;
      break;
    }
  }
  return { theta, K, fit: { iterations, converged, gradient, objective: f } };
}

/** Row-major [n, classes] probabilities from the design and θ. */
function probabilities(x: Float64Array, n: number, d: number, theta: Float64Array, K: number, classes: number): Float64Array {
  const out = new Float64Array(n * classes);
  const z = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      let s = theta[d * K + k] as number;
      for (let j = 0; j < d; j++) s += (x[i * d + j] as number) * (theta[j * K + k] as number);
      z[k] = s;
    }
    if (K === 1) {
      const zi = z[0] as number;
      const p1 = zi >= 0 ? 1 / (1 + Math.exp(-zi)) : Math.exp(zi) / (1 + Math.exp(zi));
      out[i * 2] = 1 - p1;
      out[i * 2 + 1] = p1;
    } else {
      let m = -Infinity;
      for (let k = 0; k < K; k++) m = Math.max(m, z[k] as number);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp((z[k] as number) - m);
      for (let k = 0; k < K; k++) out[i * K + k] = Math.exp((z[k] as number) - m) / sum;
    }
  }
  return out;
}

function argmaxLabels(prob: Float64Array, n: number, classes: string[]): string[] {
  const c = classes.length;
  const labels: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if ((prob[i * c + k] as number) > (prob[i * c + best] as number)) best = k;
    labels[i] = classes[best] as string;
  }
  return labels;
}

export function trainLogistic(table: TrainingTable, params: unknown = {}, _options: TrainOptions = {}): TrainedLogistic {
  const p = parseParams('logistic', params);
  validateTable(table, [LABEL_OUTPUT, PROBABILITIES_OUTPUT]);
  const { classes, y } = classificationTarget(table.target);
  const features = featureSpecs(table);
  const pre = fitPreprocessing(table);
  const { x, n, d } = transform(pre, table);
  const C = classes.length;
  const solution = solveLogistic({ x, n, d, y, classes: C, C: p.C }, p.max_iter, p.tol);
  const { theta, K } = solution;

  // sklearn's layout: coef_ [K, d], intercept_ [K].
  const coefficients = new Float64Array(K * d);
  for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) coefficients[k * d + j] = theta[j * K + k] as number;
  const intercepts = theta.slice(d * K, d * K + K);

  // ONNX weights [d, C] and biases [C]; two classes as logits [0, w·x + b].
  const w = new Float64Array(d * C);
  const b = new Float64Array(C);
  if (K === 1) {
    for (let j = 0; j < d; j++) w[j * 2 + 1] = theta[j] as number;
    b[1] = theta[d] as number;
  } else {
    w.set(theta.subarray(0, d * K));
    b.set(intercepts);
  }

  const header = {
    trainer: 'logistic' as const,
    task: 'classification' as const,
    target: table.target.name,
    features,
    params: p,
    classes,
  };
  const m = newModel(header, pre);
  const g = m.graph;
  const I = INTERNAL_PREFIX;
  const design = emitPreprocessing(g, features, pre);
  g.addFloatInitializer(`${I}coef`, w, [d, C]);
  g.addFloatInitializer(`${I}intercept`, b, [C]);
  g.addStringInitializer(`${I}classes`, classes, [C]);
  g.addNode('MatMul', [design, `${I}coef`], [`${I}linear`]);
  g.addNode('Add', [`${I}linear`, `${I}intercept`], [`${I}logits`]);
  g.addNode('Softmax', [`${I}logits`], [PROBABILITIES_OUTPUT], { axis: attr.int(1) });
  g.addNode('ArgMax', [PROBABILITIES_OUTPUT], [`${I}class_index`], { axis: attr.int(1), keepdims: attr.int(0) });
  g.addNode('Gather', [`${I}classes`, `${I}class_index`], [LABEL_OUTPUT], { axis: attr.int(0) });
  g.addOutput(LABEL_OUTPUT, 'string', [BATCH_DIM], `predicted ${table.target.name}`);
  g.addOutput(PROBABILITIES_OUTPUT, 'float', [BATCH_DIM, C], 'class probabilities, columns in the order of metadata mlops.classes');

  return {
    trainer: 'logistic',
    task: 'classification',
    onnx: m.encodeModel(),
    metadata: metadataFor(header),
    target: table.target.name,
    features,
    preprocessing: pre,
    designColumns: designColumns(pre),
    params: p,
    classes,
    coefficients,
    intercepts,
    fit: solution.fit,
    predict(rows: FeatureTable): ClassifierPrediction {
      const t = transform(pre, rows);
      const prob = probabilities(t.x, t.n, t.d, theta, K, C);
      return { labels: argmaxLabels(prob, t.n, classes), probabilities: prob };
    },
  };
}
