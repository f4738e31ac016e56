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
 *
 * Under live load (work arriving while a batch runs) that alone makes batches of what arrived
 * during one batch's run, a few items each paying a transaction's fixed cost. With `minSize`, a
 * batch that would leave with fewer items while another batch is still running waits for more,
 * up to `fillWaitMs` after its first item: the pipeline is busy anyway, and a larger batch costs
 * less per item. An idle pipeline never waits for it (a trickle is not slowed down).
 */
export class Batcher<K, R> {
  private pending: { key: K; at: number; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  private inFlight = 0;

  constructor(
    private readonly run: (keys: K[]) => Promise<Map<K, R>>,
    private readonly options: {
      maxSize: number;
      maxWaitMs: number;
      maxInFlight?: number;
      minSize?: number;
      fillWaitMs?: number;
    },
  ) {}

  submit(key: K): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ key, at: Date.now(), resolve, reject });
      // Without a free slot: flushed when a running batch finishes.
      this.schedule();
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
        // What waited while the slots were taken goes now, without waiting for the clock, unless
        // it is short of minSize while another batch still runs (then it fills up to fillWaitMs).
        if (!this.pending.length || !this.hasFreeSlot()) return;
        if (this.inFlight === 0 || this.pending.length >= this.minSize) this.flush();
        else this.schedule();
      });
    // Left over after this batch took its share, with a slot free: at once if a whole batch, else on the clock.
    this.schedule();
  }

  private get minSize(): number {
    return this.options.minSize ?? 1;
  }

  /** With a free slot: a whole batch leaves at once, else a timer is set for when it is due. */
  private schedule(): void {
    if (!this.pending.length || !this.hasFreeSlot()) return;
    if (this.pending.length >= this.options.maxSize) {
      this.flush();
      return;
    }
    const filling = this.inFlight > 0 && this.pending.length < this.minSize;
    const due =
      this.pending[0]!.at + (filling ? (this.options.fillWaitMs ?? this.options.maxWaitMs) : this.options.maxWaitMs);
    // An earlier due time (the batch reached minSize) replaces a later timer.
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => this.flush(), Math.max(0, due - Date.now()));
  }
}
