import { logArgs } from '../cliLog.js';
import { chooseModel } from '../cliModel.js';
import { executingRuntime } from '../cliRuntime.js';
import { type Command, UsageError } from '../command.js';
import { followRun } from '../followRun.js';
import { openProject } from '../project.js';
import { executeFlags, executeOptions, modelFlags, runOptions } from '../sharedOptions.js';
import { requireDatabaseUrl } from './worker.js';

/**
 * `troupe run "<goal>"`: runs a goal with the project's tools and model (see `chooseModel`;
 * the offline demo model when none is configured), saying on stderr which model it runs on.
 * A terminal shows the run id and a live progress line; piped output a line per event; `--json`
 * every event as a JSON line. Events go to the project's SQLite log, so a run the process lost
 * continues with `troupe resume <runId>`. A clarification is asked on a terminal, else the
 * command exits 3 saying how to `troupe answer` it. Exits 0 when the run completes, 1 when it
 * fails, 130 when interrupted (the run stays resumable). With `--detach` (PostgreSQL only) it
 * submits the run for a `troupe worker` to take, prints its id and exits 0.
 */
export const runCommand: Command = {
  args: '"<goal>"',
  summary: 'run a goal and follow it to the end',
  options: {
    ...runOptions,
    ...executeOptions,
    detach: {
      type: 'boolean',
      description: 'submit the run for a `troupe worker` to take, print its id and exit (needs --database-url)',
      default: 'false',
    },
  },
  async run(args) {
    const goal = args.positionals.join(' ');
    if (goal.trim() === '')
      throw new UsageError('Expected a goal, e.g. troupe run "post \'hi\' to all social platforms"');
    const flags = executeFlags(args);
    const project = await openProject(args);
    if (args.values.detach === true) requireDatabaseUrl(project, '`troupe run --detach`');
    const choice = chooseModel(modelFlags(args), project);
    const runtime = executingRuntime(project, choice, flags);
    try {
      if (args.values.detach === true) {
        const runId = await runtime.submit(goal);
        process.stdout.write(args.values.json === true ? `${JSON.stringify({ runId })}\n` : `${runId}\n`);
        return 0;
      }
      return await followRun(runtime.run(goal), {
        json: args.values.json === true,
        logArgs: logArgs(project),
        model: choice.model,
      });
    } finally {
      await runtime.close();
    }
  },
};
