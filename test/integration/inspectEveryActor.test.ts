import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { describe, expect, it, vi } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { fastRetry, simpleTool } from './support.js';

/** The machine id (`planner`, `task`, ...) of the actor an inspection event is about, if any. */
function machineOf(event: InspectionEvent): string | undefined {
  const logic = (event.actorRef as unknown as { logic?: { id?: unknown } }).logic;
  return typeof logic?.id === 'string' ? logic.id : undefined;
}

const plan = {
  tasks: [
    { id: 'a', description: 'call echo', kind: 'tool_call' as const, tool: 'echo' },
    { id: 'b', description: 'think', kind: 'processing' as const, dependsOn: ['a'] },
  ],
};

describe('inspection', () => {
  it('reaches the Planner, the executor, every task, the Monitor and the UI actor', async () => {
    const seen: InspectionEvent[] = [];
    const runtime = createRuntime({
      log: memoryLog(),
      model: scriptedModel({ plan: () => plan }),
      tools: [simpleTool('echo', () => 'hi')],
      retry: fastRetry,
      inspect: (event) => seen.push(event),
    });
    const dashboard = await runtime.serve({ port: 0 });
    const result = await runtime.run('inspect me').result;
    expect(result.status).toBe('completed');
    await dashboard.close();
    await runtime.close();

    const registered = seen.filter((e) => e.type === '@xstate.actor').map(machineOf);
    expect(new Set(registered)).toEqual(new Set(['monitor', 'ui', 'planner', 'executor', 'task', undefined]));
    expect(registered.filter((id) => id === 'task')).toHaveLength(2);
    const taskSnapshots = seen
      .filter((e) => e.type === '@xstate.snapshot' && machineOf(e) === 'task')
      .map(
        (e) => (e as Extract<InspectionEvent, { type: '@xstate.snapshot' }>).snapshot as unknown as { value: unknown },
      );
    expect(taskSnapshots.map((s) => s.value)).toContainEqual('Completed');
    const monitorEvents = seen.filter((e) => e.type === '@xstate.event' && machineOf(e) === 'monitor');
    expect(monitorEvents.map((e) => (e as Extract<InspectionEvent, { type: '@xstate.event' }>).event.type)).toContain(
      'EVENTS',
    );
  });

  it("feeds @statelyai/inspect's inspector, which serialises every actor for the Stately UI", async () => {
    const sent: StatelyInspectionEvent[] = [];
    const inspector = createInspector({ send: (event) => sent.push(event) });
    const runtime = createRuntime({
      model: scriptedModel({ plan: () => plan }),
      tools: [simpleTool('echo', () => 'hi')],
      inspect: inspector.inspect,
    });
    expect((await runtime.run('inspect me').result).status).toBe('completed');
    await runtime.close();
    const definitions = () =>
      sent
        .filter((e): e is Extract<StatelyInspectionEvent, { type: '@xstate.actor' }> => e.type === '@xstate.actor')
        .map((a) => (a.definition === undefined ? undefined : (JSON.parse(a.definition) as { id: string }).id));
    // The inspector converts events when the event loop is idle, not as they happen.
    await vi.waitFor(() => {
      for (const id of ['planner', 'executor', 'task', 'monitor']) expect(definitions()).toContain(id);
    });
    inspector.stop();
    expect(() => JSON.stringify(sent)).not.toThrow();
  });
});
