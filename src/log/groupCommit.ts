/** How a `GroupCommit` batches and stores items. */
export interface GroupCommitOptions<T> {
  /** Stores a batch atomically, synchronously; throws if it could not. */
  commit(batch: readonly T[]): void;
  /** Called with each batch once it is committed, before the next batch is taken. */
  committed(batch: readonly T[]): void;
  /** Items that make a batch full: a full batch is committed at once. @default 1000 */
  maxBatch?: number;
  /** How long a batch may wait for more items, in ms; `0` commits at the next turn of the event loop. @default 0 */
  flushMs?: number;
}

function rejectAll(waiters: readonly unknown[], err: unknown): void {
  for (let i = 0; i < waiters.length; i += 3) (waiters[i + 2] as (err: unknown) => void)(err);
}

/**
 * Group commit: many small writes share one transaction. Items wait until the batch fills or
 * the flush timer fires, then `commit` stores them all at once and every writer in the batch
 * is told together. After a failed commit every later write fails with the same error: what
 * was stored is then unknown, so nothing may pretend it is durable.
 *
 * @example
 * const writer = new GroupCommit({ commit: (rows) => insertAll(rows), committed: (rows) => emit(rows) });
 * writer.add([row], row, (r) => console.log('durable', r), console.error);
 * // => 'durable' once the batch holding `row` is committed
 */
export class GroupCommit<T> {
  private pending: T[] = [];
  /**
   * Each write's value, `resolve` and `reject`, three slots per write in one flat array: no
   * object or closure per write, and a busy log takes a write per event.
   */
  private waiters: unknown[] = [];
  private timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
  private flushing = false;
  private failure: unknown;
  private readonly maxBatch: number;
  private readonly flushMs: number;
  private readonly options: GroupCommitOptions<T>;

  constructor(options: GroupCommitOptions<T>) {
    this.options = options;
    this.maxBatch = options.maxBatch ?? 1000;
    this.flushMs = options.flushMs ?? 0;
  }

  /** Items waiting for their batch to commit. */
  get size(): number {
    return this.pending.length;
  }

  /** Queues `items`; `resolve(value)` runs once they are committed, `reject` if their batch fails. */
  add<V>(items: readonly T[], value: V, resolve: (value: V) => void, reject: (err: unknown) => void): void {
    if (this.failure !== undefined) {
      reject(this.failure);
      return;
    }
    for (let i = 0; i < items.length; i++) this.pending.push(items[i] as T);
    this.waiters.push(value, resolve, reject);
    // A full batch commits now, unless we are inside a flush (a listener appending): it then
    // waits for the timer, so listeners see batches in log order.
    if (this.pending.length >= this.maxBatch && !this.flushing) this.flush();
    else this.schedule();
  }

  /** Commits whatever is pending now. */
  flush(): void {
    this.cancelTimer();
    if (this.pending.length === 0 || this.flushing) return;
    const batch = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    this.flushing = true;
    try {
      if (this.failure !== undefined) throw this.failure;
      this.options.commit(batch);
    } catch (err) {
      this.failure ??= err;
      this.flushing = false;
      rejectAll(waiters, this.failure);
      this.failAll();
      return;
    }
    for (let i = 0; i < waiters.length; i += 3) (waiters[i + 1] as (value: unknown) => void)(waiters[i]);
    try {
      this.options.committed(batch);
    } finally {
      this.flushing = false;
    }
    if (this.pending.length > 0) this.schedule();
  }

  private failAll(): void {
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    rejectAll(waiters, this.failure);
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer =
      this.flushMs === 0
        ? setImmediate(() => {
            this.timer = undefined;
            this.flush();
          })
        : setTimeout(() => {
            this.timer = undefined;
            this.flush();
          }, this.flushMs);
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    if (this.flushMs === 0) clearImmediate(this.timer as ReturnType<typeof setImmediate>);
    else clearTimeout(this.timer as ReturnType<typeof setTimeout>);
    this.timer = undefined;
  }
}
