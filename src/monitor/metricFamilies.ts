import { bucketBoundsSeconds, type LatencySummary } from './histogram.js';
import type { CircuitState, Metrics } from './metrics.js';

/** How Prometheus reads a family: a counter only grows, a gauge goes both ways, a histogram has buckets. */
export type MetricFamilyType = 'counter' | 'gauge' | 'histogram';

/** One sample of a family. `metricName` is set where it differs from the family's (`_bucket`, `_sum`, `_count`). */
export interface MetricSample {
  metricName?: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * One metric family in Prometheus' data model, shaped like prom-client's `get()` result, so the
 * same objects render `/metrics` and feed a user's own registry.
 */
export interface MetricFamily {
  name: string;
  help: string;
  type: MetricFamilyType;
  values: MetricSample[];
}

type Row = [Record<string, string>, number];

const byLabel = (record: Record<string, number>, label: string): Row[] =>
  Object.entries(record).map(([k, v]) => [{ [label]: k }, v]);

const circuitRows = (circuits: Record<string, CircuitState>): Row[] =>
  Object.entries(circuits).flatMap(([circuit, current]) =>
    (['closed', 'open', 'half_open'] as const).map((state): Row => [{ circuit, state }, state === current ? 1 : 0]),
  );

function family(name: string, type: 'counter' | 'gauge', help: string, rows: Row[]): MetricFamily {
  return { name, help, type, values: rows.map(([labels, value]) => ({ labels, value })) };
}

/** A latency histogram in seconds: cumulative `_bucket`s with `le`, then `_sum` and `_count`, per key. */
function histogram(name: string, help: string, label: string, byKey: Record<string, LatencySummary>): MetricFamily {
  const values: MetricSample[] = [];
  for (const [key, s] of Object.entries(byKey)) {
    bucketBoundsSeconds.forEach((le, i) => {
      values.push({ metricName: `${name}_bucket`, labels: { le: String(le), [label]: key }, value: s.buckets[i] ?? 0 });
    });
    values.push(
      { metricName: `${name}_bucket`, labels: { le: '+Inf', [label]: key }, value: s.count },
      { metricName: `${name}_sum`, labels: { [label]: key }, value: s.sumMs / 1000 },
      { metricName: `${name}_count`, labels: { [label]: key }, value: s.count },
    );
  }
  return { name, help, type: 'histogram', values };
}

/**
 * The Monitor's metrics as Prometheus families, following its conventions: base units
 * (durations in seconds), latencies as histograms (which sum across instances, unlike
 * quantiles), counters named `_total`, and nothing Prometheus derives itself (rates, failure
 * ratios: use `rate()` on the counters). The family names are fixed; labels vary.
 *
 * @example
 * metricFamilies(runtime.metrics()).find((f) => f.name === 'troupe_tasks_finished_total')?.values
 * // => [{ labels: { status: 'completed' }, value: 3 }, { labels: { status: 'failed' }, value: 0 }]
 */
export function metricFamilies(m: Metrics): MetricFamily[] {
  return [
    family('troupe_monitor_live', 'gauge', 'Whether the Monitor still receives the event stream (1) or not (0).', [
      [{}, m.live ? 1 : 0],
    ]),
    family('troupe_events_total', 'counter', 'Events folded, by event type.', byLabel(m.events.byType, 'type')),
    family('troupe_runs_started_total', 'counter', 'Runs started.', [[{}, m.runs.started]]),
    family('troupe_runs_finished_total', 'counter', 'Runs finished, by final status.', [
      [{ status: 'completed' }, m.runs.completed],
      [{ status: 'failed' }, m.runs.failed],
      [{ status: 'cancelled' }, m.runs.cancelled],
    ]),
    family('troupe_runs_active', 'gauge', 'Runs started and not finished.', [[{}, m.runs.active]]),
    family('troupe_tasks_planned_total', 'counter', 'Tasks planned.', [[{}, m.tasks.planned]]),
    family('troupe_tasks_finished_total', 'counter', 'Tasks finished, by final status.', [
      [{ status: 'completed' }, m.tasks.completed],
      [{ status: 'failed' }, m.tasks.failed],
    ]),
    family('troupe_task_retries_total', 'counter', 'Task attempts that failed and were retried.', [
      [{}, m.tasks.retries],
    ]),
    family('troupe_tasks', 'gauge', 'Tasks queued (planned, not started) and running now.', [
      [{ state: 'queued' }, m.tasks.queued],
      [{ state: 'running' }, m.tasks.running],
    ]),
    histogram('troupe_task_duration_seconds', 'Task duration by task kind, in seconds.', 'kind', m.latency.byKind),
    histogram('troupe_tool_duration_seconds', 'Tool task duration by tool, in seconds.', 'tool', m.latency.byTool),
    family('troupe_errors_total', 'counter', 'Recorded errors, by error code.', byLabel(m.errors.byCode, 'code')),
    family('troupe_executor_utilisation_ratio', 'gauge', 'Running tasks over the slots of the active runs.', [
      [{}, m.executor.utilisation ?? 0],
    ]),
    family('troupe_model_calls_total', 'counter', 'Model calls.', [[{}, m.model.calls]]),
    family('troupe_model_tokens_total', 'counter', 'Model tokens, by token type (input or output).', [
      [{ type: 'input' }, m.model.inputTokens],
      [{ type: 'output' }, m.model.outputTokens],
    ]),
    histogram(
      'troupe_model_call_duration_seconds',
      'Model call duration by purpose (plan, process, synthesize, judge, ...), in seconds.',
      'purpose',
      m.model.latencyByPurpose,
    ),
    family(
      'troupe_cost_usd_total',
      'counter',
      'Spend recorded in events, in US dollars, by event type.',
      byLabel(m.cost.byType, 'type'),
    ),
    family('troupe_circuit_state', 'gauge', 'Circuit breaker state: 1 for the current one.', circuitRows(m.circuits)),
    family('troupe_reviews_pending', 'gauge', 'Results waiting for a human review.', [[{}, m.reviews.pending]]),
    family('troupe_reviews_decided_total', 'counter', 'Reviews decided, by decision.', [
      [{ decision: 'approved' }, m.reviews.approved],
      [{ decision: 'rejected' }, m.reviews.rejected],
    ]),
    family('troupe_clarifications_pending', 'gauge', 'Questions waiting for a human answer.', [
      [{}, m.clarifications.pending],
    ]),
  ];
}
