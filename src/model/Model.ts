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
}

/** Ask for the result of one `processing` task, given its dependencies' outputs. */
export interface ProcessRequest extends RequestBase {
  purpose: 'process';
  task: PlannedTask;
  inputs: Readonly<Record<string, unknown>>;
  /** A human's answer to this task's clarification question, once given. */
  answer?: string;
}

/** Ask for the run's final answer from its tasks' results. */
export interface SynthesizeRequest extends RequestBase {
  purpose: 'synthesize';
  results: readonly TaskResult[];
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
export type ModelRequest = PlanRequest | ProcessRequest | SynthesizeRequest | JudgeRequest;

/** A model's answer. */
export interface ModelReply {
  /** The text of the answer (JSON for plans). */
  content: string;
  /** Set when the model cannot go on without a human: the question to ask. */
  clarification?: string;
  usage?: Usage;
}

/**
 * The one interface every model implements: the offline `scriptedModel` and `openaiModel`.
 * Implementations must honour `signal` and may throw `TroupeError`s.
 */
export interface Model {
  /** A name for events and metrics, e.g. `scripted` or `gpt-4o-mini`. */
  readonly name: string;
  complete(request: ModelRequest, options: { signal: AbortSignal }): Promise<ModelReply>;
}
