import type { EventLog } from '../log/EventLog.js';
import type { Metrics } from '../monitor/metrics.js';

/** Decides reviews: `runtime.reviews`, or anything with the same two methods. */
export interface ReviewDesk {
  approve(reviewId: string, note?: string): unknown;
  reject(reviewId: string, note?: string): unknown;
}

/**
 * What the dashboard shows and acts on. It reads only the log and the Monitor's metrics, so it
 * works on any `EventLog`, in the process that runs the work or in another one reading the
 * same durable log; the actions exist only where a runtime that owns the runs supplies them.
 */
export interface DashboardSource {
  log: EventLog;
  metrics(): Metrics;
  /** Named readiness checks (`log`, `monitor`, ...): `/readyz` answers 200 only when all pass. */
  checks(): Record<string, boolean>;
  /** Answers a task waiting for clarification; absent on a read-only dashboard. */
  answer?: (runId: string, taskId: string, text: string) => Promise<void>;
  /** Decides reviews; absent on a read-only dashboard or without a review queue. */
  reviews?: ReviewDesk;
}

/** Options of the dashboard server. */
export interface ServeOptions {
  /** The port to listen on; 0 picks a free one. @default 4400 */
  port?: number;
  /** The interface to bind. Anything but loopback exposes the runs to the network. @default '127.0.0.1' */
  host?: string;
  /** The token that requests changing anything must carry (`Authorization: Bearer`). @default a random one */
  token?: string;
  /** The largest request body accepted, in bytes. @default 16384 */
  maxBodyBytes?: number;
  /** SSE messages held for a client that does not read before its stream is ended. @default 1000 */
  maxQueuedEvents?: number;
}

/** A dashboard that is listening. */
export interface DashboardServer {
  /** `http://host:port`, without the token. */
  readonly url: string;
  readonly port: number;
  /**
   * The token for requests that change state. Open `${url}/#${token}` in a browser: the page
   * takes it from the fragment, which browsers never send to the server.
   */
  readonly token: string;
  /** Stops accepting connections, ends open event streams and resolves once the server closed. */
  close(): Promise<void>;
}
