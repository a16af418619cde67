import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Observable } from 'rxjs';
import { z } from 'zod';
import { optionIssues } from '../config/optionIssues.js';
import { ConfigError } from '../errors.js';
import type { EventLog } from '../log/EventLog.js';
import type { Lease, RunQueue } from '../log/RunQueue.js';
import type { RunResult } from './runResult.js';

/** Options of `runtime.work()`. */
export interface WorkOptions {
  /** Runs this worker drives at once (a per-process limit: each worker has its own). @default 4 */
  maxRuns?: number;
  /**
   * How long a claimed run stays this worker's without a heartbeat, in ms. A worker that dies
   * loses its runs to others this long after its last heartbeat; heartbeats go every third of it.
   * @default 30000
   */
  leaseMs?: number;
  /**
   * How often to look for runs to claim while there is room, in ms: for runs whose owner's
   * lease expired. Runs submitted from any process are claimed as soon as their first event is
   * seen (PostgreSQL's LISTEN/NOTIFY). @default 500
   */
  pollMs?: number;
  /** Called with each run this worker claimed, before it drives it. */
  onClaim?: (claimed: { runId: string; epoch: number }) => void;
  /** Called with each run this worker finished, dropped or handed back. */
  onRun?: (outcome: WorkedRun) => void;
}

/** What became of one run a worker took. */
export interface WorkedRun {
  runId: string;
  epoch: number;
  /**
   * `finished`: it ended here; `lost`: another worker owns it now (its appends were refused);
   * `interrupted`: the log failed under it (the lease lapses, and a worker takes it again);
   * `handed-back`: `stop()` returned it to the queue.
   */
  outcome: 'finished' | 'lost' | 'interrupted' | 'handed-back';
  result: RunResult;
}

/** A process's share of the runs in a shared log (see `runtime.work`). */
export interface Worker {
  /** This worker's owner id in the leases (host, pid and a random part). */
  readonly id: string;
  /** Runs it drives now. */
  readonly running: number;
  /**
   * Stops claiming; runs still held after `drainMs` (default: none) are handed back to the
   * queue for other workers, and their local drivers stopped without writing to them again.
   */
  stop(options?: { drainMs?: number }): Promise<void>;
}

/** What a worker needs of a run it drives (a `RunHandle` is one). */
export interface DrivenRun {
  readonly result: Promise<RunResult>;
  cancel(reason?: string): Promise<RunResult>;
}

/** What a worker needs of its runtime. */
export interface WorkerDeps {
  queue: RunQueue;
  /** Drives a run from its log, writing through `log` (the lease's fenced view). */
  resume(runId: string, log: EventLog): Promise<DrivenRun>;
  /** Emits when a run may have been queued (any process's `run.started`): the worker claims at once instead of at its next poll. */
  started?: Observable<unknown>;
}

interface Held {
  lease: Lease;
  handle: DrivenRun | undefined;
  handedBack: boolean;
  /** The first append of the run the log refused. */
  failure: unknown;
}

const workOptionsSchema = z.object({
  maxRuns: z.number().int().min(1).default(4),
  leaseMs: z.number().int().min(30).default(30_000),
  pollMs: z.number().int().min(1).default(500),
});

function checkWorkOptions(options: WorkOptions): z.output<typeof workOptionsSchema> {
  const { onRun: _onRun, onClaim: _onClaim, ...rest } = options;
  const parsed = workOptionsSchema.safeParse(rest);
  if (!parsed.success) throw new ConfigError(optionIssues(parsed.error, rest));
  return parsed.data;
}

/**
 * Starts a worker: it claims queued runs (and runs whose owner's lease expired) up to
 * `maxRuns`, drives each through the lease's fenced view of the log, renews its leases every
 * third of `leaseMs`, and drops a run whose lease it lost (its appends are refused from then on).
 */
export function startWorker(deps: WorkerDeps, options: WorkOptions = {}): Worker {
  const { maxRuns, leaseMs, pollMs } = checkWorkOptions(options);
  const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const held = new Map<string, Held>();
  let stopping = false;
  let claiming = false;
  let drained: () => void = () => undefined;

  const settle = (runId: string, entry: Held, result: RunResult) => {
    if (held.get(runId) === entry) held.delete(runId);
    const code = (entry.failure as { code?: unknown } | undefined)?.code;
    const outcome = entry.handedBack
      ? 'handed-back'
      : entry.failure === undefined
        ? 'finished'
        : code === 'LEASE_LOST'
          ? 'lost'
          : 'interrupted';
    options.onRun?.({ runId, epoch: entry.lease.epoch, outcome, result });
    if (held.size === 0) drained();
    if (!stopping) void claim();
  };

  const drive = async (lease: Lease) => {
    const entry: Held = { lease, handle: undefined, handedBack: false, failure: undefined };
    held.set(lease.runId, entry);
    options.onClaim?.({ runId: lease.runId, epoch: lease.epoch });
    const fenced = deps.queue.fenced(lease);
    const view: EventLog = {
      ...fenced,
      append: (events) =>
        fenced.append(events).catch((err: unknown) => {
          entry.failure ??= err;
          throw err;
        }),
    };
    try {
      entry.handle = await deps.resume(lease.runId, view);
    } catch {
      // The log could not be read: the lease lapses and a worker takes the run again later.
      held.delete(lease.runId);
      if (held.size === 0) drained();
      return;
    }
    void entry.handle.result.then((result) => settle(lease.runId, entry, result));
  };

  async function claim(): Promise<void> {
    if (claiming || stopping || held.size >= maxRuns) return;
    claiming = true;
    try {
      const leases = await deps.queue.claim(id, maxRuns - held.size, leaseMs, [...held.keys()]);
      for (const lease of leases) void drive(lease);
    } catch {
      // The database is away; the next poll tries again.
    } finally {
      claiming = false;
    }
  }

  async function heartbeat(): Promise<void> {
    // Only the runs held when the renewal was sent are judged by its answer: runs claimed
    // meanwhile were not in it.
    const asked = [...held.values()];
    if (asked.length === 0) return;
    let kept: readonly Lease[];
    try {
      kept = await deps.queue.renew(
        id,
        asked.map((h) => h.lease),
        leaseMs,
      );
    } catch {
      return;
    }
    const still = new Set(kept.map((l) => `${l.runId}@${l.epoch}`));
    for (const entry of asked) {
      // Lost: stop the local driver now rather than at its next (refused) append.
      if (!still.has(`${entry.lease.runId}@${entry.lease.epoch}`)) void entry.handle?.cancel('the lease was lost');
    }
  }

  const poller = setInterval(() => void claim(), pollMs);
  // Should the wake-ups fail (the log unreachable), polling carries on alone.
  const woken = deps.started?.subscribe({ next: () => void claim(), error: () => undefined });
  const beater = setInterval(() => void heartbeat(), Math.max(10, Math.floor(leaseMs / 3)));
  void claim();

  return {
    id,
    get running() {
      return held.size;
    },
    async stop({ drainMs = 0 } = {}) {
      stopping = true;
      clearInterval(poller);
      woken?.unsubscribe();
      if (held.size > 0) {
        const empty = new Promise<void>((resolve) => {
          drained = resolve;
        });
        // The timer is cleared once drained: left running it would hold the process open for all of drainMs.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([empty, new Promise((resolve) => (timer = setTimeout(resolve, drainMs)))]);
        clearTimeout(timer);
      }
      const rest = [...held.values()];
      if (rest.length > 0) {
        for (const entry of rest) entry.handedBack = true;
        await deps.queue
          .release(
            id,
            rest.map((h) => h.lease),
          )
          .catch(() => undefined);
        await Promise.all(rest.map((h) => h.handle?.cancel('handed back to the queue')));
      }
      clearInterval(beater);
    },
  };
}
