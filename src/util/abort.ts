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

/** One attempt's deadline, from `Deadlines.arm`. */
export interface Deadline {
  /** Aborts when the deadline passes or `Deadlines.abortAll` is called; made on first use. */
  readonly signal: AbortSignal;
  /** Whether the deadline passed or the run stopped, without making a signal. */
  readonly aborted: boolean;
  /** Settles with `work`, or rejects with the abort reason as soon as the deadline aborts. */
  race<T>(work: Promise<T>): Promise<T>;
  /** Takes the deadline off the clock; call it once the attempt settled. */
  dispose(): void;
}

class Ticket implements Deadline {
  readonly expiresAt: number;
  readonly onTimeout: () => TroupeError;
  private controller: AbortController | undefined;
  private reason: TroupeError | undefined;
  private reject: ((reason: unknown) => void) | undefined;
  private readonly owner: Deadlines;

  constructor(owner: Deadlines, expiresAt: number, onTimeout: () => TroupeError) {
    this.owner = owner;
    this.expiresAt = expiresAt;
    this.onTimeout = onTimeout;
  }

  // Most tools never look at their signal: an AbortController per attempt is made only when asked for.
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  race<T>(work: Promise<T>): Promise<T> {
    if (this.reason !== undefined) return Promise.reject(this.reason);
    return new Promise<T>((resolve, reject) => {
      this.reject = reject;
      work.then(resolve, reject);
    });
  }

  abort(reason: TroupeError): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller?.abort(reason);
    this.reject?.(reason);
  }

  dispose(): void {
    this.reject = undefined;
    this.owner.release(this);
  }
}

/**
 * Every deadline of one run on a single timer. All deadlines have the same length, so they
 * expire in the order they were armed: the live ones are kept in arming order, and one timer
 * waits for the oldest. Arming costs an object and a set entry (the `AbortController` only if
 * the work asks for its signal); no timer or listener per task, and nothing that grows with the
 * number of tasks the run has had.
 *
 * @example
 * const deadlines = new Deadlines(30_000);
 * const limit = deadlines.arm(() => new ToolTimeoutError('Task `a`', 30_000));
 * try { await limit.race(work(limit.signal)); } finally { limit.dispose(); }
 */
export class Deadlines {
  private readonly timeoutMs: number;
  private readonly live = new Set<Ticket>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private aborted: TroupeError | undefined;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /** Starts a deadline `timeoutMs` from now; when it passes, its signal aborts with `onTimeout()`. */
  arm(onTimeout: () => TroupeError): Deadline {
    const ticket = new Ticket(this, performance.now() + this.timeoutMs, onTimeout);
    if (this.aborted !== undefined) {
      ticket.abort(this.aborted);
      return ticket;
    }
    this.live.add(ticket);
    if (this.timer === undefined) this.schedule(ticket.expiresAt);
    return ticket;
  }

  /** Aborts every live deadline with `reason`, and every later one at once (the run stopped). */
  abortAll(reason: TroupeError): void {
    this.aborted = reason;
    this.stopTimer();
    const tickets = [...this.live];
    this.live.clear();
    for (const ticket of tickets) ticket.abort(reason);
  }

  /** @internal Called by a deadline's `dispose`. */
  release(ticket: Ticket): void {
    this.live.delete(ticket);
    if (this.live.size === 0) this.stopTimer();
  }

  private schedule(at: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(0, at - performance.now()));
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    for (const ticket of this.live) {
      if (ticket.expiresAt > now) {
        this.schedule(ticket.expiresAt);
        return;
      }
      this.live.delete(ticket);
      ticket.abort(ticket.onTimeout());
    }
  }
}
