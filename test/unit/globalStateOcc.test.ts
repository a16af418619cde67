import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OCCConflict, TroupeError } from '../../src/errors.js';
import { createGlobalState, type StateChange } from '../../src/state/globalState.js';
import { updateState } from '../../src/state/updateState.js';

/** Yields to the event loop `n` times so concurrent writers interleave. */
async function yieldTimes(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

describe('createGlobalState', () => {
  it('versions each key from 1 and reads absent keys as version 0', () => {
    const state = createGlobalState();
    expect(state.read('topics')).toEqual({ value: undefined, version: 0 });
    expect(state.commit({ key: 'topics', expectedVersion: 0, value: ['ai'] })).toEqual({ value: ['ai'], version: 1 });
    expect(state.commit({ key: 'topics', expectedVersion: 1, value: ['ai', 'rust'] }).version).toBe(2);
    expect(state.read('topics')).toEqual({ value: ['ai', 'rust'], version: 2 });
    expect(state.entries()).toEqual({ topics: { value: ['ai', 'rust'], version: 2 } });
  });

  it('refuses a stale write with OCCConflict naming both versions, and keeps the stored value', () => {
    const state = createGlobalState();
    state.commit({ key: 'k', expectedVersion: 0, value: 'first' });
    const stale = () => state.commit({ key: 'k', expectedVersion: 0, value: 'second' });
    expect(stale).toThrow(OCCConflict);
    expect(stale).toThrow('Write to `k` expected version 0, but the stored version is 1');
    expect(state.read('k')).toEqual({ value: 'first', version: 1 });
  });

  it('rejects bad requests with the field and value named', () => {
    const state = createGlobalState();
    expect(() => state.commit({ key: '', expectedVersion: 0, value: 1 })).toThrow(/Expected `key`.*got ``/);
    expect(() => state.commit({ key: 'k', expectedVersion: -1, value: 1 })).toThrow(
      'Expected `expectedVersion` of `k` to be an integer ≥ 0, got `-1`',
    );
    expect(() => state.commit({ key: 'k', expectedVersion: 1.5, value: 1 })).toThrow(TroupeError);
    expect(() => state.commit(null as never)).toThrow(/Expected a commit request/);
  });

  it('notifies subscribers of every change and stops after unsubscribe', () => {
    const state = createGlobalState();
    const seen: StateChange[] = [];
    const stop = state.subscribe((c) => seen.push(c));
    state.commit({ key: 'a', expectedVersion: 0, value: 1 });
    stop();
    state.commit({ key: 'a', expectedVersion: 1, value: 2 });
    expect(seen).toEqual([{ key: 'a', version: 1, value: 1 }]);
  });

  it('rebuilds the same state from its recorded changes, and applying them twice changes nothing', () => {
    const live = createGlobalState();
    const changes: StateChange[] = [];
    live.subscribe((c) => changes.push(c));
    live.commit({ key: 'a', expectedVersion: 0, value: 1 });
    live.commit({ key: 'b', expectedVersion: 0, value: 'x' });
    live.commit({ key: 'a', expectedVersion: 1, value: 2 });
    const rebuilt = createGlobalState(changes);
    for (const change of changes) rebuilt.apply(change);
    expect(rebuilt.entries()).toEqual(live.entries());
  });
});

describe('updateState', () => {
  it('lands all 50 writers on one key exactly once, each re-applying after its conflicts', async () => {
    const state = createGlobalState();
    let conflicts = 0;
    const writers = Array.from({ length: 50 }, (_, i) =>
      updateState(
        state,
        {
          key: 'log',
          apply: async (current: readonly number[] | undefined) => {
            await yieldTimes(i % 7);
            return [...(current ?? []), i];
          },
        },
        { maxConflicts: 100, onConflict: () => conflicts++ },
      ),
    );
    await Promise.all(writers);
    const { value, version } = state.read<number[]>('log');
    expect(version).toBe(50);
    expect([...(value ?? [])].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(conflicts).toBeGreaterThan(0);
  });

  it('gives up with the last OCCConflict after maxConflicts', async () => {
    const state = createGlobalState();
    const seen: number[] = [];
    const update = updateState(
      state,
      {
        key: 'k',
        apply: async (n: number | undefined) => {
          // Another writer always lands while this one works.
          const { version } = state.read('k');
          state.commit({ key: 'k', expectedVersion: version, value: -1 });
          return (n ?? 0) + 1;
        },
      },
      { maxConflicts: 2, onConflict: (_, attempt) => seen.push(attempt) },
    );
    await expect(update).rejects.toBeInstanceOf(OCCConflict);
    expect(seen).toEqual([1, 2]);
  });

  it('passes on errors of apply without retrying, and refuses a bad maxConflicts', async () => {
    const state = createGlobalState();
    await expect(
      updateState(state, {
        key: 'k',
        apply: () => {
          throw new Error('boom');
        },
      }),
    ).rejects.toThrow('boom');
    await expect(updateState(state, { key: 'k', apply: () => 1 }, { maxConflicts: -1 })).rejects.toThrow(
      'Expected `maxConflicts` to be an integer ≥ 0, got `-1`',
    );
  });

  it('counts every increment exactly once whatever the interleaving (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 30 }), async (delays) => {
        const state = createGlobalState();
        await Promise.all(
          delays.map((d) =>
            updateState(
              state,
              {
                key: 'n',
                apply: async (n: number | undefined) => {
                  await yieldTimes(d);
                  return (n ?? 0) + 1;
                },
              },
              { maxConflicts: 1_000 },
            ),
          ),
        );
        expect(state.read('n')).toEqual({ value: delays.length, version: delays.length });
      }),
      { numRuns: 50 },
    );
  });
});
