#!/usr/bin/env node
// Extracts the GitHub REST operations used by mlops-actions from GitHub's published
// OpenAPI description (as packaged by @octokit/openapi) into a small fixture:
//   test/fixtures/github-openapi/operations.json
// The fake GitHub server (test/fake-github/) validates every request it receives and
// every response it sends against this fixture.
//
// @octokit/openapi is deliberately NOT a project dependency (its dereferenced description
// is 70+ MB). To regenerate the fixture:
//
//   mkdir -p /tmp/openapi && (cd /tmp/openapi && npm install --no-save @octokit/openapi@23)
//   node scripts/extract-openapi.mjs /tmp/openapi/node_modules/@octokit/openapi
//
// The argument may be the package directory or the path of
// generated/api.github.com.deref.json itself. Without an argument the script looks in
// /tmp/openapi/node_modules/@octokit/openapi and then in ./node_modules/@octokit/openapi.
//
// What is kept: method, path template, operationId, documentation URL, servers (upload endpoint), path and
// query parameters (name, in, required, schema, x-multi-segment), the request body
// (required flag, schema per content type) and the response schemas per status code and
// content type. Schemas are the dereferenced JSON schemas pruned to validation keywords
// (descriptions, examples, readOnly, deprecated and x-* extensions are dropped; property
// *names* are never pruned). The output is deterministic (operations sorted by operationId).

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OPERATION_IDS = [
  'repos/get',
  'git/get-ref',
  'git/create-ref',
  'git/update-ref',
  'git/delete-ref',
  'git/list-matching-refs',
  'repos/create-release',
  'repos/update-release',
  'repos/delete-release',
  'repos/get-release',
  'repos/get-release-by-tag',
  'repos/list-releases',
  'repos/upload-release-asset',
  'repos/list-release-assets',
  'repos/get-release-asset',
  'repos/delete-release-asset',
  'issues/create-comment',
  'issues/update-comment',
  'issues/list-comments',
  'issues/delete-comment',
  'issues/create',
  'issues/update',
  'issues/get',
  'issues/list-for-repo',
  'pulls/get',
  'pulls/list',
  'pulls/create',
  'repos/list-pull-requests-associated-with-commit',
  'checks/create',
  'checks/update',
  'checks/list-for-ref',
  'repos/create-deployment',
  'repos/list-deployments',
  'repos/create-deployment-status',
  'repos/list-deployment-statuses',
  'actions/create-workflow-dispatch',
  'users/get-authenticated',
  'repos/get-content',
  'repos/create-or-update-file-contents',
];

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Validation keywords kept in schemas. Everything else (description, example, ...) is dropped. */
const SCALAR_KEYWORDS = new Set([
  'type',
  'format',
  'nullable',
  'required',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'title',
]);

export function pruneSchema(schema) {
  if (schema === true || schema === false) return schema;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new Error(`not a schema: ${JSON.stringify(schema)?.slice(0, 200)}`);
  }
  if ('$ref' in schema) throw new Error(`unexpected $ref in dereferenced description: ${schema.$ref}`);
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (SCALAR_KEYWORDS.has(key)) {
      out[key] = value;
    } else if (key === 'properties' || key === 'patternProperties') {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, pruneSchema(s)]));
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = Array.isArray(value) ? value.map(pruneSchema) : pruneSchema(value);
    } else if (key === 'oneOf' || key === 'anyOf' || key === 'allOf') {
      out[key] = value.map(pruneSchema);
    }
    // else: description, example(s), default, readOnly, deprecated, x-*, discriminator... dropped
  }
  return out;
}

function pruneContent(content) {
  if (!content) return undefined;
  const out = {};
  for (const [type, media] of Object.entries(content)) out[type] = media.schema ? pruneSchema(media.schema) : {};
  return out;
}

export function extract(spec, operationIds = OPERATION_IDS) {
  const wanted = new Set(operationIds);
  const operations = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    const shared = item.parameters ?? [];
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op || !wanted.has(op.operationId)) continue;
      const parameters = [...shared, ...(op.parameters ?? [])]
        .filter((p) => p.in === 'path' || p.in === 'query')
        .map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required === true,
          ...(p['x-multi-segment'] ? { multiSegment: true } : {}),
          schema: pruneSchema(p.schema ?? {}),
        }));
      const responses = {};
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const content = pruneContent(response.content);
        responses[status] = {
          ...(content ? { content } : {}),
          ...(response.headers ? { headers: Object.keys(response.headers) } : {}),
        };
      }
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        ...(op.externalDocs?.url ? { documentationUrl: op.externalDocs.url } : {}),
        ...(op.servers ? { servers: op.servers.map((s) => s.url) } : {}),
        parameters,
        requestBody: op.requestBody
          ? { required: op.requestBody.required === true, content: pruneContent(op.requestBody.content) }
          : null,
        responses,
      });
    }
  }
  const missing = operationIds.filter((id) => !operations.some((o) => o.operationId === id));
  if (missing.length) throw new Error(`operations not found in the description: ${missing.join(', ')}`);
  operations.sort((a, b) => (a.operationId < b.operationId ? -1 : a.operationId > b.operationId ? 1 : 0));
  return operations;
}

function locate(arg) {
  const candidates = arg
    ? [arg]
    : ['/tmp/openapi/node_modules/@octokit/openapi', join(process.cwd(), 'node_modules/@octokit/openapi')];
  for (const c of candidates) {
    const p = resolve(c);
    if (!existsSync(p)) continue;
    if (statSync(p).isDirectory()) {
      const file = join(p, 'generated/api.github.com.deref.json');
      if (existsSync(file)) return { file, pkgDir: p };
    } else {
      return { file: p, pkgDir: resolve(dirname(p), '..') };
    }
  }
  throw new Error(
    `cannot find @octokit/openapi (${candidates.join(', ')}). Install it with:\n` +
      `  mkdir -p /tmp/openapi && (cd /tmp/openapi && npm install --no-save @octokit/openapi@23)`,
  );
}

function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  const outFile = resolve(here, '../test/fixtures/github-openapi/operations.json');
  const { file, pkgDir } = locate(process.argv[2]);
  const raw = readFileSync(file);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const spec = JSON.parse(raw.toString('utf8'));
  let version = spec.info?.version ?? null;
  const pkgJson = join(pkgDir, 'package.json');
  if (existsSync(pkgJson)) version = JSON.parse(readFileSync(pkgJson, 'utf8')).version ?? version;
  const operations = extract(spec);
  const fixture = {
    source: {
      package: '@octokit/openapi',
      version,
      file: 'generated/api.github.com.deref.json',
      sha256,
      bytes: raw.length,
      openapi: spec.openapi,
      servers: (spec.servers ?? []).map((s) => s.url),
    },
    generatedBy: 'scripts/extract-openapi.mjs',
    operations,
  };
  mkdirSync(dirname(outFile), { recursive: true });
  // One operation per line: small, yet diffs stay readable per operation.
  const { operations: ops, ...head } = fixture;
  const text =
    JSON.stringify(head, null, 2).replace(/\n}$/, ',\n  "operations": [\n') +
    ops.map((o) => '    ' + JSON.stringify(o)).join(',\n') +
    '\n  ]\n}\n';
  JSON.parse(text); // sanity
  writeFileSync(outFile, text);
  console.log(`wrote ${outFile}: ${operations.length} operations, ${(text.length / 1024).toFixed(0)} KiB`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
