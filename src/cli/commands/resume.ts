import { ConfigError } from '../../errors.js';
import { sqliteLog } from '../../log/sqliteLog.js';
import { cliRuntime } from '../cliRuntime.js';
import { type Command, intOption, parseCommandArgs } from '../command.js';
import { followRun } from '../followRun.js';
import { defaultLogFile } from './reviews.js';

const usage =
  'resume <runId> [--log <file>] [--json] [--concurrency <n>] [--latency <ms>] [--model <name>] [--base-url <url>]';

/** The last seq a run has in the log: what was shown before it stopped. */
export async function lastSeq(file: string, runId: string): Promise<number> {
  const log = sqliteLog(file, { readOnly: true, onNotice: () => {} });
  try {
    const events = await log.read(runId);
    return events.at(-1)?.seq ?? -1;
  } finally {
    await log.close();
  }
}

/**
 * `troupe resume <runId>`: continues a run from its log after the process that ran it
 * stopped (Ctrl-C, a crash, `kill -9`): tasks cut off mid-flight run again under the same
 * idempotency keys, recorded results are kept, then the run goes on as `troupe run` would.
 * Events recorded before are not printed again. Exits like `troupe run`; 1 with
 * `RUN_NOT_FOUND` for a run the log does not hold.
 */
export const resumeCommand: Command = {
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        log: { type: 'string' },
        json: { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        latency: { type: 'string' },
        model: { type: 'string' },
        'base-url': { type: 'string' },
      },
      usage,
    );
    const [runId, ...extra] = positionals;
    if (runId === undefined || extra.length > 0) {
      throw new ConfigError([`Expected one run id, got ${positionals.length}\nUsage: troupe ${usage}`]);
    }
    const file = (values.log as string | undefined) ?? defaultLogFile;
    const concurrency = intOption('concurrency', values.concurrency as string | undefined, 1);
    const latencyMs = intOption('latency', values.latency as string | undefined, 0);
    const shownThroughSeq = await lastSeq(file, runId);
    const runtime = cliRuntime({
      log: file,
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(latencyMs === undefined ? {} : { latencyMs }),
      ...(typeof values.model === 'string' ? { model: values.model } : {}),
      ...(typeof values['base-url'] === 'string' ? { baseURL: values['base-url'] } : {}),
    });
    try {
      const handle = await runtime.resume(runId);
      if (values.json !== true) process.stdout.write(`resuming run ${runId} after seq ${shownThroughSeq}\n`);
      return await followRun(handle, {
        json: values.json === true,
        shownThroughSeq,
        ...(values.log === undefined ? {} : { log: file }),
      });
    } finally {
      await runtime.close();
    }
  },
};
