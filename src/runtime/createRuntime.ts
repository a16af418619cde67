import { randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import { type Actor, toPromise } from 'xstate';
import { startMonitor } from '../../actors/monitor.js';
import { startPlanner } from '../../actors/planner.js';
import type { plannerMachine } from '../../machines/planner.js';
import { ConfigError, TroupeError } from '../errors.js';
import { endsRun, type TroupeEvent } from '../events/types.js';
import { createReviewQueue, type LiveRun, type ReviewQueue } from '../judge/reviewQueue.js';
import { swarmDeps } from '../judge/swarmOptions.js';
import type { EventLog } from '../log/EventLog.js';
import { memoryLog } from '../log/memoryLog.js';
import { isSharedLog, type RunQueue } from '../log/RunQueue.js';
import { startTrigger, type Trigger, type TriggerOptions } from '../mcp/trigger.js';
import type { ModelToken } from '../model/callModel.js';
import { scriptedModel } from '../model/scriptedModel.js';
import type { Metrics } from '../monitor/metrics.js';
import { limitTool } from '../policies/limitTool.js';
import { runCircuits, sessionReporter } from '../policies/runCircuits.js';
import { evolve } from '../run/evolve.js';
import { RunSession } from '../run/RunSession.js';
import { initialRunState, isFinished, type RunPolicy, type RunState, type TaskFailurePolicy } from '../run/state.js';
import { assertSafeInput } from '../security/injection.js';
import { eventRedactor } from '../security/redactEvent.js';
import { redactorFromOptions } from '../security/redactionOptions.js';
import type { Tool } from '../tools/defineTool.js';
import { OutcomeStore } from '../tools/outcomeStore.js';
import { registeredOtel } from '../tracing/otelApi.js';
import { traceRun, tracingEnabled } from '../tracing/runTracing.js';
import type { DashboardServer, ServeOptions } from '../ui/DashboardSource.js';
import { defer, filter, from, type Observable, Subject, switchMap, takeWhile } from '../util/rx.js';
import { startDashboard } from './dashboard.js';
import { failurePolicySchema, type ResolvedOptions, type RuntimeOptions, resolveOptions } from './options.js';
import { type RunResult, resultOf } from './runResult.js';
import { startWorker, type Worker, type WorkOptions } from './worker.js';

/** A run in progress. */
export interface RunHandle {
  readonly runId: string;
  /** This run's events from its first on, completing after its last (`run.completed`, `run.failed` or `run.cancelled`). */
  readonly events$: Observable<TroupeEvent>;
  /** How the run ended; resolves (never rejects) once its last event is durable. */
  readonly result: Promise<RunResult>;
  /** Answers a task waiting in `NeedsClarification`; the task runs again with the answer. */
  answer(taskId: string, text: string): Promise<void>;
  /** Stops the run: running tasks are aborted and the run ends `cancelled`. */
  cancel(reason?: string): Promise<RunResult>;
  /** This run's streamed model text (from streaming models), live only: never recorded. */
  readonly tokens$: Observable<ModelToken>;
}

/** Options of one run. */
export interface RunOptions {
  /** The run's id. @default a random UUID */
  runId?: string;
  /** What this run does when a task fails for good. @default the runtime's `onTaskFailure` */
  onTaskFailure?: TaskFailurePolicy;
  /** Revisions of the plan this run may make. @default the runtime's `maxReplans` */
  maxReplans?: number;
}

function runPolicy(options: RunOptions, resolved: ResolvedOptions): RunPolicy {
  const policy = {
    onTaskFailure: options.onTaskFailure ?? resolved.onTaskFailure,
    maxReplans: options.maxReplans ?? resolved.maxReplans,
  };
  const issues: string[] = [];
  if (!failurePolicySchema.safeParse(policy.onTaskFailure).success) {
    issues.push(
      `Expected \`onTaskFailure\` to be 'fail-run', 'continue' or 'replan', got \`${JSON.stringify(policy.onTaskFailure)}\``,
    );
  }
  if (!Number.isInteger(policy.maxReplans) || policy.maxReplans < 0) {
    issues.push(`Expected \`maxReplans\` to be an integer ≥ 0, got \`${String(policy.maxReplans)}\``);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return policy;
}

/** A troupe runtime: runs goals, records them, and replays them. */
export interface Runtime {
  /** Starts a run for `goal`. Throws `GOAL_INVALID` for an empty or oversized goal, `UnsafeInputError` when the injection screen blocks it (nothing is recorded). */
  run(goal: string, options?: RunOptions): RunHandle;
  /** Continues a run from its log: tasks cut off mid-flight run again; recorded results stay. */
  resume(runId: string): Promise<RunHandle>;
  /**
   * Records a run for any worker to take (`work()`, here or in another process) and resolves
   * with its id once it is durable and queued. Needs a log shared by processes (`postgresLog`);
   * other logs fail with `CONFIG_INVALID`. Goals are checked as `run` checks them.
   */
  submit(goal: string, options?: RunOptions): Promise<string>;
  /**
   * Makes this process a worker of the shared log: it takes submitted runs, and runs whose
   * owner's lease expired, up to `maxRuns` at once, and drives them under a lease whose every
   * append is fenced (see `WorkOptions`). `stop()` drains, then hands back what it still holds.
   */
  work(options?: WorkOptions): Worker;
  /** The state of a run folded from its log, up to and including `untilSeq` when given. */
  replay(runId: string, options?: { untilSeq?: number }): Promise<RunState>;
  /** Watches a resource (e.g. of an MCP server) and starts a run for each new content. */
  trigger(options: TriggerOptions): Trigger<RunHandle>;
  /** The human review queue: results the Judge was unsure of, and spends above the budget's threshold. */
  readonly reviews: ReviewQueue;
  /** Every event appended from now on, of every run. */
  readonly events$: Observable<TroupeEvent>;
  /** Streamed model text of every run, live only: tokens are not events (see `callModel`). */
  readonly tokens$: Observable<ModelToken>;
  /** What the Monitor folded from every event since the runtime started: rates, latencies, errors, cost. */
  metrics(): Metrics;
  /** Serves the live dashboard, `/metrics`, `/healthz` and `/readyz` (127.0.0.1:4400 by default). */
  serve(options?: ServeOptions): Promise<DashboardServer>;
  /** Stops workers (handing their runs back), cancels runs still going, waits for their last events, and closes the log. */
  close(): Promise<void>;
}

function sharedQueue(log: EventLog, what: string): RunQueue {
  if (!isSharedLog(log)) {
    throw new ConfigError([
      `Expected \`log\` to be shared by processes (postgresLog) for \`${what}\`, got a log of this process only`,
    ]);
  }
  return log.queue;
}

function checkGoal(goal: unknown, max: number): string {
  if (typeof goal !== 'string' || goal.trim() === '') {
    throw new TroupeError(
      'GOAL_INVALID',
      `Expected \`goal\` to be a non-empty string, got \`${JSON.stringify(goal)}\``,
    );
  }
  if (goal.length > max) {
    throw new TroupeError(
      'GOAL_INVALID',
      `Expected \`goal\` to be at most ${max} characters (maxGoalLength), got ${goal.length}`,
    );
  }
  return goal;
}

/**
 * Creates a runtime. Every option is validated at once (`ConfigError` lists each bad field).
 *
 * @example
 * const runtime = createRuntime({ tools: [add], model: scriptedModel({ plan }) });
 * const handle = runtime.run('add 1 and 2');
 * const result = await handle.result;
 * result.status
 * // => 'completed'
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const resolved: ResolvedOptions = resolveOptions(options, { model: () => scriptedModel(), log: memoryLog });
  const { log } = resolved;
  const redactor = redactorFromOptions(resolved.redaction);
  const redactEvents = redactor === undefined ? undefined : eventRedactor(redactor);
  const tools = new Map<string, Tool>(resolved.tools.map((t) => [t.name, limitTool(t, resolved.toolLimits[t.name])]));
  const swarm = swarmDeps(options, resolved.model);
  const live = new Map<string, LiveRun>();
  const active = new Set<RunHandle>();
  const outcomes = new OutcomeStore(log);
  const tokens = new Subject<ModelToken>();
  let closed = false;
  const monitor = startMonitor({
    events$: log.subscribe(),
    concurrency: resolved.concurrency,
    ...(resolved.inspect === undefined ? {} : { inspect: resolved.inspect }),
  });
  const dashboards = new Set<DashboardServer>();
  const workers = new Set<Worker>();

  function launch(
    session: RunSession,
    started: Promise<readonly TroupeEvent[]>,
    firstSeq: Promise<number>,
    trace: { parent: Context | undefined; resumed: boolean },
  ): RunHandle {
    // A log that refuses the first event fails `events$` for its subscribers; unwatched, it must not go unhandled.
    firstSeq.catch(() => undefined);
    let actor: Actor<typeof plannerMachine> | undefined;
    let cancelReason: string | undefined;
    // Spans come from the run's events (from its first, so a resumed run is traced whole), and
    // only when an OpenTelemetry SDK is registered.
    const traced = tracingEnabled()
      ? firstSeq.then((seq) =>
          traceRun(log, seq, {
            runId: session.runId,
            parent: trace.parent,
            provider: resolved.model.provider ?? 'troupe',
            resumed: trace.resumed,
          }),
        )
      : undefined;
    const finished = started
      .then(() => traced)
      .then((tracer) => {
        if (isFinished(session.state)) return;
        // Cancelled before it began: record that, rather than start a planner that asks the model first.
        if (cancelReason !== undefined) {
          return session.execute({ type: 'cancel', reason: cancelReason }).then(() => undefined);
        }
        const circuits = runCircuits(resolved.circuitBreaker, {
          tools,
          model: resolved.model,
          report: sessionReporter(session),
        });
        actor = startPlanner({
          session,
          outcomes,
          model: circuits?.model ?? resolved.model,
          ...(circuits === undefined ? {} : { circuits }),
          tools,
          concurrency: resolved.concurrency,
          taskTimeoutMs: resolved.taskTimeoutMs,
          retry: resolved.retry,
          maxPlanAttempts: resolved.maxPlanAttempts,
          maxTasks: resolved.maxTasks,
          maxToolCalls: resolved.maxToolCalls,
          modelTimeoutMs: resolved.modelTimeoutMs,
          ...(swarm === undefined ? {} : { swarm }),
          ...(tracer === undefined ? {} : { tracer }),
          onToken: (token) => tokens.next(token),
          ...(resolved.compaction === undefined ? {} : { compaction: resolved.compaction }),
          ...(resolved.inspect === undefined ? {} : { inspect: resolved.inspect }),
        });
        return toPromise(actor).then(() => undefined);
      })
      .then(() => session.durable())
      .catch(() => undefined)
      .then(() => resultOf(session));

    const handle: RunHandle = {
      runId: session.runId,
      result: finished,
      events$: defer(() => from(firstSeq)).pipe(
        switchMap((seq) => log.subscribe(seq)),
        filter((event) => event.runId === session.runId),
        takeWhile((event) => !endsRun(event), true),
      ),
      tokens$: tokens.pipe(filter((token) => token.runId === session.runId)),
      async answer(taskId, text) {
        if (typeof text !== 'string' || text.trim() === '') {
          throw new TroupeError('INVALID_STATE', `Expected the answer to \`${taskId}\` to be a non-empty string`);
        }
        assertSafeInput(text, { source: 'answer', policy: resolved.screening });
        await session.execute({ type: 'answer', taskId, answer: text });
        actor?.send({ type: 'ANSWER', taskId });
      },
      cancel(reason = 'cancelled by the caller') {
        cancelReason ??= reason;
        // A finished run's actor is stopped: sending to it would only print XState's warning.
        if (actor?.getSnapshot().status === 'active') actor.send({ type: 'CANCEL', reason });
        return finished;
      },
    };
    active.add(handle);
    // A review decided through `runtime.reviews` wakes its task the way an answer does.
    live.set(session.runId, { session, wake: (taskId) => actor?.send({ type: 'ANSWER', taskId }) });
    void finished.then(() => {
      live.delete(session.runId);
      active.delete(handle);
      outcomes.forget(session.runId);
    });
    return handle;
  }

  /** Continues `runId` from the log, writing its events through `writeTo` (a lease's fenced view for workers). */
  async function resumeOn(runId: string, writeTo: EventLog): Promise<RunHandle> {
    ensureOpen();
    const parent = registeredOtel()?.context.active();
    const events = await log.read(runId);
    if (events.length === 0) throw new TroupeError('RUN_NOT_FOUND', `No run \`${runId}\` in the log`);
    const state = events.reduce(evolve, initialRunState(runId));
    // Global state is rebuilt from the run's commits (idempotent: versions already held are skipped).
    for (const event of events) if (event.type === 'state.committed') swarm?.globalState?.apply(event);
    outcomes.hydrate(runId, events);
    const session = new RunSession(writeTo, runId, state, redactEvents);
    const firstSeq = Promise.resolve((events[0] as TroupeEvent).seq);
    if (isFinished(state)) return launch(session, Promise.resolve(events), firstSeq, { parent, resumed: false });
    return launch(session, session.execute({ type: 'continue' }), firstSeq, { parent, resumed: true });
  }

  function ensureOpen(): void {
    if (closed) throw new TroupeError('LOG_CLOSED', 'The runtime is closed');
  }

  const runtime: Runtime = {
    events$: defer(() => log.subscribe()),
    reviews: createReviewQueue({
      log,
      live,
      openSession: (runId, state) => new RunSession(log, runId, state, redactEvents),
    }),
    tokens$: tokens.asObservable(),
    run(goal, runOptions = {}) {
      ensureOpen();
      const text = checkGoal(goal, resolved.maxGoalLength);
      assertSafeInput(text, { source: 'goal', policy: resolved.screening });
      const policy = runPolicy(runOptions, resolved);
      const session = new RunSession(log, runOptions.runId ?? randomUUID(), undefined, redactEvents);
      const { name, baseURL } = resolved.model;
      const model = baseURL === undefined ? { name } : { name, baseURL };
      const started = session.execute({ type: 'start', goal: text, policy, model });
      return launch(
        session,
        started,
        started.then((events) => (events[0] as TroupeEvent).seq),
        { parent: registeredOtel()?.context.active(), resumed: false },
      );
    },
    resume: (runId) => resumeOn(runId, log),
    async submit(goal, runOptions = {}) {
      ensureOpen();
      const queue = sharedQueue(log, 'submit');
      const text = checkGoal(goal, resolved.maxGoalLength);
      assertSafeInput(text, { source: 'goal', policy: resolved.screening });
      const policy = runPolicy(runOptions, resolved);
      const runId = runOptions.runId ?? randomUUID();
      const queued: EventLog = { ...log, append: (events) => queue.submit(events) };
      await new RunSession(queued, runId, undefined, redactEvents).execute({ type: 'start', goal: text, policy });
      return runId;
    },
    work(workOptions) {
      ensureOpen();
      const queue = sharedQueue(log, 'work');
      const started = log.subscribe().pipe(filter((event) => event.type === 'run.started'));
      const worker = startWorker({ queue, resume: resumeOn, started }, workOptions);
      workers.add(worker);
      return worker;
    },
    trigger(triggerOptions) {
      ensureOpen();
      return startTrigger((goal) => runtime.run(goal), triggerOptions);
    },
    async replay(runId, { untilSeq } = {}) {
      const events = await log.read(runId);
      if (events.length === 0) throw new TroupeError('RUN_NOT_FOUND', `No run \`${runId}\` in the log`);
      const state = initialRunState(runId);
      for (const event of events) {
        if (untilSeq !== undefined && event.seq > untilSeq) break;
        evolve(state, event);
      }
      return state;
    },
    metrics: () => monitor.metrics(Date.now()),
    async serve(serveOptions) {
      ensureOpen();
      const dashboard = await startDashboard(
        {
          log,
          metrics: () => monitor.metrics(Date.now()),
          checks: () => ({ log: !closed && monitor.live(), monitor: monitor.live() }),
          answer(runId, taskId, text) {
            const handle = [...active].find((h) => h.runId === runId);
            if (handle === undefined) throw new TroupeError('RUN_NOT_FOUND', `Run \`${runId}\` is not running here`);
            return handle.answer(taskId, text);
          },
          reviews: runtime.reviews,
        },
        serveOptions,
        resolved.inspect,
      );
      dashboards.add(dashboard);
      return dashboard;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Shared runs go back to the queue rather than being cancelled for every process.
      await Promise.all([...workers].map((worker) => worker.stop()));
      await Promise.all([...dashboards].map((dashboard) => dashboard.close()));
      await Promise.all([...active].map((handle) => handle.cancel('the runtime was closed')));
      await Promise.all(resolved.closeWith.map((resource) => resource.close()));
      await log.close();
      monitor.stop();
    },
  };
  return runtime;
}
