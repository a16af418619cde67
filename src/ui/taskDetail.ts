import type { TroupeEvent } from '../events/types.js';
import type { RunState } from '../run/state.js';

/** Event types the drawer lists for a task, beside the task's own lifecycle. */
const planTypes = new Set(['plan.created', 'plan.revised']);

/**
 * One task as the dashboard's drawer shows it: its folded state in full (not the board's
 * preview), the input its plan gave it (before references to other tasks' outputs were
 * resolved), and every event that names it, in log order.
 *
 * @example
 * taskDetail(state, events, 'fetch').events.map((e) => e.type)
 * // => ['task.started', 'task.completed']
 */
export function taskDetail(state: RunState, events: readonly TroupeEvent[], taskId: string) {
  const task = state.tasks.get(taskId);
  if (task === undefined) return undefined;
  let plannedInput: unknown;
  const own: TroupeEvent[] = [];
  for (const event of events) {
    const loose = event as { taskId?: unknown; tasks?: unknown };
    if (loose.taskId === taskId) own.push(event);
    else if (planTypes.has(event.type) && Array.isArray(loose.tasks)) {
      const planned = (loose.tasks as { id?: unknown; input?: unknown }[]).find((t) => t.id === taskId);
      if (planned !== undefined) plannedInput = planned.input;
    }
  }
  const { dependents: _dependents, unmet: _unmet, lastEventId: _lastEventId, ...shown } = task;
  return { task: shown, plannedInput, events: own };
}
