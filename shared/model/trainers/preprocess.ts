/**
 * Preprocessing shared by the trainers, fitted in JS and emitted into the ONNX graph so the model
 * takes raw columns:
 *   numeric:     x → (isnan(x) ? mean : x) → (· − mean) / std        (std 0 → 1)
 *   categorical: s → one-hot over the training categories (unknown or missing → all zeros)
 * The design matrix is [numeric features in table order | one-hot blocks in table order].
 */
import { UserError } from '../../errors';
import { attr, ML_DOMAIN } from '../onnx/builder';
import type { GraphBuilder } from '../onnx/builder';
import { BATCH_DIM, INTERNAL_PREFIX } from './types';
import type {
  CategoricalColumn,
  CategoricalStats,
  FeatureColumn,
  FeatureSpec,
  FeatureTable,
  NumericColumn,
  NumericStats,
  Preprocessing,
  TargetColumn,
  TrainingTable,
} from './types';

export function isMissingCategory(v: string | null | undefined): boolean {
  return v === null || v === undefined || v === '';
}

/** Check the table's shape and names; returns the row count. */
export function validateTable(table: TrainingTable, reservedNames: readonly string[]): number {
  const n = table.target.values.length;
  if (!table.target.name) throw new UserError('the target column has no name');
  if (table.columns.length === 0) throw new UserError('no feature columns to train on', {}, 'give at least one feature column besides the target');
  if (n === 0) throw new UserError('the training table has no rows');
  const seen = new Set<string>();
  for (const c of table.columns) {
    if (!c.name) throw new UserError('a feature column has an empty name');
    if (seen.has(c.name)) throw new UserError(`feature column '${c.name}' appears twice`);
    seen.add(c.name);
    if (c.name === table.target.name) throw new UserError(`the target '${c.name}' is also listed as a feature`, {}, 'drop it from the feature columns');
    if (c.name.startsWith(INTERNAL_PREFIX)) {
      throw new UserError(`feature column '${c.name}': names starting with '${INTERNAL_PREFIX}' are reserved for the model's internal tensors`, {}, 'rename the column');
    }
    if (reservedNames.includes(c.name)) {
      throw new UserError(`feature column '${c.name}' has the name of a model output (${reservedNames.join(', ')})`, {}, 'rename the column');
    }
    if (c.kind !== 'numeric' && c.kind !== 'categorical') {
      const bad = c as { name: string; kind: unknown };
      throw new UserError(`feature column '${bad.name}': kind must be 'numeric' or 'categorical', got '${String(bad.kind)}'`);
    }
    if (c.kind === 'numeric' && !(c.values instanceof Float64Array)) {
      throw new UserError(`feature column '${c.name}': numeric values must be a Float64Array`);
    }
    if (c.values.length !== n) {
      throw new UserError(`feature column '${c.name}' has ${c.values.length} values but the target '${table.target.name}' has ${n}`);
    }
  }
  return n;
}

function checkFinite(c: NumericColumn): void {
  const v = c.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    if (x === Infinity || x === -Infinity) {
      throw new UserError(`feature column '${c.name}': row ${i + 1} is ${x}`, {}, 'infinite values cannot be standardized; clean or clip them (NaN means missing)');
    }
  }
}

export function fitNumeric(c: NumericColumn): NumericStats {
  checkFinite(c);
  const v = c.values;
  const n = v.length;
  let count = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = v[i] as number;
    if (x === x) {
      count++;
      sum += x;
    }
  }
  const mean = count ? sum / count : 0;
  // Two-pass variance over all rows after imputation (imputed rows contribute 0), like
  // SimpleImputer(strategy='mean') followed by StandardScaler (ddof = 0).
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const x = v[i] as number;
    if (x === x) ss += (x - mean) * (x - mean);
  }
  const std = Math.sqrt(ss / n);
  // StandardScaler treats a variance that is rounding noise as zero: scale 1, not 1/ε.
  const isConstant = !(std > 1e-12 * Math.max(1, Math.abs(mean)));
  return { name: c.name, mean, std: isConstant ? 1 : std, missing: n - count };
}

export function fitCategorical(c: CategoricalColumn): CategoricalStats {
  const cats = new Set<string>();
  let missing = 0;
  for (const v of c.values) {
    if (isMissingCategory(v)) missing++;
    else cats.add(v as string);
  }
  if (cats.size === 0) {
    throw new UserError(`categorical column '${c.name}' has no values in the training rows (all missing)`, {}, 'drop the column');
  }
  return { name: c.name, categories: [...cats].sort(), missing };
}

export function fitPreprocessing(table: TrainingTable): Preprocessing {
  const numeric: NumericStats[] = [];
  const categorical: CategoricalStats[] = [];
  for (const c of table.columns) {
    if (c.kind === 'numeric') numeric.push(fitNumeric(c));
    else categorical.push(fitCategorical(c));
  }
  return { numeric, categorical };
}

export function featureSpecs(table: { columns: FeatureColumn[] }): FeatureSpec[] {
  return table.columns.map((c) => ({ name: c.name, kind: c.kind }));
}

export function designColumns(p: Preprocessing): string[] {
  return [...p.numeric.map((s) => s.name), ...p.categorical.flatMap((s) => s.categories.map((c) => `${s.name}=${c}`))];
}

export function designWidth(p: Preprocessing): number {
  return p.numeric.length + p.categorical.reduce((a, s) => a + s.categories.length, 0);
}

function column(table: FeatureTable, name: string, kind: 'numeric' | 'categorical'): FeatureColumn {
  const c = table.columns.find((x) => x.name === name);
  if (!c) throw new UserError(`feature column '${name}' is missing from the rows to score`);
  if (c.kind !== kind) throw new UserError(`feature column '${name}' is ${c.kind} but the model was trained with it ${kind}`);
  return c;
}

/** Rows of the table (the first column's length), checked to be equal for every feature used. */
function rowCount(p: Preprocessing, table: FeatureTable): number {
  let n = -1;
  for (const s of [...p.numeric, ...p.categorical]) {
    const c = table.columns.find((x) => x.name === s.name);
    if (!c) continue;
    if (n === -1) n = c.values.length;
    else if (c.values.length !== n) throw new UserError(`feature column '${s.name}' has ${c.values.length} values, other columns have ${n}`);
  }
  return Math.max(n, 0);
}

/** The design matrix (row-major [rows, designWidth], float64) the graph's preprocessing computes. */
export function transform(p: Preprocessing, table: FeatureTable): { x: Float64Array; n: number; d: number } {
  const n = rowCount(p, table);
  const d = designWidth(p);
  const x = new Float64Array(n * d);
  let j = 0;
  for (const s of p.numeric) {
    const c = column(table, s.name, 'numeric') as NumericColumn;
    checkFinite(c);
    const v = c.values;
    for (let i = 0; i < n; i++) {
      const raw = v[i] as number;
      x[i * d + j] = raw === raw ? (raw - s.mean) / s.std : 0;
    }
    j++;
  }
  for (const s of p.categorical) {
    const c = column(table, s.name, 'categorical') as CategoricalColumn;
    const index = new Map(s.categories.map((cat, k) => [cat, k]));
    for (let i = 0; i < n; i++) {
      const v = c.values[i];
      const k = isMissingCategory(v) ? undefined : index.get(v as string);
      if (k !== undefined) x[i * d + j + k] = 1;
    }
    j += s.categories.length;
  }
  return { x, n, d };
}

/**
 * Emit the graph inputs (one per feature, [N, 1], float or string, in table order) and the
 * preprocessing nodes. Returns the name of the float [N, designWidth] design tensor.
 */
export function emitPreprocessing(g: GraphBuilder, features: readonly FeatureSpec[], p: Preprocessing): string {
  for (const f of features) g.addInput(f.name, f.kind === 'numeric' ? 'float' : 'string', [BATCH_DIM, 1]);
  const blocks: string[] = [];
  const P = INTERNAL_PREFIX;
  if (p.numeric.length) {
    const k = p.numeric.length;
    const means = p.numeric.map((s) => s.mean);
    g.addFloatInitializer(`${P}num_mean`, means, [k]);
    g.addFloatInitializer(`${P}num_std`, p.numeric.map((s) => s.std), [k]);
    g.addNode('Concat', p.numeric.map((s) => s.name), [`${P}num_raw`], { axis: attr.int(1) });
    g.addNode('IsNaN', [`${P}num_raw`], [`${P}num_isnan`]);
    g.addNode('Where', [`${P}num_isnan`, `${P}num_mean`, `${P}num_raw`], [`${P}num_imputed`]);
    g.addNode('Sub', [`${P}num_imputed`, `${P}num_mean`], [`${P}num_centered`]);
    g.addNode('Div', [`${P}num_centered`, `${P}num_std`], [`${P}num_scaled`]);
    blocks.push(`${P}num_scaled`);
  }
  if (p.categorical.length) g.addInt64Initializer(`${P}axis1`, [1], [1]);
  p.categorical.forEach((s, i) => {
    const onehot3 = `${P}cat${i}_onehot3d`;
    // ai.onnx.ml OneHotEncoder: [N, 1] strings → [N, 1, K]; zeros=1 makes an unknown category all zeros.
    g.addNode('OneHotEncoder', [s.name], [onehot3], { cats_strings: attr.strings(s.categories), zeros: attr.int(1) }, { domain: ML_DOMAIN });
    g.addNode('Squeeze', [onehot3, `${P}axis1`], [`${P}cat${i}_onehot`]);
    blocks.push(`${P}cat${i}_onehot`);
  });
  if (blocks.length === 1) return blocks[0] as string;
  g.addNode('Concat', blocks, [`${P}design`], { axis: attr.int(1) });
  return `${P}design`;
}

export function usesMlDomain(p: Preprocessing): boolean {
  return p.categorical.length > 0;
}

/** Regression target: finite numbers, no missing values. */
export function regressionTarget(t: TargetColumn): Float64Array {
  if (!(t.values instanceof Float64Array)) {
    throw new UserError(`regression target '${t.name}' must be numeric`, {}, 'use a numeric target column, or a classifier (logistic) for class labels');
  }
  const v = t.values;
  for (let i = 0; i < v.length; i++) {
    const y = v[i] as number;
    if (!Number.isFinite(y)) {
      throw new UserError(`regression target '${t.name}': row ${i + 1} is ${y !== y ? 'missing' : y}`, {}, 'drop rows with a missing target before training');
    }
  }
  return v;
}

/** Classification target: sorted class labels and each row's class index. */
export function classificationTarget(t: TargetColumn): { classes: string[]; y: Int32Array } {
  const n = t.values.length;
  const y = new Int32Array(n);
  let classes: string[];
  if (t.values instanceof Float64Array) {
    const v = t.values;
    const distinct = new Set<number>();
    for (let i = 0; i < n; i++) {
      const c = v[i] as number;
      if (!Number.isFinite(c)) {
        throw new UserError(`class target '${t.name}': row ${i + 1} is ${c !== c ? 'missing' : c}`, {}, 'drop rows with a missing target before training');
      }
      distinct.add(c);
    }
    const sorted = [...distinct].sort((a, b) => a - b);
    const index = new Map(sorted.map((c, k) => [c, k]));
    for (let i = 0; i < n; i++) y[i] = index.get(v[i] as number) as number;
    classes = sorted.map((c) => String(c));
  } else {
    const v = t.values;
    const distinct = new Set<string>();
    for (let i = 0; i < n; i++) {
      const c = v[i];
      if (isMissingCategory(c)) throw new UserError(`class target '${t.name}': row ${i + 1} is missing`, {}, 'drop rows with a missing target before training');
      distinct.add(c as string);
    }
    classes = [...distinct].sort();
    const index = new Map(classes.map((c, k) => [c, k]));
    for (let i = 0; i < n; i++) y[i] = index.get(v[i] as string) as number;
  }
  if (classes.length < 2) {
    throw new UserError(`class target '${t.name}' has ${classes.length} class${classes.length === 1 ? ` ('${classes[0]}')` : 'es'}; a classifier needs at least 2`);
  }
  return { classes, y };
}
