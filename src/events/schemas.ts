import { z } from 'zod';

/** `{ code, message }` of an error, as recorded in events. */
export const errorInfoSchema = z.object({ code: z.string(), message: z.string() });

/** The three kinds of task a plan may hold. */
export const taskKindSchema = z.enum(['tool_call', 'processing', 'clarification']);

/** Something the goal names that a task works on: a URL, a file path, or a quoted snippet. */
export const attachmentSchema = z.object({
  kind: z.enum(['url', 'file', 'snippet']),
  value: z.string().min(1).max(20_000),
});

/** A task as the Planner recorded it in `plan.created`. */
export const plannedTaskSchema = z.object({
  id: z.string().min(1).max(128),
  description: z.string().min(1).max(4_000),
  kind: taskKindSchema,
  dependsOn: z.array(z.string()).default([]),
  tool: z.string().optional(),
  /** Asks for any tool with this capability instead of naming one; resolved when the plan is parsed. */
  capability: z.string().optional(),
  /**
   * The tool's arguments. A string value exactly `{{<taskId>.output}}` or
   * `{{<taskId>.output.<path>}}` becomes that task's output (JSON type kept) when this task is
   * ready; inside a longer string it is interpolated as text.
   */
  input: z
    .unknown()
    .optional()
    .describe(
      'Tool arguments. A string "{{<taskId>.output}}" or "{{<taskId>.output.<key>.<index>}}" is replaced by that earlier task\'s output (its JSON type kept); inside longer text it is interpolated.',
    ),
  /** When it fails for good, the run goes on without it and skips its dependents, whatever `onTaskFailure` says. */
  optional: z.boolean().optional(),
  /** The URLs, files and snippets named in the goal that this task works on. */
  attachments: z.array(attachmentSchema).max(20).optional(),
  /** A `processing` task's allow-list of tools it may call; absent: all of the run's tools, `[]`: none. */
  tools: z.array(z.string()).max(128).optional(),
});

/** A function call a model asked for, as recorded: the arguments are its raw JSON text. */
export const toolCallRequestSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string() });

/** Token counts of one model call. */
export const usageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});

const envelope = {
  /** Position in the log, assigned when the event is appended. */
  seq: z.number().int().nonnegative(),
  id: z.string(),
  runId: z.string(),
  /** Milliseconds since the epoch. */
  ts: z.number(),
  /** The run this event belongs to. */
  correlationId: z.string(),
  /** The id of the event or command that caused this one; `null` for a run's first event. */
  causationId: z.string().nullable(),
};

const taskRef = { taskId: z.string() };

/** What every circuit-breaker event names: the circuit (a tool's or the model's name) and its kind. */
const circuitRef = { circuit: z.string(), target: z.enum(['tool', 'model']) };

const eventSchemas = [
  z.object({
    ...envelope,
    type: z.literal('run.started'),
    goal: z.string(),
    /** How the run treats a task that fails for good; absent in runs recorded before policies. */
    policy: z
      .object({
        onTaskFailure: z.enum(['fail-run', 'continue', 'replan']),
        maxReplans: z.number().int().nonnegative(),
      })
      .optional(),
    /** The model the run started on (name and server, never a key), so a resume can use it again. */
    model: z.object({ name: z.string(), baseURL: z.string().optional() }).optional(),
  }),
  z.object({
    ...envelope,
    type: z.literal('plan.created'),
    attempt: z.number().int().positive(),
    tasks: z.array(plannedTaskSchema),
  }),
  z.object({
    ...envelope,
    type: z.literal('plan.revised'),
    /** 1 for the run's first revision. */
    revision: z.number().int().positive(),
    /** Why the plan was revised: the failure it answers, or the model's own request. */
    reason: z.string(),
    /** Tasks added, or replacing not-started tasks of the same id. */
    tasks: z.array(plannedTaskSchema),
    /** Not-started tasks removed from the plan. */
    dropped: z.array(z.string()),
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('plan.revision_requested'),
    /**
     * Why the processing step `taskId` asked for the rest of the plan to be revised (its model
     * called `revise_plan`). Recorded with the step's `task.completed`; the next `plan.revised`
     * answers it.
     */
    reason: z.string(),
  }),
  z.object({
    ...envelope,
    type: z.literal('plan.rejected'),
    attempt: z.number().int().positive(),
    error: errorInfoSchema,
    output: z.string(),
    /** Set when a revision of a running plan was refused: the revision it was asked as. */
    revision: z.number().int().positive().optional(),
  }),
  z.object({
    ...envelope,
    type: z.literal('model.called'),
    purpose: z.string(),
    model: z.string(),
    usage: usageSchema,
    durationMs: z.number().nonnegative(),
    /** The processing task the call served; absent for plan, synthesis and summaries. */
    taskId: z.string().optional(),
    /** From the model's price table; 0 when the model is unpriced. */
    costUsd: z.number().nonnegative().default(0),
    /** HTTP attempts the call took (each failed one is a `model.attempt_failed`). */
    attempts: z.number().int().positive().default(1),
    /** The tools a processing step's reply asked for (a tool-calling turn); absent when it answered. */
    toolCalls: z.array(toolCallRequestSchema).optional(),
    /** The text the model wrote beside `toolCalls`. */
    text: z.string().optional(),
  }),
  z.object({
    ...envelope,
    type: z.literal('model.attempt_failed'),
    purpose: z.string(),
    model: z.string(),
    taskId: z.string().optional(),
    attempt: z.number().int().positive(),
    error: errorInfoSchema,
    /** The HTTP status, when the server answered. */
    status: z.number().int().optional(),
    /** The wait before the next attempt; absent when the call gave up. */
    retryInMs: z.number().nonnegative().optional(),
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('task.started'),
    attempt: z.number().int().positive(),
    /** The task's input with its `{{<id>.output…}}` references resolved; absent when it had none. */
    input: z.unknown().optional(),
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('task.skipped'),
    /** The dependency that failed (or was itself skipped), so this task can never run. */
    dependency: z.string(),
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('task.retrying'),
    attempt: z.number().int().positive(),
    delayMs: z.number().nonnegative(),
    error: errorInfoSchema,
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('task.completed'),
    output: z.unknown(),
    durationMs: z.number().nonnegative(),
    /**
     * The idempotency key of the tool call whose outcome `output` is (a `tool_call` task that
     * completed with its call): the completion is also the call's record, instead of a separate
     * `tool.succeeded`.
     */
    idempotencyKey: z.string().optional(),
    /** The tool that produced `output`, with `idempotencyKey`. */
    tool: z.string().optional(),
    /** What the response filter took out of `output`: kinds and paths, never the values. */
    redactions: z.array(z.object({ path: z.string(), kind: z.string() })).optional(),
  }),
  z.object({ ...envelope, ...taskRef, type: z.literal('task.clarification_requested'), question: z.string() }),
  z.object({ ...envelope, ...taskRef, type: z.literal('task.answered'), answer: z.string() }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('task.failed'),
    error: errorInfoSchema,
    /** Every attempt's error, oldest first, ending with `error`. */
    history: z.array(errorInfoSchema).optional(),
    /** What the task was, for whoever reads the failure without the plan at hand. */
    task: z
      .object({
        description: z.string(),
        kind: taskKindSchema,
        tool: z.string().optional(),
        attempts: z.number().int(),
      })
      .optional(),
  }),
  z.object({
    ...envelope,
    type: z.literal('context.compacted'),
    summary: z.string(),
    throughSeq: z.number().int(),
    /** The tasks whose results the summary now stands for in prompts. */
    taskIds: z.array(z.string()).default([]),
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('subagent.completed'),
    /** The sub-agent's idempotency key; its parent's (absent at depth 1) rebuilds the tree. */
    idempotencyKey: z.string(),
    parentKey: z.string().optional(),
    depth: z.number().int().positive(),
    index: z.number().int().nonnegative(),
    args: z.unknown(),
    output: z.unknown(),
    success: z.boolean(),
    error: errorInfoSchema.optional(),
    durationMs: z.number().nonnegative(),
    costUsd: z.number().nonnegative(),
    cached: z.boolean(),
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('tool.succeeded'),
    tool: z.string(),
    /** The call's idempotency key: a recorded outcome is returned instead of calling the tool again. */
    idempotencyKey: z.string(),
    output: z.unknown(),
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('tool.called'),
    /** The call's id in its model turn (`toolCalls[].id` of that turn's `model.called`). */
    callId: z.string(),
    /** The model turn of the step's attempt that asked for the call, from 1. */
    turn: z.number().int().positive(),
    tool: z.string(),
    /** The parsed arguments, or their raw text when they were not JSON. */
    input: z.unknown(),
    /** Absent when the call never reached the tool (unknown tool, arguments not JSON). */
    idempotencyKey: z.string().optional(),
    durationMs: z.number().nonnegative(),
    output: z.unknown().optional(),
    /** Set when the call failed; the model was given it as a tool error. */
    error: errorInfoSchema.optional(),
    /** The outcome of an earlier recorded call with the same key was returned; the tool did not run. */
    cached: z.boolean().optional(),
  }),
  z.object({ ...envelope, type: z.literal('run.completed'), answer: z.string() }),
  z.object({ ...envelope, type: z.literal('run.failed'), error: errorInfoSchema }),
  z.object({ ...envelope, type: z.literal('run.cancelled'), reason: z.string() }),
  // Planner–Worker–Judge: verdicts, the review queue, global state and spend.
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('judge.scored'),
    attempt: z.number().int().nonnegative(),
    verdict: z.enum(['accepted', 'rejected', 'review']),
    /** `null` when the judge failed or answered junk (the result then goes to review). */
    score: z.number().min(0).max(1).nullable(),
    reasons: z.array(z.string()),
    error: errorInfoSchema.optional(),
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('review.requested'),
    reviewId: z.string(),
    /** `result`: a judged result in the middle band; `budget`: a spend above the review threshold. */
    kind: z.enum(['result', 'budget']),
    score: z.number().nullable(),
    reasons: z.array(z.string()),
    /** The result waiting for a decision (absent for a budget review). */
    output: z.unknown().optional(),
    durationMs: z.number().nonnegative().default(0),
    amountUsd: z.number().nonnegative().optional(),
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('review.decided'),
    reviewId: z.string(),
    decision: z.enum(['approved', 'rejected']),
    note: z.string().optional(),
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('state.committed'),
    key: z.string(),
    version: z.number().int().positive(),
    value: z.unknown(),
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('state.conflicted'),
    key: z.string(),
    expectedVersion: z.number().int().nonnegative(),
    actualVersion: z.number().int().nonnegative(),
    attempt: z.number().int().positive(),
  }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('budget.spent'),
    tool: z.string(),
    amountUsd: z.number().nonnegative(),
    counterparty: z.string().optional(),
  }),
  z.object({
    ...envelope,
    ...circuitRef,
    type: z.literal('circuit.opened'),
    /** Failures counted in the window when it opened. */
    failures: z.number().int().nonnegative(),
    error: errorInfoSchema.optional(),
  }),
  z.object({ ...envelope, ...circuitRef, type: z.literal('circuit.half_opened') }),
  z.object({ ...envelope, ...circuitRef, type: z.literal('circuit.closed') }),
  z.object({
    ...envelope,
    ...taskRef,
    type: z.literal('task.fell_back'),
    /** The tool whose circuit was open, and the fallback tried instead. */
    from: z.string(),
    to: z.string(),
    error: errorInfoSchema,
  }),
] as const;

/** The schema of every troupe event: one discriminated union on `type`. */
export const troupeEventSchema = z.discriminatedUnion('type', eventSchemas);
