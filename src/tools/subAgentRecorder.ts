import type { z } from 'zod';
import { UnstorableValueError } from '../errors.js';
import { troupeEventSchema } from '../events/schemas.js';
import { describeStorableProblem, toStorable } from '../events/storable.js';
import type { SubAgentRecord } from '../events/types.js';
import type { RunSession } from '../run/RunSession.js';

/** The payload of `subagent.completed` a record must fill: the event's own schema, less what troupe adds. */
const recordSchema = (() => {
  const option = troupeEventSchema.options.find((o) => o.shape.type.value === 'subagent.completed');
  const added = { seq: true, id: true, runId: true, ts: true, correlationId: true, causationId: true } as const;
  return (option as z.ZodObject<z.ZodRawShape>).omit({ ...added, type: true, taskId: true });
})();

/**
 * The `recordSubAgent` a tool's context offers inside a run: it checks the record where it
 * enters, as the log would check the `subagent.completed` event (its schema, and values JSON
 * stores), and records a plain copy of it. A record the log would refuse throws
 * `UnstorableValueError` (`VALUE_UNSTORABLE`) to the tool that made it, so that call fails, not
 * the run.
 *
 * @example
 * const recordSubAgent = subAgentRecorder(session, 'fanout');
 * recordSubAgent({ ...record, output: { score: Number.NaN } });
 * // => throws UnstorableValueError: Cannot record a sub-agent of task `fanout`: record.output.score is NaN; expected JSON-storable values: …
 * @param session the run's session, which records `subagent.completed`
 * @param taskId the task whose tool dispatched the sub-agent
 */
export function subAgentRecorder(session: RunSession, taskId: string): (record: SubAgentRecord) => void {
  return (record) => {
    const what = `Cannot record a sub-agent of task \`${taskId}\``;
    const stored = toStorable(record);
    if (!stored.ok) {
      const path = stored.path === '' ? 'record' : `record.${stored.path}`;
      throw new UnstorableValueError(`${what}: ${describeStorableProblem('record', stored)}`, path);
    }
    const checked = recordSchema.safeParse(stored.value);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const path = ['record', ...(issue?.path ?? []).map(String)].join('.');
      throw new UnstorableValueError(`${what}: \`${path}\` ${issue?.message ?? 'fails its schema'}`, path);
    }
    session.submit({ type: 'record_subagent', taskId, result: stored.value as SubAgentRecord });
  };
}
