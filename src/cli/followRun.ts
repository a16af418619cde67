import type { Model } from '../model/Model.js';
import type { RunHandle } from '../runtime/createRuntime.js';
import { answerClarifications } from './clarify.js';
import { LiveProgress } from './liveProgress.js';
import { describeEvent } from './progress.js';

/** How `followRun` shows a run. */
export interface FollowOptions {
  /** Every event as a JSON line instead of text. */
  json: boolean;
  /** Events up to this seq were shown before (a resumed run): they only feed the progress line. @default -1 */
  shownThroughSeq?: number;
  /** The flags that name the log (`--log <file>` or `--database-url <url>`), repeated in the hints that say how to answer or resume the run later. @default '' */
  logArgs?: string;
  /** The model the run is on, repeated as `--model` / `--base-url` in the `troupe answer` hint. */
  model?: Model;
}

/** The exit code of a command that leaves its run waiting for a clarification. */
export const waitingForAnswer = 3;

/** The flags that name a model again in a printed command; none for the demo model. */
export function modelArgs(model: Model | undefined): string {
  if (model === undefined || model.name === 'demo') return '';
  return ` --model ${model.name}${model.baseURL === undefined ? '' : ` --base-url ${model.baseURL}`}`;
}

/**
 * Shows a run until it ends — its id and a live progress line on a terminal, a line per event
 * when piped, JSON lines with `json`. Resolves with the exit code: 0 completed, 1 failed, 130
 * cancelled. Ctrl-C stops the process at once and leaves the run in the log as it stands, like a
 * crash would, so `troupe resume` continues it (tasks cut off run again under their idempotency
 * keys); the process exits 130 naming that command. A clarification is asked on a terminal;
 * elsewhere the process exits 3 at once with the `troupe answer` command to give it.
 *
 * @example
 * process.exitCode = await followRun(runtime.run(goal), { json: false });
 * // => prints "run … started", one line per event, then the answer
 */
export async function followRun(handle: RunHandle, options: FollowOptions): Promise<number> {
  const { json } = options;
  const shown = options.shownThroughSeq ?? -1;
  const interactive = !json && process.stdout.isTTY === true;
  const progress = new LiveProgress({ columns: process.stdout.columns });
  const logArg = options.logArgs ?? '';
  if (interactive) process.stdout.write(`run ${handle.runId}\n`);
  const ticker = interactive ? setInterval(() => process.stdout.write(`\r${progress.render()}`), 100) : undefined;
  const subscription = handle.events$.subscribe((event) => {
    progress.update(event);
    if (event.seq <= shown || interactive) return;
    process.stdout.write(json ? `${JSON.stringify(event)}\n` : `${describeEvent(event)}\n`);
  });
  // A question is asked on a terminal; elsewhere the run stays in the log, waiting, and the
  // process ends at once (closing the runtime would cancel the run) with how to answer it.
  const clarifying = answerClarifications(handle, {
    interactive: !json && process.stdin.isTTY === true && process.stdout.isTTY === true,
    extraArgs: `${logArg}${modelArgs(options.model)}`,
    onWaiting: (message) => {
      process.stderr.write(`\n${message}\n`);
      process.exit(waitingForAnswer);
    },
  });
  // Not a cancel: a cancelled run is finished, and the user who pressed Ctrl-C may want it back.
  const onInterrupt = () => {
    if (ticker !== undefined) process.stdout.write(`\r${progress.render()}\n`);
    process.stderr.write(
      `\ninterrupted: run ${handle.runId} stays in the log as it stands; continue it with: troupe resume ${handle.runId}${logArg}\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const result = await handle.result;
    if (ticker !== undefined) process.stdout.write(`\r${progress.render()}\n`);
    if (!json) {
      if (result.status === 'completed') process.stdout.write(`\n${result.answer ?? ''}\n`);
      else process.stderr.write(`\nrun ${result.status}: ${result.error?.code}: ${result.error?.message}\n`);
    }
    return result.status === 'completed' ? 0 : result.status === 'cancelled' ? 130 : 1;
  } finally {
    if (ticker !== undefined) clearInterval(ticker);
    process.off('SIGINT', onInterrupt);
    subscription.unsubscribe();
    clarifying.unsubscribe();
  }
}
