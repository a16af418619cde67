import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';

const flaky = scriptedModel({
  plan: () => ({ tasks: [{ id: 'fetch', description: 'Fetch the trends', kind: 'processing' as const }] }),
  process: () => {
    throw new Error('upstream 503');
  },
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('worker retry policy', () => {
  it('backs off 2 s, 4 s, 8 s by default, then fails with the error chain and task context', async () => {
    vi.useFakeTimers();
    // The top of each jitter range: the delays are then exactly the ceilings.
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999_9);
    const log = memoryLog();
    const runtime = createRuntime({ model: flaky, log });
    const handle = runtime.run('trends');
    let settled = false;
    void handle.result.then(() => {
      settled = true;
    });
    for (let i = 0; i < 20 && !settled; i++) await vi.advanceTimersByTimeAsync(1_000);
    const result = await handle.result;
    expect(result.status).toBe('failed');
    const events = await log.read(handle.runId);
    expect(events.filter((e) => e.type === 'task.retrying').map((e) => e.delayMs)).toEqual([2_000, 4_000, 8_000]);
    const failed = events.find((e) => e.type === 'task.failed');
    expect(failed).toMatchObject({
      error: { message: expect.stringContaining('upstream 503') },
      task: { description: 'Fetch the trends', kind: 'processing', attempts: 4 },
    });
    expect((failed as { history?: unknown[] }).history).toHaveLength(4);
    await runtime.close();
  });

  it('draws each delay from the upper half of its ceiling (jitter)', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const log = memoryLog();
    const runtime = createRuntime({ model: flaky, log, retry: { maxRetries: 2 } });
    const handle = runtime.run('trends');
    for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(1_000);
    await handle.result;
    const delays = (await log.read(handle.runId)).filter((e) => e.type === 'task.retrying').map((e) => e.delayMs);
    expect(delays).toEqual([1_000, 2_000]);
    await runtime.close();
  });

  it('refuses a bad retry policy naming the field', () => {
    expect(() => createRuntime({ retry: { initialDelayMs: -1 } })).toThrow(/retry\.initialDelayMs/);
  });
});
