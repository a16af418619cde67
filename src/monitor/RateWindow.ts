/** Seconds of history a window keeps. */
const span = 60;

/**
 * Counts of something per second over the last minute, in a fixed ring of 60 slots keyed by
 * the events' own timestamps: recording is O(1) and allocates nothing, and a replayed log
 * gives the same rates as the live run did.
 *
 * @example
 * const w = new RateWindow();
 * w.record(1_000); w.record(1_500); w.record(2_000);
 * w.perSecond(2_000, 2)
 * // => 1.5
 */
export class RateWindow {
  private readonly counts = new Float64Array(span);
  private readonly seconds = new Float64Array(span).fill(-1);

  /** Counts one occurrence at `ts` (ms since the epoch). */
  record(ts: number, n = 1): void {
    const second = Math.floor(ts / 1000);
    const slot = second % span;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] as number) + n;
  }

  /** The mean per second over the `windowS` seconds ending with the second of `now`. */
  perSecond(now: number, windowS = 10): number {
    const last = Math.floor(now / 1000);
    const width = Math.max(1, Math.min(span, Math.floor(windowS)));
    let total = 0;
    for (let i = 0; i < span; i++) {
      const second = this.seconds[i] as number;
      if (second > last - width && second <= last) total += this.counts[i] as number;
    }
    return total / width;
  }
}
