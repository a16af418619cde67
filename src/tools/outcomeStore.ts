import { LRUCache } from 'lru-cache';
import { ConfigError } from '../errors.js';
import type { TroupeEvent } from '../events/types.js';
import type { EventLog } from '../log/EventLog.js';
import type { RunSession } from '../run/RunSession.js';

/** The idempotency key of the tool outcome an event records, if it records one. */
function keyOf(event: TroupeEvent): string | undefined {
  if (event.type === 'tool.succeeded') return event.idempotencyKey;
  if (event.type === 'task.completed') return event.idempotencyKey;
  return undefined;
}

/** A tool call's recorded result. */
export interface RecordedOutcome {
  output: unknown;
}

/** Options of `OutcomeStore`. */
export interface OutcomeStoreOptions {
  /** Outcomes kept in memory for fast lookup; older ones are read back from the log. @default 10000 */
  max?: number;
}

/**
 * What each tool call produced, by idempotency key, so that a call repeated by a retry or a
 * resume returns the recorded output instead of running the tool again. The log is the
 * record (`tool.succeeded` events, and `task.completed` events that carry the call's
 * `idempotencyKey`: a tool task's completion and its outcome in one event); an LRU cache holds the hot outcomes in front of it, and a
 * set of the keys each run recorded tells a first call (no lookup at all) from an evicted one
 * (read back from the log).
 *
 * @example
 * const outcomes = new OutcomeStore(log);
 * outcomes.record(session, 'post', 'postToX', key, { id: 'x-1' });
 * await outcomes.lookup(session.runId, key);
 * // => { output: { id: 'x-1' } }
 */
export class OutcomeStore {
  private readonly log: EventLog;
  private readonly cache: LRUCache<string, RecordedOutcome>;
  private readonly keys = new Map<string, Set<string>>();

  constructor(log: EventLog, options: OutcomeStoreOptions = {}) {
    const max = options.max ?? 10_000;
    if (!Number.isInteger(max) || max < 1) {
      throw new ConfigError([`Expected \`max\` of OutcomeStore to be an integer ≥ 1, got \`${max}\``]);
    }
    this.log = log;
    this.cache = new LRUCache({ max });
  }

  /**
   * Records that a call succeeded: a `tool.succeeded` event in the run's log (appended before
   * the task's `task.completed`, in the same order) and the outcome in the cache.
   */
  record(session: RunSession, taskId: string, tool: string, idempotencyKey: string, output: unknown): void {
    session.submit({ type: 'record_tool_outcome', taskId, tool, idempotencyKey, output });
    this.remember(session.runId, idempotencyKey, output);
  }

  /** Learns the outcomes a run already recorded, from its events (when it resumes). */
  hydrate(runId: string, events: readonly TroupeEvent[]): void {
    for (const event of events) {
      const key = keyOf(event);
      if (key !== undefined && event.runId === runId) this.remember(runId, key, (event as { output: unknown }).output);
    }
  }

  /**
   * Whether the call with `idempotencyKey` in run `runId` may have a recorded outcome: `false`
   * means `lookup` would find none, so a first call skips it (and its promise) altogether.
   */
  mayHave(runId: string, idempotencyKey: string): boolean {
    return this.cache.has(idempotencyKey) || this.keys.get(runId)?.has(idempotencyKey) === true;
  }

  /** The recorded outcome of the call with `idempotencyKey` in run `runId`, if it ever succeeded. */
  async lookup(runId: string, idempotencyKey: string): Promise<RecordedOutcome | undefined> {
    const hot = this.cache.get(idempotencyKey);
    if (hot !== undefined) return hot;
    if (this.keys.get(runId)?.has(idempotencyKey) !== true) return undefined;
    const events = await this.log.read(runId);
    for (let i = events.length - 1; i >= 0; i--) {
      const event = events[i] as TroupeEvent;
      if (keyOf(event) === idempotencyKey) {
        const outcome = { output: (event as { output: unknown }).output };
        this.cache.set(idempotencyKey, outcome);
        return outcome;
      }
    }
    return undefined;
  }

  /** Drops what is kept in memory for a run that ended; its log keeps the record. */
  forget(runId: string): void {
    const keys = this.keys.get(runId);
    if (keys === undefined) return;
    for (const key of keys) this.cache.delete(key);
    this.keys.delete(runId);
  }

  private remember(runId: string, idempotencyKey: string, output: unknown): void {
    let keys = this.keys.get(runId);
    if (keys === undefined) {
      keys = new Set();
      this.keys.set(runId, keys);
    }
    keys.add(idempotencyKey);
    this.cache.set(idempotencyKey, { output });
  }
}
