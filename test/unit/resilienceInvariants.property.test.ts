import fc from 'fast-check';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { bulkhead } from '../../src/streams/bulkhead.js';
import { circuitBreaker } from '../../src/streams/circuitBreaker.js';
import { backoffDelay, resolveBackoff } from '../../src/streams/retryBackoff.js';

describe('resilience invariants', () => {
  it('a backoff delay stays within [ceiling × (1 − jitter), min(maxMs, initialMs × factor^(n−1))]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        fc.integer({ min: 1, max: 30 }),
        (initialMs, extra, factor, jitter, r, attempt) => {
          const policy = resolveBackoff('p', { initialMs, maxMs: initialMs + extra, factor, jitter, random: () => r });
          const ceiling = Math.min(initialMs + extra, initialMs * factor ** (attempt - 1));
          const delay = backoffDelay(policy, attempt);
          expect(delay).toBeLessThanOrEqual(Math.round(ceiling));
          expect(delay).toBeGreaterThanOrEqual(Math.round(ceiling * (1 - jitter)) - 1);
        },
      ),
    );
  });

  it('a bulkhead never runs more than maxConcurrent, and rejects only when the queue is full', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.oneof(fc.constant('call' as const), fc.constant('finish' as const)), { maxLength: 60 }),
        (maxConcurrent, maxQueued, script) => {
          const pool = bulkhead({ maxConcurrent, maxQueued });
          const running: Subject<number>[] = [];
          let started = 0;
          for (const step of script) {
            if (step === 'call') {
              const call = new Subject<number>();
              const before = { active: pool.active, queued: pool.queued };
              let rejected = false;
              call.pipe(pool).subscribe({ error: () => (rejected = true) });
              running.push(call);
              expect(rejected).toBe(before.active >= maxConcurrent && before.queued >= maxQueued);
              if (!rejected) started += 1;
            } else {
              running.shift()?.complete();
            }
            expect(pool.active).toBeLessThanOrEqual(maxConcurrent);
            expect(pool.queued).toBeLessThanOrEqual(maxQueued);
          }
          expect(started).toBeGreaterThanOrEqual(pool.active + pool.queued);
        },
      ),
    );
  });

  it('a circuit only ever moves closed → open → half_open → (closed | open)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 80 }), fc.integer({ min: 1, max: 4 }), (outcomes, threshold) => {
        const seen: string[] = [];
        const breaker = circuitBreaker({
          failureThreshold: threshold,
          halfOpenAfterMs: 0,
          onTransition: (t) => seen.push(`${t.from}>${t.to}`),
        });
        for (const ok of outcomes) {
          const call = new Subject<number>();
          call.pipe(breaker).subscribe({ error: () => undefined });
          if (ok) call.complete();
          else call.error(new Error('x'));
        }
        const legal = new Set(['closed>open', 'open>half_open', 'half_open>closed', 'half_open>open']);
        for (const move of seen) expect(legal.has(move)).toBe(true);
        for (let i = 1; i < seen.length; i++) {
          expect(seen[i]?.split('>')[0]).toBe(seen[i - 1]?.split('>')[1]);
        }
      }),
    );
  });
});
