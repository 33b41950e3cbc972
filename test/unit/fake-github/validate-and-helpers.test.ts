import { Octokit } from '@octokit/rest';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN, normalizeAssetName } from '../../fake-github/server';
import { loadSpec } from '../../fake-github/spec';
import { coerceParameter, validate, type Schema } from '../../fake-github/validate';
import { useFakeGitHub } from '../../fake-github/vitest';

describe('validate()', () => {
  it('handles OpenAPI 3.0 nullable, type arrays, integer vs number', () => {
    expect(validate({ type: 'string', nullable: true }, null)).toEqual([]);
    expect(validate({ type: 'string' }, null)).toHaveLength(1);
    expect(validate({ type: ['string', 'null'] }, null)).toEqual([]);
    expect(validate({ type: 'string', enum: ['a', 'b'], nullable: true }, null)).toEqual([]);
    expect(validate({ type: 'integer' }, 1.5)[0]!.message).toMatch(/expected integer/);
    expect(validate({ type: 'number' }, 3)).toEqual([]);
  });

  it('checks properties, required, additionalProperties, items, enum with paths', () => {
    const schema: Schema = {
      type: 'object',
      required: ['name', 'tags'],
      additionalProperties: false,
      properties: { name: { type: 'string', minLength: 1 }, tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, maxItems: 2 } },
    };
    expect(validate(schema, { name: 'x', tags: ['a'] })).toEqual([]);
    const errors = validate(schema, { name: '', tags: ['a', 'c', 'b'], extra: 1 }, 'body');
    expect(errors.map((e) => e.path)).toEqual(['body.name', 'body.tags', 'body.tags[1]', 'body.extra']);
    expect(validate(schema, { name: 'x' })[0]).toEqual({ path: 'tags', message: 'required property is missing' });
  });

  it('treats oneOf leniently (GitHub has overlapping branches) and checks anyOf/allOf', () => {
    const overlapping: Schema = { oneOf: [{ type: 'string', nullable: true }, { type: 'integer', nullable: true }] };
    expect(validate(overlapping, null)).toEqual([]);
    expect(validate(overlapping, true)[0]!.message).toMatch(/matches none of oneOf/);
    expect(validate({ anyOf: [{ type: 'string' }, { type: 'integer' }] }, 1)).toEqual([]);
    expect(validate({ allOf: [{ type: 'object', required: ['a'] }, { type: 'object', required: ['b'] }] }, { a: 1 })).toHaveLength(1);
  });

  it('checks formats loosely', () => {
    expect(validate({ type: 'string', format: 'date-time' }, '2024-01-02T03:04:05Z')).toEqual([]);
    expect(validate({ type: 'string', format: 'date-time' }, '2024-01-02')).toHaveLength(1);
    expect(validate({ type: 'string', format: 'uri' }, 'https://x.test/a{?b}')).toEqual([]);
    expect(validate({ type: 'string', format: 'uri' }, '')).toEqual([]);
    expect(validate({ type: 'string', format: 'uri' }, 'not a uri')).toHaveLength(1);
    expect(validate({ type: 'string', format: 'int64' }, 'whatever')).toEqual([]);
  });

  it('coerces path/query parameters to their schema type', () => {
    expect(coerceParameter({ type: 'integer' }, '42')).toBe(42);
    expect(coerceParameter({ type: 'integer' }, 'x')).toBe('x');
    expect(coerceParameter({ type: 'boolean' }, 'true')).toBe(true);
    expect(coerceParameter({ oneOf: [{ type: 'integer' }, { type: 'string' }] }, 'train.yml')).toBe('train.yml');
  });
});

describe('the OpenAPI fixture', () => {
  it('records its source and holds the operations the fake serves', () => {
    const spec = loadSpec();
    expect(spec.fixture.source).toMatchObject({ package: '@octokit/openapi', file: 'generated/api.github.com.deref.json' });
    expect(spec.fixture.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(spec.operations.length).toBeGreaterThanOrEqual(39);
    expect(spec.match('GET', '/repos/o/r/releases/tags/a%2Fb').match?.operation.operationId).toBe('repos/get-release-by-tag');
    expect(spec.match('GET', '/repos/o/r/git/ref/heads/feature/x').match).toMatchObject({ operation: { operationId: 'git/get-ref' }, rawParams: { ref: 'heads/feature/x' } });
    expect(spec.match('PATCH', '/repos/o/r/issues/comments/5').match?.operation.operationId).toBe('issues/update-comment');
    expect(spec.match('PATCH', '/repos/o/r/issues/5').match?.operation.operationId).toBe('issues/update');
    expect(spec.match('GET', '/repos/o/r/releases/assets/7').match?.operation.operationId).toBe('repos/get-release-asset');
    expect(spec.match('DELETE', '/repos/o/r').methodMismatch?.map((o) => o.operationId)).toEqual(['repos/get']);
  });

  it('asset names are normalized like GitHub does', () => {
    expect(normalizeAssetName('model weights (v2).onnx')).toBe('model.weights.v2.onnx');
    expect(normalizeAssetName('ok-name_1.2+3.tgz')).toBe('ok-name_1.2+3.tgz');
  });
});

describe('useFakeGitHub()', () => {
  const gh = useFakeGitHub({ repos: [{ owner: 'o', name: 'r' }] }, (fake) => {
    fake.addIssue('o/r', { title: 'seeded' });
  });

  it('gives each test a fresh, seeded fake and checks violations afterwards', async () => {
    const kit = new Octokit({ baseUrl: gh.fake.url, auth: DEFAULT_TOKEN });
    const { data } = await kit.rest.issues.listForRepo({ owner: 'o', repo: 'r' });
    expect(data.map((i) => i.title)).toEqual(['seeded']);
    await kit.rest.issues.create({ owner: 'o', repo: 'r', title: 'second' });
  });

  it('does not leak state between tests', () => {
    expect(gh.fake.repo('o/r').issues.size).toBe(1);
  });
});
