import type { PlannedTask } from '../events/types.js';
import { raceAbort } from '../util/abort.js';
import type {
  JudgeRequest,
  Model,
  ModelReply,
  PlanRequest,
  ProcessRequest,
  SummarizeRequest,
  SynthesizeRequest,
  TaskResult,
} from './Model.js';

/** A plan (or, when `request.revision` is set, a revision with `drop`) as a scripted model returns it: an object (sent as JSON) or raw text (sent as is). */
export type ScriptedPlan = { tasks: readonly ScriptedTask[]; drop?: readonly string[] } | string;

/** A task in a scripted plan; `dependsOn` defaults to none. */
export interface ScriptedTask {
  id: string;
  description: string;
  kind: PlannedTask['kind'];
  dependsOn?: readonly string[];
  tool?: string;
  input?: unknown;
  /** A processing task's allow-list of tools; absent: all of the run's tools. */
  tools?: readonly string[];
  /** The run goes on without this task if it fails. */
  optional?: boolean;
}

/**
 * A tool call a scripted step asks for. `arguments` is sent as JSON, or as is when it is a
 * string (so a script can send junk); `id` defaults to `call-<turn>-<index>`.
 */
export interface ScriptedToolCall {
  name: string;
  arguments?: unknown;
  id?: string;
}

/**
 * What a scripted processing step returns: its output, a question for a human, a request that
 * the rest of the plan be revised (`{ revisePlan: reason }`, only when `request.mayRevisePlan`:
 * the step completes with the reason as its output, then the `plan` handler is asked for a
 * revision), or tool calls (with optional text beside them). After tool calls the step is
 * asked again with `request.turns` holding each call and its result, until it returns its output.
 */
export type ScriptedProcessResult =
  | string
  | { clarify: string }
  | { revisePlan: string }
  | { toolCalls: readonly ScriptedToolCall[]; content?: string };

/** The handlers of a scripted model; each may be async. */
export interface Script {
  /**
   * Returns the plan for a goal.
   * @default one `processing` task that answers the goal
   */
  plan?: (goal: string, request: PlanRequest) => ScriptedPlan | Promise<ScriptedPlan>;
  /**
   * Returns the output of a `processing` task, or the tools it calls first: a step offered
   * tools (`request.tools`) may return `{ toolCalls: [{ name, arguments }] }`, and is asked
   * again with `request.turns` (each call and its result, oldest first) until it answers.
   * `{ clarify: question }` asks a human; `{ revisePlan: reason }` (when `request.mayRevisePlan`)
   * asks for the tasks not yet started to be revised.
   * @default `Done: <task description>`, or the human's answer when there is one
   */
  process?: (task: PlannedTask, request: ProcessRequest) => ScriptedProcessResult | Promise<ScriptedProcessResult>;
  /**
   * Returns the run's final answer.
   * @default one line per task result
   */
  synthesize?: (goal: string, results: readonly TaskResult[], request: SynthesizeRequest) => string | Promise<string>;
  /**
   * Scores a task's result for a model judge: `{ score, reasons }` (sent as JSON) or raw text.
   * @default `{ score: 1, reasons: [] }`
   */
  judge?: (
    task: PlannedTask,
    result: unknown,
    request: JudgeRequest,
  ) =>
    | { score: number; reasons?: readonly string[] }
    | string
    | Promise<{ score: number; reasons?: readonly string[] } | string>;
  /**
   * Summarises older results when a run's context is compacted.
   * @default the previous summary, then one line per result cut to 80 characters
   */
  summarize?: (results: readonly TaskResult[], request: SummarizeRequest) => string | Promise<string>;
  /** @default 'scripted' */
  name?: string;
}

function defaultPlan(goal: string): ScriptedPlan {
  return { tasks: [{ id: 'answer', description: `Answer: ${goal}`, kind: 'processing' }] };
}

function resultLine(r: TaskResult, max = Number.POSITIVE_INFINITY): string {
  // A task with no output (a tool that returned nothing) reads as null, as it does to openaiModel.
  const text = typeof r.output === 'string' ? r.output : (JSON.stringify(r.output) ?? 'null');
  return `${r.taskId}: ${text.length > max ? `${text.slice(0, max)}…` : text}`;
}

function defaultSynthesis(_goal: string, results: readonly TaskResult[], request: SynthesizeRequest): string {
  const lines = results.map((r) => resultLine(r));
  return (request.summary === undefined ? lines : [request.summary, ...lines]).join('\n');
}

function defaultSummary(results: readonly TaskResult[], request: SummarizeRequest): string {
  const lines = results.map((r) => resultLine(r, 80));
  return (request.previousSummary === undefined ? lines : [request.previousSummary, ...lines]).join('\n');
}

/** The calls a script asked for, in the API's form; anything that is not a list of calls is passed on for the reply check. */
function scriptedCalls(calls: unknown, turn: number): unknown {
  if (!Array.isArray(calls)) return calls;
  return calls.map((call: unknown, index): unknown => {
    if (typeof call !== 'object' || call === null) return call;
    const { id, name, arguments: args } = call as Partial<ScriptedToolCall>;
    return {
      id: id ?? `call-${turn + 1}-${index + 1}`,
      name,
      arguments: typeof args === 'string' ? args : (JSON.stringify(args ?? {}) ?? '{}'),
    };
  });
}

/**
 * A deterministic, offline `Model` driven by functions: plans, processing results and
 * syntheses come from `script`, so runs, tests and examples need no key and no network.
 *
 * @example
 * const model = scriptedModel({
 *   plan: (goal) => ({ tasks: [{ id: 'a', description: goal, kind: 'processing' }] }),
 *   process: (task) => `handled ${task.id}`,
 * });
 * const reply = await model.complete(request, { signal });
 * // => { content: 'handled a' }
 * const researcher = scriptedModel({
 *   process: (task, req) =>
 *     req.turns?.length ? `Top trend: ${JSON.stringify(req.turns[0]?.results[0])}` : { toolCalls: [{ name: 'trends', arguments: {} }] },
 * });
 * // => first reply { content: '', toolCalls: [{ id: 'call-1-1', name: 'trends', arguments: '{}' }] }, then the answer
 */
export function scriptedModel(script: Script = {}): Model {
  const plan = script.plan ?? defaultPlan;
  const process = script.process ?? ((task, req) => req.answer ?? `Done: ${task.description}`);
  const synthesize = script.synthesize ?? defaultSynthesis;
  const judge = script.judge ?? (() => ({ score: 1, reasons: [] }));
  const summarize = script.summarize ?? defaultSummary;
  return {
    name: script.name ?? 'scripted',
    async complete(request, { signal }): Promise<ModelReply> {
      switch (request.purpose) {
        case 'plan': {
          const result = await raceAbort(Promise.resolve(plan(request.goal, request)), signal);
          return { content: typeof result === 'string' ? result : JSON.stringify(result) };
        }
        case 'process': {
          const result: unknown = await raceAbort(Promise.resolve(process(request.task, request)), signal);
          // A script written in JavaScript may return anything: it is passed on as it is, for
          // the reply check where replies enter a run to name what was wrong.
          if (typeof result === 'object' && result !== null && 'clarify' in result) {
            return { content: '', clarification: result.clarify } as ModelReply;
          }
          if (typeof result === 'object' && result !== null && 'revisePlan' in result) {
            return { content: '', revisePlan: result.revisePlan } as ModelReply;
          }
          if (typeof result === 'object' && result !== null && 'toolCalls' in result) {
            const { content, toolCalls } = result as { content?: unknown; toolCalls: unknown };
            const turn = request.turns?.length ?? 0;
            return { content: content ?? '', toolCalls: scriptedCalls(toolCalls, turn) } as ModelReply;
          }
          return { content: result } as ModelReply;
        }
        case 'synthesize':
          return {
            content: await raceAbort(Promise.resolve(synthesize(request.goal, request.results, request)), signal),
          };
        case 'judge': {
          const verdict = await raceAbort(Promise.resolve(judge(request.task, request.result, request)), signal);
          return { content: typeof verdict === 'string' ? verdict : JSON.stringify(verdict) };
        }
        case 'summarize':
          return { content: await raceAbort(Promise.resolve(summarize(request.results, request)), signal) };
      }
    },
  };
}
