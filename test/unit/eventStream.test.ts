import { EventEmitter } from 'node:events';
import { Observable, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { TroupeEvent } from '../../src/events/types.js';
import type { EventLog } from '../../src/log/EventLog.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { streamEvents } from '../../src/ui/eventStream.js';
import { createPacer, type Pacer } from '../../src/ui/pacer.js';
import { type SseSink, SseStream } from '../../src/ui/sse.js';
import { completions } from '../helpers/tempLog.js';

/** A socket stand-in that takes `room` writes, then is full until `drain(room)`. */
class FakeSink extends EventEmitter {
  written: string[] = [];
  writableEnded = false;
  constructor(private room: number) {
    super();
  }
  write(chunk: string): boolean {
    this.written.push(chunk);
    this.room -= 1;
    return this.room > 0;
  }
  end(): this {
    this.writableEnded = true;
    return this;
  }
  drain(room: number): void {
    this.room = room;
    this.emit('drain');
  }
  seqs(): number[] {
    return this.written.map((w) => Number(/^id: (\d+)/.exec(w)?.[1]));
  }
}

/** A pacer whose slices the test runs by hand; `overdue` after `budget` events per slice. */
function manualPacer(budget = Number.POSITIVE_INFINITY): Pacer & { step(): void; waiting(): number } {
  let jobs: (() => void)[] = [];
  let used = 0;
  return {
    schedule: (job) => jobs.push(job),
    overdue: () => ++used > budget,
    step() {
      const now = jobs;
      jobs = [];
      used = 0;
      for (const job of now) job();
    },
    waiting: () => jobs.length,
  };
}

/** A memory log that counts the events its subscriptions delivered and the subscriptions open. */
function countingLog(count: number) {
  const base = memoryLog();
  const stats = { delivered: 0, open: 0 };
  const log: EventLog = {
    ...base,
    subscribe: (from?: number) =>
      new Observable<TroupeEvent>((subscriber) => {
        stats.open += 1;
        const inner = base
          .subscribe(from)
          .pipe(tap(() => stats.delivered++))
          .subscribe(subscriber);
        return () => {
          stats.open -= 1;
          inner.unsubscribe();
        };
      }),
  };
  return { log, stats, ready: base.append(completions('r', count)) };
}

const asSink = (sink: FakeSink) => sink as unknown as SseSink;

describe('streamEvents', () => {
  it('replays nothing in the request: the pacer runs the replay, one slice at a time', async () => {
    const { log, stats, ready } = countingLog(100);
    await ready;
    const sink = new FakeSink(1_000);
    const pacer = manualPacer(10);
    streamEvents(new SseStream(asSink(sink)), log, { from: 0, pacer });
    expect(sink.written).toHaveLength(0);
    pacer.step();
    expect(sink.seqs()).toEqual(Array.from({ length: 11 }, (_, i) => i));
    while (pacer.waiting() > 0) pacer.step();
    expect(sink.seqs()).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(stats.open).toBe(1);
    await log.append(completions('r', 1, 100));
    expect(sink.seqs().at(-1)).toBe(100);
  });

  it('stops reading the log while the socket is full and goes on from the next seq once it drains', async () => {
    const { log, stats, ready } = countingLog(100);
    await ready;
    const sink = new FakeSink(5);
    const pacer = manualPacer();
    streamEvents(new SseStream(asSink(sink)), log, { from: 0, pacer });
    pacer.step();
    expect(sink.seqs()).toEqual([0, 1, 2, 3, 4]);
    expect(stats.open).toBe(0);
    // The replay stopped at once: the log delivered the five sent and the one that showed the pause.
    expect(stats.delivered).toBe(6);
    sink.drain(1_000);
    pacer.step();
    expect(sink.seqs()).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('lets go of the log the moment its client is gone, mid-replay', async () => {
    const { log, stats, ready } = countingLog(100);
    await ready;
    const sink = new FakeSink(1_000);
    const pacer = manualPacer(10);
    let stop: (() => void) | undefined;
    const sse = new SseStream(asSink(sink), { onClose: () => stop?.() });
    stop = streamEvents(sse, log, { from: 0, pacer });
    pacer.step();
    sse.close();
    while (pacer.waiting() > 0) pacer.step();
    expect(sink.written).toHaveLength(11);
    expect(stats.open).toBe(0);
    expect(stats.delivered).toBeLessThanOrEqual(12);
  });

  it("sends only the asked run's events, and only new ones when no `from` is given", async () => {
    const log = memoryLog();
    await log.append([...completions('a', 3), ...completions('b', 3)]);
    const sink = new FakeSink(1_000);
    streamEvents(new SseStream(asSink(sink)), log, { runId: 'b', pacer: manualPacer() });
    await log.append([...completions('a', 1), ...completions('b', 1)]);
    expect(sink.seqs()).toEqual([7]);
  });

  it('runs jobs in bounded slices with the event loop turning in between', async () => {
    const pacer = createPacer(1);
    let slices = 0;
    let ran = 0;
    const job = () => {
      ran += 1;
      const until = performance.now() + 0.3;
      while (performance.now() < until);
    };
    for (let i = 0; i < 40; i++) pacer.schedule(job);
    const ticker = setInterval(() => slices++, 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    clearInterval(ticker);
    expect(ran).toBe(40);
    expect(slices).toBeGreaterThan(3);
  });
});
