import { type Redaction, redactDeep } from './redactDeep.js';
import type { Redactor } from './redactor.js';

/** Redacts one event draft (payload and cause, before the envelope is stamped). */
export type EventRedactor = <T extends { type: string }>(draft: T) => T;

// Fields every event has that carry ids, never user data.
const skipped = new Set(['type', 'causationId', 'taskId', 'attempt', 'durationMs', 'seq', 'ts']);

function outputPath(path: string): string {
  if (path === '') return 'output';
  return path.startsWith('[') ? `output${path}` : `output.${path}`;
}

/**
 * Makes the function `RunSession` applies to every event before it is folded and appended, so
 * what the run remembers, what the log holds and what a replay rebuilds are the same redacted
 * facts. A `task.completed` output is filtered like a tool response: sensitive keys are
 * removed and the event lists each redaction's kind and path in `redactions`.
 * Drafts with nothing to redact are returned as they are.
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
      const next = redactDeep(value, redactor, {
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
