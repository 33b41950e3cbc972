/**
 * Gates: is the candidate model good enough, alone and against the baseline (production)?
 *
 *   # thresholds.yml
 *   no-baseline: skip-change-gates       # pass | fail | skip-change-gates (default)
 *   gates:
 *     accuracy: { min: 0.80 }
 *     roc_auc:  { min: 0.85, max-regression: 0.005 }     # "AUC may drop at most 0.005"
 *     rmse:     { max: 60, min-improvement-pct: 1 }      # "RMSE must improve by 1%"
 *     log_loss: { max-regression-pct: 5 }
 *
 * Value bounds (`min`, `max`) are TFMA's value thresholds. Change bounds are direction-aware: the
 * improvement is candidate − baseline for a metric where higher is better and baseline − candidate where
 * lower is better, so the same words mean the same thing for AUC and for RMSE. `min-improvement` may be
 * negative (a bounded regression, like TFMA's signed change thresholds); `max-regression: x` is
 * `min-improvement: −x`. Relative bounds divide the improvement by |baseline| and are in percent. MLflow
 * fails change gates without a baseline; here that is a choice, `no-baseline`, and the report says which
 * was applied. Every failed gate has a one-line reason.
 */
import { z } from 'zod';
import { readYamlFile, parseYaml, type YamlSource } from '../yaml';

export type Direction = 'higher' | 'lower';

const finite = z.number().refine(Number.isFinite, { error: 'must be a finite number' });

export const GateSpec = z
  .strictObject({
    min: finite.optional(),
    max: finite.optional(),
    'min-improvement': finite.optional(),
    'min-improvement-pct': finite.optional(),
    'max-regression': finite.min(0, { error: 'must be ≥ 0 (use min-improvement for a required gain)' }).optional(),
    'max-regression-pct': finite.min(0, { error: 'must be ≥ 0 (use min-improvement-pct for a required gain)' }).optional(),
    direction: z.enum(['higher', 'lower'], { error: 'must be higher or lower' }).optional(),
  })
  .refine((g) => g.min === undefined || g.max === undefined || g.min <= g.max, { error: 'min is above max' })
  .refine((g) => !(g['min-improvement'] !== undefined && g['max-regression'] !== undefined), {
    error: 'give min-improvement or max-regression, not both (max-regression: x means min-improvement: -x)',
  })
  .refine((g) => !(g['min-improvement-pct'] !== undefined && g['max-regression-pct'] !== undefined), {
    error: 'give min-improvement-pct or max-regression-pct, not both',
  });
export type GateSpec = z.output<typeof GateSpec>;

export const NO_BASELINE = ['pass', 'fail', 'skip-change-gates'] as const;
export type NoBaselinePolicy = (typeof NO_BASELINE)[number];

export const Thresholds = z.strictObject({
  'no-baseline': z.enum(NO_BASELINE, { error: `must be one of: ${NO_BASELINE.join(', ')}` }).optional(),
  gates: z.record(z.string(), GateSpec).default({}),
});
export type Thresholds = z.output<typeof Thresholds>;

const HINT = 'see "Gates" in README.md: gates: { <metric>: { min, max, min-improvement, min-improvement-pct, max-regression, max-regression-pct } }';

export async function loadThresholds(path: string, display: string): Promise<YamlSource<Thresholds>> {
  return readYamlFile(path, display, Thresholds, 'The thresholds file', HINT, 'thresholds');
}

/** Thresholds given inline in the `thresholds` input (YAML text rather than a path). */
export function parseThresholds(text: string): YamlSource<Thresholds> {
  return parseYaml(text, Thresholds, "input 'thresholds'", 'The thresholds', HINT);
}

export type GateStatus = 'pass' | 'fail' | 'skip';

export interface GateResult {
  metric: string;
  /** min, max, min-improvement, min-improvement-pct (max-regression* are stated as min-improvement*). */
  rule: 'min' | 'max' | 'min-improvement' | 'min-improvement-pct';
  status: GateStatus;
  /** The bound as the user wrote it, e.g. "≥ 0.85", "may drop at most 0.005". */
  bound: string;
  /** One line: why it passed, failed or was skipped. */
  reason: string;
}

export interface Verdict {
  passed: boolean;
  results: GateResult[];
  /** The policy applied when there was no baseline (undefined when there was one). */
  noBaseline?: NoBaselinePolicy;
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : Number(x.toPrecision(6)).toString());

/**
 * Applies the gates. `metrics` and `baseline` map metric names to numbers; `direction` tells whether
 * higher is better for a metric (a gate's own `direction` wins).
 */
export function applyGates(
  thresholds: Thresholds,
  metrics: Record<string, number | undefined>,
  baseline: Record<string, number | undefined> | undefined,
  direction: (metric: string) => Direction | undefined,
): Verdict {
  const policy: NoBaselinePolicy = thresholds['no-baseline'] ?? 'skip-change-gates';
  const results: GateResult[] = [];
  for (const [metric, g] of Object.entries(thresholds.gates)) {
    const value = metrics[metric];
    const push = (rule: GateResult['rule'], status: GateStatus, bound: string, reason: string) =>
      results.push({ metric, rule, status, bound, reason });
    const missing = value === undefined || !Number.isFinite(value);
    if (g.min !== undefined) {
      if (missing) push('min', 'fail', `≥ ${fmt(g.min)}`, `${metric} was not computed for this model`);
      else push('min', value >= g.min ? 'pass' : 'fail', `≥ ${fmt(g.min)}`, `${metric} ${fmt(value)} ${value >= g.min ? '≥' : '<'} ${fmt(g.min)}`);
    }
    if (g.max !== undefined) {
      if (missing) push('max', 'fail', `≤ ${fmt(g.max)}`, `${metric} was not computed for this model`);
      else push('max', value <= g.max ? 'pass' : 'fail', `≤ ${fmt(g.max)}`, `${metric} ${fmt(value)} ${value <= g.max ? '≤' : '>'} ${fmt(g.max)}`);
    }
    const abs = g['min-improvement'] ?? (g['max-regression'] !== undefined ? -g['max-regression'] : undefined);
    const pct = g['min-improvement-pct'] ?? (g['max-regression-pct'] !== undefined ? -g['max-regression-pct'] : undefined);
    if (abs === undefined && pct === undefined) continue;
    const dir = g.direction ?? direction(metric);
    const base = baseline?.[metric];
    for (const [rule, bound] of [
      ['min-improvement', abs],
      ['min-improvement-pct', pct],
    ] as const) {
      if (bound === undefined) continue;
      const unit = rule === 'min-improvement-pct' ? '%' : '';
      const worse = dir === 'lower' ? 'rise' : 'drop';
      const boundText = bound >= 0 ? `improve by ≥ ${fmt(bound)}${unit}` : `may ${worse} at most ${fmt(-bound)}${unit}`;
      if (!dir) {
        push(rule, 'fail', boundText, `the direction of ${metric} is unknown: add direction: higher | lower to its gate`);
        continue;
      }
      if (base === undefined || !Number.isFinite(base)) {
        const status: GateStatus = policy === 'pass' ? 'pass' : policy === 'fail' ? 'fail' : 'skip';
        push(rule, status, boundText, `no baseline to compare with (no-baseline: ${policy})`);
        continue;
      }
      if (missing) {
        push(rule, 'fail', boundText, `${metric} was not computed for this model`);
        continue;
      }
      const gain = dir === 'higher' ? value - base : base - value;
      if (rule === 'min-improvement') {
        const ok = gain >= bound - 1e-12;
        const moved = gain >= 0 ? `improved by ${fmt(gain)}` : `${dir === 'higher' ? 'dropped' : 'rose'} by ${fmt(-gain)}`;
        push(rule, ok ? 'pass' : 'fail', boundText, `${metric} ${moved} (${fmt(base)} → ${fmt(value)})${ok ? '' : `, ${bound >= 0 ? `less than the required ${fmt(bound)}` : `more than the allowed ${fmt(-bound)}`}`}`);
      } else {
        if (base === 0) {
          push(rule, 'fail', boundText, `${metric} baseline is 0: a relative change is undefined (use min-improvement instead)`);
          continue;
        }
        const rel = (gain / Math.abs(base)) * 100;
        const ok = rel >= bound - 1e-9;
        const moved = rel >= 0 ? `improved by ${fmt(rel)}%` : `${dir === 'higher' ? 'dropped' : 'rose'} by ${fmt(-rel)}%`;
        push(rule, ok ? 'pass' : 'fail', boundText, `${metric} ${moved} (${fmt(base)} → ${fmt(value)})${ok ? '' : `, ${bound >= 0 ? `less than the required ${fmt(bound)}%` : `more than the allowed ${fmt(-bound)}%`}`}`);
      }
    }
  }
  return { passed: results.every((r) => r.status !== 'fail'), results, ...(baseline ? {} : { noBaseline: policy }) };
}
