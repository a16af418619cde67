import { TroupeError } from '../errors.js';

/** The error a cancelled run's work rejects with, unless the signal carries a `TroupeError`. */
export function abortReason(signal: AbortSignal): TroupeError {
  const reason: unknown = signal.reason;
  if (reason instanceof TroupeError) return reason;
  return new TroupeError('RUN_CANCELLED', reason instanceof Error ? reason.message : 'The run was cancelled');
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts, whichever comes first: work that
 * ignores its signal can delay nothing.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Resolves after `ms`, or rejects when `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A signal that aborts when `parent` does or after `timeoutMs`, with `onTimeout()` as the
 * reason. Call `dispose()` when done so the timer and listener go away.
 */
export function deadline(
  parent: AbortSignal,
  timeoutMs: number,
  onTimeout: () => TroupeError,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });
  const timer = setTimeout(() => controller.abort(onTimeout()), timeoutMs);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}
