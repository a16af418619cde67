import { existsSync } from 'node:fs';
import { startMonitor } from '../../../actors/monitor.js';
import { startDashboard } from '../../../actors/ui.js';
import { sqliteLog } from '../../log/sqliteLog.js';
import { tailing } from '../../ui/tailLog.js';
import { sleep } from '../../util/abort.js';
import { type Command, intOption, parseCommandArgs } from '../command.js';

const usage = 'dashboard [--log <file>] [--port <n>] [--host <address>] [--token <token>]';

/** Where the CLI keeps its event log unless `--log` says otherwise. */
const defaultLogFile = '.troupe/events.db';

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
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(
      argv,
      {
        log: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
      },
      usage,
    );
    const file = (values.log as string | undefined) ?? defaultLogFile;
    const port = intOption('port', values.port as string | undefined, 0) ?? 4400;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      try {
        await waitForFile(file, stop.signal);
      } catch {
        return 130;
      }
      const log = tailing(sqliteLog(file, { readOnly: true }));
      const monitor = startMonitor({ events$: log.subscribe(0) });
      try {
        const dashboard = await startDashboard(
          {
            log,
            metrics: () => monitor.metrics(Date.now()),
            checks: () => ({ log: existsSync(file), monitor: monitor.live() }),
          },
          {
            port,
            ...(values.host === undefined ? {} : { host: values.host as string }),
            ...(values.token === undefined ? {} : { token: values.token as string }),
          },
        );
        process.stdout.write(`troupe dashboard: ${dashboard.url}/#${dashboard.token}\n`);
        process.stdout.write(`reading ${file} (read-only); Ctrl-C to stop\n`);
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
