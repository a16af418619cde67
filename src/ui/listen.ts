import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, TroupeError } from '../errors.js';

/**
 * Binds an HTTP server to `host:port`. A busy port is a `TroupeError` `PORT_IN_USE` that names
 * the port and what to do, instead of an unhandled `EADDRINUSE`.
 *
 * @example
 * const { server, port } = await listen(handler, { port: 0, host: '127.0.0.1' });
 * port > 0
 * // => true
 */
export function listen(
  handler: RequestListener,
  at: { port: number; host: string },
): Promise<{ server: Server; port: number }> {
  if (!Number.isInteger(at.port) || at.port < 0 || at.port > 65_535) {
    return Promise.reject(new ConfigError([`Expected \`port\` to be an integer from 0 to 65535, got \`${at.port}\``]));
  }
  const server = createServer(handler);
  // Keep-alive sockets would hold `close()` until they time out; a dashboard closes promptly.
  server.keepAliveTimeout = 1_000;
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') {
        reject(
          new TroupeError(
            'PORT_IN_USE',
            `Cannot listen on ${at.host}:${at.port}: the port is in use. Stop what holds it, or pick another with \`port\` (\`--port\`); 0 picks a free one`,
            { cause: err },
          ),
        );
      } else {
        reject(
          new TroupeError('CONFIG_INVALID', `Cannot listen on ${at.host}:${at.port}: ${err.message}`, { cause: err }),
        );
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve({ server, port: (server.address() as AddressInfo).port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(at.port, at.host);
  });
}

/** Closes a server and every connection still open (idle keep-alive and event streams). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
