import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRuntime, type ResourceSource, type RunHandle, TroupeError } from '../../src/index.js';

function fakeSource(contents: (string | Error)[]) {
  let read = 0;
  let listener: (() => void) | undefined;
  const source: ResourceSource = {
    readResource: async () => {
      const next = contents[Math.min(read++, contents.length - 1)] as string | Error;
      if (next instanceof Error) throw new TroupeError('MCP_FAILED', next.message);
      return next;
    },
    onResourceUpdated: async (_uri, l) => {
      listener = l;
      return () => {
        listener = undefined;
      };
    },
  };
  return { source, reads: () => read, change: () => listener?.() };
}

describe('runtime.trigger', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('polls and starts one run per new content, skipping repeats and undefined goals', async () => {
    const runtime = createRuntime();
    const { source, reads } = fakeSource(['a', 'a', 'skip', 'b']);
    const trigger = runtime.trigger({
      source,
      resource: 'x://feed',
      everyMs: 100,
      goal: (c) => (c === 'skip' ? undefined : `handle ${c}`),
    });
    const goals: string[] = [];
    trigger.runs$.subscribe((h: RunHandle) => goals.push(h.runId));
    await vi.advanceTimersByTimeAsync(350);
    trigger.stop();
    expect(reads()).toBe(4);
    expect(goals).toHaveLength(2);
    const states = await Promise.all(goals.map((id) => runtime.replay(id)));
    expect(states.map((s) => s.goal)).toEqual(['handle a', 'handle b']);
    await runtime.close();
  });

  it('reads on change notifications', async () => {
    const runtime = createRuntime();
    const { source, change } = fakeSource(['one', 'two']);
    const trigger = runtime.trigger({ source, resource: 'x://feed', onChange: true, goal: (c) => c });
    const runs: RunHandle[] = [];
    trigger.runs$.subscribe((h) => runs.push(h));
    await vi.advanceTimersByTimeAsync(0);
    change();
    await vi.advanceTimersByTimeAsync(0);
    change();
    await vi.advanceTimersByTimeAsync(0);
    trigger.stop();
    expect(runs).toHaveLength(2);
    await runtime.close();
  });

  it('reports a resource that cannot be read and keeps polling', async () => {
    const runtime = createRuntime();
    const { source } = fakeSource([new Error('gone'), 'back']);
    const trigger = runtime.trigger({ source, resource: 'x://feed', everyMs: 50, goal: (c) => c });
    const errors: TroupeError[] = [];
    const runs: RunHandle[] = [];
    trigger.errors$.subscribe((e) => errors.push(e));
    trigger.runs$.subscribe((h) => runs.push(h));
    await vi.advanceTimersByTimeAsync(60);
    trigger.stop();
    expect(errors.map((e) => e.code)).toEqual(['MCP_FAILED']);
    expect(runs).toHaveLength(1);
    await runtime.close();
  });

  it('refuses options that would never fire or are nonsense', () => {
    const runtime = createRuntime();
    const { source } = fakeSource(['x']);
    expect(() => runtime.trigger({ source, resource: 'x://feed', goal: (c) => c })).toThrow(
      /`everyMs`.*`onChange: true`/,
    );
    expect(() => runtime.trigger({ source, resource: 'x://feed', everyMs: 0, goal: (c) => c })).toThrow(
      'Expected `everyMs` to be an integer ≥ 1, got `0`',
    );
    expect(() =>
      runtime.trigger({
        source: { readResource: source.readResource },
        resource: 'x://feed',
        onChange: true,
        goal: (c) => c,
      }),
    ).toThrow(/onResourceUpdated/);
  });
});
