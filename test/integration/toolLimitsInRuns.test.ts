import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/errors.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import type { RuntimeOptions } from '../../src/runtime/options.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { deferred } from './support.js';

function plan(count: number) {
  return {
    tasks: Array.from({ length: count }, (_, i) => ({
      id: `t${i}`,
      description: `call ${i}`,
      kind: 'tool_call' as const,
      tool: 'api',
    })),
  };
}

/** A tool whose calls wait until released, counting how many run at once. */
function gatedTool() {
  const state = { running: 0, peak: 0, started: 0, release: deferred(), twoStarted: deferred() };
  const tool = defineTool({
    name: 'api',
    description: 'a rate-limited API',
    input: z.object({}),
    run: async () => {
      state.running += 1;
      state.started += 1;
      state.peak = Math.max(state.peak, state.running);
      if (state.started === 2) state.twoStarted.resolve();
      await state.release.promise;
      state.running -= 1;
      return 'ok';
    },
  });
  return { state, tool };
}

function runtimeFor(tool: ReturnType<typeof gatedTool>['tool'], count: number, extra: RuntimeOptions) {
  return createRuntime({
    log: memoryLog(),
    model: scriptedModel({ plan: () => plan(count) }),
    tools: [tool],
    concurrency: 8,
    ...extra,
  });
}

describe('tool limits in runs', () => {
  it('runs at most maxConcurrent calls of a tool at once, the rest waiting their turn', async () => {
    const { state, tool } = gatedTool();
    const runtime = runtimeFor(tool, 6, { toolLimits: { api: { maxConcurrent: 2 } } });
    const handle = runtime.run('call the api six times');
    await state.twoStarted.promise;
    expect(state.running).toBe(2);
    state.release.resolve();
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(state.peak).toBe(2);
    expect(state.started).toBe(6);
    await runtime.close();
  });

  it('starts no more than `rate.limit` calls in the interval, and a cancelled run leaves the queue', async () => {
    const { state, tool } = gatedTool();
    const runtime = runtimeFor(tool, 3, { toolLimits: { api: { rate: { limit: 2, intervalMs: 600_000 } } } });
    const handle = runtime.run('call the api three times');
    await state.twoStarted.promise;
    await new Promise((resolve) => setImmediate(resolve));
    expect(state.started).toBe(2);
    const result = await handle.cancel('enough');
    expect(result.status).toBe('cancelled');
    state.release.resolve();
    expect(state.started).toBe(2);
    await runtime.close();
  });

  it('calls a tool without limits directly', async () => {
    const { state, tool } = gatedTool();
    const runtime = runtimeFor(tool, 4, {});
    const handle = runtime.run('call the api four times');
    await state.twoStarted.promise;
    state.release.resolve();
    expect((await handle.result).status).toBe('completed');
    expect(state.peak).toBeGreaterThan(2);
    await runtime.close();
  });

  it('rejects limits for unknown tools and nonsense values', () => {
    const { tool } = gatedTool();
    expect(() => createRuntime({ tools: [tool], toolLimits: { ghost: { maxConcurrent: 1 } } })).toThrow(
      'Expected the keys of `toolLimits` to be registered tool names, got `ghost`',
    );
    expect(() => createRuntime({ tools: [tool], toolLimits: { api: { maxConcurrent: 0 } } })).toThrow(ConfigError);
    expect(() => createRuntime({ tools: [tool], toolLimits: { api: { maxConcurrent: 0 } } })).toThrow(
      'toolLimits.api.maxConcurrent',
    );
    expect(() => createRuntime({ tools: [tool], toolLimits: { api: { rate: { limit: 1, intervalMs: -1 } } } })).toThrow(
      'toolLimits.api.rate.intervalMs',
    );
  });
});
