/**
 * A small JSON-schema validator for the (dereferenced, pruned) OpenAPI 3.0 schemas in
 * test/fixtures/github-openapi/operations.json.
 *
 * Why not ajv: GitHub's description is OpenAPI 3.0 (`nullable`, not `type: [.., "null"]`),
 * and it has overlapping `oneOf` branches (e.g. `{oneOf: [{type: string, nullable}, {type:
 * integer, nullable}]}` where `null` matches every branch, or path params typed
 * `oneOf: [integer, string]`) that a strict JSON-schema validator rejects although GitHub
 * sends/accepts exactly those values. Here:
 *  - `nullable: true` (and `type` arrays containing "null") admit `null`, including for
 *    schemas that only carry `enum`/`oneOf`;
 *  - `oneOf` is checked like `anyOf` (at least one branch matches), deliberately lenient;
 *  - formats are checked loosely: `date-time` (RFC 3339), `uri` (has a scheme, or is the
 *    empty string, which GitHub sends for unset URLs such as a deployment status's
 *    `target_url`), `email` (has an @); every other format (int64, binary, ...) is ignored;
 *  - `additionalProperties: false` is honoured, otherwise extra properties are allowed.
 */

export type Schema = boolean | SchemaObject;

export interface SchemaObject {
  type?: string | string[];
  nullable?: boolean;
  format?: string;
  title?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema;
  items?: Schema | Schema[];
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
}

export interface SchemaError {
  /** Where in the value, e.g. `body.labels[0].name`. */
  path: string;
  message: string;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'bigint') return 'integer';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  if (type === actual) return true;
  if (type === 'number' && actual === 'integer') return true;
  return false;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function describe(schema: SchemaObject): string {
  if (schema.title) return schema.title;
  if (schema.type) return Array.isArray(schema.type) ? schema.type.join('|') : schema.type;
  if (schema.enum) return `enum ${JSON.stringify(schema.enum)}`;
  return 'schema';
}

function short(value: unknown): string {
  const s = JSON.stringify(value);
  if (s === undefined) return String(value);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

/** Validates `value` against `schema`; returns the list of errors (empty when valid). */
export function validate(schema: Schema, value: unknown, path = ''): SchemaError[] {
  const errors: SchemaError[] = [];
  check(schema, value, path, errors);
  return errors;
}

export function isValid(schema: Schema, value: unknown): boolean {
  return validate(schema, value).length === 0;
}

function check(schema: Schema, value: unknown, path: string, errors: SchemaError[]): void {
  if (schema === true) return;
  if (schema === false) {
    errors.push({ path, message: 'no value is allowed here' });
    return;
  }
  const where = path || '(root)';
  if (value === undefined) {
    errors.push({ path: where, message: 'value is undefined' });
    return;
  }

  const types = schema.type === undefined ? undefined : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (value === null) {
    if (schema.nullable === true || types?.includes('null') || schema.enum?.includes(null)) return;
    if (types === undefined && schema.enum === undefined && !schema.oneOf && !schema.anyOf && !schema.allOf) return;
  }

  if (types && !types.some((t) => matchesType(value, t))) {
    errors.push({ path: where, message: `expected ${types.join('|')}${schema.nullable ? ' or null' : ''}, got ${typeOf(value)} ${short(value)}` });
    return;
  }

  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value))) {
    errors.push({ path: where, message: `expected one of ${JSON.stringify(schema.enum)}, got ${short(value)}` });
  }
  if ('const' in schema && !deepEqual(schema.const, value)) {
    errors.push({ path: where, message: `expected ${short(schema.const)}, got ${short(value)}` });
  }

  if (typeof value === 'string') {
    if (schema.minLength !== undefined && [...value].length < schema.minLength) {
      errors.push({ path: where, message: `string shorter than ${schema.minLength}` });
    }
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) {
      errors.push({ path: where, message: `string longer than ${schema.maxLength}` });
    }
    if (schema.pattern !== undefined) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(schema.pattern, 'u');
      } catch {
        re = undefined; // a pattern JS cannot compile: ignore rather than report
      }
      if (re && !re.test(value)) errors.push({ path: where, message: `does not match pattern ${schema.pattern}` });
    }
    if (schema.format === 'date-time' && !DATE_TIME.test(value)) {
      errors.push({ path: where, message: `not a date-time: ${short(value)}` });
    } else if (schema.format === 'uri' && value !== '' && !URI.test(value)) {
      errors.push({ path: where, message: `not a uri: ${short(value)}` });
    } else if (schema.format === 'email' && !value.includes('@')) {
      errors.push({ path: where, message: `not an email: ${short(value)}` });
    }
  }

  if (typeof value === 'number') {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum)) {
      errors.push({ path: where, message: `less than minimum ${schema.minimum}` });
    }
    if (schema.maximum !== undefined && (schema.exclusiveMaximum === true ? value >= schema.maximum : value > schema.maximum)) {
      errors.push({ path: where, message: `greater than maximum ${schema.maximum}` });
    }
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
      errors.push({ path: where, message: `not greater than ${schema.exclusiveMinimum}` });
    }
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) {
      errors.push({ path: where, message: `not less than ${schema.exclusiveMaximum}` });
    }
    if (schema.multipleOf !== undefined && Math.abs(value / schema.multipleOf - Math.round(value / schema.multipleOf)) > 1e-9) {
      errors.push({ path: where, message: `not a multiple of ${schema.multipleOf}` });
    }
  }

  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push({ path: where, message: `fewer than ${schema.minItems} items` });
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push({ path: where, message: `more than ${schema.maxItems} items` });
    }
    if (schema.uniqueItems) {
      for (let i = 0; i < value.length; i++) {
        for (let j = i + 1; j < value.length; j++) {
          if (deepEqual(value[i], value[j])) errors.push({ path: where, message: `items ${i} and ${j} are equal` });
        }
      }
    }
    if (Array.isArray(schema.items)) {
      schema.items.forEach((s, i) => {
        if (i < value.length) check(s, value[i], child(path, i), errors);
      });
    } else if (schema.items !== undefined) {
      const items = schema.items;
      value.forEach((v, i) => check(items, v, child(path, i), errors));
    }
  }

  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
    for (const name of schema.required ?? []) {
      if (obj[name] === undefined) errors.push({ path: child(path, name), message: 'required property is missing' });
    }
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
      errors.push({ path: where, message: `fewer than ${schema.minProperties} properties` });
    }
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
      errors.push({ path: where, message: `more than ${schema.maxProperties} properties` });
    }
    for (const key of keys) {
      let known = false;
      const propSchema = schema.properties?.[key];
      if (propSchema !== undefined && Object.hasOwn(schema.properties!, key)) {
        known = true;
        check(propSchema, obj[key], child(path, key), errors);
      }
      for (const [pattern, s] of Object.entries(schema.patternProperties ?? {})) {
        if (new RegExp(pattern, 'u').test(key)) {
          known = true;
          check(s, obj[key], child(path, key), errors);
        }
      }
      if (!known && schema.additionalProperties !== undefined) {
        if (schema.additionalProperties === false) {
          errors.push({ path: child(path, key), message: 'property is not allowed (additionalProperties: false)' });
        } else {
          check(schema.additionalProperties, obj[key], child(path, key), errors);
        }
      }
    }
  }

  for (const s of schema.allOf ?? []) check(s, value, path, errors);
  for (const [keyword, branches] of [
    ['anyOf', schema.anyOf],
    ['oneOf', schema.oneOf],
  ] as const) {
    if (!branches) continue;
    let best: SchemaError[] | undefined;
    let matched = false;
    for (const branch of branches) {
      const branchErrors = validate(branch, value, path);
      if (branchErrors.length === 0) {
        matched = true;
        break;
      }
      if (!best || branchErrors.length < best.length) best = branchErrors;
    }
    if (!matched) {
      const names = branches.map((b) => (typeof b === 'boolean' ? String(b) : describe(b))).join(', ');
      errors.push({ path: where, message: `matches none of ${keyword} [${names}]` });
      if (best) errors.push(...best.slice(0, 5));
    }
  }
  if (schema.not !== undefined && validate(schema.not, value, path).length === 0) {
    errors.push({ path: where, message: 'must not match the "not" schema' });
  }
}

/**
 * Converts a raw path/query parameter string into the type its schema asks for (like a
 * server framework would), so `"42"` validates against `{type: integer}`. Unparseable
 * values are returned unchanged so that validation reports them.
 */
export function coerceParameter(schema: Schema, raw: string): unknown {
  if (typeof schema === 'boolean') return raw;
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  for (const t of types) {
    if ((t === 'integer' || t === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
    if (t === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
    if (t === 'array') return raw === '' ? [] : raw.split(',');
    if (t === 'string') return raw;
  }
  for (const branch of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) {
    const v = coerceParameter(branch, raw);
    if (isValid(branch, v)) return v;
  }
  return raw;
}

export function formatErrors(errors: SchemaError[], max = 10): string {
  const lines = errors.slice(0, max).map((e) => `${e.path}: ${e.message}`);
  if (errors.length > max) lines.push(`... and ${errors.length - max} more`);
  return lines.join('; ');
}
