import type { SchedulerLike } from 'rxjs';
import { CircuitOpenError, TroupeError } from '../errors.js';
import { isRetryable } from '../util/backoff.js';
import { asyncScheduler, Observable, Subject } from '../util/rx.js';
import { checkObject, integerAtLeast, nonEmptyString, numberAtLeast, optionalFunction } from './checkOptions.js';

/** `closed` lets calls through, `open` refuses them, `half_open` lets a few trial calls test the water. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** One change of a circuit's state. */
export interface CircuitTransition {
  circuit: string;
  from: CircuitState;
  to: CircuitState;
  /** When it happened, on the breaker's scheduler clock (ms). */
  at: number;
  /** Failures counted in the window when it opened; 0 otherwise. */
  failures: number;
  /** The failure that opened it, when it opened. */
  error?: unknown;
}

/** Options of `circuitBreaker`. */
export interface CircuitBreakerConfig {
  /** Names the circuit in errors and transitions (e.g. the tool's name). @default 'circuit' */
  name?: string;
  /** Failures within `windowMs` that open the circuit. @default 5 */
  failureThreshold?: number;
  /** How far back failures are counted, in ms. @default 10000 */
  windowMs?: number;
  /** How long the circuit stays open before letting trial calls through, in ms. @default 30000 */
  halfOpenAfterMs?: number;
  /** Trial calls let through at once while half-open; that many successes close the circuit. @default 1 */
  halfOpenMax?: number;
  /** Whether an error counts against the circuit. @default every error but bad input and cancellation */
  isFailure?: (error: unknown) => boolean;
  /** Called on every state change, e.g. to record it as an event. */
  onTransition?: (transition: CircuitTransition) => void;
  /** The clock the windows are measured on. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * A circuit breaker: an operator whose state is shared by every subscription piped through it,
 * so a thousand calls to one flaky tool trip one circuit.
 */
export interface CircuitBreaker {
  <T>(source: Observable<T>): Observable<T>;
  readonly name: string;
  /** The state now (an open circuit whose wait is over reads `half_open`). */
  readonly state: CircuitState;
  /** Every transition from now on. */
  readonly transitions$: Observable<CircuitTransition>;
}

/** Errors that say nothing about the target's health: an open circuit, and those no retry would change. */
function defaultIsFailure(error: unknown): boolean {
  return !(error instanceof TroupeError && (error.code === 'CIRCUIT_OPEN' || !isRetryable(error.code)));
}

/**
 * Guards a source with a circuit breaker. Closed, it counts failures (errors) in a sliding
 * window; `failureThreshold` of them within `windowMs` open it, and while open every
 * subscription fails at once with `CircuitOpenError` without touching the source. After
 * `halfOpenAfterMs` it half-opens: up to `halfOpenMax` trial calls go through; as many
 * successes close it, one failure opens it again. A subscription succeeds on its first value
 * or on completion.
 *
 * @example
 * const breaker = circuitBreaker({ name: 'search', failureThreshold: 3, windowMs: 10_000, halfOpenAfterMs: 5_000 });
 * breaker.transitions$.subscribe((t) => console.log(`${t.from} → ${t.to}`));
 * defer(() => search(query)).pipe(breaker).subscribe();
 * // after three failures within 10 s:
 * // => closed → open
 */
export function circuitBreaker(config: CircuitBreakerConfig = {}): CircuitBreaker {
  const owner = 'circuitBreaker';
  checkObject(owner, config);
  const name = nonEmptyString(owner, 'name', config.name, 'circuit');
  const threshold = integerAtLeast(owner, 'failureThreshold', config.failureThreshold, 1, 5);
  const windowMs = numberAtLeast(owner, 'windowMs', config.windowMs, 1, 10_000);
  const halfOpenAfterMs = numberAtLeast(owner, 'halfOpenAfterMs', config.halfOpenAfterMs, 0, 30_000);
  const halfOpenMax = integerAtLeast(owner, 'halfOpenMax', config.halfOpenMax, 1, 1);
  const isFailure = optionalFunction<(e: unknown) => boolean>(owner, 'isFailure', config.isFailure) ?? defaultIsFailure;
  const onTransition = optionalFunction<(t: CircuitTransition) => void>(owner, 'onTransition', config.onTransition);
  const scheduler = config.scheduler ?? asyncScheduler;
  const transitions = new Subject<CircuitTransition>();

  let state: CircuitState = 'closed';
  /** Times of recent failures, oldest first; never longer than `threshold`. */
  let failures: number[] = [];
  let openedAt = 0;
  /** Bumped on every transition, so calls admitted under an older state cannot settle this one. */
  let generation = 0;
  let trialsInFlight = 0;
  let trialSuccesses = 0;

  function move(to: CircuitState, failureCount = 0, error?: unknown): void {
    const transition: CircuitTransition = {
      circuit: name,
      from: state,
      to,
      at: scheduler.now(),
      failures: failureCount,
    };
    if (error !== undefined) transition.error = error;
    state = to;
    generation += 1;
    trialsInFlight = 0;
    trialSuccesses = 0;
    if (to === 'open') openedAt = transition.at;
    if (to === 'closed') failures = [];
    onTransition?.(transition);
    transitions.next(transition);
  }

  function current(): CircuitState {
    if (state === 'open' && scheduler.now() - openedAt >= halfOpenAfterMs) move('half_open');
    return state;
  }

  function refuse(): CircuitOpenError {
    if (state === 'half_open') {
      return new CircuitOpenError(name, `Circuit \`${name}\` is half-open with ${halfOpenMax} trial call(s) in flight`);
    }
    const waitMs = Math.max(0, openedAt + halfOpenAfterMs - scheduler.now());
    return new CircuitOpenError(name, `Circuit \`${name}\` is open: calls are refused for another ${waitMs} ms`);
  }

  function recordFailure(admittedIn: number, trial: boolean, error: unknown): void {
    if (admittedIn !== generation) return;
    if (trial) {
      move('open', 1, error);
      return;
    }
    const now = scheduler.now();
    failures.push(now);
    failures = failures.filter((t) => now - t < windowMs).slice(-threshold);
    if (failures.length >= threshold) move('open', failures.length, error);
  }

  function recordSuccess(admittedIn: number, trial: boolean): void {
    if (admittedIn !== generation || !trial) return;
    trialsInFlight -= 1;
    trialSuccesses += 1;
    if (trialSuccesses >= halfOpenMax) move('closed');
  }

  const operator = <T>(source: Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) => {
      const now = current();
      if (now === 'open' || (now === 'half_open' && trialsInFlight >= halfOpenMax)) {
        subscriber.error(refuse());
        return;
      }
      const trial = now === 'half_open';
      if (trial) trialsInFlight += 1;
      const admittedIn = generation;
      let settled = false;
      const settle = (error?: { error: unknown }): void => {
        if (settled) return;
        settled = true;
        if (error === undefined) recordSuccess(admittedIn, trial);
        else if (isFailure(error.error)) recordFailure(admittedIn, trial, error.error);
        else if (trial && admittedIn === generation) trialsInFlight -= 1;
      };
      const inner = source.subscribe({
        next: (value) => {
          settle();
          subscriber.next(value);
        },
        error: (error: unknown) => {
          settle({ error });
          subscriber.error(error);
        },
        complete: () => {
          settle();
          subscriber.complete();
        },
      });
      return () => {
        inner.unsubscribe();
        // A trial cancelled before it settled frees its slot without judging the circuit.
        if (!settled && trial && admittedIn === generation) trialsInFlight -= 1;
        settled = true;
      };
    });

  return Object.defineProperties(operator, {
    name: { value: name },
    state: { get: current },
    transitions$: { value: transitions.asObservable() },
  }) as CircuitBreaker;
}
