import type { ServerResponse } from 'node:http';

/** The part of a `ServerResponse` an SSE stream writes to (a fake one in tests). */
export type SseSink = Pick<ServerResponse, 'write' | 'end' | 'once' | 'off' | 'writableEnded'>;

/** Limits of one SSE stream. */
export interface SseOptions {
  /**
   * Messages held for a client that does not read; past this the stream ends and the client
   * reconnects with `Last-Event-ID`, catching up from the log instead of from server memory.
   * @default 1000
   */
  maxQueued?: number;
  /** Called once when the stream ends: overflow, `close()`, or the client went away. */
  onClose?: () => void;
}

/**
 * One Server-Sent Events stream with backpressure: messages go straight to the socket while it
 * accepts them, wait in a bounded queue while it is full, and the stream ends when the queue
 * overflows. A slow client costs at most `maxQueued` messages of memory, never more.
 *
 * @example
 * const stream = new SseStream(res, { onClose: () => subscription.unsubscribe() });
 * stream.send('event', JSON.stringify(event), String(event.seq));
 */
export class SseStream {
  private readonly sink: SseSink;
  private readonly maxQueued: number;
  private readonly onClose: (() => void) | undefined;
  private queue: string[] = [];
  private waiting = false;
  private closed = false;
  /** Set by a ping that found the socket full, cleared when it drains. */
  private stalled = false;
  private writable: (() => void)[] = [];

  constructor(sink: SseSink, options: SseOptions = {}) {
    this.sink = sink;
    this.maxQueued = options.maxQueued ?? 1000;
    this.onClose = options.onClose;
  }

  /** Messages waiting for the client to read. */
  get queued(): number {
    return this.queue.length;
  }

  /** Whether the stream has ended. */
  get ended(): boolean {
    return this.closed;
  }

  /** Whether the socket refused more (the client is not reading): a producer should pause. */
  get blocked(): boolean {
    return this.waiting;
  }

  /** Calls `resume` once the socket has drained and every queued message is written; at once if it is not blocked. */
  onceWritable(resume: () => void): void {
    if (this.closed) return;
    if (!this.waiting) resume();
    else this.writable.push(resume);
  }

  /** Sends one message; `data` must not contain a newline (JSON without indentation does not). */
  send(event: string, data: string, id?: string): void {
    this.push(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`);
  }

  /**
   * A comment line, which keeps proxies from closing an idle stream. A client whose socket was
   * full at this ping and still is at the next has stopped reading: its stream ends (it
   * reconnects with `Last-Event-ID` when it wakes up), so a dead client holds nothing for long.
   */
  ping(): void {
    if (!this.waiting) {
      this.push(': ping\n\n');
      return;
    }
    if (this.stalled) this.close();
    else this.stalled = true;
  }

  /** Ends the stream. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.writable = [];
    this.sink.off('drain', this.drain);
    if (!this.sink.writableEnded) this.sink.end();
    this.onClose?.();
  }

  private push(text: string): void {
    if (this.closed) return;
    if (this.waiting) {
      if (this.queue.length >= this.maxQueued) {
        this.close();
        return;
      }
      this.queue.push(text);
      return;
    }
    if (!this.sink.write(text)) {
      this.waiting = true;
      this.sink.once('drain', this.drain);
    }
  }

  private readonly drain = (): void => {
    this.waiting = false;
    this.stalled = false;
    const queued = this.queue;
    this.queue = [];
    for (let i = 0; i < queued.length; i++) {
      if (this.closed) return;
      if (!this.sink.write(queued[i] as string)) {
        this.queue = queued.slice(i + 1);
        this.waiting = true;
        this.sink.once('drain', this.drain);
        return;
      }
    }
    const resumes = this.writable;
    this.writable = [];
    for (const resume of resumes) resume();
  };
}
