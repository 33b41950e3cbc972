/**
 * Micro-batching: requests queue up and run as one onnxruntime call, one batch at a time.
 *
 * A batch leaves the queue when the first of these happens:
 *   - the queued rows reach `maxBatchRows`;
 *   - the oldest queued job has waited `maxWaitMs` (the bound on the added latency);
 *   - nothing else is on its way: at the end of the event-loop turn that queued the job, no request is
 *     still being received (`receiving()` is 0), so waiting longer would only add latency.
 * A batch takes jobs in arrival order that share the first job's key (the same inputs, types and
 * inner dimensions, so their tensors can be concatenated), up to `maxBatchRows` rows (a larger job runs
 * alone); a job with key '' always runs alone. Jobs with other keys wait for the next batch, in order.
 * While a batch runs, new jobs queue; when it ends, an overdue or full queue leaves at once.
 */
import { HttpError } from './http';

export interface BatchJob {
  rows: number;
  /** Jobs with the same key can share a batch; '' runs alone. */
  key: string;
  /** Settles the job with an error (when the batch fails as a whole). */
  fail(error: unknown): void;
}

export interface BatcherOptions {
  /** Most rows in one batch (default 256). */
  maxBatchRows?: number;
  /** Longest a job waits for others to join its batch, in ms (default 2). */
  maxWaitMs?: number;
  /** Most rows queued before new jobs are refused with 503 (default 64 × maxBatchRows). */
  maxQueueRows?: number;
  /** Requests still being received (read or parsed) that may join: a batch waits for them (up to maxWaitMs). */
  receiving?: () => number;
}

export class Batcher<J extends BatchJob> {
  readonly maxBatchRows: number;
  readonly maxWaitMs: number;
  readonly maxQueueRows: number;
  private readonly receiving: () => number;
  private queue: J[] = [];
  private queuedRows = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private checkScheduled = false;
  private overdue = false;
  private idleWaiters: (() => void)[] = [];
  /** Batches run so far (tests, metrics). */
  batches = 0;

  constructor(
    private readonly execute: (jobs: J[]) => Promise<void>,
    options: BatcherOptions = {},
  ) {
    this.maxBatchRows = Math.max(1, Math.floor(options.maxBatchRows ?? 256));
    this.maxWaitMs = Math.max(0, options.maxWaitMs ?? 2);
    this.maxQueueRows = Math.max(this.maxBatchRows, Math.floor(options.maxQueueRows ?? 64 * this.maxBatchRows));
    this.receiving = options.receiving ?? (() => 0);
  }

  get pendingRows(): number {
    return this.queuedRows;
  }

  get pendingJobs(): number {
    return this.queue.length;
  }

  get busy(): boolean {
    return this.running || this.queue.length > 0;
  }

  /** Queues a job; throws a 503 HttpError when the queue is full. */
  submit(job: J): void {
    if (this.queuedRows + job.rows > this.maxQueueRows && this.queue.length > 0) {
      throw new HttpError(503, `the server is overloaded: ${this.queuedRows} rows are waiting; retry later`, { 'retry-after': '1' });
    }
    this.queue.push(job);
    this.queuedRows += job.rows;
    if (this.running) {
      // Bounds the wait from now, even if the running batch takes longer.
      if (!this.timer) this.timer = setTimeout(this.onTimer, this.maxWaitMs);
      return;
    }
    this.schedule(false);
  }

  /**
   * Nothing runs and jobs wait: the next batch goes now when it is full, overdue or batching is off;
   * else at the timer, or at the next check when no request is still arriving.
   */
  private schedule(overdue: boolean): void {
    if (overdue || this.queuedRows >= this.maxBatchRows || this.maxWaitMs === 0) {
      this.dispatch();
      return;
    }
    if (!this.timer) this.timer = setTimeout(this.onTimer, this.maxWaitMs);
    if (!this.checkScheduled) {
      this.checkScheduled = true;
      setImmediate(this.onCheck);
    }
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.running) this.overdue = true;
    else if (this.queue.length) this.dispatch();
  };

  private readonly onCheck = (): void => {
    this.checkScheduled = false;
    if (this.running || this.queue.length === 0) return;
    if (this.receiving() === 0) this.dispatch();
  };

  /** The next batch: the first job and the following ones with its key, up to maxBatchRows rows. */
  private take(): J[] {
    const first = this.queue[0]!;
    if (first.key === '' || first.rows >= this.maxBatchRows) {
      this.queue.shift();
      this.queuedRows -= first.rows;
      return [first];
    }
    const batch: J[] = [];
    const rest: J[] = [];
    let rows = 0;
    for (const j of this.queue) {
      if (j.key === first.key && rows + j.rows <= this.maxBatchRows) {
        batch.push(j);
        rows += j.rows;
      } else rest.push(j);
    }
    this.queue = rest;
    this.queuedRows -= rows;
    return batch;
  }

  private dispatch(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.overdue = false;
    const jobs = this.take();
    this.running = true;
    this.batches++;
    const done = (): void => {
      this.running = false;
      if (this.queue.length === 0) {
        for (const w of this.idleWaiters.splice(0)) w();
        return;
      }
      this.schedule(this.overdue);
    };
    let p: Promise<void>;
    try {
      p = this.execute(jobs);
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(done, (e: unknown) => {
      for (const j of jobs) j.fail(e);
      done();
    });
  }
}
