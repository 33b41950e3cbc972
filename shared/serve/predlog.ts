/**
 * The prediction log: a sample of the rows the server scored, one JSON object per line, for the
 * monitor to read as production data. Each line is one row, flat:
 *   {"time": "2026-05-04T10:00:00.123Z", "model": "churn", "model_version": "3", "request_id": "…",
 *    "age": 42, "plan": "basic", …,                   ← the model's input columns, as sent
 *    "prediction": 1, "probabilities": {"0": 0.2, "1": 0.8}}      (regression: "prediction": 12.5)
 * so the JSON Lines reader gives the input columns under their training names. Should an input column
 * be called like one of the fields the server adds, the added field is written `mlops_<field>`.
 *
 * Rows are sampled independently with probability `sample`. Lines are buffered and written by one
 * append stream; when the disk falls behind by more than `maxPendingBytes`, lines are dropped (and
 * counted) rather than letting memory grow.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export const LOG_FIELDS = ['time', 'model', 'model_version', 'request_id', 'prediction', 'probabilities'] as const;
export type LogField = (typeof LOG_FIELDS)[number];

/** The names of the added fields for a model whose input columns are `columns` (renamed on a clash). */
export function logFieldNames(columns: readonly string[]): Record<LogField, string> {
  const taken = new Set(columns);
  const out = {} as Record<LogField, string>;
  for (const f of LOG_FIELDS) out[f] = taken.has(f) ? `mlops_${f}` : f;
  return out;
}

export interface PredictionLogOptions {
  /** Probability that a row is logged, in [0, 1]; default 1. */
  sample?: number;
  /** Bytes waiting for the disk beyond which lines are dropped; default 16 MiB. */
  maxPendingBytes?: number;
  /** Random numbers in [0, 1) for sampling (tests). */
  random?: () => number;
}

export class PredictionLog {
  readonly sample: number;
  private readonly maxPending: number;
  private readonly random: () => number;
  private buffer: string[] = [];
  private bufferBytes = 0;
  private flushScheduled = false;
  private closed = false;
  /** Rows written (queued to the stream) and dropped. */
  written = 0;
  dropped = 0;

  private constructor(
    readonly path: string,
    private readonly stream: WriteStream,
    options: PredictionLogOptions,
  ) {
    const s = options.sample ?? 1;
    this.sample = Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : 1;
    this.maxPending = options.maxPendingBytes ?? 16 * 1024 * 1024;
    this.random = options.random ?? Math.random;
  }

  static async open(path: string, options: PredictionLogOptions = {}): Promise<PredictionLog> {
    await mkdir(dirname(path), { recursive: true });
    const stream = createWriteStream(path, { flags: 'a' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    const log = new PredictionLog(path, stream, options);
    stream.on('error', () => {
      // A failing disk must not take the server down: stop logging, count the rest as dropped.
      log.closed = true;
    });
    return log;
  }

  /** Whether to log the next row. */
  take(): boolean {
    if (this.closed || this.sample <= 0) return false;
    return this.sample >= 1 || this.random() < this.sample;
  }

  /** Queues one row (an object of JSON values). */
  write(row: Record<string, unknown>): void {
    if (this.closed) {
      this.dropped++;
      return;
    }
    const line = `${JSON.stringify(row)}\n`;
    if (this.stream.writableLength + this.bufferBytes > this.maxPending) {
      this.dropped++;
      return;
    }
    this.buffer.push(line);
    this.bufferBytes += line.length;
    this.written++;
    if (this.bufferBytes >= 64 * 1024) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    if (this.buffer.length === 0 || this.stream.destroyed) return;
    const text = this.buffer.join('');
    this.buffer = [];
    this.bufferBytes = 0;
    this.stream.write(text);
  }

  /** Writes what is buffered and closes the file. */
  async close(): Promise<void> {
    if (this.stream.destroyed || this.stream.writableEnded) return;
    this.flush();
    this.closed = true;
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
  }
}
