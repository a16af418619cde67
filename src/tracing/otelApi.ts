import { createRequire } from 'node:module';

/** The `@opentelemetry/api` module. */
export type OtelApi = typeof import('@opentelemetry/api');

const load = createRequire(import.meta.url);
// Every copy of the API of major version 1 keeps what an application registers (an SDK's tracer
// provider, a context manager, a propagator) under this one global, created by the first
// registration: while it is absent nothing is registered, so there is nothing to trace into.
const registry = Symbol.for('opentelemetry.js.api.1');
let api: OtelApi | undefined;

/**
 * The OpenTelemetry API once an application has registered anything with it, else undefined:
 * a program that never sets OpenTelemetry up does not load the API at all.
 *
 * @example
 * registeredOtel();
 * // => undefined until e.g. `new NodeSDK().start()` or `trace.setGlobalTracerProvider(…)`
 */
export function registeredOtel(): OtelApi | undefined {
  if (api === undefined && registry in globalThis) api = load('@opentelemetry/api') as OtelApi;
  return api;
}
