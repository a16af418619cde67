import { describe, expect, it } from 'vitest';
import type { TroupeEvent } from '../../src/events/types.js';
import { MetricsRecorder } from '../../src/monitor/MetricsRecorder.js';
import { toPrometheus } from '../../src/ui/prometheus.js';

const envelope = { id: 'e', runId: 'r', ts: 1_000, correlationId: 'r', causationId: null };
const events = [
  { type: 'run.started', goal: 'g' },
  {
    type: 'plan.created',
    attempt: 1,
    tasks: [{ id: 'a', description: 'a', kind: 'tool_call', tool: 'we"ird\\tool\n', dependsOn: [] }],
  },
  { type: 'task.started', taskId: 'a', attempt: 1 },
  { type: 'task.completed', taskId: 'a', output: 1, durationMs: 8 },
  { type: 'circuit.opened', tool: 'search' },
].map((e, seq) => ({ ...envelope, seq, ...e }) as unknown as TroupeEvent);

function exposition(): string {
  const recorder = new MetricsRecorder({ concurrency: 4 });
  for (const e of events) recorder.fold(e);
  return toPrometheus(recorder.snapshot());
}

describe('Prometheus exposition', () => {
  it('writes HELP and TYPE before each family and one well-formed sample per line', () => {
    const text = exposition();
    expect(text.endsWith('\n')).toBe(true);
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*",?)*\})? -?[0-9.e+-]+$/;
    const declared = new Set<string>();
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('# HELP ')) continue;
      if (line.startsWith('# TYPE ')) {
        declared.add(line.split(' ')[2] as string);
        continue;
      }
      expect(line).toMatch(sample);
      const name = line.split(/[{ ]/)[0] as string;
      expect(declared.has(name.replace(/_(sum|count)$/, '')) || declared.has(name)).toBe(true);
    }
  });

  it('escapes quotes, backslashes and newlines in label values', () => {
    expect(exposition()).toContain('troupe_tool_duration_ms_count{tool="we\\"ird\\\\tool\\n"} 1');
  });

  it('exposes counters, summaries with quantiles and one-hot circuit states', () => {
    const text = exposition();
    expect(text).toContain('troupe_tasks_total{outcome="completed"} 1');
    expect(text).toContain('troupe_task_duration_ms{kind="tool_call",quantile="0.99"} 8');
    expect(text).toContain('troupe_circuit_state{circuit="search",state="open"} 1');
    expect(text).toContain('troupe_circuit_state{circuit="search",state="closed"} 0');
    expect(text).toContain('# TYPE troupe_task_duration_ms summary');
  });
});
