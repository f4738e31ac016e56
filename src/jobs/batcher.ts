/**
 * Collects concurrent single-item requests into batches: each caller awaits the outcome of its own
 * item, while the work runs once per batch. BullMQ hands a worker up to `concurrency` jobs at once;
 * with this, those jobs share one database transaction instead of one each.
 *
 * At most `maxInFlight` batches run at once. While they run, new items wait, and the moment one
 * finishes, everything that waited goes as the next batch (up to `maxSize`): batches grow with the
 * load instead of being cut by a clock, so a trickle of work is not split into many tiny
 * transactions that each pay the fixed cost of one. With a free slot, a batch is flushed when it
 * holds `maxSize` items or `maxWaitMs` after its first item, whichever comes first. If the batch
 * function throws, every caller of that batch gets the error.
 */
export class Batcher<K, R> {
  private pending: { key: K; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;

  constructor(
    private readonly run: (keys: K[]) => Promise<Map<K, R>>,
    private readonly options: { maxSize: number; maxWaitMs: number; maxInFlight?: number },
  ) {}

  submit(key: K): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ key, resolve, reject });
      if (!this.hasFreeSlot()) return; // flushed when a running batch finishes
      if (this.pending.length >= this.options.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  /** Batches running now. */
  get running(): number {
    return this.inFlight;
  }

  private hasFreeSlot(): boolean {
    return this.inFlight < (this.options.maxInFlight ?? Infinity);
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending.splice(0, this.options.maxSize);
    if (batch.length === 0) return;
    this.inFlight++;
    this.run(batch.map((b) => b.key))
      .then((results) => {
        for (const item of batch) {
          const result = results.get(item.key);
          if (result === undefined) item.reject(new Error(`no result for ${String(item.key)}`));
          else item.resolve(result);
        }
      })
      .catch((error) => {
        for (const item of batch) item.reject(error);
      })
      .finally(() => {
        this.inFlight--;
        // What waited while the slots were taken goes now, without waiting for the clock.
        if (this.pending.length && this.hasFreeSlot()) this.flush();
      });
    // Left over after this batch took its share, with a slot free: at once if a whole batch, else on the clock.
    if (this.pending.length && this.hasFreeSlot()) {
      if (this.pending.length >= this.options.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    }
  }
}
