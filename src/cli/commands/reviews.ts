import { existsSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import type { PendingReview } from '../../judge/reviewQueue.js';
import { sqliteLog } from '../../log/sqliteLog.js';
import { createRuntime } from '../../runtime/createRuntime.js';
import { type Command, parseCommandArgs } from '../command.js';

/** Where the CLI keeps its event log unless `--log` says otherwise. */
export const defaultLogFile = '.troupe/events.db';

const usage = 'reviews [--log <file>] [--json]';

function openLog(file: string, readOnly: boolean) {
  if (!existsSync(file))
    throw new ConfigError([`Expected \`--log\` to name an event log, got \`${file}\` (no such file)`]);
  return sqliteLog(file, { readOnly });
}

function describe(review: PendingReview): string {
  const score = review.score === null ? 'no score' : `score ${review.score.toFixed(2)}`;
  const what = review.kind === 'budget' ? `spend $${(review.amountUsd ?? 0).toFixed(2)}` : score;
  const output = typeof review.output === 'string' ? review.output : JSON.stringify(review.output ?? '');
  return [
    `${review.id}  ${review.kind}  run ${review.runId}  task ${review.taskId}  (${what})`,
    `    ${review.description}`,
    ...review.reasons.map((r) => `    - ${r}`),
    ...(review.kind === 'result' ? [`    result: ${output.slice(0, 200)}`] : []),
  ].join('\n');
}

/**
 * `troupe reviews`: lists the reviews waiting in a log (results the Judge was unsure of,
 * spends above the budget's threshold), oldest first; `--json` prints one JSON line each.
 */
export const reviewsCommand: Command = {
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(
      argv,
      { log: { type: 'string' }, json: { type: 'boolean', default: false } },
      usage,
    );
    const runtime = createRuntime({ log: openLog((values.log as string | undefined) ?? defaultLogFile, true) });
    try {
      const reviews = await runtime.reviews.list();
      if (values.json === true) for (const r of reviews) process.stdout.write(`${JSON.stringify(r)}\n`);
      else if (reviews.length === 0) process.stdout.write('No reviews waiting.\n');
      else process.stdout.write(`${reviews.map(describe).join('\n')}\n`);
      return 0;
    } finally {
      await runtime.close();
    }
  },
};

/** `troupe approve <id>` and `troupe reject <id>`: records a decision in the log; `troupe resume` continues the run. */
function decisionCommand(decision: 'approve' | 'reject'): Command {
  const commandUsage = `${decision} <reviewId> [--note <text>] [--log <file>]`;
  return {
    usage: commandUsage,
    async run(argv) {
      const { values, positionals } = parseCommandArgs(
        argv,
        { log: { type: 'string' }, note: { type: 'string' } },
        commandUsage,
      );
      const [id, ...extra] = positionals;
      if (id === undefined || extra.length > 0) {
        throw new ConfigError([`Expected one review id, got ${positionals.length}\nUsage: troupe ${commandUsage}`]);
      }
      const runtime = createRuntime({ log: openLog((values.log as string | undefined) ?? defaultLogFile, false) });
      try {
        const note = values.note as string | undefined;
        const recorded = await (decision === 'approve'
          ? runtime.reviews.approve(id, note)
          : runtime.reviews.reject(id, note));
        process.stdout.write(
          `${recorded.decision} ${recorded.id} (run ${recorded.runId}, task ${recorded.taskId}); continue it with \`troupe resume ${recorded.runId}\`\n`,
        );
        return 0;
      } finally {
        await runtime.close();
      }
    },
  };
}

/** `troupe approve <id>`. */
export const approveCommand = decisionCommand('approve');
/** `troupe reject <id>`. */
export const rejectCommand = decisionCommand('reject');
