import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { TroupeEvent } from '../../src/events/types.js';
import { bucketBoundsSeconds } from '../../src/monitor/histogram.js';
import { MetricsRecorder } from '../../src/monitor/MetricsRecorder.js';
import { metricFamilies } from '../../src/monitor/metricFamilies.js';
import { registerMetrics } from '../../src/monitor/registerMetrics.js';
import { toPrometheus } from '../../src/ui/prometheus.js';

const envelope = { id: 'e', runId: 'r', ts: 1_000, correlationId: 'r', causationId: null };
const events = [
  { type: 'run.started', goal: 'g' },
  {
    type: 'plan.created',
    attempt: 1,
    tasks: [
      { id: 'a', description: 'a', kind: 'tool_call', tool: 'we"ird\\tool\n', dependsOn: [] },
      { id: 'b', description: 'b', kind: 'tool_call', tool: 'search', dependsOn: [] },
    ],
  },
  { type: 'model.called', purpose: 'plan', model: 'm', durationMs: 1_500, usage: { inputTokens: 7, outputTokens: 3 } },
  { type: 'task.started', taskId: 'a', attempt: 1 },
  { type: 'task.completed', taskId: 'a', output: 1, durationMs: 8 },
  { type: 'task.started', taskId: 'b', attempt: 1 },
  { type: 'task.failed', taskId: 'b', error: { code: 'TOOL_TIMEOUT', message: 'slow' } },
  { type: 'circuit.opened', tool: 'se"ar\\ch\n' },
].map((e, seq) => ({ ...envelope, seq, ...e }) as unknown as TroupeEvent);

function recorder(): MetricsRecorder {
  const r = new MetricsRecorder({ concurrency: 4 });
  for (const e of events) r.fold(e);
  return r;
}

type Parsed = ReturnType<typeof parsePrometheusTextFormat>;
const byName = (parsed: Parsed, name: string) => {
  const found = parsed.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no family ${name} in the exposition`);
  return found;
};

describe('Prometheus exposition', () => {
  it('parses with a real exposition-format parser: every family has HELP and a TYPE', () => {
    const parsed = parsePrometheusTextFormat(toPrometheus(recorder().snapshot()));
    expect(parsed.map((f) => f.name)).toEqual(metricFamilies(recorder().snapshot()).map((f) => f.name));
    for (const f of parsed) {
      expect(f.help.length, f.name).toBeGreaterThan(0);
      expect(f.type, f.name).not.toBe('UNTYPED');
      if (f.type === 'COUNTER') expect(f.name).toMatch(/_total$/);
    }
  });

  it('names no millisecond series and exposes no summaries: durations are _seconds histograms', () => {
    const text = toPrometheus(recorder().snapshot());
    expect(text).not.toMatch(/_ms\b|summary|quantile=/);
    const parsed = parsePrometheusTextFormat(text);
    const durations = parsed.filter((f) => f.name.includes('duration'));
    expect(durations.map((f) => [f.name, f.type])).toEqual([
      ['troupe_task_duration_seconds', 'HISTOGRAM'],
      ['troupe_tool_duration_seconds', 'HISTOGRAM'],
      ['troupe_model_call_duration_seconds', 'HISTOGRAM'],
    ]);
  });

  it("renders a histogram exactly as prom-client's own Histogram does for the same samples", async () => {
    const samplesMs = { plan: [1_500, 250, 40_000], 'pro"cess\\\n': [8, 0.5, 400_000] };
    const r = new MetricsRecorder();
    let seq = 0;
    const registry = new Registry();
    const reference = new Histogram({
      name: 'troupe_model_call_duration_seconds',
      help: 'Model call duration by purpose (plan, process, synthesize, judge, ...), in seconds.',
      labelNames: ['purpose'],
      buckets: [...bucketBoundsSeconds],
      registers: [registry],
    });
    for (const [purpose, durations] of Object.entries(samplesMs)) {
      for (const durationMs of durations) {
        r.fold({
          ...envelope,
          seq: seq++,
          type: 'model.called',
          purpose,
          model: 'm',
          durationMs,
        } as unknown as TroupeEvent);
        reference.observe({ purpose }, durationMs / 1000);
      }
    }
    const ours = toPrometheus(r.snapshot()).split('\n');
    const theirs = (await registry.metrics()).trimEnd().split('\n');
    const start = ours.indexOf(theirs[0] as string);
    expect(ours.slice(start, start + theirs.length)).toEqual(theirs);
  });

  it('reads counters labelled by outcome back, and one-hot circuit states', () => {
    const parsed = parsePrometheusTextFormat(toPrometheus(recorder().snapshot()));
    expect(byName(parsed, 'troupe_tasks_finished_total').metrics).toEqual([
      { labels: { status: 'completed' }, value: '1' },
      { labels: { status: 'failed' }, value: '1' },
    ]);
    expect(byName(parsed, 'troupe_errors_total').metrics).toEqual([{ labels: { code: 'TOOL_TIMEOUT' }, value: '1' }]);
    expect(byName(parsed, 'troupe_model_tokens_total').metrics).toEqual([
      { labels: { type: 'input' }, value: '7' },
      { labels: { type: 'output' }, value: '3' },
    ]);
    expect(byName(parsed, 'troupe_circuit_state').metrics).toContainEqual({
      labels: { circuit: 'se"ar\\ch\n', state: 'open' },
      value: '1',
    });
  });

  it('escapes quotes, backslashes and newlines in label values so they read back unchanged', () => {
    const parsed = parsePrometheusTextFormat(toPrometheus(recorder().snapshot()));
    const circuits = byName(parsed, 'troupe_circuit_state').metrics.map((m) => m.labels?.circuit);
    expect(new Set(circuits)).toEqual(new Set(['se"ar\\ch\n']));
  });
});

describe('registerMetrics: troupe in your own registry', () => {
  it("adds every family to prom-client's registry, beside the application's own metrics, read at each scrape", async () => {
    const registry = new Registry();
    const r = recorder();
    registerMetrics(registry, { metrics: () => r.snapshot() });
    const parsedBefore = parsePrometheusTextFormat(await registry.metrics());
    expect(parsedBefore.map((f) => f.name)).toEqual(metricFamilies(r.snapshot()).map((f) => f.name));
    expect(byName(parsedBefore, 'troupe_runs_finished_total').metrics[0]).toEqual({
      labels: { status: 'completed' },
      value: '0',
    });
    r.fold({ ...envelope, seq: 99, type: 'run.completed', answer: 'x' } as unknown as TroupeEvent);
    const parsedAfter = parsePrometheusTextFormat(await registry.metrics());
    expect(byName(parsedAfter, 'troupe_runs_finished_total').metrics[0]?.value).toBe('1');
    const json = await registry.getMetricsAsJSON();
    expect(json.find((m) => m.name === 'troupe_task_duration_seconds')?.type).toBe('histogram');
  });

  it('matches /metrics line for line when the registry holds only troupe', async () => {
    const registry = new Registry();
    const r = recorder();
    registerMetrics(registry, { metrics: () => r.snapshot() });
    const own = parsePrometheusTextFormat(toPrometheus(r.snapshot()));
    expect(parsePrometheusTextFormat(await registry.metrics())).toEqual(own);
  });

  it('is refused by prom-client when registered twice in one registry (names are fixed)', () => {
    const registry = new Registry();
    const source = { metrics: () => recorder().snapshot() };
    registerMetrics(registry, source);
    expect(() => registerMetrics(registry, source)).toThrow(/troupe_monitor_live/);
  });
});
