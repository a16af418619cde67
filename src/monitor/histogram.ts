/** Percentiles and totals of a latency histogram, in milliseconds, and its Prometheus buckets. */
export interface LatencySummary {
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  p50: number;
  p95: number;
  p99: number;
  /**
   * Cumulative counts of samples at or below each bound of `bucketBoundsSeconds` (same order);
   * samples above the last bound are in `count` only, as Prometheus' `le="+Inf"`.
   */
  buckets: number[];
}

/**
 * Upper bounds, in seconds, of the buckets `/metrics` exposes for every latency histogram:
 * from a millisecond (a no-op tool) to five minutes (a long model call). Counts against them are
 * exact, not derived from the percentile buckets, so Prometheus sums them across instances.
 */
export const bucketBoundsSeconds: readonly number[] = Object.freeze([
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
]);
const boundsMs = bucketBoundsSeconds.map((s) => s * 1000);

/** The smallest latency told apart from zero, in ms. */
const floorMs = 0.01;
/** Each bucket's upper bound is this factor times the previous one: percentiles are within 5%. */
const growth = 1.05;
const logGrowth = Math.log(growth);
/** Enough buckets to reach ~2.7 hours; longer samples land in the last bucket. */
const bucketCount = Math.ceil(Math.log(1e7 / floorMs) / logGrowth) + 1;

/**
 * A latency histogram of fixed size: log-scaled buckets (5% wide), so recording is O(1), memory
 * stays at one `Float64Array` however many samples arrive, and p50/p95/p99 are exact to 5%.
 * The Monitor keeps one per task kind, per tool and per model purpose.
 *
 * @example
 * const h = new LatencyHistogram();
 * for (let i = 1; i <= 100; i++) h.record(i);
 * Math.round(h.summary().p50)
 * // => 50
 */
export class LatencyHistogram {
  private readonly buckets = new Float64Array(bucketCount);
  /** Samples per exposed bucket, not yet cumulative. */
  private readonly coarse = new Float64Array(boundsMs.length);
  private count = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  /** Adds one sample; negative or non-finite samples count as zero. */
  record(ms: number): void {
    const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const index = value <= floorMs ? 0 : Math.min(bucketCount - 1, Math.ceil(Math.log(value / floorMs) / logGrowth));
    this.buckets[index] = (this.buckets[index] as number) + 1;
    let bound = 0;
    while (bound < boundsMs.length && value > (boundsMs[bound] as number)) bound++;
    if (bound < boundsMs.length) this.coarse[bound] = (this.coarse[bound] as number) + 1;
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** The value at quantile `q` in [0, 1], clamped to the smallest and largest sample seen. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < bucketCount; i++) {
      seen += this.buckets[i] as number;
      if (seen >= rank) {
        const upper = i === 0 ? floorMs : floorMs * growth ** i;
        return Math.min(this.max, Math.max(this.min, upper));
      }
    }
    return this.max;
  }

  /** Count, sum, extremes, p50/p95/p99 and the cumulative bucket counts. */
  summary(): LatencySummary {
    const buckets: number[] = [];
    let below = 0;
    for (const n of this.coarse) {
      below += n;
      buckets.push(below);
    }
    return {
      count: this.count,
      sumMs: this.sum,
      minMs: this.count === 0 ? 0 : this.min,
      maxMs: this.max,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      buckets,
    };
  }
}
