/**
 * The HTTP server: the Open Inference Protocol v2 REST endpoints, a tabular JSON endpoint, model
 * reloads, Prometheus metrics and the prediction log, over node:http.
 *
 *   GET  /v2/health/live                        200 while the process runs
 *   GET  /v2/health/ready                       200 once a model is loaded, else 503
 *   GET  /v2                                    server metadata
 *   GET  /v2/models/{name}[/versions/{v}]       model metadata: versions, platform, inputs, outputs
 *   GET  /v2/models/{name}[/versions/{v}]/ready
 *   POST /v2/models/{name}[/versions/{v}]/infer     {inputs: [{name, shape, datatype, data}], outputs?}
 *   POST /v2/models/{name}[/versions/{v}]/predict   rows (see tabular.ts) → {predictions, probabilities?, classes?}
 *   POST /invocations                           the same, MLflow's path; GET /ping and /health too
 *   POST /v2/repository/models/{name}/load      re-resolve the source now and swap (what deploy's target-url calls)
 *   POST /v2/repository/index                   [{name, version, state}]
 *   GET  /metrics                               Prometheus text format 0.0.4
 * Errors are `{"error": message}`: 4xx for anything about the request, 5xx only for the server's own
 * problems (a model that cannot be read, an overload).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isUserError } from '../errors';
import type { BatcherOptions } from './batcher';
import { checkJsonContentType, HttpError, badRequest, isPlainObject, kindOf, parseJson, readBody, sendJson, sendText } from './http';
import { ModelHost, RegistrySource, type ModelSource, type ReloadResult } from './host';
import { PROMETHEUS_CONTENT_TYPE } from './metrics';
import { logFieldNames, PredictionLog } from './predlog';
import type { InferResult, ServedModel, TabularResult } from './served-model';
import { readTable, type Table } from './tabular';
import { ServeTelemetry } from './telemetry';
import { readInferRequest, type InferRequest } from './v2';

export const SERVER_NAME = 'mlops-serve';
export const SERVER_VERSION = '0.1.0';
export const DEFAULT_MAX_BODY = 8 * 1024 * 1024;
/** How long a refused request's unread body is read and dropped before the answer and the close. */
const LINGER_MS = 2000;

export interface ServeOptions {
  source: ModelSource;
  /** Default 127.0.0.1. */
  hostname?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Re-check the source every so many seconds (0: never). Default 0. */
  pollSeconds?: number;
  maxBatchRows?: number;
  maxWaitMs?: number;
  maxQueueRows?: number;
  /** Request body limit in bytes (413 beyond); default 8 MiB. */
  maxBodyBytes?: number;
  /** onnxruntime intra-op threads per session; default 1. */
  threads?: number;
  /** Prediction log (JSON Lines), and the fraction of rows written to it. */
  logPath?: string;
  logSample?: number;
  /** Server log lines (loads, swaps, warnings). */
  onLog?: (message: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  host: ModelHost;
  telemetry: ServeTelemetry;
  predictionLog: PredictionLog | undefined;
  /** Settles with the first load (rejects when it fails). */
  ready: Promise<ReloadResult>;
  /** Stops accepting, lets requests in flight finish (up to `timeoutMs`), flushes the log, releases the model. */
  close(timeoutMs?: number): Promise<void>;
}

interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  started: number;
  endpoint: string;
  method: string;
  requestId: string;
}

let requestCounter = 0;
const idPrefix = `${process.pid.toString(36)}-${Date.now().toString(36)}`;

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && given.length > 0 && given.length <= 200) return given;
  return `${idPrefix}-${(++requestCounter).toString(36)}`;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest(`'${s}' is not a valid URL path segment`);
  }
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const maxBatchRows = options.maxBatchRows ?? 256;
  const telemetry = new ServeTelemetry(maxBatchRows);
  const say = options.onLog ?? (() => undefined);
  /** Requests to the predict/infer endpoints whose body is still being read or parsed. */
  let receiving = 0;
  let inFlight = 0;
  const batch: BatcherOptions = {
    maxBatchRows,
    maxWaitMs: options.maxWaitMs ?? 2,
    ...(options.maxQueueRows !== undefined ? { maxQueueRows: options.maxQueueRows } : {}),
    receiving: () => receiving,
  };
  const host = new ModelHost({
    source: options.source,
    batch,
    threads: options.threads ?? 1,
    observer: telemetry,
    events: {
      swapped: (m) => telemetry.served(m),
      reload: (result) => telemetry.reloads.inc({ model_name: options.source.name, result }),
      log: say,
    },
  });
  const predictionLog = options.logPath ? await PredictionLog.open(options.logPath, { sample: options.logSample ?? 1 }) : undefined;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const name = host.name;

  // ---- answers -------------------------------------------------------------------------------------

  const finish = (c: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (c.res.headersSent) return;
    sendJson(c.res, status, body, { 'x-request-id': c.requestId, ...headers });
    telemetry.request(c.endpoint, c.method, status, (performance.now() - c.started) / 1000);
  };

  const fail = (c: RequestContext, e: unknown): void => {
    let status = 500;
    let message: string;
    let headers: Record<string, string> = {};
    if (e instanceof HttpError) {
      status = e.status;
      message = e.message;
      headers = e.headers;
    } else if (isUserError(e)) {
      status = 400;
      message = e.message;
    } else {
      message = `internal error: ${e instanceof Error ? e.message : String(e)}`;
      say(`error: ${c.method} ${c.req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    if (c.res.headersSent) {
      c.res.destroy();
      return;
    }
    if (headers.connection === 'close' && !c.req.complete) {
      // Lingering close: the socket closes after the answer, and closing it with body bytes still
      // coming resets the connection, so the client gets EPIPE instead of this answer. Read and drop
      // the rest of the body first (at most LINGER_MS), then answer.
      let answered = false;
      const answer = (): void => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        finish(c, status, { error: message }, headers);
      };
      const timer = setTimeout(answer, LINGER_MS);
      c.req.once('end', answer);
      c.req.once('close', answer);
      c.req.resume();
      return;
    }
    finish(c, status, { error: message }, headers);
  };

  const modelFor = (c: RequestContext, model: string, version: string | undefined): ServedModel => {
    if (model !== name) throw new HttpError(404, `model '${model}' is not served here; this server serves '${name}'`);
    const m = host.acquire();
    if (version !== undefined && version !== m.version) {
      m.release();
      throw new HttpError(404, `model '${name}' version ${version} is not served; version ${m.version} is`);
    }
    return m;
  };

  // ---- the prediction log --------------------------------------------------------------------------

  const labelOf = (m: ServedModel, k: number): string | number | null => (k >= 0 && m.labels ? m.labels[k]! : null);

  const logTable = (m: ServedModel, table: Table, r: TabularResult, requestId: string): void => {
    const log = predictionLog!;
    let f: ReturnType<typeof logFieldNames> | undefined;
    const time = new Date().toISOString();
    const C = m.labels?.length ?? 0;
    for (let i = 0; i < table.rows; i++) {
      if (!log.take()) continue;
      f ??= logFieldNames(r.used.map((u) => u.name));
      const row: Record<string, unknown> = { [f.time]: time, [f.model]: m.name, [f.model_version]: m.version, [f.request_id]: requestId };
      for (const u of r.used) row[u.name] = table.values[u.column]![i];
      if (r.values) row[f.prediction] = r.values[i];
      else {
        row[f.prediction] = labelOf(m, r.predicted![i]!);
        if (r.probabilities && m.labels) {
          const p: Record<string, number> = {};
          for (let k = 0; k < C; k++) p[String(m.labels[k])] = r.probabilities[i * C + k]!;
          row[f.probabilities] = p;
        }
      }
      log.write(row);
    }
  };

  const logInfer = (m: ServedModel, req: InferRequest, result: InferResult, requestId: string): void => {
    const log = predictionLog!;
    let f: ReturnType<typeof logFieldNames> | undefined;
    const time = new Date().toISOString();
    const names = Object.keys(req.feeds);
    const features = m.loaded.mlops.features;
    const C = m.labels?.length ?? 0;
    for (let i = 0; i < req.rows; i++) {
      if (!log.take()) continue;
      const row: Record<string, unknown> = {};
      const inputs: Record<string, unknown> = {};
      for (const n of names) {
        const t = req.feeds[n]!;
        const width = t.dims.length === 0 ? t.size : t.size / req.rows;
        const values = req.sent[n]!.slice(i * width, (i + 1) * width);
        if (width === 1) inputs[n] = values[0];
        else if (names.length === 1 && features && features.length === width) features.forEach((name, j) => (inputs[name] = values[j]));
        else inputs[n] = values;
      }
      f ??= logFieldNames(Object.keys(inputs));
      Object.assign(row, { [f.time]: time, [f.model]: m.name, [f.model_version]: m.version, [f.request_id]: requestId }, inputs);
      const d = result.decoded;
      if (d?.target.values) row[f.prediction] = d.target.values[d.offset + i];
      else if (d?.target.predicted) {
        row[f.prediction] = labelOf(m, d.target.predicted[d.offset + i]!);
        const probs = d.target.probabilities;
        if (probs && m.labels) {
          const p: Record<string, number> = {};
          for (let k = 0; k < C; k++) p[String(m.labels[k])] = probs[(d.offset + i) * C + k]!;
          row[f.probabilities] = p;
        }
      } else {
        const out: Record<string, unknown> = {};
        for (const o of result.outputs) {
          const w = o.shape.length === 0 ? o.data.length : o.data.length / req.rows;
          out[o.name] = w === 1 ? o.data[i] : o.data.slice(i * w, (i + 1) * w);
        }
        row[f.prediction] = out;
      }
      log.write(row);
    }
  };

  // ---- handlers ------------------------------------------------------------------------------------

  /** Reads and parses a JSON body, counted as `receiving` until then (the batcher waits for such requests). */
  const jsonBody = async (c: RequestContext): Promise<unknown> => {
    checkJsonContentType(c.req);
    return parseJson(await readBody(c.req, maxBody));
  };

  const predict = async (c: RequestContext, model: string, version: string | undefined): Promise<void> => {
    let counted = true;
    receiving++;
    try {
      const table = readTable(await jsonBody(c));
      const m = modelFor(c, model, version);
      receiving--;
      counted = false;
      try {
        const r = await m.predictTable(table);
        const body: Record<string, unknown> = {
          predictions: r.values ? Array.from(r.values) : Array.from(r.predicted!, (k) => labelOf(m, k)),
        };
        if (r.probabilities) {
          const C = m.labels?.length ?? 0;
          const probs: number[][] = new Array<number[]>(r.rows);
          for (let i = 0; i < r.rows; i++) probs[i] = Array.from(r.probabilities.subarray(i * C, (i + 1) * C));
          body.probabilities = probs;
        }
        if (m.labels) body.classes = m.labels;
        body.model_name = m.name;
        body.model_version = m.version;
        finish(c, 200, body, { 'x-model-version': m.version });
        if (predictionLog) logTable(m, table, r, c.requestId);
      } finally {
        m.release();
      }
    } finally {
      if (counted) receiving--;
    }
  };

  const infer = async (c: RequestContext, model: string, version: string | undefined): Promise<void> => {
    let counted = true;
    receiving++;
    try {
      const body = await jsonBody(c);
      const m = modelFor(c, model, version);
      receiving--;
      counted = false;
      try {
        const req = readInferRequest(body, m.loaded.signature.inputs, m.outputNames);
        const r = await m.infer(req);
        finish(c, 200, { model_name: m.name, model_version: m.version, ...(req.id !== undefined ? { id: req.id } : {}), outputs: r.outputs }, { 'x-model-version': m.version });
        if (predictionLog) logInfer(m, req, r, c.requestId);
      } finally {
        m.release();
      }
    } finally {
      if (counted) receiving--;
    }
  };

  const load = async (c: RequestContext, model: string): Promise<void> => {
    if (model !== name) throw new HttpError(404, `model '${model}' is not served here; this server serves '${name}'`);
    checkJsonContentType(c.req);
    const raw = await readBody(c.req, 64 * 1024);
    const body: unknown = raw.length === 0 ? {} : parseJson(raw);
    if (!isPlainObject(body)) throw badRequest(`the body is ${kindOf(body)}; send an object like {"model", "version", "digest", "environment"} or nothing`);
    if (body.model !== undefined && body.model !== name) throw badRequest(`the body names model ${JSON.stringify(body.model)}, the URL '${name}'`);
    const wantVersion = body.version === undefined || body.version === null ? undefined : String(body.version).replace(/^v/, '');
    if (body.digest !== undefined && typeof body.digest !== 'string') throw badRequest(`"digest" must be a string, got ${kindOf(body.digest)}`);
    const source = host.source;
    if (typeof body.environment === 'string' && source instanceof RegistrySource) {
      const sel = /@([a-z][a-z0-9-]*)$/.exec(source.ref)?.[1];
      if (sel && !/^v\d+$/.test(sel) && sel !== 'latest' && sel !== body.environment) {
        throw new HttpError(409, `this server serves ${source.ref}, not the ${body.environment} environment; point that deploy's target-url at its own server`);
      }
    }
    let result: ReloadResult;
    try {
      result = await host.reload();
    } catch (e) {
      if (e instanceof HttpError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new HttpError(isUserError(e) ? 422 : 500, `could not load ${source.describe()}: ${msg}${host.current ? `; still serving v${host.current.version}` : ''}`);
    }
    if (wantVersion !== undefined && wantVersion !== result.version) {
      throw new HttpError(409, `asked for version ${wantVersion}, but ${source.describe()} is version ${result.version} (now served); move the alias first`);
    }
    if (typeof body.digest === 'string' && body.digest !== result.digest) {
      throw new HttpError(409, `asked for digest ${body.digest}, but the version served is ${result.digest}`);
    }
    finish(c, 200, { name, version: result.version, digest: result.digest, changed: result.changed, ...(result.previous ? { previous: result.previous } : {}), ...(result.warning ? { warning: result.warning } : {}) });
  };

  // ---- routing -------------------------------------------------------------------------------------

  const route = async (c: RequestContext, path: string): Promise<void> => {
    const method = c.method;
    const only = (allowed: string, endpoint: string): boolean => {
      c.endpoint = endpoint;
      if (method === allowed || (allowed === 'GET' && method === 'HEAD')) return true;
      throw new HttpError(405, `${method} is not allowed on ${endpoint}; use ${allowed}`, { allow: allowed });
    };
    switch (path) {
      case '/v2/health/live':
        only('GET', path);
        return finish(c, 200, { live: true });
      case '/v2/health/ready':
      case '/ping':
      case '/health': {
        only('GET', path);
        const m = host.current;
        return m ? finish(c, 200, { ready: true }) : finish(c, 503, { ready: false, error: `model '${name}' is not loaded yet` });
      }
      case '/v2':
        only('GET', path);
        return finish(c, 200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: ['model_repository'] });
      case '/metrics': {
        only('GET', path);
        const text = telemetry.render();
        sendText(c.res, 200, text, PROMETHEUS_CONTENT_TYPE);
        telemetry.request(c.endpoint, c.method, 200, (performance.now() - c.started) / 1000);
        return;
      }
      case '/invocations':
        only('POST', path);
        return predict(c, name, undefined);
      case '/v2/repository/index': {
        only('POST', path);
        const m = host.current;
        return finish(c, 200, [{ name, ...(m ? { version: m.version, state: 'READY' } : { state: 'LOADING' }) }]);
      }
    }
    const s = path.split('/');
    // ['', 'v2', 'models', name, ...rest]
    if (s[1] === 'v2' && s[2] === 'models' && s.length >= 4 && s[3] !== '') {
      const model = decodeSegment(s[3]!);
      let rest = s.slice(4);
      let version: string | undefined;
      let base = '/v2/models/{name}';
      if (rest[0] === 'versions' && rest.length >= 2) {
        version = decodeSegment(rest[1]!);
        rest = rest.slice(2);
        base += '/versions/{version}';
      }
      const action = rest.length === 0 ? '' : rest.length === 1 ? rest[0]! : undefined;
      switch (action) {
        case '': {
          only('GET', base);
          const m = modelFor(c, model, version);
          try {
            return finish(c, 200, m.metadata());
          } finally {
            m.release();
          }
        }
        case 'ready': {
          only('GET', `${base}/ready`);
          if (model !== name) throw new HttpError(404, `model '${model}' is not served here; this server serves '${name}'`);
          const m = host.current;
          if (!m) return finish(c, 503, { name, ready: false, error: `model '${name}' is not loaded yet` });
          if (version !== undefined && version !== m.version) throw new HttpError(404, `model '${name}' version ${version} is not served; version ${m.version} is`);
          return finish(c, 200, { name, version: m.version, ready: true });
        }
        case 'infer':
          only('POST', `${base}/infer`);
          return infer(c, model, version);
        case 'predict':
          only('POST', `${base}/predict`);
          return predict(c, model, version);
      }
    }
    if (s[1] === 'v2' && s[2] === 'repository' && s[3] === 'models' && s.length === 6 && s[4] !== '') {
      const model = decodeSegment(s[4]!);
      if (s[5] === 'load') {
        only('POST', '/v2/repository/models/{name}/load');
        return load(c, model);
      }
      if (s[5] === 'unload') {
        only('POST', '/v2/repository/models/{name}/unload');
        throw badRequest('unload is not supported: this server serves one model; stop the server instead');
      }
    }
    c.endpoint = 'other';
    throw new HttpError(404, `no endpoint ${method} ${path}; see /v2/models/${name} (metadata), /v2/models/${name}/infer, /v2/models/${name}/predict`);
  };

  const server: Server = createServer({ requestTimeout: 60_000, headersTimeout: 30_000, keepAliveTimeout: 65_000 }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const c: RequestContext = { req, res, started: performance.now(), endpoint: 'other', method: req.method ?? 'GET', requestId: requestIdOf(req) };
    inFlight++;
    res.once('close', () => inFlight--);
    route(c, path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).catch((e: unknown) => fail(c, e));
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"malformed HTTP request"}');
    else socket.destroy(err);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.hostname ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${shownHost}:${addr.port}`;

  const ready = host.reload();
  ready.then(
    () => host.startPolling(options.pollSeconds ?? 0),
    () => undefined,
  );

  let closing: Promise<void> | undefined;
  const close = (timeoutMs = 10_000): Promise<void> => {
    closing ??= (async () => {
      server.close();
      server.closeIdleConnections();
      const until = Date.now() + timeoutMs;
      while (inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      server.closeAllConnections();
      await host.close();
      await predictionLog?.close();
    })();
    return closing;
  };

  telemetry.registry.onCollect(() => telemetry.inProgress.set(undefined, inFlight));
  if (predictionLog) {
    const rows = telemetry.logRows;
    let written = 0;
    let dropped = 0;
    telemetry.registry.onCollect(() => {
      if (predictionLog.written > written) rows.inc({ result: 'written' }, predictionLog.written - written);
      if (predictionLog.dropped > dropped) rows.inc({ result: 'dropped' }, predictionLog.dropped - dropped);
      written = predictionLog.written;
      dropped = predictionLog.dropped;
    });
  }

  return { url, port: addr.port, host, telemetry, predictionLog, ready, close };
}
