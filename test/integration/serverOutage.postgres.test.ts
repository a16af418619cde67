import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type LocalPostgres, startLocalPostgres } from '../../examples/workers/localPostgres.js';
import type { TroupeEvent } from '../../src/events/types.js';
import { postgresLog } from '../../src/log/postgres/postgresLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import type { WorkedRun } from '../../src/runtime/worker.js';
import { defineTool } from '../../src/tools/defineTool.js';

// This test stops and restarts a server, so it has one of its own.
let server: LocalPostgres;
beforeAll(async () => {
  server = await startLocalPostgres({ flags: ['-c', 'fsync=off'] });
}, 60_000);
afterAll(() => server?.remove());

function waitFor<T>(check: () => T | undefined, ms = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const value = check();
      if (value !== undefined) {
        clearInterval(timer);
        resolve(value);
      } else if (Date.now() - started > ms) {
        clearInterval(timer);
        reject(new Error('timed out'));
      }
    }, 20);
  });
}

describe('the database going away mid-run', () => {
  it('fails appends with LOG_UNAVAILABLE, loses no acknowledged event, and the run resumes when it is back', async () => {
    const url = await server.createDatabase('outage');
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let calls = 0;
    const step = defineTool({
      name: 'step',
      description: 'waits for the gate on its first call',
      input: z.object({ n: z.number() }),
      run: async ({ n }) => {
        calls += 1;
        if (calls === 1) await gate;
        return { n };
      },
    });
    const log = postgresLog(url, { pollMs: 50, connectTimeoutMs: 1000, onNotice: () => undefined });
    const runtime = createRuntime({
      log,
      tools: [step],
      model: scriptedModel({
        plan: () => ({ tasks: [{ id: 'a', description: 'step', kind: 'tool_call', tool: 'step', input: { n: 1 } }] }),
        synthesize: () => 'done',
      }),
    });
    const runId = await runtime.submit('one step');
    const outcomes: WorkedRun[] = [];
    runtime.work({ leaseMs: 600, pollMs: 50, onRun: (run) => outcomes.push(run) });
    await waitFor(() => (calls === 1 ? true : undefined));
    const acknowledged: readonly TroupeEvent[] = await log.read(runId);
    expect(acknowledged.map((e) => e.type)).toContain('task.started');

    await server.stop();
    open();
    const interrupted = await waitFor(() => outcomes[0]);
    expect(interrupted).toMatchObject({ runId, outcome: 'interrupted', result: { status: 'failed' } });
    expect(interrupted.result.status !== 'completed' && interrupted.result.error.code).toBe('LOG_UNAVAILABLE');
    await expect(log.read(runId)).rejects.toMatchObject({ code: 'LOG_UNAVAILABLE' });

    await server.start();
    const resumed = await waitFor(() => outcomes[1]);
    expect(resumed).toMatchObject({ runId, outcome: 'finished', epoch: 2, result: { status: 'completed' } });
    const stored = await log.read(runId);
    expect(stored.slice(0, acknowledged.length)).toEqual(acknowledged);
    expect(stored.filter((e) => e.type === 'run.completed')).toHaveLength(1);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i));
    await runtime.close();
  }, 90_000);
});
