import type { UnsequencedEvent } from '../events/types.js';
import { plannedTaskState, type RunState } from './state.js';

type PlanRevised = Extract<UnsequencedEvent, { type: 'plan.revised' }>;

/**
 * Folds a `plan.revised` into a run's state: dropped tasks leave the plan, tasks of a known id
 * replace it in place, new ones join at the end; failed tasks count as accounted for; then
 * every task's dependents and unmet dependencies are rebuilt from the revised graph. Only tasks
 * that have not started are dropped or replaced, so completed results stay.
 */
export function foldRevision(state: RunState, event: PlanRevised): void {
  state.revisions = event.revision;
  state.openFailures = 0;
  // A revision is asked only once no task runs, so it answers every request recorded before it.
  state.revisionRequests = [];
  for (const id of event.dropped) {
    const task = state.tasks.get(id);
    if (task?.status !== 'planned') continue;
    state.tasks.delete(id);
    state.counts.planned -= 1;
  }
  for (const planned of event.tasks) {
    const before = state.tasks.get(planned.id);
    if (before !== undefined && before.status !== 'planned') continue;
    if (before === undefined) state.counts.planned += 1;
    state.tasks.set(planned.id, plannedTaskState(planned, event.id));
  }
  for (const task of state.tasks.values()) {
    task.dependents.length = 0;
    if (task.status === 'failed') task.contained = true;
  }
  for (const task of state.tasks.values()) {
    let unmet = 0;
    // Each distinct dependency once, as `plan.created` folds them.
    for (const id of new Set(task.dependsOn)) {
      const dep = state.tasks.get(id);
      dep?.dependents.push(task.id);
      if (dep?.status !== 'completed') unmet += 1;
    }
    task.unmet = unmet;
  }
}
