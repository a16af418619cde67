import { type MetricFamily, metricFamilies } from '../monitor/metricFamilies.js';
import type { Metrics } from '../monitor/metrics.js';

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function render(f: MetricFamily, lines: string[]): void {
  lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
  for (const sample of f.values) {
    const keys = Object.keys(sample.labels);
    const labels =
      keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${escapeLabel(sample.labels[k] as string)}"`).join(',')}}`;
    lines.push(`${sample.metricName ?? f.name}${labels} ${formatValue(sample.value)}`);
  }
}

/**
 * Renders Monitor metrics in the Prometheus text exposition format (version 0.0.4), as
 * `/metrics` serves them: `# HELP` and `# TYPE` before every family, counters ending in
 * `_total`, durations as `_seconds` histograms. The families are those of `metricFamilies`.
 *
 * @example
 * toPrometheus(runtime.metrics()).split('\n').find((l) => l.startsWith('troupe_tasks_finished_total'))
 * // => 'troupe_tasks_finished_total{status="completed"} 3'
 */
export function toPrometheus(m: Metrics): string {
  const lines: string[] = [];
  for (const f of metricFamilies(m)) render(f, lines);
  return `${lines.join('\n')}\n`;
}
