/**
 * The data schema: a YAML file people read and edit, written by `mlops schema infer` and checked by
 * validate-data. Example:
 *
 *   version: 1
 *   label: churned
 *   columns:
 *     age:     { type: integer, nullable: false, range: [18, 120] }
 *     plan:    { type: category, values: [basic, pro, enterprise] }
 *     email:   { type: string, regex: '^[^@]+@[^@]+$', unique: true }
 *     signup:  { type: datetime }
 *     churned: { type: boolean }
 *   table:
 *     rows: [1000, null]
 *     freshness: { column: signup, max-age: 30d }
 *     duplicate-rows: error
 */
import { z } from 'zod';
import { stringify } from 'yaml';
import { readYamlFile, type YamlSource } from '../yaml';
import { inferColumn, type ColumnFacts } from './infer';

export const COLUMN_TYPES = ['integer', 'float', 'boolean', 'string', 'category', 'datetime'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];
export const SEVERITIES = ['error', 'warning', 'ignore'] as const;
export type Severity = (typeof SEVERITIES)[number];

const bound = z.union([z.number(), z.null()]);
const Duration = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(s|m|h|d|w)$/, { error: "must be a duration such as '45m', '12h', '30d' or '2w'" });

export const ColumnSchema = z.strictObject({
  type: z.enum(COLUMN_TYPES, { error: `must be one of: ${COLUMN_TYPES.join(', ')}` }),
  nullable: z.boolean().default(true),
  /** Inclusive bounds; null for an open side. For datetime columns, ISO strings. */
  range: z.tuple([z.union([bound, z.string()]), z.union([bound, z.string()])]).optional(),
  values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional(),
  regex: z
    .string()
    .refine(
      (s) => {
        try {
          new RegExp(s, 'u');
          return true;
        } catch {
          return false;
        }
      },
      { error: 'is not a valid regular expression' },
    )
    .optional(),
  unique: z.boolean().default(false),
  /** NaN and ±Infinity in a numeric column: an error unless allowed. */
  'allow-nan': z.boolean().default(false),
  description: z.string().optional(),
});
export type ColumnSchema = z.output<typeof ColumnSchema>;

export const TableSchema = z.strictObject({
  rows: z.tuple([bound, bound]).optional(),
  freshness: z.strictObject({ column: z.string(), 'max-age': Duration }).optional(),
  'duplicate-rows': z.enum(SEVERITIES).default('warning'),
  'unexpected-columns': z.enum(SEVERITIES).default('error'),
  /** Against a reference profile: a category the reference never saw. */
  'new-categories': z.enum(SEVERITIES).default('warning'),
  /** Against a reference profile: a value outside the reference's [min, max]. */
  'out-of-range': z.enum(SEVERITIES).default('warning'),
  'constant-columns': z.enum(SEVERITIES).default('warning'),
});
export type TableSchema = z.output<typeof TableSchema>;

export const SCHEMA_VERSION = 1;

export const DataSchema = z
  .strictObject({
    version: z.literal(SCHEMA_VERSION, { error: `must be ${SCHEMA_VERSION} (the only schema version this release reads)` }),
    label: z.string().optional(),
    columns: z.record(z.string(), ColumnSchema),
    table: TableSchema.default(TableSchema.parse({})),
  })
  .superRefine((s, ctx) => {
    if (s.label !== undefined && !(s.label in s.columns)) {
      ctx.addIssue({ code: 'custom', path: ['label'], message: `names column '${s.label}', which is not under columns` });
    }
    if (s.table.freshness && !(s.table.freshness.column in s.columns)) {
      ctx.addIssue({
        code: 'custom',
        path: ['table', 'freshness', 'column'],
        message: `names column '${s.table.freshness.column}', which is not under columns`,
      });
    }
    for (const [name, col] of Object.entries(s.columns)) {
      const numeric = col.type === 'integer' || col.type === 'float';
      if (col.range && !numeric && col.type !== 'datetime') {
        ctx.addIssue({ code: 'custom', path: ['columns', name, 'range'], message: `a range needs a numeric or datetime column, not ${col.type}` });
      }
      if (col.regex && col.type !== 'string' && col.type !== 'category') {
        ctx.addIssue({ code: 'custom', path: ['columns', name, 'regex'], message: `a regex needs a string or category column, not ${col.type}` });
      }
      if (col.range && col.range[0] !== null && col.range[1] !== null && col.range[0] > col.range[1]) {
        ctx.addIssue({ code: 'custom', path: ['columns', name, 'range'], message: 'the lower bound is above the upper bound' });
      }
    }
  });
export type DataSchema = z.output<typeof DataSchema>;

const HINT = 'see the schema format in README.md ("Data schema"), or regenerate it with `mlops schema infer --data <file>`';

export function loadSchema(path: string, displayPath: string, input = 'schema'): Promise<YamlSource<DataSchema>> {
  return readYamlFile(path, displayPath, DataSchema, 'The data schema', HINT, input);
}

export { durationMs } from './duration';

/** Writes a schema as YAML, with a header saying where it came from and how to edit it. */
export function schemaToYaml(schema: DataSchema, header: string[]): string {
  const table: Record<string, unknown> = {};
  const defaults = TableSchema.parse({});
  for (const [k, v] of Object.entries(schema.table)) {
    if (v !== undefined && JSON.stringify(v) !== JSON.stringify(defaults[k as keyof TableSchema])) table[k] = v;
  }
  const columns: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(schema.columns)) {
    const out: Record<string, unknown> = { type: c.type };
    if (!c.nullable) out.nullable = false;
    if (c.range) out.range = c.range;
    if (c.values) out.values = c.values;
    if (c.regex) out.regex = c.regex;
    if (c.unique) out.unique = true;
    if (c['allow-nan']) out['allow-nan'] = true;
    if (c.description) out.description = c.description;
    columns[name] = out;
  }
  const doc: Record<string, unknown> = { version: schema.version };
  if (schema.label) doc.label = schema.label;
  doc.columns = columns;
  if (Object.keys(table).length) doc.table = table;
  return `${header.map((l) => `# ${l}`).join('\n')}\n${compactColumns(doc)}`;
}

/** Each column's properties on one line: easier to read and to review in a PR diff. */
function compactColumns(doc: Record<string, unknown>): string {
  const { columns, ...rest } = doc;
  const head = stringify({ version: rest.version, ...(rest.label ? { label: rest.label } : {}) });
  const lines = ['columns:'];
  for (const [name, c] of Object.entries(columns as Record<string, unknown>)) {
    const key = /^[A-Za-z_][\w.-]*$/.test(name) ? name : JSON.stringify(name);
    lines.push(`  ${key}: ${stringify(c, { collectionStyle: 'flow', lineWidth: 0 }).trim()}`);
  }
  const tail = rest.table ? stringify({ table: rest.table }) : '';
  return `${head}${lines.join('\n')}\n${tail}`;
}

/** The schema inferColumn infers for each column (see infer.ts), with the table checks' defaults. */
export function inferSchema(columns: ColumnFacts[], options: { label?: string; withValues: boolean }): DataSchema {
  const out: Record<string, ColumnSchema> = {};
  for (const f of columns) out[f.name] = inferColumn(f, options.withValues);
  const schema: DataSchema = { version: SCHEMA_VERSION, columns: out, table: TableSchema.parse({}) };
  if (options.label && options.label in out) schema.label = options.label;
  return schema;
}
