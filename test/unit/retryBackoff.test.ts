import { defer, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ConfigError, ToolInputError } from '../../src/errors.js';
import { backoffDelay, resolveBackoff, retryBackoff } from '../../src/streams/retryBackoff.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('retryBackoff', () => {
  it('resubscribes after 100, 200 and 400 ms without jitter, then succeeds', () => {
    const retries: number[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      let calls = 0;
      const source = defer(() => (++calls < 4 ? cold('-#', {}, new Error('flaky')) : cold('-a|')));
      const result = source.pipe(
        retryBackoff({ maxRetries: 3, initialMs: 100, jitter: 0, onRetry: (i) => retries.push(i.delayMs) }),
      );
      // 1 + 100 + 1 + 200 + 1 + 400 + 1 = 704
      expectObservable(result).toBe('704ms a|');
    });
    expect(retries).toEqual([100, 200, 400]);
  });

  it('gives up after maxRetries with the last error', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const error = new Error('down');
      const result = cold('#', {}, error).pipe(retryBackoff({ maxRetries: 2, initialMs: 10, jitter: 0 }));
      expectObservable(result).toBe('30ms #', {}, error);
    });
  });

  it('caps delays at maxMs', () => {
    const policy = resolveBackoff('t', { initialMs: 100, maxMs: 300, factor: 3, jitter: 0 });
    expect([1, 2, 3, 4].map((n) => backoffDelay(policy, n))).toEqual([100, 300, 300, 300]);
  });

  it('draws jittered delays from [ceiling × (1 − jitter), ceiling]', () => {
    const low = resolveBackoff('t', { initialMs: 1000, jitter: 0.5, random: () => 0 });
    const high = resolveBackoff('t', { initialMs: 1000, jitter: 0.5, random: () => 0.999999 });
    expect(backoffDelay(low, 1)).toBe(500);
    expect(backoffDelay(high, 1)).toBe(1000);
  });

  it('does not retry bad input by default, nor what retryIf refuses', () => {
    scheduler().run(({ expectObservable }) => {
      const bad = new ToolInputError('t', 'bad');
      expectObservable(throwError(() => bad).pipe(retryBackoff({ initialMs: 10 }))).toBe('#', {}, bad);
      const other = new Error('fatal');
      const refused = throwError(() => other).pipe(retryBackoff({ initialMs: 10, retryIf: () => false }));
      expectObservable(refused).toBe('#', {}, other);
    });
  });

  it('passes values through untouched when nothing fails', () => {
    scheduler().run(({ expectObservable }) => {
      expectObservable(of(1, 2).pipe(retryBackoff())).toBe('(ab|)', { a: 1, b: 2 });
    });
  });

  it.each([
    [{ maxRetries: -1 }, 'maxRetries', '-1'],
    [{ maxRetries: 1.5 }, 'maxRetries', '1.5'],
    [{ initialMs: Number.NaN }, 'initialMs', 'NaN'],
    [{ maxMs: -5 }, 'maxMs', '-5'],
    [{ factor: 0.5 }, 'factor', '0.5'],
    [{ jitter: 2 }, 'jitter', '2'],
    [{ retryIf: 'yes' }, 'retryIf', '"yes"'],
  ])('rejects %o naming the option and the value', (config, option, shown) => {
    expect(() => retryBackoff(config as never)).toThrow(ConfigError);
    expect(() => retryBackoff(config as never)).toThrow(`\`${option}\``);
    expect(() => retryBackoff(config as never)).toThrow(`got \`${shown}\``);
  });

  it('rejects maxMs below initialMs', () => {
    expect(() => retryBackoff({ initialMs: 500, maxMs: 100 })).toThrow('expected `maxMs` to be a finite number ≥ 500');
  });
});
