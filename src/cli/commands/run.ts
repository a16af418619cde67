import { chooseModel, modelNotice } from '../cliModel.js';
import { cliRuntime } from '../cliRuntime.js';
import { type Command, intOption, UsageError } from '../command.js';
import { followRun } from '../followRun.js';
import { openProject } from '../project.js';
import { executeOptions, modelFlags, runOptions } from '../sharedOptions.js';

/**
 * `troupe run "<goal>"`: runs a goal with the project's tools and model (see `chooseModel`;
 * the offline demo model when none is configured), saying on stderr which model it runs on.
 * A terminal shows the run id and a live progress line; piped output a line per event; `--json`
 * every event as a JSON line. Events go to the project's SQLite log, so a run the process lost
 * continues with `troupe resume <runId>`. A clarification is asked on a terminal, else the
 * command exits 3 saying how to `troupe answer` it. Exits 0 when the run completes, 1 when it
 * fails, 130 when interrupted (the run stays resumable).
 */
export const runCommand: Command = {
  args: '"<goal>"',
  summary: 'run a goal and follow it to the end',
  options: { ...runOptions, ...executeOptions },
  async run(args) {
    const goal = args.positionals.join(' ');
    if (goal.trim() === '')
      throw new UsageError('Expected a goal, e.g. troupe run "post \'hi\' to all social platforms"');
    const concurrency = intOption(args, 'concurrency', 1);
    const latencyMs = intOption(args, 'latency', 0);
    const project = await openProject(args);
    const choice = chooseModel(modelFlags(args), project);
    process.stderr.write(`troupe: ${modelNotice(choice)}\n`);
    const runtime = cliRuntime(project, {
      model: choice.model,
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(latencyMs === undefined ? {} : { latencyMs }),
    });
    try {
      return await followRun(runtime.run(goal), {
        json: args.values.json === true,
        ...(project.logGiven ? { log: project.logFile } : {}),
        model: choice.model,
      });
    } finally {
      await runtime.close();
    }
  },
};
