// evaluate's core on small cases a user meets: rows the model cannot score are left out and counted.
import { describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateModel, type EvaluateInputs } from '../../../shared/evaluate/action';
import { testContext } from '../helpers';
import { ROOT } from '../../e2e/harness';

const base = (over: Partial<EvaluateInputs>): EvaluateInputs => ({
  data: 'data.csv',
  bootstrap: 0,
  'model-name': 'm',
  'fail-on-gate': true,
  comment: false,
  'check-run': false,
  baseline: 'none',
  ...over,
});

describe('evaluate', () => {
  it('a row with a missing feature the model does not impute (NaN probabilities) is left out and counted, not a crash', async () => {
    const ctx = testContext();
    copyFileSync(join(ROOT, 'test/fixtures/models/per_column_classifier.onnx'), join(ctx.workspace, 'model.onnx'));
    const lines = readFileSync(join(ROOT, 'test/fixtures/models/table.csv'), 'utf8').trimEnd().split('\n');
    const header = lines[0]!.split(',');
    const x1 = header.indexOf('x1');
    const cells = lines[1]!.split(',');
    cells[x1] = '';
    lines[1] = cells.join(',');
    writeFileSync(join(ctx.workspace, 'data.csv'), `${lines.join('\n')}\n`);
    const res = await evaluateModel(base({ model: 'model.onnx', target: header.includes('label') ? 'label' : header.at(-1)! }), ctx);
    const metrics = JSON.parse(res.outputs.metrics as string);
    expect(metrics.count).toBe(lines.length - 2);
    expect(readFileSync(join(ctx.workspace, res.outputs.report as string), 'utf8')).toContain('1 row the model could not score (NaN output) left out');
  });
});
