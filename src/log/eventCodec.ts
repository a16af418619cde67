import { LogCorruptionError } from '../errors.js';
import { troupeEventSchema } from '../events/schemas.js';
import type { TroupeEvent, UnsequencedEvent } from '../events/types.js';

/**
 * The format version stamped on every stored event body. Format 1 stored the whole event;
 * format 2 leaves out what the row holds in its own columns (`seq`, `type`, the run) and
 * `correlationId` when it is the run's id (it always is for events troupe writes), about a
 * quarter of a small event. Bump it when the stored shape changes and teach `decodeEvent` the
 * older one, so old logs stay readable.
 */
export const eventVersion = 2;

const knownTypes: ReadonlySet<string> = new Set(troupeEventSchema.options.map((o) => o.shape.type.value));

/** Whether `type` names a troupe event. */
export const isEventType = (type: string): boolean => knownTypes.has(type);

/**
 * The stored body of an event (format `eventVersion`): its JSON without the fields a row keeps
 * in columns. Every durable log stores events through this, so they all read each other's
 * bodies; check the event first (`checkEvents`). Takes the event with or without its `seq`:
 * encoding the draft an append was given is the cheaper of the two.
 *
 * @example
 * encodeEvent({ seq: 3, type: 'run.completed', runId: 'r1', correlationId: 'r1', id: 'e3', ts: 1, causationId: 'e2', answer: 'hi' })
 * // => '{"id":"e3","ts":1,"causationId":"e2","answer":"hi"}'
 */
export function encodeEvent(event: TroupeEvent | UnsequencedEvent): string {
  const correlationId = event.correlationId === event.runId ? undefined : event.correlationId;
  // Undefined properties are left out by JSON.stringify. A spread that only overrides keys the
  // event has is copied on V8's fast path; one that adds a key (seq, absent from a draft) is not.
  return 'seq' in event
    ? JSON.stringify({ ...event, seq: undefined, type: undefined, runId: undefined, correlationId })
    : JSON.stringify({ ...event, type: undefined, runId: undefined, correlationId });
}

/** What a row holds besides the body, as the reader's columns give it. */
export interface StoredColumns {
  seq: number;
  /** The body's format version. */
  v: number;
  type: string;
  runId: string;
}

function notAnEvent(where: string, seq: number, type: unknown, bodySeq: unknown = seq): LogCorruptionError {
  return new LogCorruptionError(
    where,
    seq,
    `event seq ${seq} does not look like a troupe event (seq ${String(bodySeq)}, type ${JSON.stringify(type)})`,
  );
}

/**
 * Rebuilds the full event from a stored row, reading every format this troupe wrote. Cheap
 * checks catch damage on every read: the body parses to a JSON object, the format version is
 * known, the row's type is a troupe event type, and (format 1, whose body holds them) the body's
 * `seq` and `type` agree with the row's. Any failing check is a `LogCorruptionError` naming the
 * seq. The full schema is the writer's job (`checkEvents`, so a sound row never needs it) and is
 * run on read only for the last row at open. `where` names the store in errors (a file path, a
 * table).
 *
 * @example
 * decodeEvent('.troupe/events.db', { seq: 3, v: 2, type: 'run.completed', runId: 'r1' }, '{"id":"e3","ts":1,"causationId":"e2","answer":"hi"}')
 * // => { id: 'e3', ts: 1, causationId: 'e2', answer: 'hi', type: 'run.completed', runId: 'r1', correlationId: 'r1', seq: 3 }
 */
export function decodeEvent(where: string, row: StoredColumns, body: string): TroupeEvent {
  const { seq, v, type } = row;
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(body) as Record<string, unknown>;
  } catch (err) {
    throw new LogCorruptionError(where, seq, `event seq ${seq} is not valid JSON (${(err as Error).message})`, {
      cause: err,
    });
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new LogCorruptionError(where, seq, `event seq ${seq} is not a JSON object`);
  }
  if (v === eventVersion) {
    if (!knownTypes.has(type)) throw notAnEvent(where, seq, type);
    // The columns are the truth for what format 2 leaves out: nothing in the body to compare.
    event.type = type;
    event.runId = row.runId;
    event.correlationId ??= row.runId;
    event.seq = seq;
    return event as TroupeEvent;
  }
  if (v !== 1) {
    throw new LogCorruptionError(where, seq, `event seq ${seq} has format version ${v}, which this troupe cannot read`);
  }
  if (event.seq !== seq || event.type !== type || !knownTypes.has(type)) {
    throw notAnEvent(where, seq, event.type, event.seq);
  }
  return event as TroupeEvent;
}
