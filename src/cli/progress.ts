import type { TroupeEvent } from '../events/types.js';

/** A one-line live summary of a run for the terminal: status, tasks by state, elapsed time. */
export class ProgressLine {
  private readonly started = Date.now();
  private phase = 'starting';
  private total = 0;
  private readonly counts = { running: 0, completed: 0, failed: 0, waiting: 0 };
  private readonly running = new Set<string>();

  /** Folds one event into the summary. */
  update(event: TroupeEvent): void {
    switch (event.type) {
      case 'run.started':
        this.phase = 'planning';
        break;
      case 'plan.created':
        this.phase = 'running';
        this.total = event.tasks.length;
        break;
      case 'task.started':
        this.running.add(event.taskId);
        break;
      case 'task.completed':
        this.running.delete(event.taskId);
        this.counts.completed += 1;
        break;
      case 'task.failed':
        this.running.delete(event.taskId);
        this.counts.failed += 1;
        break;
      case 'task.clarification_requested':
        this.running.delete(event.taskId);
        this.counts.waiting += 1;
        break;
      case 'task.answered':
        this.counts.waiting -= 1;
        break;
      case 'run.completed':
        this.phase = 'completed';
        break;
      case 'run.failed':
        this.phase = 'failed';
        break;
      case 'run.cancelled':
        this.phase = 'cancelled';
        break;
    }
  }

  /** The line as it stands now. */
  render(): string {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    const done = this.counts.completed + this.counts.failed;
    const width = 20;
    const filled = this.total === 0 ? 0 : Math.round((done / this.total) * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const waiting = this.counts.waiting > 0 ? ` · ${this.counts.waiting} waiting for an answer` : '';
    const failed = this.counts.failed > 0 ? ` · ${this.counts.failed} failed` : '';
    return `[${bar}] ${this.phase} · ${this.counts.completed}/${this.total} done · ${this.running.size} running${failed}${waiting} · ${seconds}s`;
  }
}

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
