import type { z } from 'zod';
import type {
  attachmentSchema,
  errorInfoSchema,
  plannedTaskSchema,
  taskKindSchema,
  troupeEventSchema,
  usageSchema,
} from './schemas.js';

/** Any event troupe records. Discriminate on `type`. */
export type TroupeEvent = z.infer<typeof troupeEventSchema>;
/** The `type` of every troupe event. */
export type TroupeEventType = TroupeEvent['type'];
/** The event of one `type`. */
export type EventOf<T extends TroupeEventType> = Extract<TroupeEvent, { type: T }>;
/** A URL, file or snippet a planned task works on. */
export type Attachment = z.infer<typeof attachmentSchema>;
/** A task as recorded in a plan. */
export type PlannedTask = z.infer<typeof plannedTaskSchema>;
/** `tool_call`, `processing` or `clarification`. */
export type TaskKind = z.infer<typeof taskKindSchema>;
/** Token counts of one model call. */
export type Usage = z.infer<typeof usageSchema>;
/** `{ code, message }` of a recorded error. */
export type RecordedError = z.infer<typeof errorInfoSchema>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event before the log gives it its `seq`. */
export type UnsequencedEvent = DistributiveOmit<TroupeEvent, 'seq'>;
/** The payload of an event: what its producer supplies, without the envelope. */
export type EventPayload = DistributiveOmit<
  TroupeEvent,
  'seq' | 'id' | 'runId' | 'ts' | 'correlationId' | 'causationId'
>;
/** An event as `decide` returns it: the payload and its cause, before the envelope is stamped. */
export type EventDraft = EventPayload & { causationId: string | null };
/** One settled sub-agent of a task's dispatch, as `subagent.completed` records it. */
export type SubAgentRecord = Omit<EventPayload & { type: 'subagent.completed' }, 'type' | 'taskId'>;

/** What happens to a scored result. */
export type Verdict = 'accepted' | 'rejected' | 'review';

/** A judge's decision on one result, as `judge.scored` records it. */
export interface Judgement {
  verdict: Verdict;
  /** `null` when the judge failed or answered junk. */
  score: number | null;
  reasons: string[];
  /** Why the judge could not score: the result then goes to review. */
  error?: RecordedError;
}

/** The event types that end a run: a run's log holds at most one of them, as its last event. */
export const runEndTypes = [
  'run.completed',
  'run.failed',
  'run.cancelled',
] as const satisfies readonly TroupeEventType[];

const runEnds: ReadonlySet<string> = new Set(runEndTypes);

/** Whether `event` ends its run (see `runEndTypes`). */
export function endsRun(event: { readonly type: string }): boolean {
  return runEnds.has(event.type);
}
