import { existsSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import type { PendingReview } from '../../judge/reviewQueue.js';
import { createRuntime } from '../../runtime/createRuntime.js';
import { openProjectLog } from '../cliLog.js';
import { type Command, exactPositionals, stringOption } from '../command.js';
import { type CliProject, openProject } from '../project.js';
import { jsonOption, logOption } from '../sharedOptions.js';

function openLog(project: CliProject, readOnly: boolean) {
  const file = project.logFile;
  if (project.databaseUrl === undefined && !existsSync(file))
    throw new ConfigError([`Expected \`--log\` to name an event log, got \`${file}\` (no such file)`]);
  return openProjectLog(project, { readOnly });
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
  args: '',
  summary: 'list the reviews waiting in a log',
  options: { ...logOption, ...jsonOption },
  async run(args) {
    const project = await openProject(args);
    const runtime = createRuntime({ log: openLog(project, true) });
    try {
      const reviews = await runtime.reviews.list();
      if (args.values.json === true) for (const r of reviews) process.stdout.write(`${JSON.stringify(r)}\n`);
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
  return {
    args: '<reviewId>',
    summary: `${decision} a review waiting in a log; \`troupe resume\` continues its run`,
    options: { note: { type: 'string', value: 'text', description: 'why, recorded with the decision' }, ...logOption },
    async run(args) {
      const [id = ''] = exactPositionals(args, ['a review id']);
      const project = await openProject(args);
      const runtime = createRuntime({ log: openLog(project, false) });
      try {
        const note = stringOption(args, 'note');
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
