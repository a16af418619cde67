import { type Redaction, redactDeep } from './redactDeep.js';
import type { Redactor } from './redactor.js';

/** Redacts one event draft (payload and cause, before the envelope is stamped). */
export type EventRedactor = <T extends { type: string }>(draft: T) => T;

// Identifiers other events refer to: redacting one would break the references (a plan's task
// ids are named again by `taskId` and `dependsOn`), and none carries user data.
const skipped = new Set(['type', 'causationId', 'taskId', 'taskIds', 'reviewId', 'idempotencyKey', 'parentKey']);
const taskIdentifiers = new Set(['id', 'dependsOn', 'kind', 'tool']);

/** A plan's tasks with their descriptions and inputs redacted and their identifiers kept. */
function redactTasks(tasks: unknown, redactor: Redactor): unknown {
  if (!Array.isArray(tasks)) return redactDeep(tasks, redactor, { sensitiveKeys: 'mask' });
  let copy: unknown[] | undefined;
  tasks.forEach((task, i) => {
    if (typeof task !== 'object' || task === null) return;
    const record = task as Record<string, unknown>;
    let next: Record<string, unknown> | undefined;
    for (const key of Object.keys(record)) {
      if (taskIdentifiers.has(key)) continue;
      const value = redactDeep(record[key], redactor, { sensitiveKeys: 'mask' });
      if (value !== record[key]) {
        next ??= { ...record };
        next[key] = value;
      }
    }
    if (next !== undefined) {
      copy ??= tasks.slice();
      copy[i] = next;
    }
  });
  return copy ?? tasks;
}

function outputPath(path: string): string {
  if (path === '') return 'output';
  return path.startsWith('[') ? `output${path}` : `output.${path}`;
}

/**
 * Makes the function `RunSession` applies to every event before it is folded and appended, so
 * what the run remembers, what the log holds and what a replay rebuilds are the same redacted
 * facts. A `task.completed` output is filtered like a tool response: sensitive keys are
 * removed and the event lists each redaction's kind and path in `redactions`. Identifiers
 * (`taskId`, a plan's task ids and dependencies, idempotency keys) are kept as they are, so
 * events still refer to one another. Drafts with nothing to redact are returned as they are.
 *
 * @example
 * const redact = eventRedactor(createRedactor());
 * redact({ type: 'task.completed', taskId: 't1', output: { email: 'ada@example.com' }, durationMs: 3 })
 * // => { type: 'task.completed', taskId: 't1', output: { email: '[REDACTED_EMAIL]' }, durationMs: 3,
 * //      redactions: [{ path: 'output.email', kind: 'EMAIL' }] }
 * @param redactor what replaces secrets and personal data in text
 */
export function eventRedactor(redactor: Redactor): EventRedactor {
  return <T extends { type: string }>(draft: T): T => {
    const record = draft as Record<string, unknown>;
    const completed = draft.type === 'task.completed';
    const found: Redaction[] | undefined = completed ? [] : undefined;
    let copy: Record<string, unknown> | undefined;
    for (const key in record) {
      if (skipped.has(key)) continue;
      const value = record[key];
      if (value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean') continue;
      const next =
        key === 'tasks' && draft.type === 'plan.created'
          ? redactTasks(value, redactor)
          : redactDeep(value, redactor, {
              sensitiveKeys: completed && key === 'output' ? 'remove' : 'mask',
              ...(found === undefined ? {} : { found }),
            });
      if (next !== value) {
        copy ??= { ...record };
        copy[key] = next;
      }
    }
    if (found !== undefined && found.length > 0) {
      copy ??= { ...record };
      copy.redactions = found.map((r) => ({ path: outputPath(r.path), kind: r.kind }));
    }
    return (copy ?? draft) as T;
  };
}
