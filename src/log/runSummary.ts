import type { TroupeEvent } from '../events/types.js';
import type { RunSummary } from './EventLog.js';

/** Folds one event into the summary of its run, creating it on `run.started`. */
export function summarize(summaries: Map<string, RunSummary>, event: TroupeEvent): void {
  let summary = summaries.get(event.runId);
  if (summary === undefined) {
    summary = {
      runId: event.runId,
      goal: event.type === 'run.started' ? event.goal : '',
      status: 'running',
      startedAt: event.ts,
      updatedAt: event.ts,
      events: 0,
    };
    summaries.set(event.runId, summary);
  }
  summary.events += 1;
  summary.updatedAt = event.ts;
  if (event.type === 'run.completed') summary.status = 'completed';
  else if (event.type === 'run.failed') summary.status = 'failed';
  else if (event.type === 'run.cancelled') summary.status = 'cancelled';
  else if (event.type === 'run.started') summary.status = 'running';
}
