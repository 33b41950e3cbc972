// validateData() on small files written by each test: every check a user can meet, where it points,
// and the guarantee of schema inference (infer → validate the same data → valid).
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateData, type ValidateDataInputs } from '../../../shared/validate/action';
import { inferSchemaCommand } from '../../../shared/validate/infer-command';
import { testContext } from '../helpers';
import { ROOT } from '../../e2e/harness';

function setup(files: Record<string, string>) {
  const ctx = testContext();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(ctx.workspace, name), text);
  const run = (over: Partial<ValidateDataInputs>) =>
    validateData({ data: 'data.csv', 'fail-on': 'error', 'profile-output': 'profile.json', 'report-output': 'report.md', ...over }, ctx);
  return { ctx, run };
}

const finding = (ctx: ReturnType<typeof testContext>, check: string) => ctx.annotations.filter((a) => a.title?.includes(`: ${check}`));

describe('validate-data checks', () => {
  const schema = `version: 1
label: y
columns:
  id: { type: string, unique: true, regex: '^u\\d+$' }
  age: { type: integer, nullable: false, range: [0, 120] }
  score: { type: float }
  plan: { type: category, values: [a, b] }
  ok: { type: boolean }
  at: { type: datetime }
  y: { type: integer }
table:
  rows: [1, 100]
  freshness: { column: at, max-age: 7d }
  duplicate-rows: error
`;
  const good = ['id,age,score,plan,ok,at,y', 'u1,30,1.5,a,true,2026-11-20,1', 'u2,40,2.5,b,false,2026-11-21T10:00:00Z,0', 'u3,50,,a,true,2026-11-21,1'];
  const now = Date.UTC(2026, 10, 22);

  it('clean data passes every check', async () => {
    const { ctx, run } = setup({ 'data.csv': good.join('\n') + '\n', 'schema.yml': schema });
    const res = await run({ schema: 'schema.yml', now });
    expect(ctx.annotations).toEqual([]);
    expect(res.outputs).toMatchObject({ valid: true, rows: 3, errors: 0, warnings: 0 });
    expect(res.failure).toBeUndefined();
  });

  it('each violated rule is a finding at its line', async () => {
    const rows = [
      ...good,
      'u4,abc,1,a,true,2026-11-21,1', // line 5: age type
      'u5,,1,a,true,2026-11-21,0', // line 6: age null
      'u6,130,1,a,true,2026-11-21,1', // line 7: age range
      'u7,20,1,c,true,2026-11-21,1', // line 8: plan values
      'x8,20,1,a,true,2026-11-21,1', // line 9: id regex
      'u1,20,1,a,true,2026-11-21,1', // line 10: id unique
      'u9,20,1,a,maybe,2026-11-21,1', // line 11: ok type
      'u10,20,1,a,true,2026-11-21,', // line 12: label null
      'u10,20,1,a,true,2026-11-21,', // line 13: duplicate row (and unique, label null)
      'u11,20,NaN,a,true,2026-11-21,1', // line 14: NaN
    ];
    const { ctx, run } = setup({ 'data.csv': rows.join('\n') + '\n', 'schema.yml': schema });
    const res = await run({ schema: 'schema.yml', now });
    expect(res.outputs.valid).toBe(false);
    expect(res.failure).toMatch(/validate-data found \d+ errors/);
    const lineOf = (check: string) => finding(ctx, check).map((a) => a.line);
    expect(lineOf('type (age)')).toEqual([5]);
    expect(lineOf('null (age)')).toEqual([6]);
    expect(lineOf('range (age)')).toEqual([7]);
    expect(lineOf('values (plan)')).toEqual([8]);
    expect(lineOf('regex (id)')).toEqual([9]);
    expect(lineOf('unique (id)')).toEqual([10, 13]);
    expect(lineOf('type (ok)')).toEqual([11]);
    expect(lineOf('label-null (y)')).toEqual([12, 13]);
    expect(lineOf('duplicate-rows')).toEqual([13]);
    expect(lineOf('nan (score)')).toEqual([14]);
    for (const a of ctx.annotations) expect(a.file).toBe(join(ctx.workspace, 'data.csv'));
    expect(ctx.annotations.every((a) => a.level === 'error')).toBe(true);
    const report = readFileSync(join(ctx.workspace, 'report.md'), 'utf8');
    expect(report).toContain('data.csv:5');
    expect(report).toContain("string 'abc'");
  });

  it('table rules: row bounds and freshness', async () => {
    const { ctx, run } = setup({ 'data.csv': good.join('\n') + '\n', 'schema.yml': schema.replace('rows: [1, 100]', 'rows: [10, 100]') });
    const res = await run({ schema: 'schema.yml', now: now + 30 * 86400e3 });
    expect(res.outputs.valid).toBe(false);
    const report = readFileSync(join(ctx.workspace, 'report.md'), 'utf8');
    expect(report).toMatch(/\| \(table\) \| error: rows \| 10 to 100 rows \| 3 rows \|/);
    expect(report).toMatch(/freshness.*newest is 2026-11-21T10:00:00.000Z \(30\.6 days old\)/);
  });

  it('missing and unexpected columns point at the header line', async () => {
    const { ctx, run } = setup({ 'data.csv': 'id,age,extra\nu1,3,x\n', 'schema.yml': 'version: 1\ncolumns:\n  id: { type: string }\n  age: { type: integer }\n  score: { type: float }\n' });
    const res = await run({ schema: 'schema.yml' });
    expect(res.outputs.valid).toBe(false);
    expect(finding(ctx, 'missing-column (score)')[0]).toMatchObject({ line: 1, level: 'error' });
    expect(finding(ctx, 'unexpected-column (extra)')[0]).toMatchObject({ line: 1, level: 'error' });
  });

  it('without a schema: generic checks only, warnings do not fail by default but do with fail-on: warning', async () => {
    const text = 'a,b,c\n1,x,5\n2,x,5\n2,x,5\n';
    const { ctx, run } = setup({ 'data.csv': text });
    const res = await run({});
    expect(res.outputs).toMatchObject({ valid: true, errors: 0, warnings: 3 });
    expect(finding(ctx, 'duplicate-rows')[0]).toMatchObject({ line: 4, level: 'warning' });
    const report = readFileSync(join(ctx.workspace, 'report.md'), 'utf8');
    expect(report).toContain("always '5'");
    const strict = await run({ 'fail-on': 'warning' });
    expect(strict.outputs.valid).toBe(false);
    expect(strict.failure).toBeDefined();
    const never = await run({ 'fail-on': 'never', target: 'zzz' });
    expect(never.failure).toBeUndefined();
    expect(never.outputs.errors).toBe(1);
  });

  it('an empty dataset is an error', async () => {
    const { run } = setup({ 'data.csv': 'a,b\n' });
    const res = await run({});
    expect(res.outputs).toMatchObject({ valid: false, rows: 0 });
  });

  it('several files are one dataset; a column absent from one file is missing there', async () => {
    const { ctx, run } = setup({ 'p1.csv': 'a,b\n1,2\n', 'p2.csv': 'a\n3\n', 'schema.yml': 'version: 1\ncolumns:\n  a: { type: integer }\n  b: { type: integer }\n' });
    const res = await run({ data: 'p*.csv', schema: 'schema.yml' });
    expect(res.outputs.rows).toBe(2);
    const missing = finding(ctx, 'missing-column (b)');
    expect(missing.map((a) => a.file)).toEqual([join(ctx.workspace, 'p2.csv')]);
    const profile = JSON.parse(readFileSync(join(ctx.workspace, 'profile.json'), 'utf8'));
    expect(profile.columns.b.counts).toMatchObject({ n: 2, null: 1 });
  });

  it('JSON Lines: lines are the objects\' lines', async () => {
    const { ctx, run } = setup({
      'data.jsonl': '{"a": 1, "b": "x"}\n\n{"a": "oops", "b": "y"}\n',
      'schema.yml': 'version: 1\ncolumns:\n  a: { type: integer }\n  b: { type: category }\n',
    });
    await run({ data: 'data.jsonl', schema: 'schema.yml' });
    expect(finding(ctx, 'type (a)')[0]?.line).toBe(3);
  });
});

describe('schema inference round trip', () => {
  it('infer from the sample data, then validate the same data: valid, no findings', async () => {
    const ctx = testContext();
    copyFileSync(join(ROOT, 'examples/churn/train.csv'), join(ctx.workspace, 'train.csv'));
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      await inferSchemaCommand({ data: 'train.csv', target: 'churned', output: 'schema.yml' }, ctx.workspace);
    } finally {
      process.stdout.write = write;
    }
    const schemaText = readFileSync(join(ctx.workspace, 'schema.yml'), 'utf8');
    expect(schemaText).toContain('label: churned');
    expect(schemaText).toMatch(/plan: \{ type: category, nullable: false, values: \[ basic, premium, standard \] \}/);
    expect(schemaText).toMatch(/signup_date: \{ type: datetime, nullable: false \}/);
    expect(schemaText).toMatch(/monthly_charges: \{ type: float, nullable: false \}/);
    expect(schemaText).toMatch(/age: \{ type: integer, nullable: false \}/);
    expect(schemaText).toMatch(/customer_id: \{ type: string, nullable: false \}/);
    const res = await validateData(
      { data: 'train.csv', schema: 'schema.yml', 'fail-on': 'warning', 'profile-output': 'p.json', 'report-output': 'r.md' },
      ctx,
    );
    expect(ctx.annotations).toEqual([]);
    expect(res.outputs).toMatchObject({ valid: true, errors: 0, warnings: 0 });
  });

  it('round trip on awkward data: nulls, NaN, mixed ints and floats, booleans, quoted fields', async () => {
    const ctx = testContext();
    const rows = ['n,f,b,t,c,s'];
    for (let i = 0; i < 300; i++) {
      rows.push([i % 7 === 0 ? '' : String(i), i % 11 === 0 ? 'NaN' : i % 2 ? `${i}.5` : String(i), i % 3 ? 'true' : 'FALSE', `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`, ['red', 'green', '"blue, dark"'][i % 3], `"text ""${i}"""`].join(','));
    }
    writeFileSync(join(ctx.workspace, 'd.csv'), rows.join('\r\n') + '\r\n');
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      await inferSchemaCommand({ data: 'd.csv', output: 's.yml' }, ctx.workspace);
    } finally {
      process.stdout.write = write;
    }
    const text = readFileSync(join(ctx.workspace, 's.yml'), 'utf8');
    expect(text).toMatch(/ n: \{ type: integer \}/);
    expect(text).toMatch(/ f: \{ type: float, nullable: false, allow-nan: true \}/);
    expect(text).toMatch(/ b: \{ type: boolean, nullable: false \}/);
    expect(text).toMatch(/ c: \{ type: category, nullable: false, values: \[ blue, dark, green, red \] \}|values: \[ "blue, dark", green, red \]/);
    const res = await validateData({ data: 'd.csv', schema: 's.yml', 'fail-on': 'warning', 'profile-output': 'p.json', 'report-output': 'r.md' }, ctx);
    expect(ctx.annotations).toEqual([]);
    expect(res.outputs.valid).toBe(true);
  });
});

describe('profiling against a reference layout (for drift)', () => {
  it('counts exactly on the reference bin edges and keeps its column kinds', async () => {
    const { runValidation } = await import('../../../shared/validate/engine');
    const { referenceLayout } = await import('../../../shared/validate/profiling');
    const { listDataset } = await import('../../../shared/data/dataset');
    const ctx = testContext();
    writeFileSync(join(ctx.workspace, 'ref.csv'), 'x,code\n' + Array.from({ length: 500 }, (_, i) => `${i},${i % 3}`).join('\n') + '\n');
    writeFileSync(join(ctx.workspace, 'cur.csv'), 'x,code\n' + Array.from({ length: 300 }, (_, i) => `${i * 2},${i % 3}`).join('\n') + '\n');
    const plan = { now: 0, read: {}, display: (p: string) => p };
    const ref = (await runValidation(await listDataset('ref.csv', ctx.workspace), plan)).profile;
    const layout = referenceLayout(ref);
    // A reference where `code` is categorical: the current profile must agree, whatever its values look like.
    layout.kinds.code = 'categorical';
    const cur = (await runValidation(await listDataset('cur.csv', ctx.workspace), { ...plan, layout })).profile;
    const x = cur.columns.x!.numeric!;
    expect(x.binSource).toBe('given');
    expect(x.binEdges).toEqual(ref.columns.x!.numeric!.binEdges);
    expect(x.binCountsExact).toBe(true);
    // Exact: count the values in each bin by hand (interior edges decide; outer bins are open).
    const edges = x.binEdges;
    const expected = new Array(edges.length - 1).fill(0);
    for (let i = 0; i < 300; i++) {
      const v = i * 2;
      let b = 0;
      while (b < edges.length - 2 && v >= edges[b + 1]!) b++;
      expected[b]++;
    }
    expect(x.binCounts).toEqual(expected);
    expect(cur.columns.code!.kind).toBe('categorical');
  });
});

describe('checking and profiling only some columns', () => {
  it('leaves the other columns out of the profile and the findings', async () => {
    const { runValidation } = await import('../../../shared/validate/engine');
    const { listDataset } = await import('../../../shared/data/dataset');
    const ctx = testContext();
    writeFileSync(join(ctx.workspace, 'd.csv'), 'id,x,y\na1,1,5\na2,NaN,5\na3,3,5\n');
    const plan = { now: 0, read: {}, display: (p: string) => p };
    const all = await runValidation(await listDataset('d.csv', ctx.workspace), plan);
    expect(Object.keys(all.profile.columns)).toEqual(['id', 'x', 'y']);
    expect(all.findings.list().map((f) => `${f.check}:${f.column}`).sort()).toEqual(['constant:y', 'nan:x']);
    const some = await runValidation(await listDataset('d.csv', ctx.workspace), { ...plan, only: ['id', 'y'] });
    expect(Object.keys(some.profile.columns)).toEqual(['id', 'y']);
    expect(some.profile.rows).toBe(3);
    expect(some.findings.list().map((f) => `${f.check}:${f.column}`)).toEqual(['constant:y']);
  });
});
