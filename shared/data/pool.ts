/**
 * A free list of ArrayBuffers for per-batch arrays that travel between threads. A raw CSV batch's cell
 * arrays are transferred to a worker and back, then reused: a fixed set of buffers instead of ~1.4 MiB
 * of new ones per batch, each freed only when some thread's GC gets to it. (That garbage, allocated on
 * the main thread and freed late on the workers', fragmented the C heap by tens of MiB.)
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  /** Buffers taken, and how many of those were given-back ones. */
  taken = 0;
  reused = 0;

  /** Buffers kept at most; more given back are left to the GC. */
  constructor(private readonly max = 64) {}

  /** A buffer of at least `bytes` bytes: a given-back one when one is large enough, else a new one (a quarter larger, so later batches fit it). */
  take(bytes: number): ArrayBuffer {
    const free = this.free;
    this.taken++;
    for (let i = free.length - 1; i >= 0; i--) {
      const b = free[i]!;
      if (b.byteLength >= bytes) {
        free[i] = free[free.length - 1]!;
        free.pop();
        this.reused++;
        return b;
      }
    }
    return new ArrayBuffer(Math.ceil((bytes * 1.25) / 8) * 8);
  }

  /** Returns a buffer for reuse; the caller must hold no view of it any more. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength > 0 && this.free.length < this.max) this.free.push(buffer);
  }

  get size(): number {
    return this.free.length;
  }
}
