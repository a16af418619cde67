import type { Context } from '@opentelemetry/api';
import { registeredOtel } from './otelApi.js';

/**
 * The trace context of `traceContext` as W3C `traceparent` / `tracestate` entries, for a
 * request's metadata (MCP's `params._meta`); empty without a context or a registered propagator.
 */
export function traceMeta(traceContext: Context | undefined): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (traceContext !== undefined) registeredOtel()?.propagation.inject(traceContext, carrier);
  return carrier;
}
