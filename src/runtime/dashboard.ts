import type { startDashboard as start } from '../../actors/ui.js';

/**
 * Starts the UI actor: the dashboard's HTTP server on `host:port` (127.0.0.1:4400 by default),
 * resolving once it listens. Rejects with `PORT_IN_USE` on a busy port. Requests that change
 * anything need the token (given, or a random one returned here). The dashboard's server, routes
 * and page load with the first one started, not with `import 'troupe'`.
 *
 * @example
 * const dashboard = await startDashboard(source, { port: 0 });
 * console.log(`${dashboard.url}/#${dashboard.token}`);
 * // => http://127.0.0.1:43125/#9f2c…
 * await dashboard.close();
 */
export const startDashboard: typeof start = async (source, options, inspect) => {
  const ui = await import('../../actors/ui.js');
  return ui.startDashboard(source, options, inspect);
};
