import type { PlannedTask, Usage } from '../events/types.js';

/** One message of a chat prompt. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What a model is told about a tool it may plan with. */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the tool's input, generated from its zod schema. */
  inputSchema: Record<string, unknown>;
  capabilities: readonly string[];
}

/** A finished task's result, as shown to the model for synthesis. */
export interface TaskResult {
  taskId: string;
  description: string;
  output: unknown;
}

/** A JSON Schema the reply must follow (for structured output). */
export interface OutputSchema {
  name: string;
  schema: Record<string, unknown>;
}

interface RequestBase {
  goal: string;
  /** The prompt troupe built for this request; scripted models may ignore it. */
  messages: readonly ChatMessage[];
}

/** Ask for a task graph for `goal`. `feedback` explains why the previous attempt was refused. */
export interface PlanRequest extends RequestBase {
  purpose: 'plan';
  tools: readonly ToolSpec[];
  output: OutputSchema;
  attempt: number;
  feedback?: string;
  /** Set when the model is asked to revise a running plan rather than make the first one. */
  revision?: RevisionContext;
}

/** What a model revising a running plan is told: why, and where every task stands. */
export interface RevisionContext {
  reason: string;
  tasks: readonly {
    id: string;
    description: string;
    kind: PlannedTask['kind'];
    status: string;
    dependsOn: readonly string[];
    output?: unknown;
    error?: { code: string; message: string };
  }[];
}

/** A function call a model asked for, as it wrote it. */
export interface ToolCallRequest {
  /** The call's id (the API's `tool_call.id`); its result is matched to it. */
  id: string;
  name: string;
  /** The arguments as the model wrote them: JSON text, not checked yet. */
  arguments: string;
}

/** What one call returned to the model: the tool's output, or an error it may recover from. */
export type ToolCallResult =
  | { callId: string; name: string; ok: true; output: unknown }
  | { callId: string; name: string; ok: false; error: { code: string; message: string } };

/** One model turn of a processing step that called tools, and what each call returned. */
export interface ToolTurn {
  /** Text the model wrote beside its calls (often empty). */
  content: string;
  calls: readonly ToolCallRequest[];
  /** One result per call, in the order of `calls`. */
  results: readonly ToolCallResult[];
}

/** Ask for the result of one `processing` task, given its dependencies' outputs. */
export interface ProcessRequest extends RequestBase {
  purpose: 'process';
  task: PlannedTask;
  inputs: Readonly<Record<string, unknown>>;
  /** The tools the step may call (native function calling); absent or empty: none. */
  tools?: readonly ToolSpec[];
  /** The step's earlier turns that called tools, oldest first: the model continues from them. */
  turns?: readonly ToolTurn[];
  /** A human's answer to this task's clarification question, once given. */
  answer?: string;
  /**
   * Set when the step may ask for the tasks not yet started to be revised (`revise_plan`, or a
   * reply's `revisePlan`): the run has a plan revision left (`maxReplans`).
   */
  mayRevisePlan?: boolean;
  /** Why the previous result was rejected (by the Judge or a reviewer): the retry should address it. */
  feedback?: string;
  /** The run's compacted context (older results, summarised), when it has been compacted. */
  summary?: string;
}

/** Ask for the run's final answer from its tasks' results. */
export interface SynthesizeRequest extends RequestBase {
  purpose: 'synthesize';
  results: readonly TaskResult[];
  /** The run's compacted context; `results` then holds only the results it does not cover. */
  summary?: string;
}

/** Ask for a summary of older results (and the previous summary), to shrink a run's context. */
export interface SummarizeRequest extends RequestBase {
  purpose: 'summarize';
  results: readonly TaskResult[];
  /** The summary so far, which the new one must fold in. */
  previousSummary?: string;
}

/** Ask for a score in [0, 1] of one task's result against a rubric; the reply is JSON `{ score, reasons }`. */
export interface JudgeRequest extends RequestBase {
  purpose: 'judge';
  task: PlannedTask;
  /** The task's result being judged. */
  result: unknown;
  rubric: string;
  output: OutputSchema;
}

/** Everything troupe asks a model. Discriminate on `purpose`. */
export type ModelRequest = PlanRequest | ProcessRequest | SynthesizeRequest | JudgeRequest | SummarizeRequest;

/** A model's answer. */
export interface ModelReply {
  /** The text of the answer (JSON for plans). */
  content: string;
  /** Set when the model cannot go on without a human: the question to ask. */
  clarification?: string;
  /**
   * Set when a processing step offered `mayRevisePlan` asks for the rest of the plan to be
   * revised: why. The step completes with it as its output; the Planner then revises the tasks
   * not yet started.
   */
  revisePlan?: string;
  /** Set when the model asks for tools before it answers (processing steps offered `tools`). */
  toolCalls?: readonly ToolCallRequest[];
  usage?: Usage;
  /** What the call cost in USD, from the model's price table (0 or absent when unpriced). */
  costUsd?: number;
  /** HTTP attempts the call took, retries included. @default 1 */
  attempts?: number;
}

/** One failed attempt of a model call, reported as it happens. */
export interface ModelAttempt {
  /** 1 for the first attempt. */
  attempt: number;
  error: { code: string; message: string };
  /** The HTTP status, when the server answered. */
  status?: number;
  /** The wait before the next attempt; absent when the call gives up. */
  retryInMs?: number;
}

/** How a caller watches and stops one model call. */
export interface ModelCallOptions {
  signal: AbortSignal;
  /** Called after each failed attempt (before its retry, or before giving up). */
  onAttempt?: (attempt: ModelAttempt) => void;
  /** Called with each piece of text as a streaming model produces it. */
  onToken?: (delta: string) => void;
}

/**
 * The one interface every model implements: the offline `scriptedModel` and `openaiModel`.
 * Implementations must honour `signal` and may throw `TroupeError`s.
 */
export interface Model {
  /** A name for events and metrics, e.g. `scripted` or `gpt-4o-mini`. */
  readonly name: string;
  /** The server it is reached at, recorded on `run.started` (never a key); absent for offline models. */
  readonly baseURL?: string;
  /** Who serves it, as OpenTelemetry's `gen_ai.provider.name` (e.g. `openai`). @default 'troupe' */
  readonly provider?: string;
  complete(request: ModelRequest, options: ModelCallOptions): Promise<ModelReply>;
}
