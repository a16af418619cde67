import { ConfigError } from '../../errors.js';
import { cliRuntime } from '../cliRuntime.js';
import { type Command, parseCommandArgs } from '../command.js';
import { followRun } from '../followRun.js';
import { lastSeq } from './resume.js';
import { defaultLogFile } from './reviews.js';

const usage = 'answer <runId> <taskId> "<text>" [--log <file>] [--json] [--model <name>] [--base-url <url>]';

/**
 * `troupe answer <runId> <taskId> "<text>"`: answers a clarification a run is waiting for
 * (the hint `troupe run` printed when it could not ask), then resumes the run from its log and
 * follows it to the end like `troupe resume`. Give the same `--model` / `--base-url` the run
 * was started with. Exits like `troupe run`; 1 with `INVALID_STATE` when the task is not
 * waiting for an answer.
 */
export const answerCommand: Command = {
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        log: { type: 'string' },
        json: { type: 'boolean', default: false },
        model: { type: 'string' },
        'base-url': { type: 'string' },
      },
      usage,
    );
    const [runId, taskId, ...words] = positionals;
    if (runId === undefined || taskId === undefined || words.length === 0) {
      throw new ConfigError([`Expected a run id, a task id and the answer\nUsage: troupe ${usage}`]);
    }
    const file = (values.log as string | undefined) ?? defaultLogFile;
    const shownThroughSeq = await lastSeq(file, runId);
    const model = values.model as string | undefined;
    const baseURL = values['base-url'] as string | undefined;
    const runtime = cliRuntime({
      log: file,
      ...(model === undefined ? {} : { model }),
      ...(baseURL === undefined ? {} : { baseURL }),
    });
    try {
      const handle = await runtime.resume(runId);
      await handle.answer(taskId, words.join(' '));
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
