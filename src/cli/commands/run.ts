import { cliRuntime } from '../cliRuntime.js';
import { type Command, intOption, parseCommandArgs } from '../command.js';
import { describeEvent, ProgressLine } from '../progress.js';

const usage = 'run "<goal>" [--json] [--concurrency <n>] [--log <file>] [--latency <ms>]';

/**
 * `troupe run "<goal>"`: runs a goal on the offline demo model and platform tools, showing a
 * live progress line on a terminal, a line per event otherwise, or every event as a JSON line
 * with `--json`. Events go to the SQLite log `--log` (default `.troupe/events.db`), so a run
 * the process lost continues with `troupe resume <runId>`. Exits 0 when the run completes,
 * 1 when it fails, 130 when interrupted.
 */
export const runCommand: Command = {
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        json: { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        log: { type: 'string' },
        latency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      usage,
    );
    if (values.help === true) {
      process.stdout.write(`Usage: troupe ${usage}\n`);
      return 0;
    }
    const goal = positionals.join(' ');
    const concurrency = intOption('concurrency', values.concurrency as string | undefined, 1);
    const latencyMs = intOption('latency', values.latency as string | undefined, 0);
    const runtime = cliRuntime({
      ...(typeof values.log === 'string' ? { log: values.log } : {}),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(latencyMs === undefined ? {} : { latencyMs }),
    });
    const handle = runtime.run(goal);
    const interactive = values.json !== true && process.stdout.isTTY === true;
    const progress = new ProgressLine();
    const ticker = interactive ? setInterval(() => process.stdout.write(`\r${progress.render()}`), 100) : undefined;
    const subscription = handle.events$.subscribe((event) => {
      if (values.json === true) process.stdout.write(`${JSON.stringify(event)}\n`);
      else if (interactive) progress.update(event);
      else process.stdout.write(`${describeEvent(event)}\n`);
    });
    const onInterrupt = () => void handle.cancel('interrupted (SIGINT)');
    process.once('SIGINT', onInterrupt);
    try {
      const result = await handle.result;
      if (ticker !== undefined) {
        clearInterval(ticker);
        process.stdout.write(`\r${progress.render()}\n`);
      }
      if (values.json !== true) {
        if (result.status === 'completed') process.stdout.write(`\n${result.answer ?? ''}\n`);
        else process.stderr.write(`\nrun ${result.status}: ${result.error?.code}: ${result.error?.message}\n`);
      }
      return result.status === 'completed' ? 0 : result.status === 'cancelled' ? 130 : 1;
    } finally {
      process.off('SIGINT', onInterrupt);
      subscription.unsubscribe();
      await runtime.close();
    }
  },
};
