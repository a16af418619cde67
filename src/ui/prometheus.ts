import type { LatencySummary } from '../monitor/histogram.js';
import type { CircuitState, Metrics } from '../monitor/metrics.js';

type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function series(name: string, labels: Labels, value: number): string {
  const keys = Object.keys(labels);
  const text = keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${escapeLabel(labels[k] as string)}"`).join(',')}}`;
  return `${name}${text} ${Number.isFinite(value) ? value : 0}`;
}

class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: 'counter' | 'gauge' | 'summary', help: string, rows: [Labels, number][]): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of rows) this.lines.push(series(name, labels, value));
  }

  summary(name: string, help: string, label: string, byKey: Record<string, LatencySummary>): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} summary`);
    for (const [key, s] of Object.entries(byKey)) {
      for (const [q, v] of [
        ['0.5', s.p50],
        ['0.95', s.p95],
        ['0.99', s.p99],
      ] as const) {
        this.lines.push(series(name, { [label]: key, quantile: q }, v));
      }
      this.lines.push(
        series(`${name}_sum`, { [label]: key }, s.sumMs),
        series(`${name}_count`, { [label]: key }, s.count),
      );
    }
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

const entries = (record: Record<string, number>, label: string): [Labels, number][] =>
  Object.entries(record).map(([k, v]) => [{ [label]: k }, v]);

const circuitRows = (circuits: Record<string, CircuitState>): [Labels, number][] =>
  Object.entries(circuits).flatMap(([circuit, current]) =>
    (['closed', 'open', 'half_open'] as const).map((state): [Labels, number] => [
      { circuit, state },
      state === current ? 1 : 0,
    ]),
  );

/**
 * Renders Monitor metrics in the Prometheus text exposition format (version 0.0.4), as
 * `/metrics` serves them: counters end in `_total`, latencies are summaries in milliseconds
 * with p50/p95/p99 quantiles.
 *
 * @example
 * toPrometheus(runtime.metrics()).split('\n').find((l) => l.startsWith('troupe_tasks_total'))
 * // => 'troupe_tasks_total{outcome="completed"} 3'
 */
export function toPrometheus(m: Metrics): string {
  const out = new Exposition();
  out.metric('troupe_monitor_live', 'gauge', 'Whether the Monitor still receives the event stream.', [
    [{}, m.live ? 1 : 0],
  ]);
  out.metric('troupe_events_total', 'counter', 'Events folded, by type.', entries(m.events.byType, 'type'));
  out.metric('troupe_runs_active', 'gauge', 'Runs started and not finished.', [[{}, m.runs.active]]);
  out.metric('troupe_runs_total', 'counter', 'Runs by how they stand.', [
    [{ status: 'started' }, m.runs.started],
    [{ status: 'completed' }, m.runs.completed],
    [{ status: 'failed' }, m.runs.failed],
    [{ status: 'cancelled' }, m.runs.cancelled],
  ]);
  out.metric('troupe_tasks', 'gauge', 'Tasks queued (planned, not started) and running.', [
    [{ state: 'queued' }, m.tasks.queued],
    [{ state: 'running' }, m.tasks.running],
  ]);
  out.metric('troupe_tasks_total', 'counter', 'Tasks planned, completed and failed, and attempts retried.', [
    [{ outcome: 'planned' }, m.tasks.planned],
    [{ outcome: 'completed' }, m.tasks.completed],
    [{ outcome: 'failed' }, m.tasks.failed],
    [{ outcome: 'retried' }, m.tasks.retries],
  ]);
  out.metric('troupe_tasks_per_second', 'gauge', 'Tasks completed per second over the last 10 s.', [
    [{}, m.tasks.perSecond],
  ]);
  out.summary('troupe_task_duration_ms', 'Task latency by kind, in ms.', 'kind', m.latency.byKind);
  out.summary('troupe_tool_duration_ms', 'Tool task latency by tool, in ms.', 'tool', m.latency.byTool);
  out.metric('troupe_errors_total', 'counter', 'Recorded errors by code.', entries(m.errors.byCode, 'code'));
  out.metric('troupe_task_failure_ratio', 'gauge', 'Failed tasks over finished tasks.', [
    [{}, m.errors.taskFailureRate],
  ]);
  out.metric('troupe_executor_utilisation_ratio', 'gauge', 'Running tasks over the slots of active runs.', [
    [{}, m.executor.utilisation ?? 0],
  ]);
  out.metric('troupe_model_calls_total', 'counter', 'Model calls.', [[{}, m.model.calls]]);
  out.metric('troupe_model_tokens_total', 'counter', 'Model tokens by direction.', [
    [{ direction: 'input' }, m.model.inputTokens],
    [{ direction: 'output' }, m.model.outputTokens],
  ]);
  out.summary('troupe_model_duration_ms', 'Model call latency by purpose, in ms.', 'purpose', m.model.latencyByPurpose);
  out.metric(
    'troupe_cost_usd_total',
    'counter',
    'Spend recorded in events, in USD, by event type.',
    entries(m.cost.byType, 'type'),
  );
  out.metric(
    'troupe_circuit_state',
    'gauge',
    'Circuit breaker state (1 for the current one).',
    circuitRows(m.circuits),
  );
  out.metric('troupe_reviews_pending', 'gauge', 'Results waiting for a human review.', [[{}, m.reviews.pending]]);
  out.metric('troupe_clarifications_pending', 'gauge', 'Questions waiting for a human answer.', [
    [{}, m.clarifications.pending],
  ]);
  return out.toString();
}
