import { z } from 'zod';
import { EventInvalidError } from '../errors.js';
import { troupeEventSchema } from '../events/schemas.js';
import type { UnsequencedEvent } from '../events/types.js';

/** The event schema before the log assigns `seq`: what an append is given. */
const unsequencedSchema = z.discriminatedUnion(
  'type',
  (troupeEventSchema.options as readonly z.ZodObject<{ seq: z.ZodNumber }>[]).map((option) =>
    option.omit({ seq: true }),
  ) as unknown as [z.ZodObject<{ type: z.ZodLiteral<string> }>],
);

/** Deeper than this is refused: JSON that deep is junk, and a cycle would never end. */
const maxDepth = 256;

/** Why `value` cannot make the JSON round trip unchanged, or `undefined` when it can. */
function jsonProblem(value: unknown, depth: number, path: string[]): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `is ${value}; expected a finite number (JSON would store null)`;
    case 'object': {
      if (value === null) return undefined;
      if (depth >= maxDepth)
        return `is nested deeper than ${maxDepth} levels (or refers to itself); expected plain JSON`;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || value[i] === undefined) {
            path.push(String(i));
            return 'is undefined (or a hole); expected a JSON value (JSON would store null)';
          }
          const problem = jsonProblem(value[i], depth + 1, path);
          if (problem !== undefined) {
            path.push(String(i));
            return problem;
          }
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'an object';
        return `is a ${name}; expected plain JSON (a plain object, array, string, finite number, boolean or null)`;
      }
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        // An undefined property is how JSON says "absent": it is left out, which reads back the same.
        if (item === undefined) continue;
        const problem = jsonProblem(item, depth + 1, path);
        if (problem !== undefined) {
          path.push(key);
          return problem;
        }
      }
      return undefined;
    }
    case 'undefined':
      return 'is undefined; expected a JSON value';
    default:
      return `is a ${typeof value}; expected plain JSON (a string, finite number, boolean, null, array or object)`;
  }
}

/**
 * Refuses, with an `EventInvalidError` naming the event's type and the field, any event that
 * fails the event schema or holds a value JSON cannot carry unchanged (`NaN`, `Infinity`, a
 * `Date`, a `Map`, a bigint, an undefined array item, a cycle): such an event would be stored
 * as something else, or be refused by the log's reader, bricking the log. Every log runs this
 * on a whole batch before storing any of it; about a microsecond for a small event.
 *
 * @example
 * checkEvents([{ ...envelope, type: 'run.completed', answer: 42 }])
 * // => throws EventInvalidError: Cannot append a run.completed event: `answer` Invalid input: expected string, received number
 */
export function checkEvents(events: readonly UnsequencedEvent[]): void {
  for (const event of events) {
    const type = typeof event?.type === 'string' ? event.type : String((event as { type?: unknown } | null)?.type);
    const path: string[] = [];
    const problem = jsonProblem(event, 0, path);
    if (problem !== undefined) throw new EventInvalidError(type, path.reverse().join('.'), problem);
    const checked = unsequencedSchema.safeParse(event);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new EventInvalidError(type, issue?.path.join('.') ?? '', issue?.message ?? 'fails the event schema');
    }
  }
}
