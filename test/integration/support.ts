import { filter, firstValueFrom, type Observable } from 'rxjs';
import { z } from 'zod';
import type { EventOf, TroupeEvent, TroupeEventType } from '../../src/events/types.js';
import type { EventLog } from '../../src/log/EventLog.js';
import type { ScriptedTask } from '../../src/model/scriptedModel.js';
import { defineTool, type ToolContext } from '../../src/tools/defineTool.js';

/** Retry delays small enough that tests never wait on them. */
export const fastRetry = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2 };

/** Whether an event records the run's or a task's lifecycle (not a model call, a verdict, a metric...). */
export function isLifecycle(event: TroupeEvent): boolean {
  return event.type.startsWith('run.') || event.type.startsWith('plan.') || event.type.startsWith('task.');
}

/** The `type`s of a run's lifecycle events, in log order. */
export async function typesOf(log: EventLog, runId: string): Promise<TroupeEventType[]> {
  return (await log.read(runId)).filter(isLifecycle).map((e) => e.type);
}

/** The events of one type of a run, in log order. */
export async function eventsOf<T extends TroupeEventType>(
  log: EventLog,
  runId: string,
  type: T,
): Promise<EventOf<T>[]> {
  return (await log.read(runId)).filter((e): e is EventOf<T> => e.type === type);
}

/** Resolves with the first event of `type` on `events$`. */
export function nextEvent<T extends TroupeEventType>(events$: Observable<TroupeEvent>, type: T): Promise<EventOf<T>> {
  return firstValueFrom(events$.pipe(filter((e): e is EventOf<T> => e.type === type)));
}

/** A plan of one tool call per tool name, for a scripted model. */
export function toolPlan(...tools: string[]): { tasks: ScriptedTask[] } {
  return { tasks: tools.map((tool, i) => ({ id: `t${i}`, description: `call ${tool}`, kind: 'tool_call', tool })) };
}

/** A tool with no input whose body is `run`. */
export function simpleTool(name: string, run: (context: ToolContext) => unknown, output?: z.ZodType) {
  return defineTool({
    name,
    description: `the ${name} tool`,
    input: z.object({}),
    ...(output ? { output } : {}),
    run: (_, ctx) => run(ctx),
  });
}

/** A promise with its resolver, for tests that release work explicitly. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
