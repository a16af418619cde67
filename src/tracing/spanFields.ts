import { type Span, SpanStatusCode } from '@opentelemetry/api';

/** An event read loosely: event types added after this file (tool calls, revised plans) still trace. */
export interface LooseEvent {
  type: string;
  ts: number;
  taskId?: string;
  [field: string]: unknown;
}

/** Reads an event field as a string, when it is one. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** Reads an event field as a finite number, else 0. */
export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
/** The recorded error's code. */
export const codeOf = (e: LooseEvent): string | undefined => str((e.error as { code?: unknown } | undefined)?.code);
/** The recorded error's message. */
export const messageOf = (e: LooseEvent): string | undefined =>
  str((e.error as { message?: unknown } | undefined)?.message);

/** Marks a span failed with the event's error (`error.type` and status). */
export function fail(span: Span, e: LooseEvent, fallbackCode: string): void {
  const code = codeOf(e) ?? fallbackCode;
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(e) ?? code });
}
