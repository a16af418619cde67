import { OCCConflict, TroupeError } from '../errors.js';
import type { GlobalState, VersionedEntry } from './globalState.js';

/** One change a task makes to global state: `apply` turns the value it read into the new one. */
export interface StateUpdate<T = unknown> {
  key: string;
  /** May be async (e.g. a model call): another writer can land meanwhile, which is what OCC catches. */
  apply(current: T | undefined): T | Promise<T>;
}

/** Options of `updateState`. */
export interface UpdateStateOptions {
  /** Conflicts tolerated before giving up with the last `OCCConflict`. @default 10 */
  maxConflicts?: number;
  /** Called on each conflict, before the update is re-read and re-applied (e.g. to record an event). */
  onConflict?: (conflict: OCCConflict, attempt: number) => void;
  /** Called the moment the update lands, before any other writer can run (e.g. to record an event in order). */
  onCommitted?: (entry: VersionedEntry) => void;
  /** Stops re-applying when aborted. */
  signal?: AbortSignal;
}

/**
 * Reads `update.key`, applies the change, and commits it with the version it read; on
 * `OCCConflict` it re-reads and re-applies, at most `maxConflicts` times. The change lands
 * exactly once, on the state that was current when it committed.
 *
 * @example
 * await updateState(state, { key: 'count', apply: (n: number | undefined) => (n ?? 0) + 1 });
 * // => { value: 1, version: 1 }
 */
export async function updateState<T>(
  state: GlobalState,
  update: StateUpdate<T>,
  options: UpdateStateOptions = {},
): Promise<VersionedEntry<T>> {
  const maxConflicts = options.maxConflicts ?? 10;
  if (!Number.isInteger(maxConflicts) || maxConflicts < 0) {
    throw new TroupeError('CONFIG_INVALID', `Expected \`maxConflicts\` to be an integer ≥ 0, got \`${maxConflicts}\``);
  }
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    const read = state.read<T>(update.key);
    const value = await update.apply(read.value);
    let entry: VersionedEntry<T>;
    try {
      entry = state.commit({ key: update.key, expectedVersion: read.version, value });
    } catch (err) {
      if (!(err instanceof OCCConflict) || attempt > maxConflicts) throw err;
      options.onConflict?.(err, attempt);
      continue;
    }
    options.onCommitted?.(entry);
    return entry;
  }
}
