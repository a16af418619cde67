import fc from 'fast-check';
import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { TroupeEvent, UnsequencedEvent } from '../../src/events/types.js';
import { memoryLog } from '../../src/log/memoryLog.js';

let nextId = 0;
function event(runId: string, payload: Partial<UnsequencedEvent> = {}): UnsequencedEvent {
  nextId += 1;
  return {
    type: 'run.started',
    goal: `goal of ${runId}`,
    id: `e${nextId}`,
    runId,
    ts: nextId,
    correlationId: runId,
    causationId: null,
    ...payload,
  } as UnsequencedEvent;
}

function collect(source: ReturnType<ReturnType<typeof memoryLog>['subscribe']>): TroupeEvent[] {
  const seen: TroupeEvent[] = [];
  source.subscribe((e) => seen.push(e));
  return seen;
}

describe('memoryLog append', () => {
  it('assigns seq in append order across runs and returns the stored events', async () => {
    const log = memoryLog();
    const first = await log.append([event('r1'), event('r2')]);
    const second = await log.append([event('r1', { type: 'run.completed', answer: 'ok' } as never)]);
    expect(first.map((e) => [e.runId, e.seq])).toEqual([
      ['r1', 0],
      ['r2', 1],
    ]);
    expect(second.map((e) => e.seq)).toEqual([2]);
    expect(second[0]).toMatchObject({ type: 'run.completed', answer: 'ok', runId: 'r1' });
  });

  it('appends an empty batch as a no-op', async () => {
    const log = memoryLog();
    expect(await log.append([])).toEqual([]);
    expect(await log.runs()).toEqual([]);
  });

  it('does not let a caller change what was stored by mutating its input', async () => {
    const log = memoryLog();
    const input = event('r1');
    await log.append([input]);
    (input as { goal: string }).goal = 'changed';
    const [stored] = await log.read('r1');
    expect(stored).toMatchObject({ goal: 'goal of r1' });
  });
});

describe('memoryLog read', () => {
  it('returns one run’s events in log order, from `fromSeq` inclusive', async () => {
    const log = memoryLog();
    await log.append([event('r1'), event('r2'), event('r1'), event('r2'), event('r1')]);
    expect((await log.read('r1')).map((e) => e.seq)).toEqual([0, 2, 4]);
    expect((await log.read('r1', 2)).map((e) => e.seq)).toEqual([2, 4]);
    expect((await log.read('r1', 3)).map((e) => e.seq)).toEqual([4]);
    expect((await log.read('r2', 99)).map((e) => e.seq)).toEqual([]);
    expect(await log.read('nobody')).toEqual([]);
  });

  it('returns a copy that later appends do not change', async () => {
    const log = memoryLog();
    await log.append([event('r1')]);
    const before = await log.read('r1');
    await log.append([event('r1')]);
    expect(before).toHaveLength(1);
  });
});

describe('memoryLog subscribe', () => {
  it('replays from `fromSeq`, then tails, with no gap and no duplicate at the seam', async () => {
    const log = memoryLog();
    await log.append([event('r1'), event('r1'), event('r1')]);
    const seen = collect(log.subscribe(1));
    expect(seen.map((e) => e.seq)).toEqual([1, 2]);
    await log.append([event('r1'), event('r2')]);
    await log.append([event('r1')]);
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('delivers every event appended during the replay exactly once', async () => {
    const log = memoryLog();
    await log.append([event('r1'), event('r1')]);
    const seen: number[] = [];
    let appendedDuringReplay = false;
    log.subscribe(0).subscribe((e) => {
      seen.push(e.seq);
      if (!appendedDuringReplay) {
        appendedDuringReplay = true;
        void log.append([event('r1')]);
      }
    });
    await Promise.resolve();
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2]);
  });

  it('without `fromSeq`, emits only what is appended after subscribing', async () => {
    const log = memoryLog();
    await log.append([event('r1')]);
    const seen = collect(log.subscribe());
    expect(seen).toEqual([]);
    await log.append([event('r1')]);
    expect(seen.map((e) => e.seq)).toEqual([1]);
  });

  it('with a `fromSeq` beyond the end, emits nothing before that seq', async () => {
    const log = memoryLog();
    await log.append([event('r1'), event('r1')]);
    const seen = collect(log.subscribe(4));
    await log.append([event('r1'), event('r1'), event('r1'), event('r1')]);
    expect(seen.map((e) => e.seq)).toEqual([4, 5]);
  });

  it('is cold: each subscriber gets its own replay', async () => {
    const log = memoryLog();
    await log.append([event('r1'), event('r1')]);
    const stream = log.subscribe(0);
    const a = await firstValueFrom(stream.pipe(take(2), toArray()));
    const b = await firstValueFrom(stream.pipe(take(2), toArray()));
    expect(a.map((e) => e.seq)).toEqual([0, 1]);
    expect(b.map((e) => e.seq)).toEqual([0, 1]);
  });

  it('stops delivering after unsubscribe', async () => {
    const log = memoryLog();
    const seen: number[] = [];
    const subscription = log.subscribe(0).subscribe((e) => seen.push(e.seq));
    await log.append([event('r1')]);
    subscription.unsubscribe();
    await log.append([event('r1')]);
    expect(seen).toEqual([0]);
  });
});

describe('memoryLog subscribe over random interleavings', () => {
  it('gives each subscriber every seq from its start, in order, with no gap and no duplicate', async () => {
    const op = fc.oneof(
      fc.record({ append: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ subscribe: fc.option(fc.integer({ min: -1, max: 25 }), { nil: undefined }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const log = memoryLog();
        let total = 0;
        const subscribers: { from: number; seen: number[] }[] = [];
        for (const o of ops) {
          if ('append' in o) {
            await log.append(Array.from({ length: o.append }, () => event('r')));
            total += o.append;
          } else {
            const from = Math.max(0, o.subscribe ?? total);
            const seen: number[] = [];
            log.subscribe(o.subscribe).subscribe((e) => seen.push(e.seq));
            subscribers.push({ from, seen });
          }
        }
        for (const { from, seen } of subscribers) {
          expect(seen).toEqual(Array.from({ length: Math.max(0, total - from) }, (_, i) => from + i));
        }
      }),
    );
  });
});

describe('memoryLog runs', () => {
  it('summarises every run, oldest first, with its goal, status and event count', async () => {
    const log = memoryLog();
    const ok = { type: 'run.completed', answer: 'ok' } as never;
    const failed = { type: 'run.failed', error: { code: 'TOOL_FAILED', message: 'm' } } as never;
    const cancelled = { type: 'run.cancelled', reason: 'r' } as never;
    await log.append([event('a'), event('b'), event('c'), event('d')]);
    await log.append([event('a', ok), event('b', failed), event('c', cancelled)]);
    const runs = await log.runs();
    expect(runs.map((r) => [r.runId, r.goal, r.status, r.events])).toEqual([
      ['a', 'goal of a', 'completed', 2],
      ['b', 'goal of b', 'failed', 2],
      ['c', 'goal of c', 'cancelled', 2],
      ['d', 'goal of d', 'running', 1],
    ]);
    const a = runs[0];
    expect(a?.startedAt).toBeLessThan(a?.updatedAt ?? 0);
  });

  it('returns copies: mutating a summary does not change the log', async () => {
    const log = memoryLog();
    await log.append([event('a')]);
    const [summary] = await log.runs();
    if (summary !== undefined) summary.status = 'failed';
    expect((await log.runs())[0]?.status).toBe('running');
  });
});

describe('memoryLog close', () => {
  it('rejects appends afterwards with LOG_CLOSED, keeps what was stored readable', async () => {
    const log = memoryLog();
    await log.append([event('r1')]);
    await log.close();
    await expect(log.append([event('r1')])).rejects.toMatchObject({ code: 'LOG_CLOSED', name: 'TroupeError' });
    expect(await log.read('r1')).toHaveLength(1);
  });

  it('completes live subscriptions', async () => {
    const log = memoryLog();
    let completed = false;
    log.subscribe().subscribe({ complete: () => (completed = true) });
    await log.close();
    expect(completed).toBe(true);
  });
});
