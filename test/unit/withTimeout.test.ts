import { NEVER, Observable, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ConfigError, ToolTimeoutError } from '../../src/errors.js';
import { withTimeout } from '../../src/streams/withTimeout.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('withTimeout', () => {
  it('fails with ToolTimeoutError naming what timed out when the source has not completed in time', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const slow = cold('10ms a 100ms b|').pipe(withTimeout({ ms: 50, what: 'Tool `slow`' }));
      expectObservable(slow).toBe('10ms a 39ms #', { a: 'a' }, new ToolTimeoutError('Tool `slow`', 50));
    });
  });

  it('passes a source that completes in time through unchanged', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b|').pipe(withTimeout(10))).toBe('-a-b|');
    });
  });

  it('limits the whole call, not the gap between values', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-a-a-a-a-a|').pipe(withTimeout(5))).toBe(
        '-a-a-#',
        undefined,
        new ToolTimeoutError('The operation', 5),
      );
    });
  });

  it('unsubscribes from the source when it times out', () => {
    let torn = false;
    scheduler().run(({ expectObservable }) => {
      const source = new Observable<never>(() => () => {
        torn = true;
      });
      expectObservable(source.pipe(withTimeout(3))).toBe('3ms #', undefined, new ToolTimeoutError('The operation', 3));
    });
    expect(torn).toBe(true);
  });

  it('keeps the error message of the timeout readable', async () => {
    const error = await new Promise((resolve) => NEVER.pipe(withTimeout(1)).subscribe({ error: resolve }));
    expect(String(error)).toContain('did not settle within 1 ms');
    expect(of(1).pipe(withTimeout(0))).toBeDefined();
  });

  it.each([
    [-1, '-1'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    ['5', '"5"'],
  ])('rejects ms = %s naming the value', (ms, shown) => {
    expect(() => withTimeout(ms as number)).toThrow(ConfigError);
    expect(() => withTimeout(ms as number)).toThrow(
      `withTimeout: expected \`ms\` to be a finite number ≥ 0, got \`${shown}\``,
    );
  });
});
