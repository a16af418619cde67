import { TroupeError } from '../../errors.js';
import { logArgs, logWhere, openProjectLog } from '../cliLog.js';
import { modelForRun, type RecordedModel } from '../cliModel.js';
import { executingRuntime } from '../cliRuntime.js';
import { type Command, exactPositionals } from '../command.js';
import { followRun } from '../followRun.js';
import { type CliProject, openProject } from '../project.js';
import { executeFlags, executeOptions, modelFlags, runOptions } from '../sharedOptions.js';

/** What a command that continues a run needs from its log before it opens it for writing. */
export interface RunRecord {
  /** The last seq the run has: what was shown before it stopped. */
  lastSeq: number;
  /** The model `run.started` recorded, if the run named one. */
  model: RecordedModel | undefined;
}

/** Reads what `troupe resume` and `troupe answer` need of a run; `RUN_NOT_FOUND` when the log lacks it. */
export async function readRunRecord(project: CliProject, runId: string): Promise<RunRecord> {
  const log = openProjectLog(project, { readOnly: true, onNotice: () => {} });
  try {
    const events = await log.read(runId);
    const first = events[0];
    if (first === undefined) throw new TroupeError('RUN_NOT_FOUND', `No run \`${runId}\` in ${logWhere(project)}`);
    return { lastSeq: events.at(-1)?.seq ?? -1, model: first.type === 'run.started' ? first.model : undefined };
  } finally {
    await log.close();
  }
}

/**
 * `troupe resume <runId>`: continues a run from its log after the process that ran it
 * stopped (Ctrl-C, a crash, `kill -9`) on the model it started on (see `modelForRun`): tasks
 * cut off mid-flight run again under the same idempotency keys, recorded results are kept,
 * then the run goes on as `troupe run` would. Events recorded before are not printed again.
 * Exits like `troupe run`; 1 with `RUN_NOT_FOUND` for a run the log does not hold.
 */
export const resumeCommand: Command = {
  args: '<runId>',
  summary: 'continue a run that stopped (Ctrl-C, a crash) from its log',
  options: { ...runOptions, ...executeOptions },
  async run(args) {
    const [runId = ''] = exactPositionals(args, ['a run id']);
    const flags = executeFlags(args);
    const project = await openProject(args);
    const record = await readRunRecord(project, runId);
    const choice = modelForRun(runId, record.model, modelFlags(args), project);
    const runtime = executingRuntime(project, choice, flags);
    try {
      const handle = await runtime.resume(runId);
      if (args.values.json !== true) process.stdout.write(`resuming run ${runId} after seq ${record.lastSeq}\n`);
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
