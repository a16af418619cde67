import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { memoryLog } from '../../src/log/memoryLog.js';
import { postgresLog } from '../../src/log/postgres/postgresLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime, type Runtime } from '../../src/runtime/createRuntime.js';
import type { WorkedRun } from '../../src/runtime/worker.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { emptyDatabase, freshDatabase } from '../helpers/pgDatabase.js';

let url: string;
const runtimes: Runtime[] = [];
beforeAll(async () => {
  url = await freshDatabase('workers');
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
  await emptyDatabase(url);
});

/** A runtime on the shared database whose plans call `tool` once per goal. */
function runtimeWith(tool: ReturnType<typeof defineTool>): Runtime {
  const runtime = createRuntime({
    log: postgresLog(url, { onNotice: () => undefined }),
    tools: [tool],
    model: scriptedModel({
      plan: (goal) => ({
        tasks: [{ id: 'a', description: goal, kind: 'tool_call', tool: tool.name, input: { goal } }],
      }),
      synthesize: () => 'done',
    }),
  });
  runtimes.push(runtime);
  return runtime;
}

function until(check: () => boolean, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (check()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > ms) {
        clearInterval(timer);
        reject(new Error('timed out'));
      }
    }, 20);
  });
}

describe('submit and work', () => {
  it('refuses submit and work on a log of one process', async () => {
    const runtime = createRuntime({ log: memoryLog() });
    runtimes.push(runtime);
    await expect(runtime.submit('hello')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(() => runtime.work()).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    const shared = createRuntime({ log: postgresLog(url) });
    runtimes.push(shared);
    expect(() => shared.work({ maxRuns: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    await expect(shared.submit('  ')).rejects.toMatchObject({ code: 'GOAL_INVALID' });
  });

  it('runs every submitted run once, shared by two workers', async () => {
    const calls = new Map<string, number>();
    const echo = defineTool({
      name: 'echo',
      description: 'echoes its goal',
      input: z.object({ goal: z.string() }),
      run: ({ goal }) => {
        calls.set(goal, (calls.get(goal) ?? 0) + 1);
        return { goal };
      },
    });
    const submitter = runtimeWith(echo);
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => submitter.submit(`goal ${i}`)));
    const done: WorkedRun[] = [];
    const workers = [runtimeWith(echo), runtimeWith(echo)].map((r) =>
      r.work({ maxRuns: 3, pollMs: 20, onRun: (run) => done.push(run) }),
    );
    await until(() => done.length === 12);
    expect(done.every((d) => d.outcome === 'finished' && d.result.status === 'completed')).toBe(true);
    expect(new Set(done.map((d) => d.runId))).toEqual(new Set(ids));
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    const summaries = await submitter.replay(ids[0] as string);
    expect(summaries.status).toBe('completed');
    await Promise.all(workers.map((w) => w.stop()));
  });

  it('claims a run submitted by another process as soon as it is seen, not at its next poll', async () => {
    const calls: string[] = [];
    const tool = defineTool({
      name: 'note',
      description: 'Notes the goal',
      input: z.object({ goal: z.string() }),
      run: ({ goal }) => {
        calls.push(goal);
        return goal;
      },
    });
    const finished: WorkedRun[] = [];
    // Polling once a minute: only the wake-up on the submitted run's first event can claim it in time.
    runtimeWith(tool).work({ pollMs: 60_000, onRun: (run) => finished.push(run) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const runId = await runtimeWith(tool).submit('wake up');
    await until(() => finished.length === 1, 15_000);
    expect(finished[0]).toMatchObject({ runId, outcome: 'finished', result: { status: 'completed' } });
    expect(calls).toEqual(['wake up']);
  });

  it('hands a held run back on stop, and another worker finishes it once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = defineTool({
      name: 'slow',
      description: 'waits for the gate',
      input: z.object({ goal: z.string() }),
      run: async ({ goal }, { signal }) => {
        await Promise.race([gate, new Promise((resolve) => signal.addEventListener('abort', resolve))]);
        return { goal };
      },
    });
    const first = runtimeWith(slow);
    const runId = await first.submit('held');
    const outcomes: WorkedRun[] = [];
    const worker = first.work({ pollMs: 20, onRun: (run) => outcomes.push(run) });
    await until(() => worker.running === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await worker.stop({ drainMs: 50 });
    expect(outcomes.map((o) => o.outcome)).toEqual(['handed-back']);
    release();
    const second = runtimeWith(slow);
    const finished: WorkedRun[] = [];
    second.work({ pollMs: 20, onRun: (run) => finished.push(run) });
    await until(() => finished.length === 1);
    expect(finished[0]).toMatchObject({ runId, outcome: 'finished', result: { status: 'completed' } });
    const state = await second.replay(runId);
    expect(state.status).toBe('completed');
  });
});
