/**
 * Loads test/fixtures/github-openapi/operations.json (see scripts/extract-openapi.mjs),
 * routes a request to an operation by method + path template, and validates requests and
 * responses against the operation's schemas.
 */
import { readFileSync } from 'node:fs';
import { coerceParameter, formatErrors, validate, type Schema, type SchemaError } from './validate';

export interface SpecParameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  multiSegment?: boolean;
  schema: Schema;
}

export interface SpecResponse {
  content?: Record<string, Schema>;
  headers?: string[];
}

export interface SpecOperation {
  operationId: string;
  method: string;
  path: string;
  documentationUrl?: string;
  servers?: string[];
  parameters: SpecParameter[];
  requestBody: { required: boolean; content: Record<string, Schema> } | null;
  responses: Record<string, SpecResponse>;
}

export interface SpecFixture {
  source: { package: string; version: string; file: string; sha256: string; bytes: number; openapi: string };
  generatedBy: string;
  operations: SpecOperation[];
}

export interface RouteMatch {
  operation: SpecOperation;
  /** Decoded path parameters (strings; see coerced params in RequestCheck). */
  rawParams: Record<string, string>;
}

interface CompiledRoute {
  operation: SpecOperation;
  regex: RegExp;
  names: string[];
  literalSegments: number;
  multiSegments: number;
}

/** GitHub's generic error shape, used for error statuses an operation does not declare. */
export const BASIC_ERROR_SCHEMA: Schema = {
  type: 'object',
  required: ['message'],
  properties: {
    message: { type: 'string' },
    documentation_url: { type: 'string' },
    url: { type: 'string' },
    status: { type: 'string' },
    errors: { type: 'array' },
  },
};

const FIXTURE_URL = new URL('../fixtures/github-openapi/operations.json', import.meta.url);

let cached: Spec | undefined;

export function loadSpec(): Spec {
  cached ??= new Spec(JSON.parse(readFileSync(FIXTURE_URL, 'utf8')) as SpecFixture);
  return cached;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Spec {
  readonly fixture: SpecFixture;
  readonly operations: SpecOperation[];
  private readonly routes: CompiledRoute[];

  constructor(fixture: SpecFixture) {
    this.fixture = fixture;
    this.operations = fixture.operations;
    this.routes = fixture.operations.map((operation) => {
      const names: string[] = [];
      let literalSegments = 0;
      let multiSegments = 0;
      const pattern = operation.path
        .split('/')
        .map((segment) => {
          const m = /^\{(\w+)\}$/.exec(segment);
          if (!m) {
            if (segment) literalSegments++;
            return escapeRegex(segment);
          }
          const name = m[1]!;
          names.push(name);
          const multi = operation.parameters.find((p) => p.in === 'path' && p.name === name)?.multiSegment;
          if (multi) multiSegments++;
          return multi ? '(.+)' : '([^/]+)';
        })
        .join('/');
      return { operation, regex: new RegExp(`^${pattern}/?$`), names, literalSegments, multiSegments };
    });
    // Most specific first: more literal segments, fewer multi-segment parameters.
    this.routes.sort((a, b) => b.literalSegments - a.literalSegments || a.multiSegments - b.multiSegments);
  }

  operation(operationId: string): SpecOperation {
    const op = this.operations.find((o) => o.operationId === operationId);
    if (!op) throw new Error(`operation ${operationId} is not in the fixture`);
    return op;
  }

  /**
   * Finds the operation for `method` and the raw (still percent-encoded) `pathname`.
   * `methodMismatch` is set when the path matches an operation of another method only.
   */
  match(method: string, pathname: string): { match?: RouteMatch; methodMismatch?: SpecOperation[] } {
    const others: SpecOperation[] = [];
    for (const route of this.routes) {
      const m = route.regex.exec(pathname);
      if (!m) continue;
      if (route.operation.method !== method) {
        others.push(route.operation);
        continue;
      }
      const rawParams: Record<string, string> = {};
      let ok = true;
      route.names.forEach((name, i) => {
        try {
          rawParams[name] = decodeURIComponent(m[i + 1]!);
        } catch {
          ok = false;
        }
      });
      if (ok) return { match: { operation: route.operation, rawParams } };
    }
    return others.length ? { methodMismatch: others } : {};
  }

  /**
   * Coerces and validates path + query parameters. Unknown query parameters are reported
   * (GitHub silently ignores them, which hides typos in our actions) unless
   * `allowUnknownQuery` is set.
   */
  checkParameters(
    operation: SpecOperation,
    rawParams: Record<string, string>,
    query: URLSearchParams,
    allowUnknownQuery = false,
  ): { params: Record<string, unknown>; query: Record<string, unknown>; pathErrors: SchemaError[]; queryErrors: SchemaError[] } {
    const params: Record<string, unknown> = {};
    const values: Record<string, unknown> = {};
    const pathErrors: SchemaError[] = [];
    const queryErrors: SchemaError[] = [];
    for (const p of operation.parameters) {
      if (p.in === 'path') {
        const raw = rawParams[p.name];
        if (raw === undefined) {
          pathErrors.push({ path: `path.${p.name}`, message: 'required path parameter is missing' });
          continue;
        }
        params[p.name] = coerceParameter(p.schema, raw);
        pathErrors.push(...validate(p.schema, params[p.name], `path.${p.name}`));
      } else {
        const all = query.getAll(p.name);
        if (all.length === 0) {
          if (p.required) queryErrors.push({ path: `query.${p.name}`, message: 'required query parameter is missing' });
          continue;
        }
        if (all.length > 1) queryErrors.push({ path: `query.${p.name}`, message: `given ${all.length} times` });
        values[p.name] = coerceParameter(p.schema, all[0]!);
        queryErrors.push(...validate(p.schema, values[p.name], `query.${p.name}`));
      }
    }
    if (!allowUnknownQuery) {
      for (const name of new Set(query.keys())) {
        if (!operation.parameters.some((p) => p.in === 'query' && p.name === name)) {
          queryErrors.push({ path: `query.${name}`, message: `unknown query parameter (not in ${operation.operationId})` });
        }
      }
    }
    return { params, query: values, pathErrors, queryErrors };
  }

  /** Validates a parsed JSON request body. */
  checkJsonBody(operation: SpecOperation, body: unknown, allowUnknownFields = false): SchemaError[] {
    if (!operation.requestBody) {
      if (body === undefined) return [];
      if (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0) return [];
      return [{ path: 'body', message: `${operation.operationId} takes no request body, got ${JSON.stringify(body).slice(0, 80)}` }];
    }
    const schema = operation.requestBody.content['application/json'];
    if (schema === undefined) return [];
    if (body === undefined) {
      return operation.requestBody.required ? [{ path: 'body', message: 'request body is required' }] : [];
    }
    const errors = validate(schema, body, 'body');
    if (!allowUnknownFields && typeof schema === 'object' && schema.properties && typeof body === 'object' && body !== null && !Array.isArray(body)) {
      for (const key of Object.keys(body)) {
        if (!Object.hasOwn(schema.properties, key) && schema.additionalProperties === undefined) {
          errors.push({ path: `body.${key}`, message: `unknown field (not in ${operation.operationId}; GitHub ignores it silently)` });
        }
      }
    }
    return errors;
  }

  /** Validates a response the fake is about to send. */
  checkResponse(operation: SpecOperation, status: number, contentType: string | undefined, body: unknown): SchemaError[] {
    const declared = operation.responses[String(status)];
    if (!declared) {
      if (status >= 400) return body === undefined ? [] : validate(BASIC_ERROR_SCHEMA, body, 'response');
      return [{ path: 'response', message: `status ${status} is not declared for ${operation.operationId} (declared: ${Object.keys(operation.responses).join(', ')})` }];
    }
    if (!declared.content) {
      if (body === undefined || status >= 300) return [];
      return [{ path: 'response', message: `status ${status} of ${operation.operationId} has no body, but one was sent` }];
    }
    if (body === undefined) return [{ path: 'response', message: `status ${status} of ${operation.operationId} requires a body` }];
    const mediaType = (contentType ?? 'application/json').split(';')[0]!.trim();
    const schema = declared.content[mediaType] ?? declared.content['application/json'];
    if (schema === undefined) {
      return [{ path: 'response', message: `content type ${mediaType} is not declared for ${operation.operationId} ${status}` }];
    }
    return validate(schema, body, 'response');
  }
}

export { formatErrors };
