import { ConfigError, TroupeError } from '../errors.js';

/** One alternative of a `fallback`: a name for the record, and the work. */
export interface Alternative<T> {
  name: string;
  run(signal: AbortSignal): Promise<T>;
}

/** What `onFallback` is told when one alternative failed and the next is tried. */
export interface FallbackInfo {
  from: string;
  to: string;
  error: unknown;
}

/** Options of `fallback`. */
export interface FallbackConfig {
  /** Whether an error should move on to the next alternative. @default every error */
  fallbackIf?: (error: unknown) => boolean;
  /** Called before each next alternative is tried, e.g. to record it as an event. */
  onFallback?: (info: FallbackInfo) => void;
  /** Passed to every alternative. */
  signal?: AbortSignal;
}

/** Every alternative of a `fallback` failed; `failures` lists each, in order. */
export class FallbackExhaustedError extends TroupeError {
  readonly failures: readonly { name: string; error: unknown }[];
  constructor(failures: readonly { name: string; error: unknown }[]) {
    const detail = failures.map(
      (f) => `\`${f.name}\`: ${f.error instanceof Error ? f.error.message : String(f.error)}`,
    );
    super('FALLBACK_EXHAUSTED', `Every alternative failed (${detail.join('; ')})`, {
      cause: failures[failures.length - 1]?.error,
    });
    this.name = 'FallbackExhaustedError';
    this.failures = failures;
  }
}

/**
 * Tries ordered alternatives until one succeeds: the per-task fallback policy. Resolves with
 * the first result and the name of the alternative that gave it; when every one fails,
 * rejects with `FallbackExhaustedError` listing each failure. An error `fallbackIf` refuses
 * (e.g. bad input, which every alternative would refuse too) is thrown at once.
 *
 * @example
 * await fallback([
 *   { name: 'primary', run: (s) => searchPrimary(q, s) },
 *   { name: 'mirror', run: (s) => searchMirror(q, s) },
 * ]);
 * // primary is down:
 * // => { value: [...results], used: 'mirror' }
 */
export async function fallback<T>(
  alternatives: readonly Alternative<T>[],
  config: FallbackConfig = {},
): Promise<{ value: T; used: string }> {
  if (!Array.isArray(alternatives) || alternatives.length === 0) {
    throw new ConfigError([
      `fallback: expected \`alternatives\` to be a non-empty array, got \`${JSON.stringify(alternatives)}\``,
    ]);
  }
  for (const [i, alt] of alternatives.entries()) {
    if (typeof alt?.name !== 'string' || typeof alt.run !== 'function') {
      throw new ConfigError([`fallback: expected \`alternatives[${i}]\` to be { name: string, run: function }`]);
    }
  }
  const signal = config.signal ?? new AbortController().signal;
  const failures: { name: string; error: unknown }[] = [];
  for (const [i, alt] of alternatives.entries()) {
    try {
      return { value: await alt.run(signal), used: alt.name };
    } catch (error) {
      if (config.fallbackIf !== undefined && !config.fallbackIf(error)) throw error;
      failures.push({ name: alt.name, error });
      const next = alternatives[i + 1];
      if (next !== undefined) config.onFallback?.({ from: alt.name, to: next.name, error });
    }
  }
  throw new FallbackExhaustedError(failures);
}
