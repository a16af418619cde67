import { z } from 'zod';
import { CircuitOpenError, toErrorInfo } from '../errors.js';
import type { RecordedError } from '../events/types.js';
import type { Model } from '../model/Model.js';
import type { RunSession } from '../run/RunSession.js';
import { type CircuitBreaker, type CircuitTransition, circuitBreaker } from '../streams/circuitBreaker.js';
import type { Tool } from '../tools/defineTool.js';
import { defer, firstValueFrom } from '../util/rx.js';
import { fallback } from './fallback.js';

/** The settings of one circuit breaker, as `RuntimeOptions.circuitBreaker` takes them. */
export const circuitSettingsSchema = z
  .object({
    failureThreshold: z.number().int().min(1).optional(),
    windowMs: z.number().int().min(1).optional(),
    halfOpenAfterMs: z.number().int().min(0).optional(),
    halfOpenMax: z.number().int().min(1).optional(),
  })
  .strict();

/** `RuntimeOptions.circuitBreaker`: a breaker per tool, one for the model endpoint; none unless set. */
export const circuitBreakerOptionsSchema = z
  .object({ tools: circuitSettingsSchema.optional(), model: circuitSettingsSchema.optional() })
  .strict();

/** Settings of one circuit breaker (see `circuitBreaker`). */
export type CircuitSettings = z.infer<typeof circuitSettingsSchema>;
/** Which circuit breakers a runtime puts in front of its tools and model. */
export type CircuitBreakerOptions = z.infer<typeof circuitBreakerOptionsSchema>;

/** A circuit's transition, as the run records it (`circuit.opened` / `half_opened` / `closed`). */
export interface CircuitRecord {
  circuit: string;
  target: 'tool' | 'model';
  to: CircuitTransition['to'];
  failures: number;
  error?: RecordedError;
}

/** Where a run's circuits report what happened: the run's session turns these into events. */
export interface CircuitReporter {
  transition(record: CircuitRecord): void;
  fellBack(fallback: { taskId: string; from: string; to: string; error: RecordedError }): void;
}

/** A run's circuit breakers. */
export interface RunCircuits {
  /** The tool as the executor should call it: through its circuit, then its declared fallbacks. */
  guard(tool: Tool): Tool;
  /** The model, through its circuit (the model itself when no model circuit is configured). */
  readonly model: Model;
}

/**
 * Builds the circuit breakers of one run from `RuntimeOptions.circuitBreaker`: a breaker per
 * tool (created on its first call) and one for the model endpoint. Each run has its own, so
 * a run's events hold every transition that affected it and a replay sees the same story.
 * A call refused by an open circuit goes to the tool's `fallbacks`, in order, each through
 * its own circuit; with none declared, the task fails fast with `CircuitOpenError` (and its
 * retry policy decides whether to try again later). Returns `undefined` when no breaker is
 * configured, so nothing sits in the call path.
 *
 * @example
 * const circuits = runCircuits({ tools: { failureThreshold: 5 } }, { tools, model, report });
 * await circuits?.guard(search).call(input, context);
 * // => the output of `search`, or of its first fallback while `search`'s circuit is open
 */
export function runCircuits(
  options: CircuitBreakerOptions,
  deps: { tools: ReadonlyMap<string, Tool>; model: Model; report: CircuitReporter },
): RunCircuits | undefined {
  if (options.tools === undefined && options.model === undefined) return undefined;
  const { tools, report } = deps;
  const breakers = new Map<string, CircuitBreaker>();
  const guarded = new Map<string, Tool>();

  function breaker(target: 'tool' | 'model', name: string, settings: CircuitSettings): CircuitBreaker {
    return circuitBreaker({
      ...settings,
      name,
      onTransition: (t) =>
        report.transition({
          circuit: name,
          target,
          to: t.to,
          failures: t.failures,
          ...(t.error === undefined ? {} : { error: toErrorInfo(t.error) }),
        }),
    });
  }

  function through<T>(tool: Tool, settings: CircuitSettings, call: () => Promise<T>): Promise<T> {
    let guard = breakers.get(tool.name);
    if (guard === undefined) {
      guard = breaker('tool', tool.name, settings);
      breakers.set(tool.name, guard);
    }
    return firstValueFrom(defer(call).pipe(guard));
  }

  function guard(tool: Tool): Tool {
    const settings = options.tools;
    if (settings === undefined) return tool;
    const known = guarded.get(tool.name);
    if (known !== undefined) return known;
    const chain = [tool, ...(tool.fallbacks ?? []).flatMap((name) => tools.get(name) ?? [])];
    const wrapped: Tool = {
      ...tool,
      call: (input, context) => {
        if (chain.length === 1) return through(tool, settings, () => tool.call(input, context));
        const alternatives = chain.map((t) => ({
          name: t.name,
          run: () => through(t, settings, () => t.call(input, context)),
        }));
        return fallback(alternatives, {
          fallbackIf: (error) => error instanceof CircuitOpenError,
          onFallback: ({ from, to, error }) =>
            report.fellBack({ taskId: context.taskId, from, to, error: toErrorInfo(error) }),
        }).then((result) => result.value);
      },
    };
    guarded.set(tool.name, wrapped);
    return wrapped;
  }

  let model = deps.model;
  if (options.model !== undefined) {
    const inner = deps.model;
    const modelBreaker = breaker('model', inner.name, options.model);
    model = {
      name: inner.name,
      complete: (request, callOptions) =>
        firstValueFrom(defer(() => inner.complete(request, callOptions)).pipe(modelBreaker)),
    };
  }
  return { guard, model };
}

/**
 * Reports a run's circuit transitions and fallbacks through its session, as events.
 *
 * @example
 * runCircuits(options.circuitBreaker, { tools, model, report: sessionReporter(session) });
 * // a tripped tool circuit records `circuit.opened`; a fallback records `task.fell_back`
 */
export function sessionReporter(session: RunSession): CircuitReporter {
  return {
    transition: (record) => session.submit({ type: 'record_circuit', ...record }),
    fellBack: (record) => session.submit({ type: 'record_fallback', ...record }),
  };
}
