import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type SseSink, SseStream } from '../../src/ui/sse.js';

/** A socket stand-in whose buffer fills after `capacity` writes until `drain()` is called. */
class FakeSink extends EventEmitter {
  written: string[] = [];
  writableEnded = false;
  private room: number;
  constructor(private readonly capacity: number) {
    super();
    this.room = capacity;
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
  drain(): void {
    this.room = this.capacity;
    this.emit('drain');
  }
}

const asSink = (sink: FakeSink) => sink as unknown as SseSink;

describe('SseStream', () => {
  it('writes id, event and data lines', () => {
    const sink = new FakeSink(100);
    new SseStream(asSink(sink)).send('event', '{"a":1}', '7');
    expect(sink.written).toEqual(['id: 7\nevent: event\ndata: {"a":1}\n\n']);
  });

  it('holds messages while the socket is full and sends them in order on drain', () => {
    const sink = new FakeSink(2);
    const sse = new SseStream(asSink(sink), { maxQueued: 10 });
    for (let i = 0; i < 6; i++) sse.send('event', String(i), String(i));
    expect(sink.written).toHaveLength(2);
    expect(sse.queued).toBe(4);
    sink.drain();
    expect(sink.written).toHaveLength(4);
    sink.drain();
    sink.drain();
    expect(sink.written.map((w) => w.split('\n')[0])).toEqual(['0', '1', '2', '3', '4', '5'].map((i) => `id: ${i}`));
    expect(sse.queued).toBe(0);
  });

  it('ends a client that does not read once its queue is full, instead of buffering without bound', () => {
    const sink = new FakeSink(1);
    let closed = 0;
    const sse = new SseStream(asSink(sink), { maxQueued: 3, onClose: () => closed++ });
    for (let i = 0; i < 1_000; i++) sse.send('event', String(i));
    expect(sink.written).toHaveLength(1);
    expect(sse.ended).toBe(true);
    expect(sse.queued).toBe(0);
    expect(sink.writableEnded).toBe(true);
    expect(closed).toBe(1);
    expect(sink.listenerCount('drain')).toBe(0);
  });

  it('sends nothing after close, and closes once', () => {
    const sink = new FakeSink(10);
    let closed = 0;
    const sse = new SseStream(asSink(sink), { onClose: () => closed++ });
    sse.close();
    sse.close();
    sse.send('event', 'late');
    sse.ping();
    expect(sink.written).toEqual([]);
    expect(closed).toBe(1);
  });

  it('tells a producer when the socket is full and calls it back once it drained', () => {
    const sink = new FakeSink(1);
    const sse = new SseStream(asSink(sink));
    let resumed = 0;
    sse.onceWritable(() => resumed++);
    expect(resumed).toBe(1);
    sse.send('event', 'a');
    expect(sse.blocked).toBe(true);
    sse.onceWritable(() => resumed++);
    expect(resumed).toBe(1);
    sink.drain();
    expect(sse.blocked).toBe(false);
    expect(resumed).toBe(2);
  });

  it('ends a stream whose socket stayed full from one ping to the next (a client that stopped reading)', () => {
    const sink = new FakeSink(1);
    const sse = new SseStream(asSink(sink));
    sse.send('event', 'a');
    sse.ping();
    expect(sse.ended).toBe(false);
    sse.ping();
    expect(sse.ended).toBe(true);
    expect(sink.written).toHaveLength(1);
  });

  it('keeps a stream whose socket drained between two pings', () => {
    const sink = new FakeSink(1);
    const sse = new SseStream(asSink(sink));
    sse.send('event', 'a');
    sse.ping();
    sink.drain();
    sse.send('event', 'b');
    sse.ping();
    expect(sse.ended).toBe(false);
  });
});
