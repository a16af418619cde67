import type { TroupeEvent } from '../events/types.js';

/** A short human-readable line for one event, for logs that are not a terminal. */
export function describeEvent(event: TroupeEvent): string {
  switch (event.type) {
    case 'run.started':
      return `run ${event.runId} started: ${event.goal}`;
    case 'plan.created':
      return `planned ${event.tasks.length} task(s): ${event.tasks.map((t) => t.id).join(', ')}`;
    case 'plan.rejected':
      return `plan attempt ${event.attempt} refused: ${event.error.message}`;
    case 'task.started':
      return `task ${event.taskId} started (attempt ${event.attempt})`;
    case 'task.retrying':
      return `task ${event.taskId} retrying in ${event.delayMs} ms: ${event.error.message}`;
    case 'tool.succeeded':
      return `tool ${event.tool} succeeded for task ${event.taskId} (idempotency key ${event.idempotencyKey})`;
    case 'task.completed':
      return `task ${event.taskId} completed in ${event.durationMs.toFixed(1)} ms`;
    case 'task.clarification_requested':
      return `task ${event.taskId} needs an answer: ${event.question}`;
    case 'task.answered':
      return `task ${event.taskId} answered`;
    case 'task.failed':
      return `task ${event.taskId} failed: ${event.error.code}: ${event.error.message}`;
    case 'run.completed':
      return 'run completed';
    case 'run.failed':
      return `run failed: ${event.error.code}: ${event.error.message}`;
    case 'run.cancelled':
      return `run cancelled: ${event.reason}`;
    default:
      return event.type;
  }
}
