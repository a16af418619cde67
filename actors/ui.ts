import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createActor, fromPromise, type InspectionEvent, type Observer, toPromise, waitFor } from 'xstate';
import { uiMachine } from '../machines/ui.js';
import { ConfigError } from '../src/errors.js';
import type { DashboardServer, DashboardSource, ServeOptions } from '../src/ui/DashboardSource.js';
import { closeServer, listen } from '../src/ui/listen.js';
import { createRoutes } from '../src/ui/routes.js';
import type { SseStream } from '../src/ui/sse.js';

/** Addresses that only this machine can reach; a dashboard bound to one accepts only local `Host`s. */
const loopback = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Starts the UI actor: the dashboard's HTTP server on `host:port` (127.0.0.1:4400 by default),
 * resolving once it listens. Rejects with `PORT_IN_USE` on a busy port. Requests that change
 * anything need the token (given, or a random one returned here).
 *
 * @example
 * const dashboard = await startDashboard(source, { port: 0 });
 * console.log(`${dashboard.url}/#${dashboard.token}`);
 * // => http://127.0.0.1:43125/#9f2c…
 * await dashboard.close();
 */
export async function startDashboard(
  source: DashboardSource,
  options: ServeOptions = {},
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void),
): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(18).toString('base64url');
  if (typeof token !== 'string' || token.length < 8) {
    throw new ConfigError([`Expected \`token\` to be a string of at least 8 characters, got \`${String(token)}\``]);
  }
  const streams = new Set<SseStream>();
  const handler = createRoutes(source, {
    token,
    maxBodyBytes: options.maxBodyBytes ?? 16_384,
    maxQueuedEvents: options.maxQueuedEvents ?? 1_000,
    streams,
    hosts: loopback.has(host) ? new Set([...loopback, 'localhost', '[::1]']) : undefined,
  });
  let server: Server | undefined;
  let failure: unknown;
  const machine = uiMachine.provide({
    actors: {
      listen: fromPromise(async () => {
        try {
          const bound = await listen(handler, { port: options.port ?? 4400, host });
          server = bound.server;
          return { port: bound.port };
        } catch (err) {
          failure = err;
          throw err;
        }
      }),
      close: fromPromise(async () => {
        for (const stream of [...streams]) stream.close();
        if (server !== undefined) await closeServer(server);
      }),
    },
  });
  const actor = createActor(machine, inspect === undefined ? {} : { inspect });
  actor.start();
  const settled = await waitFor(actor, (s) => s.matches('Serving') || s.status === 'done');
  // The listen error itself (`PORT_IN_USE`, naming the port) is what the caller needs.
  if (!settled.matches('Serving')) throw failure;
  const port = settled.context.port as number;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    token,
    async close() {
      if (actor.getSnapshot().matches('Serving')) actor.send({ type: 'STOP' });
      await toPromise(actor);
    },
  };
}
