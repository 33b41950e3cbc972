import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DataSchema, durationMs, inferSchema, schemaToYaml } from '../../../shared/schema/schema';
import { parseYaml } from '../../../shared/yaml';
import { UserError } from '../../../shared/errors';
import { inferColumn, type ColumnFacts } from '../../../shared/schema/infer';

const load = (text: string) => parseYaml(text, DataSchema, 'schema.yml', 'The data schema', 'fix it');

function errorOf(text: string): UserError {
  try {
    load(text);
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('data schema YAML', () => {
  it('reads a full schema with defaults filled in', () => {
    const s = load(`
version: 1
label: churned
columns:
  age: { type: integer, nullable: false, range: [18, 120] }
  plan: { type: category, values: [basic, pro] }
  email: { type: string, regex: '^[^@]+@[^@]+$', unique: true }
  signup: { type: datetime }
  churned: { type: boolean }
table:
  rows: [10, null]
  freshness: { column: signup, max-age: 30d }
  duplicate-rows: error
`).value;
    expect(s.columns.age).toMatchObject({ type: 'integer', nullable: false, range: [18, 120] });
    expect(s.columns.plan!.nullable).toBe(true);
    expect(s.table['duplicate-rows']).toBe('error');
    expect(s.table['new-categories']).toBe('warning');
    expect(s.label).toBe('churned');
  });

  it('a bad type is reported at its line and column with the allowed types', () => {
    const e = errorOf('version: 1\ncolumns:\n  age:\n    type: integr\n');
    expect(e.location).toMatchObject({ file: 'schema.yml', line: 4, column: 11 });
    expect(e.message).toContain("at 'columns.age.type'");
    expect(e.message).toContain('integer, float, boolean, string, category, datetime');
  });

  it('an unknown key is reported where it is', () => {
    const e = errorOf('version: 1\ncolumns:\n  age: { type: integer, nulable: false }\n');
    expect(e.location.line).toBe(3);
    expect(e.message).toMatch(/nulable/);
  });

  it('invalid YAML is reported at its position', () => {
    const e = errorOf('version: 1\ncolumns:\n  age: { type: integer\n');
    expect(e.location.file).toBe('schema.yml');
    expect(e.message).toContain('not valid YAML');
  });

  it('cross-field rules: label must be a column, range needs a numeric column, bounds ordered', () => {
    expect(errorOf('version: 1\nlabel: y\ncolumns:\n  x: { type: float }\n').message).toContain("names column 'y'");
    const r = errorOf('version: 1\ncolumns:\n  x: { type: string, range: [1, 2] }\n');
    expect(r.message).toContain('a range needs a numeric');
    expect(r.location.line).toBe(3);
    expect(errorOf('version: 1\ncolumns:\n  x: { type: float, range: [2, 1] }\n').message).toContain('lower bound is above');
    expect(errorOf('version: 1\ncolumns:\n  x: { type: string, regex: "(" }\n').message).toContain('not a valid regular expression');
    expect(errorOf('version: 2\ncolumns: {}\n').message).toContain('must be 1');
  });

  it('durations', () => {
    expect(durationMs('30d')).toBe(30 * 86400e3);
    expect(durationMs('1.5h')).toBe(5400e3);
    expect(errorOf('version: 1\ncolumns:\n  t: { type: datetime }\ntable:\n  freshness: { column: t, max-age: 30 days }\n').message).toContain('duration');
  });

  it('schemaToYaml writes what loads back to the same schema', () => {
    const s = load('version: 1\nlabel: y\ncolumns:\n  "odd name": { type: float, allow-nan: true }\n  y: { type: category, values: [a, b] }\ntable:\n  duplicate-rows: error\n').value;
    const text = schemaToYaml(s, ['inferred by a test']);
    expect(text.startsWith('# inferred by a test\n')).toBe(true);
    // One line per column, easy to review in a diff.
    expect(text).toContain('\n  y: { type: category, values: [ a, b ] }\n');
    expect(text).toContain('\n  "odd name": { type: float, allow-nan: true }\n');
    expect(load(text).value).toEqual(s);
    expect(parse(text).columns['odd name'].type).toBe('float');
  });
});

describe('schema inference from column facts', () => {
  const facts = (over: Partial<ColumnFacts>): ColumnFacts => ({
    name: 'c',
    count: 100,
    nulls: 0,
    kinds: { integer: 0, float: 0, boolean: 0, datetime: 0, string: 0 },
    nonFinite: 0,
    distinct: 0,
    ...over,
  });

  it('picks the narrowest type every value has', () => {
    expect(inferColumn(facts({ kinds: { integer: 100, float: 0, boolean: 0, datetime: 0, string: 0 } }), true).type).toBe('integer');
    expect(inferColumn(facts({ kinds: { integer: 60, float: 40, boolean: 0, datetime: 0, string: 0 } }), true).type).toBe('float');
    expect(inferColumn(facts({ kinds: { integer: 0, float: 0, boolean: 100, datetime: 0, string: 0 } }), true).type).toBe('boolean');
    expect(inferColumn(facts({ kinds: { integer: 0, float: 0, boolean: 0, datetime: 100, string: 0 } }), true).type).toBe('datetime');
    expect(inferColumn(facts({ nulls: 100 }), true)).toMatchObject({ type: 'string', nullable: true });
  });

  it('text with few repeated values is a category with its values; otherwise a string', () => {
    const cat = inferColumn(facts({ kinds: { integer: 0, float: 0, boolean: 0, datetime: 0, string: 100 }, distinct: 3, values: ['b', 'a', 'c'] }), true);
    expect(cat).toMatchObject({ type: 'category', values: ['a', 'b', 'c'] });
    expect(inferColumn(facts({ kinds: { integer: 0, float: 0, boolean: 0, datetime: 0, string: 100 }, distinct: 100 }), true).type).toBe('string');
    const noValues = inferColumn(facts({ kinds: { integer: 0, float: 0, boolean: 0, datetime: 0, string: 100 }, distinct: 3, values: ['a', 'b', 'c'] }), false);
    expect(noValues.values).toBeUndefined();
  });

  it('nullable and allow-nan only as the data shows', () => {
    const c = inferColumn(facts({ nulls: 3, nonFinite: 2, kinds: { integer: 0, float: 97, boolean: 0, datetime: 0, string: 0 } }), true);
    expect(c).toMatchObject({ type: 'float', nullable: true, 'allow-nan': true });
    const s = inferSchema([facts({ name: 'y', kinds: { integer: 100, float: 0, boolean: 0, datetime: 0, string: 0 } })], { label: 'y', withValues: true });
    expect(s.label).toBe('y');
    expect(s.columns.y!.nullable).toBe(false);
  });
});
