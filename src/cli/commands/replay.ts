import { TroupeError } from '../../errors.js';
import type { TroupeEvent } from '../../events/types.js';

import { evolve } from '../../run/evolve.js';
import { initialRunState, type RunState } from '../../run/state.js';
import { logWhere, openProjectLog } from '../cliLog.js';
import { type Command, exactPositionals, intOption } from '../command.js';
import { describeEvent } from '../progress.js';
import { openProject } from '../project.js';
import { jsonOption, logOption } from '../sharedOptions.js';

/** The folded state as plain JSON: tasks as an array in plan order. */
function stateJson(state: RunState): Record<string, unknown> {
  return { ...state, tasks: [...state.tasks.values()] };
}

function summary(state: RunState, untilSeq: number | undefined, lastSeq: number): string {
  const lines = [
    '',
    `state ${untilSeq === undefined ? 'at the end' : `at seq ${Math.min(untilSeq, lastSeq)}`}: ${state.status}` +
      ` · ${state.tasks.size} task(s): ${Object.entries(state.counts)
        .filter(([, n]) => n > 0)
        .map(([status, n]) => `${n} ${status}`)
        .join(', ')}`,
  ];
  for (const task of state.tasks.values()) {
    const detail = task.error !== undefined ? ` — ${task.error.code}: ${task.error.message}` : '';
    lines.push(`  ${task.id.padEnd(16)} ${task.status.padEnd(20)} attempts ${task.attempts}${detail}`);
  }
  if (state.answer !== undefined) lines.push('', state.answer);
  return `${lines.join('\n')}\n`;
}

/**
 * `troupe replay <runId> [--until <seq>]`: time travel through a run. Prints its timeline
 * (seq, time, what happened) up to and including `--until`, then the run's state folded from
 * those events — exactly what `runtime.replay(runId, { untilSeq })` returns. `--json` prints
 * one JSON document `{ runId, untilSeq, events, state }` instead.
 */
export const replayCommand: Command = {
  args: '<runId>',
  summary: "time travel: a run's timeline up to a seq, and its state there",
  options: {
    until: { type: 'string', value: 'seq', description: 'the last event to fold', default: 'the run’s last event' },
    ...logOption,
    ...jsonOption,
  },
  async run(args) {
    const [runId = ''] = exactPositionals(args, ['a run id']);
    const untilSeq = intOption(args, 'until', 0);
    const project = await openProject(args);
    const log = openProjectLog(project, { readOnly: true });
    let events: readonly TroupeEvent[];
    try {
      events = await log.read(runId);
    } finally {
      await log.close();
    }
    if (events.length === 0) throw new TroupeError('RUN_NOT_FOUND', `No run \`${runId}\` in ${logWhere(project)}`);
    const shown = untilSeq === undefined ? events : events.filter((e) => e.seq <= untilSeq);
    const state = shown.reduce(evolve, initialRunState(runId));
    if (args.values.json === true) {
      process.stdout.write(
        `${JSON.stringify({ runId, untilSeq: untilSeq ?? null, events: shown, state: stateJson(state) })}\n`,
      );
      return 0;
    }
    const start = events[0]?.ts ?? 0;
    for (const event of shown) {
      const offset = `+${((event.ts - start) / 1000).toFixed(3)}s`;
      process.stdout.write(`${String(event.seq).padStart(6)}  ${offset.padStart(10)}  ${describeEvent(event)}\n`);
    }
    process.stdout.write(summary(state, untilSeq, events.at(-1)?.seq ?? 0));
    return 0;
  },
};
