import { cliRuntime } from '../cliRuntime.js';
import { type Command, intOption, parseCommandArgs } from '../command.js';
import { followRun } from '../followRun.js';

const usage =
  'run "<goal>" [--json] [--concurrency <n>] [--log <file>] [--latency <ms>] [--model <name>] [--base-url <url>]';

/**
 * `troupe run "<goal>"`: runs a goal on the offline demo model and platform tools, showing a
 * live progress line on a terminal, a line per event otherwise, or every event as a JSON line
 * with `--json`. Events go to the SQLite log `--log` (default `.troupe/events.db`), so a run
 * the process lost continues with `troupe resume <runId>`. `--model` / `--base-url` run it on
 * a real model (OpenAI or a compatible server, see `cliModel`); a clarification it asks for is
 * asked on a terminal, else the command exits 3 saying how to `troupe answer` it. Exits 0 when
 * the run completes, 1 when it fails, 130 when interrupted.
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
        model: { type: 'string' },
        'base-url': { type: 'string' },
      },
      usage,
    );
    const goal = positionals.join(' ');
    const concurrency = intOption('concurrency', values.concurrency as string | undefined, 1);
    const latencyMs = intOption('latency', values.latency as string | undefined, 0);
    const runtime = cliRuntime({
      ...(typeof values.log === 'string' ? { log: values.log } : {}),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(latencyMs === undefined ? {} : { latencyMs }),
      ...(typeof values.model === 'string' ? { model: values.model } : {}),
      ...(typeof values['base-url'] === 'string' ? { baseURL: values['base-url'] } : {}),
    });
    try {
      return await followRun(runtime.run(goal), {
        json: values.json === true,
        ...(typeof values.log === 'string' ? { log: values.log } : {}),
      });
    } finally {
      await runtime.close();
    }
  },
};
