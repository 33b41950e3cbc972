/**
 * The Twirp JSON protocol as GitHub's Actions results service speaks it, and the request messages of its
 * ArtifactService and CacheService (results/api/v1/artifact.proto and cache.proto, as generated into
 * @actions/artifact and @actions/cache), for the fake results service to check requests against.
 *
 * Decoding follows proto3 JSON (protojson): a field may be named by its proto name (snake_case, what the
 * toolkit sends) or its JSON name (lowerCamelCase); null means absent; int64 is a decimal string (a JSON
 * number is accepted too); wrappers (StringValue, Int64Value) are their bare value; Timestamp is RFC 3339.
 * Unlike GitHub's server, which discards unknown fields, an unknown field is an error here: it is how a
 * typo or a protocol change shows up in a test instead of being silently ignored.
 */

export type FieldType =
  | 'string'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'Timestamp'
  | 'StringValue'
  | 'Int64Value'
  | { repeated: FieldType }
  | { message: MessageSchema };

export interface MessageSchema {
  name: string;
  fields: Record<string, FieldType>;
  /** Fields the service needs set to a non-default value (proto3 has no "required"; the server checks). */
  required?: string[];
}

export type TwirpCode =
  | 'canceled'
  | 'unknown'
  | 'invalid_argument'
  | 'malformed'
  | 'deadline_exceeded'
  | 'not_found'
  | 'bad_route'
  | 'already_exists'
  | 'permission_denied'
  | 'unauthenticated'
  | 'resource_exhausted'
  | 'failed_precondition'
  | 'aborted'
  | 'out_of_range'
  | 'unimplemented'
  | 'internal'
  | 'unavailable'
  | 'dataloss';

/** HTTP status of each Twirp error code (twirp's spec). */
export const TWIRP_STATUS: Record<TwirpCode, number> = {
  canceled: 408,
  unknown: 500,
  invalid_argument: 400,
  malformed: 400,
  deadline_exceeded: 408,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  permission_denied: 403,
  unauthenticated: 401,
  resource_exhausted: 429,
  failed_precondition: 412,
  aborted: 409,
  out_of_range: 400,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  dataloss: 500,
};

export class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    message: string,
    /** Whether the request broke the protocol (recorded as a violation) or is a legitimate refusal. */
    readonly violation: boolean,
  ) {
    super(message);
  }
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const INT64 = /^-?(0|[1-9]\d*)$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;

/**
 * Decodes a JSON request into a plain object keyed by proto names, with int64s as strings and wrappers
 * unwrapped; throws a TwirpError (a violation) on unknown fields, wrong types and missing required fields.
 */
export function decodeMessage(schema: MessageSchema, json: unknown, path = schema.name): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TwirpError('malformed', `${path}: expected a JSON object, got ${describe(json)}`, true);
  }
  const byName = new Map<string, string>();
  for (const f of Object.keys(schema.fields)) {
    byName.set(f, f);
    byName.set(camel(f), f);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const field = byName.get(key);
    if (!field) throw new TwirpError('malformed', `${path}: unknown field '${key}' (known: ${Object.keys(schema.fields).join(', ')})`, true);
    if (field in out) throw new TwirpError('malformed', `${path}: field '${field}' given twice (as '${field}' and '${camel(field)}')`, true);
    if (value === null) continue;
    out[field] = decodeValue(schema.fields[field]!, value, `${path}.${field}`);
  }
  for (const f of schema.required ?? []) {
    const v = out[f];
    if (v === undefined || v === '' || v === '0' || (Array.isArray(v) && v.length === 0)) {
      throw new TwirpError('invalid_argument', `${path}: ${f} is required`, true);
    }
  }
  return out;
}

function decodeValue(type: FieldType, value: unknown, path: string): unknown {
  if (typeof type === 'object') {
    if ('repeated' in type) {
      if (!Array.isArray(value)) throw new TwirpError('malformed', `${path}: expected an array, got ${describe(value)}`, true);
      return value.map((v, i) => decodeValue(type.repeated, v, `${path}[${i}]`));
    }
    return decodeMessage(type.message, value, path);
  }
  switch (type) {
    case 'string':
    case 'StringValue':
      if (typeof value !== 'string') throw new TwirpError('malformed', `${path}: expected a string, got ${describe(value)}`, true);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw new TwirpError('malformed', `${path}: expected a boolean, got ${describe(value)}`, true);
      return value;
    case 'int32': {
      const n = typeof value === 'string' && INT64.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) {
        throw new TwirpError('malformed', `${path}: expected an int32, got ${describe(value)}`, true);
      }
      return n;
    }
    case 'int64':
    case 'Int64Value': {
      const s = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
      if (typeof s !== 'string' || !INT64.test(s) || BigInt(s) >= 2n ** 63n || BigInt(s) < -(2n ** 63n)) {
        throw new TwirpError('malformed', `${path}: expected an int64 (a decimal string), got ${describe(value)}`, true);
      }
      return s;
    }
    case 'Timestamp':
      if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
        throw new TwirpError('malformed', `${path}: expected an RFC 3339 timestamp, got ${describe(value)}`, true);
      }
      return value;
  }
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return `${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v} ${s && s.length > 80 ? `${s.slice(0, 80)}…` : s}`;
}

// ---- the messages (field names and types as in the generated clients) ----

const BACKEND_IDS = { workflow_run_backend_id: 'string', workflow_job_run_backend_id: 'string' } as const;

export const ArtifactMessages = {
  CreateArtifact: {
    name: 'CreateArtifactRequest',
    fields: { ...BACKEND_IDS, name: 'string', expires_at: 'Timestamp', version: 'int32', mime_type: 'StringValue' },
    required: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name', 'version'],
  },
  FinalizeArtifact: {
    name: 'FinalizeArtifactRequest',
    fields: { ...BACKEND_IDS, name: 'string', size: 'int64', hash: 'StringValue' },
    required: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name'],
  },
  ListArtifacts: {
    name: 'ListArtifactsRequest',
    fields: { ...BACKEND_IDS, name_filter: 'StringValue', id_filter: 'Int64Value' },
    required: ['workflow_run_backend_id', 'workflow_job_run_backend_id'],
  },
  GetSignedArtifactURL: {
    name: 'GetSignedArtifactURLRequest',
    fields: { ...BACKEND_IDS, name: 'string' },
    required: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name'],
  },
  DeleteArtifact: {
    name: 'DeleteArtifactRequest',
    fields: { ...BACKEND_IDS, name: 'string' },
    required: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name'],
  },
} satisfies Record<string, MessageSchema>;

const CacheScope: MessageSchema = { name: 'CacheScope', fields: { scope: 'string', permission: 'int64' } };
const CacheMetadata: MessageSchema = {
  name: 'CacheMetadata',
  fields: { repository_id: 'int64', scope: { repeated: { message: CacheScope } } },
};

export const CacheMessages = {
  CreateCacheEntry: {
    name: 'CreateCacheEntryRequest',
    fields: { metadata: { message: CacheMetadata }, key: 'string', version: 'string' },
    required: ['key', 'version'],
  },
  FinalizeCacheEntryUpload: {
    name: 'FinalizeCacheEntryUploadRequest',
    fields: { metadata: { message: CacheMetadata }, key: 'string', size_bytes: 'int64', version: 'string' },
    required: ['key', 'version'],
  },
  GetCacheEntryDownloadURL: {
    name: 'GetCacheEntryDownloadURLRequest',
    fields: { metadata: { message: CacheMetadata }, key: 'string', restore_keys: { repeated: 'string' }, version: 'string' },
    required: ['key', 'version'],
  },
} satisfies Record<string, MessageSchema>;

export const ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService';
export const CACHE_SERVICE = 'github.actions.results.api.v1.CacheService';
