import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ConfigError, TroupeError } from '../../src/errors.js';
import { bulkhead } from '../../src/streams/bulkhead.js';

describe('bulkhead', () => {
  it('runs maxConcurrent at once, queues maxQueued in order, and rejects past the queue', () => {
    const pool = bulkhead({ name: 'geo', maxConcurrent: 2, maxQueued: 1 });
    const calls = [new Subject<string>(), new Subject<string>(), new Subject<string>(), new Subject<string>()];
    const seen: string[] = [];
    const errors: unknown[] = [];
    calls.forEach((call, i) => {
      call.pipe(pool).subscribe({ next: (v) => seen.push(`${i}:${v}`), error: (e) => errors.push(e) });
    });
    expect(pool.active).toBe(2);
    expect(pool.queued).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TroupeError);
    expect((errors[0] as TroupeError).code).toBe('BULKHEAD_FULL');
    expect((errors[0] as Error).message).toContain('Bulkhead `geo` is full: 2 running and 1 queued');
    // The third only subscribes once a slot frees: values sent before are not seen.
    calls[2]?.next('early');
    calls[0]?.next('a');
    calls[0]?.complete();
    calls[2]?.next('c');
    expect(seen).toEqual(['0:a', '2:c']);
    expect(pool.active).toBe(2);
    expect(pool.queued).toBe(0);
  });

  it('frees a slot when a running subscription errors or is unsubscribed, and drops a waiting one that leaves', () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueued: 2 });
    const first = new Subject<number>();
    const running = first.pipe(pool).subscribe({ error: () => undefined });
    const waiting = new Subject<number>().pipe(pool).subscribe();
    expect(pool.queued).toBe(1);
    waiting.unsubscribe();
    expect(pool.queued).toBe(0);
    first.error(new Error('boom'));
    expect(pool.active).toBe(0);
    const again = new Subject<number>().pipe(pool).subscribe();
    expect(pool.active).toBe(1);
    again.unsubscribe();
    running.unsubscribe();
    expect(pool.active).toBe(0);
  });

  it.each([
    [{ maxConcurrent: 0 }, 'maxConcurrent', '0'],
    [{ maxConcurrent: Number.NaN }, 'maxConcurrent', 'NaN'],
    [{ maxConcurrent: 1, maxQueued: -3 }, 'maxQueued', '-3'],
    [{ maxConcurrent: 2.5 }, 'maxConcurrent', '2.5'],
  ])('rejects %o naming the option and the value', (config, option, shown) => {
    expect(() => bulkhead(config)).toThrow(ConfigError);
    expect(() => bulkhead(config)).toThrow(
      `bulkhead: expected \`${option}\` to be an integer ≥ ${option === 'maxQueued' ? 0 : 1}, got \`${shown}\``,
    );
  });
});
