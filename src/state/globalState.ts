import { createStore } from '@xstate/store';
import { OCCConflict, TroupeError } from '../errors.js';

/** A value in global state and the version it was written at (1 for the first write). */
export interface VersionedEntry<T = unknown> {
  readonly value: T;
  readonly version: number;
}

/** A read of one key: the value (absent → `undefined`) and the version to name when writing back. */
export interface StateRead<T = unknown> {
  readonly value: T | undefined;
  /** 0 when the key was never written. */
  readonly version: number;
}

/** An optimistic write: it lands only if the key is still at `expectedVersion`. */
export interface CommitRequest<T = unknown> {
  key: string;
  /** The version the writer read (0 for a key never written). */
  expectedVersion: number;
  value: T;
}

/** A committed change, as `state.committed` events record it: replaying these rebuilds the state. */
export interface StateChange {
  key: string;
  version: number;
  value: unknown;
}

/** Shared, versioned key-value state for the tasks of a swarm, with optimistic concurrency. */
export interface GlobalState {
  /** The value and version of `key` now. */
  read<T = unknown>(key: string): StateRead<T>;
  /**
   * Writes `value` if `key` is still at `expectedVersion`, and returns the new entry;
   * throws `OCCConflict` (naming both versions) when another writer got there first.
   */
  commit<T>(request: CommitRequest<T>): VersionedEntry<T>;
  /**
   * Folds a recorded change in (replay, resume). Idempotent: a change at or below the key's
   * current version is ignored, so replaying the same events twice changes nothing.
   */
  apply(change: StateChange): void;
  /** Every key with its value and version. */
  entries(): Record<string, VersionedEntry>;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: (change: StateChange) => void): () => void;
}

type Entries = Readonly<Record<string, VersionedEntry>>;

/** The longest key accepted: keys are names, not payloads. */
const maxKeyLength = 256;

function checkRequest(request: CommitRequest): void {
  if (typeof request !== 'object' || request === null) {
    throw new TroupeError(
      'INVALID_STATE',
      `Expected a commit request \`{ key, expectedVersion, value }\`, got \`${String(request)}\``,
    );
  }
  const { key, expectedVersion } = request;
  if (typeof key !== 'string' || key === '' || key.length > maxKeyLength) {
    throw new TroupeError(
      'INVALID_STATE',
      `Expected \`key\` to be a non-empty string of at most ${maxKeyLength} characters, got \`${String(key)}\``,
    );
  }
  if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
    throw new TroupeError(
      'INVALID_STATE',
      `Expected \`expectedVersion\` of \`${key}\` to be an integer ≥ 0, got \`${String(expectedVersion)}\``,
    );
  }
}

/**
 * Creates global state on an `@xstate/store` store: versioned entries, written only by
 * `commit` with the version the writer read. Two writers that read the same version cannot
 * both land: the second gets `OCCConflict` and must re-read and re-apply its change. Every
 * change can be recorded as an event and folded back with `apply`, so state is rebuilt by
 * replaying the log.
 *
 * @param initial changes to start from (e.g. the `state.committed` events of a log)
 * @example
 * const state = createGlobalState();
 * const { version } = state.read('topics');
 * state.commit({ key: 'topics', expectedVersion: version, value: ['ai'] });
 * // => { value: ['ai'], version: 1 }
 * state.commit({ key: 'topics', expectedVersion: version, value: ['rust'] });
 * // => throws OCCConflict: Write to `topics` expected version 0, but the stored version is 1
 */
export function createGlobalState(initial: readonly StateChange[] = []): GlobalState {
  const store = createStore({
    context: { entries: {} as Entries },
    on: {
      changed: (context, event: StateChange) => ({
        entries: { ...context.entries, [event.key]: { value: event.value, version: event.version } },
      }),
    },
  });
  const listeners = new Set<(change: StateChange) => void>();

  function versionOf(key: string): number {
    return store.getSnapshot().context.entries[key]?.version ?? 0;
  }

  function write({ key, version, value }: StateChange): void {
    // Only the three fields: a recorded event passed as a change carries its own `type`.
    const change = { key, version, value };
    store.send({ type: 'changed', ...change });
    for (const listener of listeners) listener(change);
  }

  const state: GlobalState = {
    read<T>(key: string): StateRead<T> {
      const entry = store.getSnapshot().context.entries[key];
      return entry === undefined
        ? { value: undefined, version: 0 }
        : { value: entry.value as T, version: entry.version };
    },
    commit<T>(request: CommitRequest<T>): VersionedEntry<T> {
      checkRequest(request);
      const actual = versionOf(request.key);
      if (actual !== request.expectedVersion) throw new OCCConflict(request.key, request.expectedVersion, actual);
      const entry = { value: request.value, version: actual + 1 };
      write({ key: request.key, ...entry });
      return entry;
    },
    apply(change) {
      if (change.version > versionOf(change.key)) write(change);
    },
    entries: () => ({ ...store.getSnapshot().context.entries }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  for (const change of initial) state.apply(change);
  return state;
}
