import { defer, firstValueFrom, NEVER, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { CircuitOpenError, ConfigError, ToolInputError } from '../../src/errors.js';
import { type CircuitTransition, circuitBreaker } from '../../src/streams/circuitBreaker.js';

function clock(): TestScheduler {
  const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
  // Virtual time stops at 750 frames unless told otherwise.
  ts.maxFrames = Number.POSITIVE_INFINITY;
  return ts;
}

/** Subscribes `source` through the breaker at virtual time `at`; records what happened. */
function callAt<T>(ts: TestScheduler, at: number, run: () => Promise<T>, log: string[], label: string): void {
  ts.schedule(() => {
    run().then(
      () => log.push(`${label}:ok`),
      (err: Error) => log.push(`${label}:${err instanceof CircuitOpenError ? 'refused' : 'failed'}`),
    );
  }, at);
}

describe('circuitBreaker', () => {
  it('opens after 3 failures in 10 s, refuses while open, half-opens after the wait and closes on a success', async () => {
    const ts = clock();
    const transitions: CircuitTransition[] = [];
    const breaker = circuitBreaker({
      name: 'search',
      failureThreshold: 3,
      windowMs: 10_000,
      halfOpenAfterMs: 5_000,
      scheduler: ts,
      onTransition: (t) => transitions.push(t),
    });
    let touched = 0;
    const touch = <T>(value: T): T => {
      touched += 1;
      return value;
    };
    const failing = () => firstValueFrom(defer(() => touch(throwError(() => new Error('503')))).pipe(breaker));
    const working = () => firstValueFrom(defer(() => touch(of('ok'))).pipe(breaker));
    const log: string[] = [];
    callAt(ts, 0, failing, log, 'a');
    callAt(ts, 1_000, failing, log, 'b');
    callAt(ts, 2_000, failing, log, 'c');
    callAt(ts, 3_000, working, log, 'd');
    callAt(ts, 7_000, working, log, 'e');
    ts.flush();
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['a:failed', 'b:failed', 'c:failed', 'd:refused', 'e:ok']);
    expect(touched).toBe(4);
    expect(transitions.map((t) => [t.from, t.to, t.at])).toEqual([
      ['closed', 'open', 2_000],
      ['open', 'half_open', 7_000],
      ['half_open', 'closed', 7_000],
    ]);
    expect(transitions[0]?.failures).toBe(3);
    expect(breaker.state).toBe('closed');
  });

  it('forgets failures older than the window', async () => {
    const ts = clock();
    const breaker = circuitBreaker({ failureThreshold: 2, windowMs: 1_000, scheduler: ts });
    const failing = () => firstValueFrom(throwError(() => new Error('x')).pipe(breaker));
    const log: string[] = [];
    callAt(ts, 0, failing, log, 'a');
    callAt(ts, 1_500, failing, log, 'b');
    callAt(ts, 3_000, failing, log, 'c');
    ts.flush();
    await new Promise((r) => setImmediate(r));
    expect(breaker.state).toBe('closed');
    expect(log).toEqual(['a:failed', 'b:failed', 'c:failed']);
  });

  it('reopens when the half-open trial fails, and refuses calls beyond halfOpenMax', async () => {
    const ts = clock();
    const seen: string[] = [];
    const breaker = circuitBreaker({ failureThreshold: 1, halfOpenAfterMs: 100, halfOpenMax: 1, scheduler: ts });
    breaker.transitions$.subscribe((t) => seen.push(`${t.from}>${t.to}@${t.at}`));
    const log: string[] = [];
    callAt(ts, 0, () => firstValueFrom(throwError(() => new Error('x')).pipe(breaker)), log, 'a');
    // The trial hangs, so a second caller in half-open is refused.
    callAt(ts, 100, () => firstValueFrom(NEVER.pipe(breaker)), log, 'trial');
    callAt(ts, 150, () => firstValueFrom(of(1).pipe(breaker)), log, 'b');
    ts.flush();
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['a:failed', 'b:refused']);
    expect(seen).toEqual(['closed>open@0', 'open>half_open@100']);

    const ts2 = clock();
    const again = circuitBreaker({ failureThreshold: 1, halfOpenAfterMs: 100, scheduler: ts2 });
    const log2: string[] = [];
    callAt(ts2, 0, () => firstValueFrom(throwError(() => new Error('x')).pipe(again)), log2, 'a');
    callAt(ts2, 100, () => firstValueFrom(throwError(() => new Error('y')).pipe(again)), log2, 'trial');
    callAt(ts2, 150, () => firstValueFrom(of(1).pipe(again)), log2, 'b');
    ts2.flush();
    await new Promise((r) => setImmediate(r));
    expect(log2).toEqual(['a:failed', 'trial:failed', 'b:refused']);
    expect(again.state).toBe('open');
  });

  it('frees a half-open slot when the trial is cancelled', () => {
    const ts = clock();
    const breaker = circuitBreaker({ failureThreshold: 1, halfOpenAfterMs: 0, scheduler: ts });
    throwError(() => new Error('x'))
      .pipe(breaker)
      .subscribe({ error: () => undefined });
    const trial = NEVER.pipe(breaker).subscribe();
    trial.unsubscribe();
    let value: unknown;
    of('after')
      .pipe(breaker)
      .subscribe((v) => {
        value = v;
      });
    expect(value).toBe('after');
    expect(breaker.state).toBe('closed');
  });

  it('does not count bad input against the circuit', () => {
    const breaker = circuitBreaker({ failureThreshold: 1 });
    throwError(() => new ToolInputError('t', 'bad'))
      .pipe(breaker)
      .subscribe({ error: () => undefined });
    expect(breaker.state).toBe('closed');
  });

  it.each([
    [{ failureThreshold: 0 }, 'failureThreshold', '0'],
    [{ failureThreshold: Number.NaN }, 'failureThreshold', 'NaN'],
    [{ windowMs: -1 }, 'windowMs', '-1'],
    [{ halfOpenAfterMs: Number.POSITIVE_INFINITY }, 'halfOpenAfterMs', 'Infinity'],
    [{ halfOpenMax: 0 }, 'halfOpenMax', '0'],
    [{ name: '' }, 'name', '""'],
    [{ onTransition: 3 }, 'onTransition', '3'],
  ])('rejects %o naming the option and the value', (config, option, shown) => {
    expect(() => circuitBreaker(config as never)).toThrow(ConfigError);
    expect(() => circuitBreaker(config as never)).toThrow(`expected \`${option}\``);
    expect(() => circuitBreaker(config as never)).toThrow(`got \`${shown}\``);
  });
});
