import { describe, expect, test } from 'vitest';
import { Batcher, type BatchJob } from '../../../shared/serve/batcher';
import { HttpError } from '../../../shared/serve/http';

interface Job extends BatchJob {
  id: number;
  done(batch: number[]): void;
}

/** A batcher whose runs record their jobs' ids; each run takes `runMs`. */
function recorder(options: ConstructorParameters<typeof Batcher>[1], runMs = 0) {
  const batches: number[][] = [];
  const b = new Batcher<Job>(async (jobs) => {
    const ids = jobs.map((j) => j.id);
    batches.push(ids);
    if (runMs) await new Promise((r) => setTimeout(r, runMs));
    for (const j of jobs) j.done(ids);
  }, options);
  const submit = (id: number, rows = 1, key = 'k') =>
    new Promise<number[]>((resolve, reject) => b.submit({ id, rows, key, done: resolve, fail: reject }));
  return { b, batches, submit };
}

describe('micro-batching', () => {
  test('requests queued in one turn run as one batch, each gets its own result', async () => {
    const { b, batches, submit } = recorder({ maxBatchRows: 256, maxWaitMs: 50 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(i)));
    expect(batches).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    expect(results.every((r) => r.length === 10)).toBe(true);
    expect(b.batches).toBe(1);
  });

  test('a batch holds at most maxBatchRows rows; a larger job runs alone', async () => {
    const { batches, submit } = recorder({ maxBatchRows: 4, maxWaitMs: 50 });
    await Promise.all([submit(0, 3), submit(1, 2), submit(2, 1), submit(3, 9), submit(4, 1)]);
    // The second job fills the queue past 4 rows: the first leaves alone, the rest follow in order.
    expect(batches).toEqual([[0], [1, 2, 4], [3]]);
    for (const ids of batches) expect(ids.reduce((s, id) => s + [3, 2, 1, 9, 1][id]!, 0) <= 4 || ids.length === 1).toBe(true);
  });

  test('jobs with different keys never share a batch; key "" runs alone', async () => {
    const { batches, submit } = recorder({ maxBatchRows: 256, maxWaitMs: 20 });
    await Promise.all([submit(0, 1, 'a'), submit(1, 1, 'b'), submit(2, 1, 'a'), submit(3, 1, ''), submit(4, 1, 'b')]);
    expect(batches).toEqual([[0, 2], [1, 4], [3]]);
  });

  test('while a request is still being received, the batch waits for it, at most maxWaitMs', async () => {
    let receiving = 1;
    const { batches, submit } = recorder({ maxBatchRows: 256, maxWaitMs: 40, receiving: () => receiving });
    const started = performance.now();
    const first = submit(0);
    setTimeout(() => {
      receiving = 0;
      void submit(1);
    }, 10);
    await first;
    expect(batches[0]).toEqual([0, 1]);
    // Nobody else coming: the bound applies.
    receiving = 1;
    const t = performance.now();
    await submit(2);
    const waited = performance.now() - t;
    expect(waited).toBeGreaterThanOrEqual(35);
    expect(waited).toBeLessThan(1000);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('jobs arriving during a run form the next batch; the queue is bounded (503)', async () => {
    const { b, batches, submit } = recorder({ maxBatchRows: 8, maxWaitMs: 1, maxQueueRows: 8 }, 20);
    const first = submit(0);
    await new Promise((r) => setTimeout(r, 5));
    const during = [submit(1, 4), submit(2, 4)];
    let refused: unknown;
    try {
      b.submit({ id: 3, rows: 1, key: 'k', done: () => undefined, fail: () => undefined } as Job);
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(503);
    await Promise.all([first, ...during]);
    expect(batches).toEqual([[0], [1, 2]]);
    await b.idle();
    expect(b.busy).toBe(false);
  });

  test('a failing run fails its jobs and the batcher carries on', async () => {
    let fail = true;
    const b = new Batcher<Job>(async (jobs) => {
      if (fail) throw new Error('boom');
      for (const j of jobs) j.done([j.id]);
    }, { maxWaitMs: 1 });
    const submit = (id: number) => new Promise<number[]>((resolve, reject) => b.submit({ id, rows: 1, key: 'k', done: resolve, fail: reject }));
    await expect(submit(1)).rejects.toThrow('boom');
    fail = false;
    await expect(submit(2)).resolves.toEqual([2]);
  });
});
