import { existsSync } from 'node:fs';
import { startMonitor } from '../../../actors/monitor.js';
import { startDashboard } from '../../../actors/ui.js';
import { tailing } from '../../ui/tailLog.js';
import { sleep } from '../../util/abort.js';
import { logWhere, openProjectLog } from '../cliLog.js';
import { type Command, intOption, stringOption } from '../command.js';
import { openProject } from '../project.js';
import { logOption } from '../sharedOptions.js';

/** Resolves once `file` exists (a dashboard may start before the first run creates the log). */
async function waitForFile(file: string, signal: AbortSignal): Promise<void> {
  if (existsSync(file)) return;
  process.stdout.write(`troupe dashboard: waiting for ${file} (start a run: troupe run "<goal>" or npm start)\n`);
  while (!existsSync(file)) await sleep(500, signal);
}

/**
 * `troupe dashboard`: serves the live dashboard for an event log written by another process
 * (`troupe run`, `npm start`, an embedding service). It reads the log only, tailing it, so the
 * board, graph, timeline and metrics are live; clarifications and reviews are answered where
 * the run runs (`runtime.serve()`), or with `troupe approve|reject`. Stops on Ctrl-C / SIGTERM.
 */
export const dashboardCommand: Command = {
  args: '',
  summary: 'serve the live dashboard of a log another process writes',
  options: {
    ...logOption,
    port: {
      type: 'string',
      value: 'n',
      description: 'the port; 0 picks a free one',
      default: '`dashboard.port` or TROUPE_DASHBOARD_PORT, else 4400',
    },
    host: { type: 'string', value: 'address', description: 'the address to listen on', default: '127.0.0.1' },
    token: {
      type: 'string',
      value: 'token',
      description: 'the access token',
      default: 'the env var `dashboard.tokenEnv` names, else a random one',
    },
  },
  async run(args) {
    const project = await openProject(args);
    const file = project.logFile;
    const shared = project.databaseUrl !== undefined;
    const { dashboard: settings } = project.loaded.config;
    const port = intOption(args, 'port', 0) ?? settings?.port ?? 4400;
    const host = stringOption(args, 'host') ?? settings?.host;
    const token =
      stringOption(args, 'token') ?? (settings?.tokenEnv === undefined ? undefined : project.env[settings.tokenEnv]);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      try {
        if (!shared) await waitForFile(file, stop.signal);
      } catch {
        return 130;
      }
      // PostgreSQL's own subscribe already sees other processes' appends (LISTEN/NOTIFY).
      const opened = openProjectLog(project, { readOnly: true });
      const log = shared ? opened : tailing(opened);
      const monitor = startMonitor({ events$: log.subscribe(0) });
      try {
        const dashboard = await startDashboard(
          {
            log,
            metrics: () => monitor.metrics(Date.now()),
            checks: () => ({ log: shared || existsSync(file), monitor: monitor.live() }),
          },
          {
            port,
            ...(host === undefined ? {} : { host }),
            ...(token === undefined ? {} : { token }),
          },
        );
        process.stdout.write(`troupe dashboard: ${dashboard.url}/#${dashboard.token}\n`);
        process.stdout.write(`reading ${logWhere(project)} (read-only); Ctrl-C to stop\n`);
        await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
        await dashboard.close();
        return 0;
      } finally {
        monitor.stop();
        await log.close();
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
