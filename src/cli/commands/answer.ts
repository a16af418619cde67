import { logArgs } from '../cliLog.js';
import { modelForRun, modelNotice } from '../cliModel.js';
import { cliRuntime } from '../cliRuntime.js';
import { type Command, UsageError } from '../command.js';
import { followRun } from '../followRun.js';
import { openProject } from '../project.js';
import { modelFlags, runOptions } from '../sharedOptions.js';
import { readRunRecord } from './resume.js';

/**
 * `troupe answer <runId> <taskId> "<text>"`: answers a clarification a run is waiting for
 * (the hint `troupe run` printed when it could not ask), then resumes the run from its log on
 * the model it started on and follows it to the end like `troupe resume`. Exits like
 * `troupe run`; 1 with `INVALID_STATE` when the task is not waiting for an answer.
 */
export const answerCommand: Command = {
  args: '<runId> <taskId> "<text>"',
  summary: 'answer the clarification a run waits for, then continue the run',
  options: runOptions,
  async run(args) {
    const [runId, taskId, ...words] = args.positionals;
    if (runId === undefined || taskId === undefined || words.length === 0) {
      throw new UsageError('Expected a run id, a task id and the answer');
    }
    const project = await openProject(args);
    const record = await readRunRecord(project, runId);
    const choice = modelForRun(runId, record.model, modelFlags(args), project);
    process.stderr.write(`troupe: ${modelNotice(choice)}\n`);
    const runtime = cliRuntime(project, { model: choice.model });
    try {
      const handle = await runtime.resume(runId);
      await handle.answer(taskId, words.join(' '));
      return await followRun(handle, {
        json: args.values.json === true,
        shownThroughSeq: record.lastSeq,
        logArgs: logArgs(project),
        model: choice.model,
      });
    } finally {
      await runtime.close();
    }
  },
};
