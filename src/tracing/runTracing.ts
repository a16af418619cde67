import type { Context } from '@opentelemetry/api';
import { endsRun } from '../events/types.js';
import type { EventLog } from '../log/EventLog.js';
import { filter, takeWhile } from '../util/rx.js';
import { registeredOtel } from './otelApi.js';
import type { RunTracer, RunTracerOptions } from './RunTracer.js';

/** The instrumentation scope troupe's spans carry. */
export const tracerName = 'troupe';

/**
 * Whether an OpenTelemetry SDK is registered: without one, troupe creates no tracer, subscribes
 * to nothing and wraps no call, so tracing costs one check per run (and the API is not loaded
 * while nothing is registered with it).
 */
export function tracingEnabled(): boolean {
  const api = registeredOtel();
  if (api === undefined) return false;
  const provider = api.trace.getTracerProvider();
  // The API's own provider forwards to an SDK once one registers; until then it has no delegate.
  return !(provider instanceof api.ProxyTracerProvider) || provider.getDelegateTracer(tracerName) !== undefined;
}

/**
 * Traces one run from the log: its events from `fromSeq` on (the run's first, so a resumed run's
 * history is traced with its original times) feed a `RunTracer` until the run's last event.
 * The subscription ends with the run's last event or the log. Resolves undefined when no SDK is
 * registered; the tracer's module (and the API) load only when one is.
 */
export async function traceRun(
  log: EventLog,
  fromSeq: number,
  options: Omit<RunTracerOptions, 'parent'> & { parent?: Context | undefined },
): Promise<RunTracer | undefined> {
  const api = registeredOtel();
  if (api === undefined || !tracingEnabled()) return undefined;
  const { RunTracer } = await import('./RunTracer.js');
  const tracer = new RunTracer(api.trace.getTracer(tracerName), {
    ...options,
    parent: options.parent ?? api.context.active(),
  });
  log
    .subscribe(fromSeq)
    .pipe(
      filter((e) => e.runId === options.runId),
      takeWhile((e) => !endsRun(e), true),
    )
    // A log that fails ends the trace where it stands: the run itself reports the failure.
    .subscribe({ next: (event) => tracer.observe(event), error: () => undefined });
  return tracer;
}
