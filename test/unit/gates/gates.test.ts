import { describe, expect, it } from 'vitest';
import { applyGates, parseThresholds, type Direction } from '../../../shared/gates/gates';
import { UserError } from '../../../shared/errors';

const dir = (m: string): Direction | undefined => ({ accuracy: 'higher', roc_auc: 'higher', rmse: 'lower', log_loss: 'lower' } as Record<string, Direction>)[m];
const gates = (yaml: string) => parseThresholds(yaml).value;

describe('gates', () => {
  it('value bounds, with a reason for each', () => {
    const v = applyGates(gates('gates:\n  accuracy: { min: 0.8, max: 0.99 }\n'), { accuracy: 0.75 }, undefined, dir);
    expect(v.passed).toBe(false);
    expect(v.results.map((r) => [r.rule, r.status, r.reason])).toEqual([
      ['min', 'fail', 'accuracy 0.75 < 0.8'],
      ['max', 'pass', 'accuracy 0.75 ≤ 0.99'],
    ]);
  });

  it('"AUC may drop at most 0.005": a signed change bound, higher is better', () => {
    const t = gates('gates:\n  roc_auc: { max-regression: 0.005 }\n');
    expect(applyGates(t, { roc_auc: 0.908 }, { roc_auc: 0.91 }, dir).passed).toBe(true);
    const bad = applyGates(t, { roc_auc: 0.9 }, { roc_auc: 0.91 }, dir);
    expect(bad.passed).toBe(false);
    expect(bad.results[0]!.reason).toBe('roc_auc dropped by 0.01 (0.91 → 0.9), more than the allowed 0.005');
    expect(bad.results[0]!.bound).toBe('may drop at most 0.005');
  });

  it('"RMSE must improve by 1%": relative and direction-aware (lower is better)', () => {
    const t = gates('gates:\n  rmse: { min-improvement-pct: 1 }\n');
    expect(applyGates(t, { rmse: 98.9 }, { rmse: 100 }, dir).passed).toBe(true);
    const bad = applyGates(t, { rmse: 99.5 }, { rmse: 100 }, dir);
    expect(bad.passed).toBe(false);
    expect(bad.results[0]!.reason).toBe('rmse improved by 0.5% (100 → 99.5), less than the required 1%');
    const worse = applyGates(gates('gates:\n  log_loss: { max-regression-pct: 5 }\n'), { log_loss: 0.55 }, { log_loss: 0.5 }, dir);
    expect(worse.results[0]!.reason).toBe('log_loss rose by 10% (0.5 → 0.55), more than the allowed 5%');
  });

  it('no baseline: the policy is explicit', () => {
    const yaml = (p: string) => gates(`no-baseline: ${p}\ngates:\n  accuracy: { min: 0.5, min-improvement: 0 }\n`);
    const skip = applyGates(yaml('skip-change-gates'), { accuracy: 0.9 }, undefined, dir);
    expect(skip).toMatchObject({ passed: true, noBaseline: 'skip-change-gates' });
    expect(skip.results.map((r) => r.status)).toEqual(['pass', 'skip']);
    expect(applyGates(yaml('fail'), { accuracy: 0.9 }, undefined, dir).passed).toBe(false);
    expect(applyGates(yaml('pass'), { accuracy: 0.9 }, undefined, dir).results[1]!.status).toBe('pass');
    expect(applyGates(yaml('pass'), { accuracy: 0.9 }, undefined, dir).results[1]!.reason).toContain('no baseline');
  });

  it('a metric that was not computed fails its gate; an unknown direction asks for one', () => {
    expect(applyGates(gates('gates:\n  roc_auc: { min: 0.8 }\n'), {}, undefined, dir).results[0]!.reason).toBe('roc_auc was not computed for this model');
    const custom = applyGates(gates('gates:\n  my_score: { min-improvement: 0 }\n'), { my_score: 1 }, { my_score: 1 }, dir);
    expect(custom.results[0]!.reason).toContain('add direction: higher | lower');
    const withDir = applyGates(gates('gates:\n  my_score: { min-improvement: 0, direction: lower }\n'), { my_score: 0.9 }, { my_score: 1 }, dir);
    expect(withDir.passed).toBe(true);
  });

  it('bad thresholds are errors at their line', () => {
    const err = (yaml: string) => {
      try {
        parseThresholds(yaml);
      } catch (e) {
        return e as UserError;
      }
      throw new Error('no error');
    };
    expect(err('gates:\n  accuracy: { min: 0.9, max: 0.8 }\n').message).toContain('min is above max');
    expect(err('gates:\n  accuracy: { minimum: 0.9 }\n').location.line).toBe(2);
    expect(err('no-baseline: maybe\n').message).toContain('pass, fail, skip-change-gates');
    expect(err('gates:\n  auc: { min-improvement: 0.1, max-regression: 0.1 }\n').message).toContain('not both');
  });
});
