/**
 * Prometheus metrics, hand-written: counters, gauges and histograms with labels, rendered in the text
 * exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/). No
 * dependency: the format is small, and the hot path (an observation) is one Map lookup and a few adds.
 *
 * A metric's series are kept per label-value tuple (joined with \u0000 as the key). Label values are
 * escaped at render time (backslash, double quote, newline), help texts too (backslash, newline).
 */

export type Labels = Record<string, string>;

/** Prometheus's rendering of a sample value: +Inf, -Inf, NaN, else the shortest round-trip decimal. */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function labelText(names: readonly string[], values: readonly string[], extra?: string): string {
  const parts: string[] = [];
  for (let i = 0; i < names.length; i++) parts.push(`${names[i]}="${escapeLabelValue(values[i]!)}"`);
  if (extra !== undefined) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

abstract class Metric {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!NAME.test(name)) throw new Error(`invalid metric name '${name}'`);
    for (const l of labelNames) if (!LABEL.test(l) || l.startsWith('__') || l === 'le') throw new Error(`invalid label name '${l}' for ${name}`);
  }

  protected key(labels: Labels | undefined): { key: string; values: string[] } {
    const values = this.labelNames.map((n) => {
      const v = labels?.[n];
      if (v === undefined) throw new Error(`metric ${this.name}: label '${n}' is missing`);
      return v;
    });
    return { key: values.join('\u0000'), values };
  }

  abstract renderSamples(out: string[]): void;

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    this.renderSamples(out);
  }
}

interface Series {
  values: string[];
  value: number;
}

export class Counter extends Metric {
  readonly type = 'counter' as const;
  private readonly series = new Map<string, Series>();

  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} can only increase (by ${by})`);
    const { key, values } = this.key(labels);
    const s = this.series.get(key);
    if (s) s.value += by;
    else this.series.set(key, { values, value: by });
  }

  get(labels?: Labels): number {
    return this.series.get(this.key(labels).key)?.value ?? 0;
  }

  renderSamples(out: string[]): void {
    for (const s of this.series.values()) out.push(`${this.name}${labelText(this.labelNames, s.values)} ${formatValue(s.value)}`);
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge' as const;
  private readonly series = new Map<string, Series>();

  set(labels: Labels | undefined, value: number): void {
    const { key, values } = this.key(labels);
    const s = this.series.get(key);
    if (s) s.value = value;
    else this.series.set(key, { values, value });
  }

  inc(labels?: Labels, by = 1): void {
    const { key, values } = this.key(labels);
    const s = this.series.get(key);
    if (s) s.value += by;
    else this.series.set(key, { values, value: by });
  }

  dec(labels?: Labels, by = 1): void {
    this.inc(labels, -by);
  }

  get(labels?: Labels): number | undefined {
    return this.series.get(this.key(labels).key)?.value;
  }

  /** Drops every series (for info-style gauges whose label set changes, e.g. the served version). */
  clear(): void {
    this.series.clear();
  }

  renderSamples(out: string[]): void {
    for (const s of this.series.values()) out.push(`${this.name}${labelText(this.labelNames, s.values)} ${formatValue(s.value)}`);
  }
}

interface HistogramSeries {
  values: string[];
  /** Non-cumulative counts per bucket; the last is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class Histogram extends Metric {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];
  private readonly series = new Map<string, HistogramSeries>();
  private readonly leText: string[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    const b = [...new Set(buckets.filter((x) => Number.isFinite(x)))].sort((x, y) => x - y);
    this.buckets = b;
    this.leText = [...b.map(formatValue), '+Inf'];
  }

  /** The series for these labels (to observe many values without a lookup each). */
  child(labels?: Labels): (value: number) => void {
    const { key, values } = this.key(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { values, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    const series = s;
    const buckets = this.buckets;
    return (value: number) => {
      if (Number.isNaN(value)) return;
      // Buckets are few (≤ ~20): a linear scan beats a binary search's branches.
      let i = 0;
      while (i < buckets.length && value > buckets[i]!) i++;
      series.counts[i]!++;
      series.sum += value;
      series.count++;
    };
  }

  observe(labels: Labels | undefined, value: number): void {
    this.child(labels)(value);
  }

  /** Count and sum for these labels (tests). */
  get(labels?: Labels): { count: number; sum: number; buckets: Record<string, number> } | undefined {
    const s = this.series.get(this.key(labels).key);
    if (!s) return undefined;
    const buckets: Record<string, number> = {};
    let acc = 0;
    s.counts.forEach((c, i) => {
      acc += c;
      buckets[this.leText[i]!] = acc;
    });
    return { count: s.count, sum: s.sum, buckets };
  }

  renderSamples(out: string[]): void {
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < s.counts.length; i++) {
        acc += s.counts[i]!;
        out.push(`${this.name}_bucket${labelText(this.labelNames, s.values, `le="${this.leText[i]}"`)} ${formatValue(acc)}`);
      }
      const l = labelText(this.labelNames, s.values);
      out.push(`${this.name}_sum${l} ${formatValue(s.sum)}`, `${this.name}_count${l} ${formatValue(s.count)}`);
    }
  }
}

/** A set of metrics rendered together; callbacks refresh gauges (process memory, …) before a scrape. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: (() => void)[] = [];

  private add<M extends Metric>(m: M): M {
    const existing = this.metrics.get(m.name);
    if (existing) {
      if (existing.type !== m.type) throw new Error(`metric ${m.name} is already registered as a ${existing.type}`);
      return existing as M;
    }
    this.metrics.set(m.name, m);
    return m;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** Drops a metric (to register it again with other buckets, e.g. after a model swap). */
  remove(name: string): void {
    this.metrics.delete(name);
  }

  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  render(): string {
    for (const c of this.collectors) c();
    const out: string[] = [];
    for (const m of this.metrics.values()) m.render(out);
    return `${out.join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Request latency buckets (seconds): fine below 10 ms, where a model server answers, up to 10 s. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Powers of two up to `max` (and `max` itself): the batch-size buckets. */
export function batchBuckets(max: number): number[] {
  const b: number[] = [];
  for (let x = 1; x < max; x *= 2) b.push(x);
  b.push(max);
  return b;
}

/** Buckets for predicted values of a regression model when nothing better is known: ±10^k and 0. */
export const DEFAULT_VALUE_BUCKETS = [-1e4, -1e3, -100, -10, -1, 0, 1, 10, 100, 1e3, 1e4];
