/**
 * The server's Prometheus metrics, named after BentoML's (bentoml_api_server_request_total,
 * …_request_duration_seconds, …_request_in_progress, bentoml_runner_adaptive_batch_size) with the
 * prefix mlops_serve_:
 *   mlops_serve_request_total{endpoint, http_method, http_response_code}            counter
 *   mlops_serve_request_duration_seconds{endpoint, http_method, http_response_code} histogram
 *   mlops_serve_request_in_progress                                                gauge
 *   mlops_serve_adaptive_batch_size{model_name}                rows per onnxruntime call, histogram
 *   mlops_serve_batch_requests{model_name}                     requests per onnxruntime call, histogram
 *   mlops_serve_inference_duration_seconds{model_name}         one batch's run, histogram
 *   mlops_serve_model_info{model_name, model_version, model_digest}   1 for the version served
 *   mlops_serve_model_version{model_name}                      the version served, as a number
 *   mlops_serve_model_loaded_timestamp_seconds{model_name}
 *   mlops_serve_model_reloads_total{model_name, result}        success | unchanged | failure
 *   mlops_serve_predictions_total{model_name, model_version, class}   classifiers: predicted classes
 *   mlops_serve_prediction_value{model_name, model_version}          regressors: predicted values, histogram
 *   mlops_serve_prediction_log_rows_total{result}              written | dropped
 *   process_cpu_seconds_total, process_resident_memory_bytes, process_start_time_seconds,
 *   nodejs_heap_used_bytes
 * Endpoints are the route templates (/v2/models/{name}/infer), so the label set stays small.
 */
import type { DecodeTarget } from '../model/infer/outputs';
import { batchBuckets, DEFAULT_VALUE_BUCKETS, LATENCY_BUCKETS, MetricsRegistry, type Counter, type Gauge, type Histogram } from './metrics';
import type { BatchObserver, ServedModel } from './served-model';

export class ServeTelemetry implements BatchObserver {
  readonly registry = new MetricsRegistry();
  readonly requests: Counter;
  readonly duration: Histogram;
  readonly inProgress: Gauge;
  readonly batchSize: Histogram;
  readonly batchRequests: Histogram;
  readonly inferenceDuration: Histogram;
  readonly modelInfo: Gauge;
  readonly modelVersion: Gauge;
  readonly modelLoaded: Gauge;
  readonly reloads: Counter;
  readonly predictionCount: Counter;
  readonly logRows: Counter;
  private valueHistogram: Histogram | undefined;
  private valueBucketsKey = '';
  /** Per-model cache of the prediction counters' label objects, by class index. */
  private classLabels = new WeakMap<ServedModel, { labels: Record<string, string>[]; invalid: Record<string, string> }>();
  private durationChildren = new Map<string, (v: number) => void>();
  private batchChildren = new WeakMap<ServedModel, { size: (v: number) => void; requests: (v: number) => void; seconds: (v: number) => void; values?: (v: number) => void }>();

  constructor(maxBatchRows: number) {
    const r = this.registry;
    this.requests = r.counter('mlops_serve_request_total', 'Requests answered, by endpoint, method and HTTP status.', ['endpoint', 'http_method', 'http_response_code']);
    this.duration = r.histogram('mlops_serve_request_duration_seconds', 'Time from receiving a request to answering it, in seconds.', ['endpoint', 'http_method', 'http_response_code'], LATENCY_BUCKETS);
    this.inProgress = r.gauge('mlops_serve_request_in_progress', 'Requests being handled (at the time of the scrape, this one included).');
    this.batchSize = r.histogram('mlops_serve_adaptive_batch_size', 'Rows per onnxruntime call (micro-batching).', ['model_name'], batchBuckets(Math.max(maxBatchRows, 1)));
    this.batchRequests = r.histogram('mlops_serve_batch_requests', 'Requests per onnxruntime call (micro-batching).', ['model_name'], batchBuckets(Math.max(maxBatchRows, 1)));
    this.inferenceDuration = r.histogram('mlops_serve_inference_duration_seconds', 'Time of one batch: the onnxruntime call and decoding its outputs, in seconds.', ['model_name'], [0.0001, 0.00025, ...LATENCY_BUCKETS]);
    this.modelInfo = r.gauge('mlops_serve_model_info', 'The model version being served (1).', ['model_name', 'model_version', 'model_digest']);
    this.modelVersion = r.gauge('mlops_serve_model_version', 'The version number of the model being served.', ['model_name']);
    this.modelLoaded = r.gauge('mlops_serve_model_loaded_timestamp_seconds', 'When the served version was loaded (Unix time).', ['model_name']);
    this.reloads = r.counter('mlops_serve_model_reloads_total', 'Model reload attempts (poll, load request): success (a new version), unchanged, failure.', ['model_name', 'result']);
    this.predictionCount = r.counter('mlops_serve_predictions_total', 'Rows predicted, by predicted class (classifiers; class "" for rows whose scores were NaN).', ['model_name', 'model_version', 'class']);
    this.logRows = r.counter('mlops_serve_prediction_log_rows_total', 'Rows sampled into the prediction log: written or dropped (the disk fell behind).', ['result']);

    const cpu = r.counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.');
    const rss = r.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.');
    const start = r.gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.');
    const heap = r.gauge('nodejs_heap_used_bytes', 'V8 heap used, in bytes.');
    start.set(undefined, Math.round(Date.now() / 1000 - process.uptime()));
    let lastCpu = 0;
    r.onCollect(() => {
      const u = process.cpuUsage();
      const total = (u.user + u.system) / 1e6;
      if (total > lastCpu) cpu.inc(undefined, total - lastCpu);
      lastCpu = Math.max(lastCpu, total);
      const m = process.memoryUsage();
      rss.set(undefined, m.rss);
      heap.set(undefined, m.heapUsed);
    });
  }

  /** One answered request. */
  request(endpoint: string, method: string, status: number, seconds: number): void {
    const key = `${endpoint} ${method} ${status}`;
    let observe = this.durationChildren.get(key);
    if (!observe) {
      const labels = { endpoint, http_method: method, http_response_code: String(status) };
      const durationChild = this.duration.child(labels);
      const counter = this.requests;
      observe = (v: number) => {
        durationChild(v);
        counter.inc(labels);
      };
      if (this.durationChildren.size < 1000) this.durationChildren.set(key, observe);
    }
    observe(seconds);
  }

  private children(model: ServedModel) {
    let c = this.batchChildren.get(model);
    if (!c) {
      const l = { model_name: model.name };
      c = { size: this.batchSize.child(l), requests: this.batchRequests.child(l), seconds: this.inferenceDuration.child(l) };
      this.batchChildren.set(model, c);
    }
    return c;
  }

  batch(model: ServedModel, rows: number, requests: number, seconds: number): void {
    const c = this.children(model);
    c.size(rows);
    c.requests(requests);
    c.seconds(seconds);
  }

  predictions(model: ServedModel, decoded: DecodeTarget, offset: number, count: number): void {
    if (decoded.predicted && model.labels) {
      let cache = this.classLabels.get(model);
      if (!cache) {
        cache = {
          labels: model.labels.map((c) => ({ model_name: model.name, model_version: model.version, class: String(c) })),
          invalid: { model_name: model.name, model_version: model.version, class: '' },
        };
        this.classLabels.set(model, cache);
      }
      const p = decoded.predicted;
      const counts = new Int32Array(cache.labels.length + 1);
      for (let i = offset; i < offset + count; i++) {
        const k = p[i]!;
        counts[k >= 0 && k < cache.labels.length ? k : cache.labels.length]!++;
      }
      for (let k = 0; k < counts.length; k++) {
        if (counts[k]) this.predictionCount.inc(k < cache.labels.length ? cache.labels[k] : cache.invalid, counts[k]);
      }
    } else if (decoded.values) {
      const c = this.children(model);
      if (!c.values) {
        const buckets = model.valueBuckets ?? DEFAULT_VALUE_BUCKETS;
        const key = buckets.join(',');
        if (!this.valueHistogram || key !== this.valueBucketsKey) {
          // New buckets (another model's profile): the histogram is registered again.
          this.registry.remove('mlops_serve_prediction_value');
          this.valueHistogram = this.registry.histogram('mlops_serve_prediction_value', 'Predicted values (regressors).', ['model_name', 'model_version'], buckets);
          this.valueBucketsKey = key;
        }
        c.values = this.valueHistogram.child({ model_name: model.name, model_version: model.version });
      }
      const v = decoded.values;
      for (let i = offset; i < offset + count; i++) c.values(v[i]!);
    }
  }

  /** A version is now served. */
  served(model: ServedModel): void {
    this.modelInfo.clear();
    this.modelInfo.set({ model_name: model.name, model_version: model.version, model_digest: model.digest }, 1);
    const n = Number(model.version);
    this.modelVersion.set({ model_name: model.name }, Number.isFinite(n) ? n : NaN);
    this.modelLoaded.set({ model_name: model.name }, Math.round(model.loadedAt.getTime() / 1000));
  }

  render(): string {
    return this.registry.render();
  }
}
