import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { batchBuckets, escapeLabelValue, formatValue, MetricsRegistry } from '../../../shared/serve/metrics';

describe('Prometheus text format', () => {
  test('counters, gauges and histograms render as exposition format 0.0.4', () => {
    const r = new MetricsRegistry();
    const c = r.counter('app_requests_total', 'Requests.\nSecond line \\ with backslash.', ['endpoint', 'code']);
    c.inc({ endpoint: '/a', code: '200' });
    c.inc({ endpoint: '/a', code: '200' }, 2);
    c.inc({ endpoint: '/b "quoted"\n', code: '400' });
    const g = r.gauge('app_version', 'Version.', ['name']);
    g.set({ name: 'churn' }, 3);
    const h = r.histogram('app_latency_seconds', 'Latency.', [], [0.1, 1, 0.5]);
    for (const v of [0.05, 0.1, 0.2, 0.7, 5, NaN]) h.observe(undefined, v);
    const text = r.render();
    expect(text).toBe(
      [
        '# HELP app_requests_total Requests.\\nSecond line \\\\ with backslash.',
        '# TYPE app_requests_total counter',
        'app_requests_total{endpoint="/a",code="200"} 3',
        'app_requests_total{endpoint="/b \\"quoted\\"\\n",code="400"} 1',
        '# HELP app_version Version.',
        '# TYPE app_version gauge',
        'app_version{name="churn"} 3',
        '# HELP app_latency_seconds Latency.',
        '# TYPE app_latency_seconds histogram',
        // Buckets sorted; le is inclusive (0.1 goes in le="0.1"); NaN is not observed.
        'app_latency_seconds_bucket{le="0.1"} 2',
        'app_latency_seconds_bucket{le="0.5"} 3',
        'app_latency_seconds_bucket{le="1"} 4',
        'app_latency_seconds_bucket{le="+Inf"} 5',
        'app_latency_seconds_sum 6.05',
        'app_latency_seconds_count 5',
        '',
      ].join('\n'),
    );
    expect(h.get()).toMatchObject({ count: 5, buckets: { '0.1': 2, '+Inf': 5 } });
  });

  test('promtool accepts the output', () => {
    if (!existsSync('/usr/bin/promtool')) return;
    const r = new MetricsRegistry();
    r.counter('x_total', 'X.', ['a']).inc({ a: 'b\\c"d' });
    r.histogram('y_seconds', 'Y.', ['m'], batchBuckets(256)).observe({ m: 'churn' }, 17);
    r.gauge('z', 'Z.').set(undefined, -Infinity);
    const out = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: r.render(), encoding: 'utf8' });
    expect(out.status, out.stdout + out.stderr).toBe(0);
  });

  test('values, escapes, names and misuse', () => {
    expect([Infinity, -Infinity, NaN, 0.25, 1e21].map(formatValue)).toEqual(['+Inf', '-Inf', 'NaN', '0.25', '1e+21']);
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(batchBuckets(256)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
    expect(batchBuckets(100)).toEqual([1, 2, 4, 8, 16, 32, 64, 100]);
    const r = new MetricsRegistry();
    expect(() => r.counter('bad-name', 'x')).toThrow(/invalid metric name/);
    expect(() => r.counter('ok', 'x', ['le'])).toThrow(/invalid label/);
    const c = r.counter('c_total', 'x', ['a']);
    expect(() => c.inc({})).toThrow(/label 'a' is missing/);
    expect(() => c.inc({ a: '1' }, -1)).toThrow(/only increase/);
    expect(r.counter('c_total', 'x', ['a'])).toBe(c);
    expect(() => r.gauge('c_total', 'x')).toThrow(/already registered/);
  });

  test('collectors refresh values before each render; a cleared gauge drops its series', () => {
    const r = new MetricsRegistry();
    const g = r.gauge('info', 'Info.', ['version']);
    let n = 0;
    r.onCollect(() => g.set({ version: String(++n) }, 1));
    expect(r.render()).toContain('info{version="1"} 1');
    g.clear();
    const second = r.render();
    expect(second).toContain('info{version="2"} 1');
    expect(second).not.toContain('version="1"');
  });
});
