import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalRegistry } from '../../../shared/registry/local';
import { RegistrySource, serve, type ModelSource, type RunningServer } from '../../../shared/serve';
import { CATEGORICAL, churnRecord, NUMERIC, tempDir, trainChurn, writeModel } from './helpers';

const FEATURES = [...NUMERIC, ...CATEGORICAL];

async function post(url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

async function get(url: string): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(url);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

describe('the HTTP server', () => {
  let srv: RunningServer;
  let reg: LocalRegistry;
  let dir: string;
  let base: string;

  beforeAll(async () => {
    dir = await tempDir();
    reg = new LocalRegistry(join(dir, 'registry'));
    await reg.register('churn', { 'model.onnx': await writeModel(dir, 'v1.onnx', trainChurn('logistic', NUMERIC)) }, { card: () => '#\n' });
    await reg.register('churn', { 'model.onnx': await writeModel(dir, 'v2.onnx', trainChurn('logistic', FEATURES)) }, { card: () => '#\n' });
    await reg.setAlias('churn', 'production', 1, { by: 'test' });
    srv = await serve({ source: new RegistrySource(reg, 'churn@production', 'registry'), port: 0, logPath: join(dir, 'predictions.jsonl'), maxBodyBytes: 1024 * 1024 });
    await srv.ready;
    base = `${srv.url}/v2/models/churn`;
  });
  afterAll(async () => {
    await srv?.close();
  });

  test('health, server and model metadata', async () => {
    expect(await get(`${srv.url}/v2/health/live`)).toMatchObject({ status: 200, json: { live: true } });
    expect(await get(`${srv.url}/v2/health/ready`)).toMatchObject({ status: 200, json: { ready: true } });
    expect((await get(`${srv.url}/v2`)).json).toMatchObject({ name: 'mlops-serve' });
    const meta = await get(base);
    expect(meta.status).toBe(200);
    expect(meta.json).toMatchObject({
      name: 'churn',
      versions: ['1'],
      platform: 'onnxruntime',
      inputs: NUMERIC.map((name) => ({ name, datatype: 'FP32', shape: [-1, 1] })),
      outputs: [
        { name: 'label', datatype: 'BYTES', shape: [-1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
      ],
      parameters: { task: 'classification', classes: [0, 1], target: 'churned' },
    });
    expect(await get(`${base}/ready`)).toMatchObject({ status: 200, json: { name: 'churn', version: '1', ready: true } });
    expect(await get(`${base}/versions/1/ready`)).toMatchObject({ status: 200 });
    expect(await get(`${base}/versions/7/ready`)).toMatchObject({ status: 404 });
  });

  test('rows in every form, and tensors, give the same predictions', async () => {
    const rec = churnRecord(0);
    const one = await post(`${base}/predict`, rec);
    expect(one.status).toBe(200);
    expect(one.headers.get('x-model-version')).toBe('1');
    expect(one.json).toMatchObject({ classes: [0, 1], model_name: 'churn', model_version: '1' });
    expect(one.json.predictions).toHaveLength(1);
    const p = one.json.probabilities[0];
    expect(p[0] + p[1]).toBeCloseTo(1, 6);
    const columns = Object.keys(rec);
    const split = { columns, data: [Object.values(rec), Object.values(churnRecord(1))] };
    for (const [url, body] of [
      [`${base}/predict`, split],
      [`${srv.url}/invocations`, { dataframe_split: split }],
      [`${base}/versions/1/predict`, { records: [rec, churnRecord(1)] }],
      [`${srv.url}/invocations`, { dataframe_records: [rec, churnRecord(1)] }],
    ] as const) {
      const r = await post(url, body);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json.probabilities[0]).toEqual(p);
      expect(r.json.predictions).toHaveLength(2);
    }
    const tensors = await post(`${base}/infer`, { id: 'abc', inputs: NUMERIC.map((name) => ({ name, shape: [1, 1], datatype: 'FP32', data: [rec[name]] })) });
    expect(tensors.status).toBe(200);
    expect(tensors.json).toMatchObject({ model_name: 'churn', model_version: '1', id: 'abc' });
    expect(tensors.json.outputs[1]).toMatchObject({ name: 'probabilities', datatype: 'FP32', shape: [1, 2] });
    expect(tensors.json.outputs[1].data[1]).toBeCloseTo(p[1], 6);
  });

  test('malformed requests: each a 4xx with a reason, never a 5xx', async () => {
    const good = churnRecord(0);
    const cases: [string, string, unknown, number, RegExp, Record<string, string>?][] = [
      ['POST', `${base}/predict`, '{"age": ', 400, /not valid JSON/],
      ['POST', `${base}/predict`, '', 400, /body is empty/],
      ['POST', `${base}/predict`, 'null', 400, /the body is null/],
      ['POST', `${base}/predict`, '[1,2]', 400, /each record is an object/],
      ['POST', `${base}/predict`, { ...good, age: 'old' }, 400, /column 'age' row 1: "old" is not a number/],
      ['POST', `${base}/predict`, { ...good, age: [1] }, 400, /key 'age' holds an array/],
      ['POST', `${base}/predict`, { records: [good, { tenure_months: 3 }] }, 400, /record 2 has no 'age'/],
      ['POST', `${base}/predict`, { columns: ['age'], data: [[1]] }, 400, /'tenure_months', 'monthly_charges', 'support_calls' are not in the data/],
      ['POST', `${base}/predict`, { columns: ['a', 'b'], data: [[1]] }, 400, /has 1 cells, but there are 2 columns/],
      ['POST', `${base}/predict`, good, 415, /content type 'image\/png' is not supported/, { 'content-type': 'image/png' }],
      ['POST', `${base}/infer`, { inputs: 'x' }, 400, /"inputs" must be a list/],
      ['POST', `${base}/infer`, { inputs: [{ name: 'age', shape: [1, 1], datatype: 'FP64', data: [3] }] }, 400, /datatype FP64 does not match the model's FP32/],
      ['POST', `${base}/infer`, { inputs: [{ name: 'age', shape: [1, 1], datatype: 'FP32', data: [3] }] }, 400, /missing model inputs 'tenure_months'/],
      ['POST', `${base}/infer`, { inputs: NUMERIC.map((name) => ({ name, shape: [1, 2], datatype: 'FP32', data: [1, 2] })) }, 400, /fixes 1/],
      ['POST', `${base}/infer`, { inputs: NUMERIC.map((name) => ({ name, shape: [2, 1], datatype: 'FP32', data: [1] })) }, 400, /needs 2 elements, but "data" has 1/],
      ['POST', `${base}/infer`, { inputs: NUMERIC.map((name) => ({ name, shape: [1, 1], datatype: 'FP32', data: ['x'] })) }, 400, /data element 0 is "x"/],
      ['POST', `${srv.url}/v2/models/other/predict`, good, 404, /model 'other' is not served here; this server serves 'churn'/],
      ['POST', `${base}/versions/9/infer`, good, 404, /version 9 is not served; version 1 is/],
      ['GET', `${base}/predict`, undefined, 405, /GET is not allowed on \/v2\/models\/\{name\}\/predict; use POST/],
      ['POST', `${base}`, good, 405, /use GET/],
      ['GET', `${srv.url}/v2/nothing`, undefined, 404, /no endpoint GET \/v2\/nothing/],
      ['POST', `${srv.url}/v2/models/%E0%A4%A/infer`, good, 400, /not a valid URL path segment/],
      ['POST', `${srv.url}/v2/repository/models/churn/unload`, '', 400, /unload is not supported/],
      ['POST', `${srv.url}/v2/repository/models/churn/load`, '[]', 400, /the body is an array/],
    ];
    for (const [method, url, body, status, message, headers] of cases) {
      const res = await fetch(url, { method, headers: headers ?? { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
      const json = (await res.json()) as { error?: string };
      expect(res.status, `${method} ${url} ${JSON.stringify(body)?.slice(0, 80)}: ${json.error}`).toBe(status);
      expect(json.error).toMatch(message);
    }
  });

  test('fuzz: 600 mutated bodies on every POST endpoint, none answered with a 5xx', async () => {
    let a = 12345;
    const rnd = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const junk = (): unknown => pick<() => unknown>([() => null, () => true, () => -1e308, () => 'x'.repeat(Math.floor(rnd() * 50)), () => [], () => [[]], () => ({}), () => ({ a: [1, { b: null }] }), () => 2 ** 70, () => '9'.repeat(30), () => NaN, () => [null, 'a', 3]])();
    const rec = churnRecord(2);
    const tensors = () => ({ inputs: NUMERIC.map((name) => ({ name, shape: [1, 1], datatype: 'FP32', data: [rec[name]] })) });
    const mutate = (v: unknown, depth = 0): unknown => {
      if (rnd() < 0.15 || depth > 6) return junk();
      if (Array.isArray(v)) {
        const out = v.map((x) => (rnd() < 0.3 ? mutate(x, depth + 1) : x));
        if (rnd() < 0.2) out.pop();
        if (rnd() < 0.2) out.push(junk());
        return out;
      }
      if (v !== null && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
          if (rnd() < 0.1) continue;
          out[rnd() < 0.05 ? `${k}_` : k] = rnd() < 0.3 ? mutate(x, depth + 1) : x;
        }
        if (rnd() < 0.1) out[pick(['inputs', 'outputs', 'records', 'columns', 'data', 'shape', 'datatype', 'name', 'id', 'parameters'])] = junk();
        return out;
      }
      return rnd() < 0.5 ? junk() : v;
    };
    const seeds: [string, () => unknown][] = [
      [`${base}/predict`, () => rec],
      [`${base}/predict`, () => ({ records: [rec, churnRecord(3)] })],
      [`${srv.url}/invocations`, () => ({ dataframe_split: { columns: Object.keys(rec), data: [Object.values(rec)] } })],
      [`${base}/infer`, tensors],
      [`${srv.url}/v2/repository/models/churn/load`, () => ({ model: 'churn', version: 1, digest: 'sha256:00', environment: 'production' })],
    ];
    const statuses = new Map<number, number>();
    let i = 0;
    const worker = async () => {
      while (i < 600) {
        const k = i++;
        const [url, seed] = seeds[k % seeds.length]!;
        let text = JSON.stringify(mutate(seed()));
        if (k % 7 === 3) text = text.slice(0, Math.floor(rnd() * text.length));
        if (k % 11 === 5) text = text.replace(/[:,\]]/, pick(['', '::', ']]', '"']));
        const r = await post(url, text);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status >= 500) throw new Error(`${r.status} for ${url} ${text.slice(0, 300)}: ${JSON.stringify(r.json)}`);
        if (r.status >= 400) expect(typeof r.json.error, text).toBe('string');
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    expect(statuses.get(400)).toBeGreaterThan(100);
  });

  test('a body over the limit is refused with 413 (declared or streamed)', async () => {
    const big = JSON.stringify({ records: Array.from({ length: 20000 }, (_, i) => churnRecord(i)) });
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const declared = await post(`${base}/predict`, big);
    expect(declared.status).toBe(413);
    expect(declared.json.error).toMatch(/larger than the limit of 1 MiB/);
    // Chunked (no Content-Length): refused once past the limit.
    const stream = new ReadableStream({
      start(c) {
        const bytes = new TextEncoder().encode(big);
        for (let i = 0; i < bytes.length; i += 65536) c.enqueue(bytes.subarray(i, i + 65536));
        c.close();
      },
    });
    const res = await fetch(`${base}/predict`, { method: 'POST', body: stream, duplex: 'half', headers: { 'content-type': 'application/json' } } as RequestInit).catch((e: unknown) => e);
    expect(res instanceof Response ? res.status : String(res)).toBe(413);
    // The server is fine afterwards.
    expect((await post(`${base}/predict`, churnRecord(3))).status).toBe(200);
  });

  test('the prediction log: one flat line per row with time, version, inputs and prediction', async () => {
    await post(`${base}/predict`, { records: [churnRecord(5), churnRecord(6)] }, { 'content-type': 'application/json', 'x-request-id': 'req-42' });
    await new Promise((r) => setTimeout(r, 50));
    const lines = readFileSync(join(dir, 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = lines.filter((l) => l.request_id === 'req-42');
    expect(mine).toHaveLength(2);
    const rec = churnRecord(5);
    expect(Object.keys(mine[0]!)).toEqual(['time', 'model', 'model_version', 'request_id', ...NUMERIC, 'prediction', 'probabilities']);
    expect(mine[0]).toMatchObject({ model: 'churn', model_version: '1', age: rec.age, monthly_charges: rec.monthly_charges });
    expect(typeof mine[0]!.time).toBe('string');
    expect([0, 1]).toContain(mine[0]!.prediction);
    expect(Object.keys(mine[0]!.probabilities as object)).toEqual(['0', '1']);
  });

  test('metrics: Prometheus text that promtool accepts, with requests, batches, version and predictions', async () => {
    const m = await get(`${srv.url}/metrics`);
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/^mlops_serve_request_total\{endpoint="\/v2\/models\/\{name\}\/predict",http_method="POST",http_response_code="200"\} \d+$/m);
    expect(m.text).toMatch(/^mlops_serve_request_total\{endpoint="\/v2\/models\/\{name\}\/predict",http_method="POST",http_response_code="400"\} \d+$/m);
    expect(m.text).toMatch(/^mlops_serve_request_duration_seconds_bucket\{endpoint="\/v2\/models\/\{name\}\/predict",http_method="POST",http_response_code="200",le="\+Inf"\} \d+$/m);
    expect(m.text).toMatch(/^mlops_serve_adaptive_batch_size_count\{model_name="churn"\} \d+$/m);
    expect(m.text).toMatch(/^mlops_serve_model_version\{model_name="churn"\} 1$/m);
    expect(m.text).toMatch(/^mlops_serve_model_info\{model_name="churn",model_version="1",model_digest="sha256:[0-9a-f]{64}"\} 1$/m);
    expect(m.text).toMatch(/^mlops_serve_predictions_total\{model_name="churn",model_version="1",class="0"\} \d+$/m);
    expect(m.text).toMatch(/^mlops_serve_prediction_log_rows_total\{result="written"\} \d+$/m);
    expect(m.text).toMatch(/^process_resident_memory_bytes \d+$/m);
    if (existsSync('/usr/bin/promtool')) {
      const out = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: m.text, encoding: 'utf8' });
      expect(out.status, out.stdout + out.stderr).toBe(0);
    }
  });

  test('the load endpoint: what deploy calls; checks the environment and the version', async () => {
    const wrongEnv = await post(`${srv.url}/v2/repository/models/churn/load`, { model: 'churn', version: 2, environment: 'staging' });
    expect(wrongEnv.status).toBe(409);
    expect(wrongEnv.json.error).toMatch(/serves churn@production, not the staging environment/);
    const notYet = await post(`${srv.url}/v2/repository/models/churn/load`, { model: 'churn', version: 2, environment: 'production' });
    expect(notYet.status).toBe(409);
    expect(notYet.json.error).toMatch(/asked for version 2, but churn@production in registry is version 1/);
    const v2 = await reg.get('churn', 2);
    await reg.setAlias('churn', 'production', 2, { by: 'test' });
    const ok = await post(`${srv.url}/v2/repository/models/churn/load`, { model: 'churn', version: 2, digest: v2!.digest, environment: 'production', url: 'file:///x' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ name: 'churn', version: '2', digest: v2!.digest, changed: true, previous: '1' });
    expect((await get(base)).json.versions).toEqual(['2']);
    const again = await post(`${srv.url}/v2/repository/models/churn/load`, '');
    expect(again.json).toMatchObject({ version: '2', changed: false });
    expect((await post(`${base}/predict`, churnRecord(0))).json.model_version).toBe('2');
    expect((await get(`${srv.url}/metrics`)).text).toMatch(/^mlops_serve_model_version\{model_name="churn"\} 2$/m);
  });
});

describe('readiness', () => {
  test('ready only once the model is loaded; live before', async () => {
    const dir = await tempDir();
    const path = await writeModel(dir, 'm.onnx', trainChurn('ridge', ['age', 'tenure_months', 'support_calls', ...CATEGORICAL]));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { FileSource } = await import('../../../shared/serve/host');
    const inner = new FileSource(path, 'spend');
    const slow: ModelSource = {
      name: 'spend',
      describe: () => 'slow',
      check: async () => {
        await gate;
        return inner.check();
      },
      fetch: (t) => inner.fetch(t),
    };
    const srv = await serve({ source: slow, port: 0 });
    try {
      expect((await get(`${srv.url}/v2/health/live`)).status).toBe(200);
      expect(await get(`${srv.url}/v2/health/ready`)).toMatchObject({ status: 503, json: { ready: false } });
      expect((await get(`${srv.url}/v2/models/spend/ready`)).status).toBe(503);
      const early = await post(`${srv.url}/v2/models/spend/predict`, { age: 1 });
      expect(early.status).toBe(503);
      expect(early.json.error).toMatch(/not loaded yet/);
      release();
      await srv.ready;
      expect((await get(`${srv.url}/v2/health/ready`)).status).toBe(200);
      // A regressor: numbers, and a histogram of predicted values.
      const r = await post(`${srv.url}/v2/models/spend/predict`, { records: [churnRecord(0), churnRecord(1)] });
      expect(r.status).toBe(200);
      expect(r.json.predictions).toHaveLength(2);
      expect(typeof r.json.predictions[0]).toBe('number');
      expect(r.json.classes).toBeUndefined();
      expect((await get(`${srv.url}/metrics`)).text).toMatch(/^mlops_serve_prediction_value_count\{model_name="spend",model_version="1"\} 2$/m);
    } finally {
      release();
      await srv.close();
    }
  });
});
