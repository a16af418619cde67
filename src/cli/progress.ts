import type { EventOf, TroupeEvent, TroupeEventType } from '../events/types.js';

const err = (e: { code: string; message: string }) => `${e.code}: ${e.message}`;
const task = (e: { taskId: string }) => `task ${e.taskId}`;
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`);
const usd = (n: number) => `$${n.toFixed(n < 0.01 && n > 0 ? 6 : 4)}`;
const brief = (value: unknown, max = 80) => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/**
 * One line per event kind. A table typed over every `TroupeEventType`, so an event added to
 * the schema does not compile until it says how it reads.
 */
const lines: { [T in TroupeEventType]: (event: EventOf<T>) => string } = {
  'run.started': (e) =>
    `run ${e.runId} started${e.model === undefined ? '' : ` on ${e.model.name}`}: ${brief(e.goal, 200)}`,
  'plan.created': (e) => `planned ${e.tasks.length} task(s): ${e.tasks.map((t) => t.id).join(', ')}`,
  'plan.revised': (e) =>
    `plan revised (${e.revision}): ${e.tasks.length} task(s) added${e.dropped.length > 0 ? `, dropped ${e.dropped.join(', ')}` : ''} — ${e.reason}`,
  'plan.revision_requested': (e) => `${task(e)} asked for the plan to be revised: ${brief(e.reason, 200)}`,
  'task.skipped': (e) => `${task(e)} skipped: its dependency ${e.dependency} failed`,
  'plan.rejected': (e) => `plan attempt ${e.attempt} refused: ${e.error.message}`,
  'model.called': (e) =>
    `model ${e.model} (${e.purpose}${e.taskId === undefined ? '' : ` for ${e.taskId}`}): ` +
    `${e.usage.inputTokens} in / ${e.usage.outputTokens} out tokens, ${usd(e.costUsd)}, ${ms(e.durationMs)}` +
    (e.attempts > 1 ? `, ${e.attempts} attempts` : '') +
    (e.toolCalls === undefined ? '' : `; asked for ${e.toolCalls.map((c) => c.name).join(', ')}`),
  'model.attempt_failed': (e) =>
    `model ${e.model} (${e.purpose}) attempt ${e.attempt} failed: ${err(e.error)}` +
    (e.retryInMs === undefined ? '' : `; retrying in ${ms(e.retryInMs)}`),
  'task.started': (e) => `${task(e)} started (attempt ${e.attempt})`,
  'task.retrying': (e) => `${task(e)} retrying in ${ms(e.delayMs)}: ${e.error.message}`,
  'task.completed': (e) => `${task(e)} completed in ${ms(e.durationMs)}: ${brief(e.output)}`,
  'task.clarification_requested': (e) => `${task(e)} needs an answer: ${e.question}`,
  'task.answered': (e) => `${task(e)} answered: ${brief(e.answer)}`,
  'task.failed': (e) => `${task(e)} failed: ${err(e.error)}`,
  'context.compacted': (e) => `context compacted through seq ${e.throughSeq} (${e.taskIds.length} task result(s))`,
  'subagent.completed': (e) =>
    `${task(e)} sub-agent ${e.index} (depth ${e.depth}) ${e.success ? 'succeeded' : `failed: ${e.error === undefined ? '' : err(e.error)}`}` +
    ` in ${ms(e.durationMs)}${e.cached ? ' (cached)' : ''}`,
  'tool.called': (e) =>
    `${task(e)} called ${e.tool}(${brief(e.input, 120)}) in turn ${e.turn} → ` +
    (e.error === undefined ? `ok: ${brief(e.output)}` : err(e.error)) +
    (e.cached === true ? ' (recorded outcome, not run again)' : ` in ${ms(e.durationMs)}`),
  'tool.succeeded': (e) => `tool ${e.tool} succeeded for ${task(e)} (idempotency key ${e.idempotencyKey})`,
  'run.completed': () => 'run completed',
  'run.failed': (e) => `run failed: ${err(e.error)}`,
  'run.cancelled': (e) => `run cancelled: ${e.reason}`,
  'judge.scored': (e) =>
    `${task(e)} judged ${e.verdict}${e.score === null ? '' : ` (score ${e.score.toFixed(2)})`}` +
    (e.reasons.length > 0 ? `: ${e.reasons.join('; ')}` : ''),
  'review.requested': (e) =>
    `${task(e)} waits for review ${e.reviewId} (${e.kind === 'budget' ? `spend ${usd(e.amountUsd ?? 0)}` : `score ${e.score?.toFixed(2) ?? 'none'}`}): troupe approve|reject ${e.reviewId}`,
  'review.decided': (e) =>
    `review ${e.reviewId} of ${task(e)} ${e.decision}${e.note === undefined ? '' : `: ${e.note}`}`,
  'state.committed': (e) => `${task(e)} committed ${e.key} (version ${e.version})`,
  'state.conflicted': (e) =>
    `${task(e)} conflicted on ${e.key}: expected version ${e.expectedVersion}, found ${e.actualVersion} (attempt ${e.attempt})`,
  'budget.spent': (e) =>
    `${task(e)} spent ${usd(e.amountUsd)} on ${e.tool}${e.counterparty === undefined ? '' : ` to ${e.counterparty}`}`,
  'circuit.opened': (e) =>
    `circuit ${e.circuit} (${e.target}) opened after ${e.failures} failure(s)${e.error === undefined ? '' : `: ${err(e.error)}`}`,
  'circuit.half_opened': (e) => `circuit ${e.circuit} (${e.target}) half-open: trying one call`,
  'circuit.closed': (e) => `circuit ${e.circuit} (${e.target}) closed`,
  'task.fell_back': (e) => `${task(e)} fell back from ${e.from} to ${e.to}: ${err(e.error)}`,
};

/**
 * A human line for one event, for output that is not a terminal and for `troupe replay`.
 *
 * @example
 * describeEvent(modelCalled)
 * // => 'model gpt-4o-mini (plan): 812 in / 96 out tokens, $0.000180, 1.42 s'
 */
export function describeEvent(event: TroupeEvent): string {
  return (lines[event.type] as (e: TroupeEvent) => string)(event);
}
