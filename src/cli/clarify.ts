import { createInterface } from 'node:readline/promises';
import type { Subscription } from 'rxjs';
import { TroupeError } from '../errors.js';
import type { RunHandle } from '../runtime/createRuntime.js';

/** How `answerClarifications` reaches the person at the terminal. */
export interface ClarifyOptions {
  /** Ask on the terminal (stdin and stdout are a TTY); otherwise explain how to answer later. */
  interactive: boolean;
  /** Flags to repeat in the `troupe answer` hint (`--log`, `--model`, `--base-url`), each with a leading space. */
  extraArgs?: string;
  /** Told, when not interactive, that the run now waits for an answer and how to give it. */
  onWaiting: (message: string) => void;
}

/**
 * Answers a run's clarification questions from the terminal: on a TTY each question is asked
 * in turn with readline and the reply goes to `handle.answer` (an empty reply is asked again);
 * otherwise the run stays waiting in its log and `onWaiting` gets the question with the
 * `troupe answer` command that resumes it. Questions already answered (a resumed run replays
 * them) are skipped.
 *
 * @example
 * const subscription = answerClarifications(handle, { interactive: process.stdin.isTTY === true, onWaiting });
 * // => "? draft: Which tone?" on the terminal; the reply resumes the task
 */
export function answerClarifications(handle: RunHandle, options: ClarifyOptions): Subscription {
  const pending = new Map<string, string>();
  let asking = false;

  async function next(): Promise<void> {
    const first = pending.entries().next();
    if (asking || first.done === true) return;
    const [taskId, question] = first.value;
    if (!options.interactive) {
      options.onWaiting(
        `run ${handle.runId} waits for an answer to task \`${taskId}\`: ${question}\n` +
          `answer it with: troupe answer ${handle.runId} ${taskId} "<your answer>"${options.extraArgs ?? ''}`,
      );
      return;
    }
    asking = true;
    const terminal = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const text = await terminal.question(`\n? ${taskId}: ${question}\n> `);
      if (pending.has(taskId)) await handle.answer(taskId, text);
      pending.delete(taskId);
    } catch (err) {
      const message = err instanceof TroupeError ? `${err.code}: ${err.message}` : String(err);
      process.stderr.write(`troupe: ${message}\n`);
    } finally {
      terminal.close();
      asking = false;
      setImmediate(() => void next());
    }
  }

  return handle.events$.subscribe((event) => {
    if (event.type === 'task.clarification_requested') {
      pending.set(event.taskId, event.question);
      // Waits a turn: a resumed run replays the answer right after the question.
      setImmediate(() => void next());
    } else if (event.type === 'task.answered' || event.type === 'task.started') {
      pending.delete(event.taskId);
    }
  });
}
