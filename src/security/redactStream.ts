import { redactorFromOptions } from './redactionOptions.js';
import type { Redactor } from './redactor.js';

/** A stream whose `write` can be wrapped: `process.stdout`, `process.stderr`, a socket. */
export interface WritableLike {
  write(chunk: string | Uint8Array, ...rest: never[]): boolean;
}

/**
 * Routes everything written to `stream` through a redactor, so a command-line tool cannot
 * print a secret whichever code path prints it (events, answers, error messages, usage
 * errors that echo an argument). Chunks are redacted one by one: write whole lines, or a
 * secret split across two writes can slip through. Returns a function that restores the
 * stream.
 *
 * @example
 * const restore = redactStream(process.stdout, createRedactor());
 * process.stdout.write('key sk-proj-abcdefghijklmnopqrstuvwx\n');
 * // => prints 'key [REDACTED_OPENAI_KEY]'
 * restore();
 * @param stream the stream to guard
 * @param redactor what replaces secrets and personal data
 */
export function redactStream(stream: WritableLike, redactor: Redactor): () => void {
  const original = stream.write;
  const guarded = function (this: WritableLike, chunk: string | Uint8Array, ...rest: never[]): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return original.call(this, redactor.text(text), ...rest);
  };
  stream.write = guarded;
  return () => {
    if (stream.write === guarded) stream.write = original;
  };
}

/**
 * Guards `process.stdout` and `process.stderr` with the redactor of the default options (built-in
 * patterns, PII, and the values of secret env vars): what a command-line entry point calls
 * first. Returns a function that restores both streams.
 *
 * @example
 * redactionSafeguard();
 * console.log('mail ada@example.com');
 * // => prints 'mail [REDACTED_EMAIL]'
 */
export function redactionSafeguard(): () => void {
  const redactor = redactorFromOptions({});
  if (redactor === undefined) return () => undefined;
  const restoreOut = redactStream(process.stdout, redactor);
  const restoreErr = redactStream(process.stderr, redactor);
  return () => {
    restoreOut();
    restoreErr();
  };
}
