import type { TroupeEvent } from '../events/types.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import type { CircuitState, Metrics } from './metrics.js';
import { OpenItems } from './OpenItems.js';
import { RateWindow } from './RateWindow.js';

/** An event read loosely: the Monitor must fold event types added after it was written. */
interface LooseEvent {
  type: string;
  runId: string;
  seq: number;
  ts: number;
  taskId?: unknown;
  error?: { code?: unknown };
  usage?: { inputTokens?: unknown; outputTokens?: unknown };
  costUsd?: unknown;
  [field: string]: unknown;
}

interface TaskInfo {
  kind: string;
  tool: string | undefined;
  running: boolean;
  started: boolean;
}

const circuitStates: Record<string, CircuitState> = {
  opened: 'open',
  open: 'open',
  closed: 'closed',
  half_opened: 'half_open',
  half_open: 'half_open',
};

function bump(map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

function histogram(map: Map<string, LatencyHistogram>, key: string): LatencyHistogram {
  let h = map.get(key);
  if (h === undefined) {
    h = new LatencyHistogram();
    map.set(key, h);
  }
  return h;
}

function summaries(map: Map<string, LatencyHistogram>): Record<string, LatencySummary> {
  const out: Record<string, LatencySummary> = {};
  for (const [key, h] of map) out[key] = h.summary();
  return out;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/**
 * Folds troupe events into metrics in O(1) per event. Memory is bounded by what is in flight
 * (the tasks of active runs) plus one fixed-size histogram per kind, tool and model purpose:
 * finished tasks and runs are forgotten, only their counts stay. Unknown event types are
 * counted by type and read for the fields every event may carry (`error`, `usage`, `costUsd`).
 *
 * @example
 * const recorder = new MetricsRecorder({ concurrency: 16 });
 * for (const event of await log.read(runId)) recorder.fold(event);
 * recorder.snapshot().tasks.completed
 * // => 3
 */
export class MetricsRecorder {
  private readonly concurrency: number | null;
  private readonly byType = new Map<string, number>();
  private readonly errorsByCode = new Map<string, number>();
  private readonly costByType = new Map<string, number>();
  private readonly byKind = new Map<string, LatencyHistogram>();
  private readonly byTool = new Map<string, LatencyHistogram>();
  private readonly byPurpose = new Map<string, LatencyHistogram>();
  private readonly completions = new RateWindow();
  private readonly runs = new Map<string, Map<string, TaskInfo>>();
  private readonly circuits = new Map<string, CircuitState>();
  /** Questions asked and not answered, by task; a task that fails or a run that ends closes them. */
  private readonly questions = new OpenItems();
  /** Reviews requested and not decided, by review id; a run that ends closes them. */
  private readonly reviews = new OpenItems();
  private readonly c = {
    events: 0,
    lastSeq: -1,
    lastTs: 0,
    runsStarted: 0,
    runsCompleted: 0,
    runsFailed: 0,
    runsCancelled: 0,
    planned: 0,
    queued: 0,
    running: 0,
    attempts: 0,
    completed: 0,
    failed: 0,
    retries: 0,
    modelCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    reviewsRequested: 0,
    approved: 0,
    rejected: 0,
    clarifications: 0,
    answered: 0,
  };
  /** Set to false when the event stream failed or ended. */
  live = true;

  constructor(options: { concurrency?: number } = {}) {
    this.concurrency = options.concurrency ?? null;
  }

  /** Folds one event. */
  fold(input: TroupeEvent): void {
    const event = input as unknown as LooseEvent;
    const c = this.c;
    c.events += 1;
    c.lastSeq = event.seq;
    c.lastTs = event.ts;
    bump(this.byType, event.type);
    const code = event.error?.code;
    if (typeof code === 'string') bump(this.errorsByCode, code);
    if (event.usage !== undefined && event.usage !== null) {
      c.inputTokens += num(event.usage.inputTokens);
      c.outputTokens += num(event.usage.outputTokens);
    }
    const cost = num(event.costUsd);
    if (cost > 0) {
      c.costUsd += cost;
      bump(this.costByType, event.type, cost);
    }
    if (event.type.startsWith('circuit.')) this.foldCircuit(event);
    else if (event.type === 'review.requested') {
      // A result waiting for a human holds no executor slot.
      c.reviewsRequested += 1;
      if (typeof event.reviewId === 'string') this.reviews.add(event.runId, event.reviewId);
      if (typeof event.taskId === 'string') this.finish(event.runId, event.taskId, false);
    } else if (event.type === 'review.decided') {
      if (event.decision === 'approved') c.approved += 1;
      else c.rejected += 1;
      if (typeof event.reviewId === 'string') this.reviews.delete(event.runId, event.reviewId);
    } else this.foldKnown(input);
  }

  private foldKnown(event: TroupeEvent): void {
    const c = this.c;
    switch (event.type) {
      case 'run.started':
        c.runsStarted += 1;
        if (!this.runs.has(event.runId)) this.runs.set(event.runId, new Map());
        return;
      case 'plan.created': {
        let tasks = this.runs.get(event.runId);
        if (tasks === undefined) {
          tasks = new Map();
          this.runs.set(event.runId, tasks);
        }
        for (const t of event.tasks) tasks.set(t.id, { kind: t.kind, tool: t.tool, running: false, started: false });
        c.planned += event.tasks.length;
        c.queued += event.tasks.length;
        return;
      }
      case 'task.started': {
        c.attempts += 1;
        const info = this.task(event.runId, event.taskId);
        if (info === undefined || info.running) return;
        info.running = true;
        c.running += 1;
        if (!info.started) {
          info.started = true;
          c.queued -= 1;
        }
        return;
      }
      case 'task.retrying':
        c.retries += 1;
        return;
      case 'task.completed': {
        c.completed += 1;
        this.completions.record(event.ts);
        const info = this.finish(event.runId, event.taskId, true);
        histogram(this.byKind, info?.kind ?? 'unknown').record(event.durationMs);
        if (info?.tool !== undefined) histogram(this.byTool, info.tool).record(event.durationMs);
        return;
      }
      case 'task.failed':
        c.failed += 1;
        this.questions.delete(event.runId, event.taskId);
        this.finish(event.runId, event.taskId, true);
        return;
      case 'task.clarification_requested':
        c.clarifications += 1;
        this.questions.add(event.runId, event.taskId);
        this.finish(event.runId, event.taskId, false);
        return;
      case 'task.answered':
        c.answered += 1;
        this.questions.delete(event.runId, event.taskId);
        return;
      case 'model.called':
        c.modelCalls += 1;
        histogram(this.byPurpose, event.purpose).record(event.durationMs);
        return;
      case 'run.completed':
      case 'run.failed':
      case 'run.cancelled':
        if (event.type === 'run.completed') c.runsCompleted += 1;
        else if (event.type === 'run.failed') c.runsFailed += 1;
        else c.runsCancelled += 1;
        this.endRun(event.runId);
        this.questions.endRun(event.runId);
        this.reviews.endRun(event.runId);
        return;
      default:
        return;
    }
  }

  private foldCircuit(event: LooseEvent): void {
    const name = [event.circuit, event.tool, event.name].find((v) => typeof v === 'string') as string | undefined;
    const raw = typeof event.state === 'string' ? event.state : event.type.slice('circuit.'.length);
    const state = circuitStates[raw];
    if (name !== undefined && state !== undefined) this.circuits.set(name, state);
  }

  private task(runId: string, taskId: string): TaskInfo | undefined {
    return this.runs.get(runId)?.get(taskId);
  }

  /** Stops counting a task as running; forgets it once it reached a final state. */
  private finish(runId: string, taskId: string, final: boolean): TaskInfo | undefined {
    const tasks = this.runs.get(runId);
    const info = tasks?.get(taskId);
    if (info === undefined) return undefined;
    if (info.running) {
      info.running = false;
      this.c.running -= 1;
    }
    if (final) {
      if (!info.started) this.c.queued -= 1;
      tasks?.delete(taskId);
    }
    return info;
  }

  /** A finished run's tasks no longer count as queued or running. */
  private endRun(runId: string): void {
    const tasks = this.runs.get(runId);
    if (tasks === undefined) return;
    for (const info of tasks.values()) {
      if (info.running) this.c.running -= 1;
      if (!info.started) this.c.queued -= 1;
    }
    this.runs.delete(runId);
  }

  /** The metrics as they stand; rates are measured up to `now` (default: the last event's time). */
  snapshot(now: number = this.c.lastTs): Metrics {
    const c = this.c;
    const active = this.runs.size;
    const slots = this.concurrency === null ? null : this.concurrency * active;
    return {
      at: now,
      live: this.live,
      events: { total: c.events, lastSeq: c.lastSeq, byType: Object.fromEntries(this.byType) },
      runs: {
        started: c.runsStarted,
        active,
        completed: c.runsCompleted,
        failed: c.runsFailed,
        cancelled: c.runsCancelled,
      },
      tasks: {
        planned: c.planned,
        queued: c.queued,
        running: c.running,
        completed: c.completed,
        failed: c.failed,
        retries: c.retries,
        perSecond: this.completions.perSecond(now, 10),
      },
      latency: { byKind: summaries(this.byKind), byTool: summaries(this.byTool) },
      errors: {
        byCode: Object.fromEntries(this.errorsByCode),
        taskFailureRate: ratio(c.failed, c.completed + c.failed),
        attemptErrorRate: ratio(c.retries + c.failed, c.attempts),
      },
      executor: {
        concurrency: this.concurrency,
        running: c.running,
        utilisation: slots === null ? null : ratio(c.running, slots),
      },
      model: {
        calls: c.modelCalls,
        inputTokens: c.inputTokens,
        outputTokens: c.outputTokens,
        latencyByPurpose: summaries(this.byPurpose),
      },
      cost: { totalUsd: c.costUsd, byType: Object.fromEntries(this.costByType) },
      circuits: Object.fromEntries(this.circuits),
      reviews: {
        requested: c.reviewsRequested,
        pending: this.reviews.size,
        approved: c.approved,
        rejected: c.rejected,
      },
      clarifications: { requested: c.clarifications, pending: this.questions.size, answered: c.answered },
    };
  }
}
