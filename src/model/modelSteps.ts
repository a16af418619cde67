import type { Attachment, PlannedTask } from '../events/types.js';
import type { BudgetPolicy } from '../judge/budgetPolicy.js';
import type { RunCircuits } from '../policies/runCircuits.js';
import type { RunSession } from '../run/RunSession.js';
import type { TaskState } from '../run/state.js';
import { untrustedDataNotice } from '../security/quarantine.js';
import type { Tool } from '../tools/defineTool.js';
import { stepCaller } from '../tools/stepToolCall.js';
import { stepTools, toolSpecs } from '../tools/stepTools.js';
import type { RunTracer } from '../tracing/RunTracer.js';
import { callModel, type ModelToken } from './callModel.js';
import { type Compactor, type PromptBuilder, withSummary } from './compaction.js';
import type { ChatMessage, Model, ModelReply, SynthesizeRequest, TaskResult } from './Model.js';
import { processMessages, synthesizeMessages } from './prompts.js';
import { defaultMaxToolCalls, toolLoop } from './toolLoop.js';

/** What the model steps of a run share. */
export interface ModelStepDeps {
  session: RunSession;
  model: Model;
  /** Present when the run compacts its context. */
  compactor?: Compactor;
  /** Receives streamed model text. */
  onToken?: (token: ModelToken) => void;
  /** The run's tools, which processing steps may call (each step: its plan's `tools`, or all). */
  tools?: ReadonlyMap<string, Tool>;
  /** The run's circuit breakers, which steps' calls go through as tool tasks' do. */
  circuits?: RunCircuits;
  /** The budget judge (in the run's swarm options), which gates steps' calls that spend. */
  swarm?: { budget?: BudgetPolicy };
  /** Tool calls one step may make in all its turns. @default defaultMaxToolCalls (20) */
  maxToolCalls?: number;
  /** The run's tracer, when an OpenTelemetry SDK is registered: each call a step makes runs in a live `execute_tool` span. */
  tracer?: RunTracer;
}

const toolNote =
  'You may call the tools offered to you to gather what this step needs (several at once when they are ' +
  'independent). When you have what you need, answer with the result of the step.';

/** Tells the model it may call tools, and what their quarantined results are. */
function withToolNote(messages: ChatMessage[]): ChatMessage[] {
  const [first, ...rest] = messages;
  if (first?.role !== 'system')
    return [{ role: 'system', content: `${toolNote}\n${untrustedDataNotice}` }, ...messages];
  const notice = first.content.includes(untrustedDataNotice) ? '' : `\n${untrustedDataNotice}`;
  return [{ ...first, content: `${first.content}\n${toolNote}${notice}` }, ...rest];
}

function resultOf(session: RunSession, taskId: string): TaskResult {
  const task = session.state.tasks.get(taskId);
  return { taskId, description: task?.description ?? taskId, output: task?.output };
}

async function fitContext(deps: ModelStepDeps, results: TaskResult[], build: PromptBuilder, signal: AbortSignal) {
  if (deps.compactor === undefined) return { results, messages: build(results, undefined), summary: undefined };
  return deps.compactor.fit(results, build, signal);
}

/** Shows the task's attachments to the model, after its own request. */
function withAttachments(messages: ChatMessage[], attachments: readonly Attachment[] | undefined): ChatMessage[] {
  const last = messages.at(-1);
  if (attachments === undefined || attachments.length === 0 || last === undefined) return messages;
  const lines = attachments.map((a) => `- ${a.kind}: ${a.value}`).join('\n');
  return [...messages.slice(0, -1), { ...last, content: `${last.content}\nAttachments:\n${lines}` }];
}

function inputsOf(results: readonly TaskResult[]): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const r of results) inputs[r.taskId] = r.output;
  return inputs;
}

/**
 * Runs one `processing` task on the model, each model call recorded as a `model.called` of the
 * task: the prompt holds the outputs of its dependencies (older ones summarised when the run
 * compacts), the URLs, files and snippets the plan attached to it, and the human's answer once
 * there is one. The step is offered its tools (its plan's `tools`, or all of the run's) and
 * calls them through `toolLoop` and `stepCaller` until it answers, at most `maxToolCalls`
 * calls in all; a step that stopped mid-way continues from its recorded turns. While the run
 * has a plan revision left (`maxReplans`), the step may ask for one (`mayRevisePlan`).
 *
 * @example
 * const reply = await processStep({ session, model, tools }, task, signal);
 * // => { content: 'A draft of the announcement…' } or { content: '', clarification: 'Which tone?' }
 */
export async function processStep(deps: ModelStepDeps, task: TaskState, signal: AbortSignal): Promise<ModelReply> {
  const { session, model, onToken } = deps;
  const { goal } = session.state;
  const planned: PlannedTask = {
    id: task.id,
    description: task.description,
    kind: task.kind,
    dependsOn: [...task.dependsOn],
    // Resolved once the task started: references hold the results they point at.
    ...(task.input === undefined ? {} : { input: task.input }),
    ...(task.attachments === undefined ? {} : { attachments: [...task.attachments] }),
  };
  const build: PromptBuilder = (results, summary) =>
    withSummary(
      withAttachments(processMessages(goal, planned, inputsOf(results), task.answer, task.feedback), task.attachments),
      summary,
    );
  const fitted = await fitContext(
    deps,
    task.dependsOn.map((id) => resultOf(session, id)),
    build,
    signal,
  );
  const request = {
    purpose: 'process' as const,
    goal,
    task: planned,
    inputs: inputsOf(fitted.results),
    messages: fitted.messages,
    ...(task.answer === undefined ? {} : { answer: task.answer }),
    // Constant for the step: a revision is made only once no task runs.
    ...(session.state.revisions < session.state.policy.maxReplans ? { mayRevisePlan: true } : {}),
    ...(task.feedback === undefined ? {} : { feedback: task.feedback }),
    ...(fitted.summary === undefined ? {} : { summary: fitted.summary }),
  };
  const options = { signal, taskId: task.id, ...(onToken === undefined ? {} : { onToken }) };
  const tools = deps.tools ?? new Map<string, Tool>();
  const specs = toolSpecs(stepTools(tools, task));
  const messages = specs.length === 0 ? request.messages : withToolNote(request.messages);
  const budget = deps.swarm?.budget;
  const call = stepCaller(
    {
      session,
      tools,
      ...(deps.circuits === undefined ? {} : { circuits: deps.circuits }),
      ...(budget === undefined ? {} : { budget }),
      ...(deps.tracer === undefined ? {} : { tracer: deps.tracer }),
    },
    task,
    signal,
  );
  return toolLoop({
    taskId: task.id,
    maxToolCalls: deps.maxToolCalls ?? defaultMaxToolCalls,
    ...(task.toolTurns === undefined ? {} : { recorded: task.toolTurns }),
    call,
    async ask(turns) {
      const asked = {
        ...request,
        messages,
        ...(specs.length === 0 ? {} : { tools: specs }),
        ...(turns.length === 0 ? {} : { turns }),
      };
      return (await callModel(session, model, asked, options)).reply;
    },
  });
}

/**
 * The request for a run's final answer: every task's result in plan order, the older ones
 * replaced by the run's summary when the run compacts.
 *
 * @example
 * const request = await synthesisRequest({ session, model, compactor }, signal);
 * // => { purpose: 'synthesize', results: [last two results], summary: '…', messages }
 */
export async function synthesisRequest(deps: ModelStepDeps, signal: AbortSignal): Promise<SynthesizeRequest> {
  const { goal } = deps.session.state;
  // A run that went on past failed or skipped tasks answers from what completed.
  const results: TaskResult[] = [];
  for (const task of deps.session.state.tasks.values()) {
    if (task.status === 'completed') results.push(resultOf(deps.session, task.id));
  }
  const build: PromptBuilder = (visible, summary) => withSummary(synthesizeMessages(goal, visible), summary);
  const fitted = await fitContext(deps, results, build, signal);
  return {
    purpose: 'synthesize',
    goal,
    results: fitted.results,
    messages: fitted.messages,
    ...(fitted.summary === undefined ? {} : { summary: fitted.summary }),
  };
}
