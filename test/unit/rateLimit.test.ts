import Bottleneck from 'bottleneck';
import { defer, firstValueFrom, of, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { rateLimit } from '../../src/streams/rateLimit.js';

describe('rateLimit', () => {
  it('starts at most `limit` subscriptions in any interval (sliding window)', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.maxFrames = Number.POSITIVE_INFINITY;
    const limited = rateLimit<number>({ limit: 2, intervalMs: 1_000, scheduler: ts });
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      defer(() => {
        starts.push(ts.now());
        return of(i);
      })
        .pipe(limited)
        .subscribe();
    }
    ts.flush();
    return new Promise<void>((resolve) => {
      // Grants are promise callbacks: let them run, flushing the clock as they schedule.
      const step = (left: number) => {
        ts.flush();
        if (left === 0) {
          expect(starts).toEqual([0, 0, 1_000, 1_000, 2_000]);
          resolve();
        } else setImmediate(() => step(left - 1));
      };
      step(10);
    });
  });

  it('holds a bottleneck slot until the subscription completes', async () => {
    const limiter = new Bottleneck({ maxConcurrent: 1 });
    const first = new Subject<string>();
    const order: string[] = [];
    const started = new Promise<void>((resolve) => {
      defer(() => {
        resolve();
        return first;
      })
        .pipe(rateLimit(limiter))
        .subscribe({ next: (v) => order.push(v) });
    });
    let secondStarted = false;
    const secondCall = defer(() => {
      secondStarted = true;
      return of('second');
    });
    const second = firstValueFrom(secondCall.pipe(rateLimit(limiter)));
    await started;
    first.next('first');
    expect(secondStarted).toBe(false);
    expect(order).toEqual(['first']);
    first.complete();
    expect(await second).toBe('second');
    await limiter.stop();
  });

  it('withdraws a waiting subscription from the built-in window, and drops its timer', () => {
    const ts = new TestScheduler((x, y) => expect(x).toEqual(y));
    ts.maxFrames = Number.POSITIVE_INFINITY;
    const limited = rateLimit<number>({ limit: 1, intervalMs: 1_000, scheduler: ts });
    let calls = 0;
    const call = defer(() => {
      calls += 1;
      return of(calls);
    });
    call.pipe(limited).subscribe();
    const waiting = call.pipe(limited).subscribe();
    expect(ts.actions.length).toBe(1);
    waiting.unsubscribe();
    expect(ts.actions.length).toBe(0);
    ts.flush();
    expect(calls).toBe(1);
  });

  it('never subscribes a source that was unsubscribed while waiting', async () => {
    const jobs: (() => Promise<unknown>)[] = [];
    const gate = {
      schedule<R>(job: () => Promise<R>): Promise<R> {
        jobs.push(job);
        return new Promise<R>(() => undefined);
      },
    };
    let subscribed = false;
    const sub = defer(() => {
      subscribed = true;
      return of(1);
    })
      .pipe(rateLimit(gate))
      .subscribe();
    sub.unsubscribe();
    await jobs[0]?.();
    expect(subscribed).toBe(false);
  });

  it.each([
    [{ limit: 0, intervalMs: 10 }, '`limit`', '0'],
    [{ limit: 1, intervalMs: Number.NaN }, '`intervalMs`', 'NaN'],
    [{ limit: -2, intervalMs: 10 }, '`limit`', '-2'],
  ])('rejects %o naming the option and the value', (config, option, shown) => {
    expect(() => rateLimit(config)).toThrow(ConfigError);
    expect(() => rateLimit(config)).toThrow(`expected ${option}`);
    expect(() => rateLimit(config)).toThrow(`got \`${shown}\``);
  });

  it('rejects something that is neither a limiter nor a config', () => {
    expect(() => rateLimit({} as never)).toThrow('a limiter with a `schedule(job)` method');
    expect(() => rateLimit(null as never)).toThrow('rateLimit: expected `options` to be an object, got `null`');
  });
});
