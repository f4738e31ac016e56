/**
 * Collects concurrent single-item requests into batches: each caller awaits the outcome of its own
 * item, while the work runs once per batch. BullMQ hands a worker up to `concurrency` jobs at once;
 * with this, those jobs share one database transaction instead of one each.
 *
 * A batch is flushed when it holds `maxSize` items or `maxWaitMs` after its first item, whichever
 * comes first. If the batch function throws, every caller of that batch gets the error.
 */
export class Batcher<K, R> {
  private pending: { key: K; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;

  constructor(
    private readonly run: (keys: K[]) => Promise<Map<K, R>>,
    private readonly options: { maxSize: number; maxWaitMs: number },
  ) {}

  submit(key: K): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ key, resolve, reject });
      if (this.pending.length >= this.options.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  /** Batches running now. */
  get running(): number {
    return this.inFlight;
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
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
      });
  }
}
