import type { WorkedRun } from '../../runtime/worker.js';
import { logWhere } from '../cliLog.js';
import { chooseModel } from '../cliModel.js';
import { executingRuntime } from '../cliRuntime.js';
import { type Command, exactPositionals, intOption, UsageError } from '../command.js';
import { type CliProject, openProject } from '../project.js';
import {
  databaseUrlOption,
  executeFlags,
  executeOptions,
  jsonOption,
  modelFlags,
  modelOptions,
} from '../sharedOptions.js';

/** The database URL a command that shares runs needs; a `UsageError` naming how to give one otherwise. */
export function requireDatabaseUrl(project: CliProject, what: string): string {
  if (project.databaseUrl === undefined)
    throw new UsageError(
      `Expected --database-url <postgres://…> or TROUPE_DATABASE_URL: ${what} needs a PostgreSQL log shared by processes`,
    );
  return project.databaseUrl;
}

function describeOutcome(run: WorkedRun): string {
  const { result } = run;
  const why = result.status === 'completed' ? '' : ` — ${result.error.code}: ${result.error.message}`;
  return `${run.outcome} ${run.runId} (epoch ${run.epoch}): ${result.status}${why}`;
}

/**
 * `troupe worker`: makes this process a worker of a PostgreSQL log (`runtime.work()`): it takes
 * runs submitted with `troupe run --detach` (or `runtime.submit`) and runs whose worker died, up
 * to `--max-runs` at once, and prints a line per run taken and per run finished. SIGTERM or
 * Ctrl-C stops taking runs, lets those in hand finish for up to `--drain-ms`, hands the rest
 * back to the queue for other workers, and exits 0.
 */
export const workerCommand: Command = {
  args: '',
  summary: 'take runs from a PostgreSQL log and run them, until SIGTERM / Ctrl-C',
  options: {
    ...databaseUrlOption,
    'max-runs': { type: 'string', value: 'n', description: 'runs this process drives at once', default: '4' },
    'lease-ms': {
      type: 'string',
      value: 'ms',
      description: 'how long a run stays this worker’s without a heartbeat (then another worker takes it)',
      default: '30000',
    },
    'drain-ms': {
      type: 'string',
      value: 'ms',
      description: 'on SIGTERM / Ctrl-C, how long runs in hand may finish before they are handed back',
      default: '10000',
    },
    ...modelOptions,
    ...executeOptions,
    ...jsonOption,
  },
  async run(args) {
    exactPositionals(args, []);
    const maxRuns = intOption(args, 'max-runs', 1);
    const leaseMs = intOption(args, 'lease-ms', 30);
    const drainMs = intOption(args, 'drain-ms', 0) ?? 10_000;
    const flags = executeFlags(args);
    const project = await openProject(args);
    requireDatabaseUrl(project, '`troupe worker`');
    const json = args.values.json === true;
    const choice = chooseModel(modelFlags(args), project);
    const runtime = executingRuntime(project, choice, flags);
    const print = (text: string, record: Record<string, unknown>) =>
      process.stdout.write(json ? `${JSON.stringify(record)}\n` : `${text}\n`);
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    try {
      const worker = runtime.work({
        ...(maxRuns === undefined ? {} : { maxRuns }),
        ...(leaseMs === undefined ? {} : { leaseMs }),
        onClaim: ({ runId, epoch }) => print(`took ${runId} (epoch ${epoch})`, { event: 'took', runId, epoch }),
        onRun: (run) =>
          print(describeOutcome(run), {
            event: run.outcome,
            runId: run.runId,
            epoch: run.epoch,
            status: run.result.status,
          }),
      });
      print(`worker ${worker.id} taking runs from ${logWhere(project)}; SIGTERM or Ctrl-C to stop`, {
        event: 'ready',
        worker: worker.id,
      });
      await stopped;
      const running = worker.running;
      if (!json && running > 0)
        process.stderr.write(`troupe: stopping; ${running} run(s) in hand, waiting up to ${drainMs} ms\n`);
      await worker.stop({ drainMs });
      print(`worker ${worker.id} stopped`, { event: 'stopped', worker: worker.id });
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
