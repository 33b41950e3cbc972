// validate-data through the runner's interface: the built bundle on Node 24, INPUT_* variables, file
// commands. Clean data gives valid=true and a profile; the same run's profile used as the reference on
// corrupted data fails the step and names each problem with its line, in the summary and as annotations.
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { NODE24, ROOT, runAction, type RunResult } from './harness';

const SAMPLE = join(ROOT, 'examples/churn/train.csv');

function corrupt(csv: string): { text: string; lines: { type: number; range: number; category: number; label: number } } {
  const rows = csv.trimEnd().split('\n');
  const header = rows[0]!.split(',');
  const set = (line: number, col: string, value: string) => {
    const cells = rows[line - 1]!.split(',');
    cells[header.indexOf(col)] = value;
    rows[line - 1] = cells.join(',');
  };
  set(4, 'age', 'forty-two'); // wrong type
  set(7, 'monthly_charges', '-500'); // below the reference's minimum
  set(11, 'plan', 'enterprise'); // a category the reference never saw
  set(15, 'churned', ''); // null in the label
  // Drop the `region` column everywhere: a missing column.
  const drop = header.indexOf('region');
  const text = rows.map((r) => r.split(',').filter((_, i) => i !== drop).join(',')).join('\n') + '\n';
  return { text, lines: { type: 4, range: 7, category: 11, label: 15 } };
}

describe('validate-data action (built bundle, Node 24, runner protocol)', () => {
  let ws: string;
  let clean: RunResult;

  beforeAll(async () => {
    ws = mkdtempSync(join(tmpdir(), 'ws-validate-'));
    copyFileSync(SAMPLE, join(ws, 'train.csv'));
    clean = await runAction({
      action: 'validate-data',
      workspace: ws,
      inputs: { data: 'train.csv', target: 'churned', 'profile-output': 'profiles/train.json' },
    });
  });

  it('runs on Node 24 like the runner', () => {
    expect(execFileSync(NODE24, ['--version'], { encoding: 'utf8' })).toMatch(/^v24\./);
  });

  it('clean data: valid=true, rows, a hash and a profile', () => {
    expect(clean.exitCode, clean.stdout + clean.stderr).toBe(0);
    expect(clean.outputs.valid).toBe('true');
    expect(clean.outputs.rows).toBe('4000');
    expect(clean.outputs.errors).toBe('0');
    expect(clean.outputs['data-hash']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(clean.outputs.profile).toBe('profiles/train.json');
    const profile = JSON.parse(readFileSync(join(ws, 'profiles/train.json'), 'utf8'));
    expect(profile.format).toBe('mlops-actions/profile');
    expect(profile.rows).toBe(4000);
    expect(Object.keys(profile.columns)).toContain('monthly_charges');
    expect(clean.summary).toContain('Data validation');
    expect(clean.summary).toContain('monthly_charges');
    expect(existsSync(join(ws, clean.outputs.report!))).toBe(true);
    expect(clean.annotations.filter((a) => a.level === 'error')).toEqual([]);
  });

  it('the same hash for the same bytes, another for other bytes', async () => {
    const again = await runAction({ action: 'validate-data', workspace: ws, inputs: { data: 'train.csv', 'profile-output': 'p2.json' } });
    expect(again.outputs['data-hash']).toBe(clean.outputs['data-hash']);
    writeFileSync(join(ws, 'other.csv'), readFileSync(join(ws, 'train.csv'), 'utf8').replace('C000001', 'C000000'));
    const other = await runAction({ action: 'validate-data', workspace: ws, inputs: { data: 'other.csv', 'profile-output': 'p3.json' } });
    expect(other.outputs['data-hash']).not.toBe(clean.outputs['data-hash']);
  });

  it('corrupted data against the clean profile: fails, and names each problem with its line', async () => {
    const { text, lines } = corrupt(readFileSync(SAMPLE, 'utf8'));
    writeFileSync(join(ws, 'batch.csv'), text);
    const res = await runAction({
      action: 'validate-data',
      workspace: ws,
      inputs: { data: 'batch.csv', reference: 'profiles/train.json', target: 'churned', 'profile-output': 'profiles/batch.json' },
    });
    expect(res.exitCode).toBe(1);
    expect(res.outputs.valid).toBe('false');
    expect(Number(res.outputs.errors)).toBeGreaterThanOrEqual(3);
    // The failure message names the problems.
    expect(res.stdout).toMatch(/::error::validate-data found \d+ errors?/);

    const at = (check: string, line: number) =>
      res.annotations.find((a) => a.properties.file === 'batch.csv' && a.properties.line === String(line) && a.properties.title?.includes(check));
    expect(at('type', lines.type), 'wrong type annotated at its line').toBeDefined();
    expect(at('type', lines.type)!.message).toContain('forty-two');
    expect(at('out-of-range', lines.range), 'out-of-range annotated').toBeDefined();
    expect(at('new-category', lines.category), 'new category annotated').toBeDefined();
    expect(at('label-null', lines.label), 'null label annotated').toBeDefined();
    expect(res.annotations.find((a) => a.properties.title?.includes('missing-column') && a.message.includes('region'))).toBeDefined();
    // Errors are errors; reference-based findings are warnings unless the schema says otherwise.
    expect(at('type', lines.type)!.level).toBe('error');
    expect(at('new-category', lines.category)!.level).toBe('warning');

    // The summary has a table per failed check with the rows.
    for (const check of ['type', 'missing-column', 'label-null', 'new-category', 'out-of-range']) {
      expect(res.summary).toContain(`#### `);
      expect(res.summary).toContain(check);
    }
    expect(res.summary).toContain(`batch.csv:${lines.type}`);
    expect(res.summary).toContain(`batch.csv:${lines.label}`);
  });

  it('a missing required input is a clear error naming the input', async () => {
    const res = await runAction({ action: 'validate-data', workspace: ws, inputs: {} });
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toContain("Input 'data' is required");
  });

  it('malformed CSV is an error at file:line, not a stack trace', async () => {
    writeFileSync(join(ws, 'ragged.csv'), 'a,b,c\n1,2,3\n4,5\n6,7,8\n');
    const res = await runAction({ action: 'validate-data', workspace: ws, inputs: { data: 'ragged.csv' } });
    expect(res.exitCode).toBe(1);
    const err = res.annotations.find((a) => a.level === 'error' && a.properties.file === 'ragged.csv');
    expect(err?.properties.line).toBe('3');
    expect(res.stdout + res.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it('a schema error is reported at its line and column in the schema file', async () => {
    writeFileSync(join(ws, 'schema.yml'), 'version: 1\ncolumns:\n  age:\n    type: integr\n');
    const res = await runAction({ action: 'validate-data', workspace: ws, inputs: { data: 'train.csv', schema: 'schema.yml' } });
    expect(res.exitCode).toBe(1);
    const err = res.annotations.find((a) => a.level === 'error' && a.properties.file === 'schema.yml');
    expect(err?.properties.line).toBe('4');
    expect(err?.message).toContain('columns.age.type');
  });
});
