import { type MetricFamily, type MetricFamilyType, metricFamilies } from './metricFamilies.js';
import type { Metrics } from './metrics.js';

/**
 * A registry that takes custom metric objects, such as prom-client's `Registry` (its
 * `registerMetric` reads `name` and calls `get()` at every scrape). Typed by what troupe needs,
 * so troupe does not depend on prom-client.
 */
export interface MetricRegistry {
  registerMetric(metric: never): void;
}

/** One troupe family as a registry sees it: read afresh from the Monitor at every scrape. */
export interface RegisteredFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricFamilyType;
  /** How prom-client's cluster registry combines workers' values. */
  readonly aggregator: 'sum';
  get(): Promise<MetricFamily & { aggregator: 'sum' }>;
  /** Troupe's figures are folded from the event log, so a registry's reset leaves them as they are. */
  reset(): void;
}

/**
 * Puts troupe's metrics into your own registry (prom-client's, or anything with the same
 * `registerMetric`), so one scrape of your `/metrics` shows them beside your application's.
 * Each family is read from `source.metrics()` when the registry is scraped; nothing is copied
 * in between. Register once per registry: prom-client refuses a second metric with the same name.
 *
 * @param registry - where to register, e.g. prom-client's `register` or a `new Registry()`
 * @param source - what to read: a runtime, or any `{ metrics(): Metrics }` such as `startMonitor(...)`
 * @returns the registered families
 *
 * @example
 * import { register } from 'prom-client';
 * registerMetrics(register, runtime);
 * (await register.metrics()).includes('# TYPE troupe_task_duration_seconds histogram')
 * // => true
 */
export function registerMetrics(registry: MetricRegistry, source: { metrics(): Metrics }): RegisteredFamily[] {
  // A scrape calls every family's get() in one turn: read the Monitor once for all of them, so
  // the families agree with each other and a scrape costs one snapshot.
  let current: MetricFamily[] | undefined;
  const read = (): MetricFamily[] => {
    if (current === undefined) {
      current = metricFamilies(source.metrics());
      queueMicrotask(() => {
        current = undefined;
      });
    }
    return current;
  };
  return metricFamilies(source.metrics()).map(({ name, help, type }, index) => {
    const registered: RegisteredFamily = {
      name,
      help,
      type,
      aggregator: 'sum',
      get: async () => {
        const family = read()[index] as MetricFamily;
        return { ...family, aggregator: 'sum' };
      },
      reset: () => {},
    };
    registry.registerMetric(registered as never);
    return registered;
  });
}
