import { ConfigError } from '../errors.js';
import type { RunSession } from '../run/RunSession.js';
import { quarantine, quarantineValues, untrustedDataNotice } from '../security/quarantine.js';
import { callModel, type ModelToken } from './callModel.js';
import type { ChatMessage, Model, TaskResult } from './Model.js';

/** When a run's context is compacted. */
export interface CompactionOptions {
  /**
   * The prompt size, in estimated tokens (characters / 4), above which older results are
   * summarised by the model and the prompt rebuilt from the summary.
   */
  maxContextTokens: number;
  /** The newest results always shown verbatim. @default 2 */
  keepRecent?: number;
}

/** A prompt's context after compaction: the run's summary and the results it does not cover. */
export interface FittedContext {
  summary?: string;
  results: TaskResult[];
  messages: ChatMessage[];
}

/** Builds a prompt from a context, so the compactor can measure it. */
export type PromptBuilder = (results: readonly TaskResult[], summary: string | undefined) => ChatMessage[];

/** Keeps one run's prompts under a token budget by summarising older results. */
export interface Compactor {
  /** The prompt for `results`, compacting first when it would exceed the budget. */
  fit(results: readonly TaskResult[], build: PromptBuilder, signal: AbortSignal): Promise<FittedContext>;
}

/** Estimated tokens of a prompt: characters / 4, the usual rule of thumb for English and JSON. */
export function estimateTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) chars += m.content.length;
  return Math.ceil(chars / 4);
}

/** Checks compaction options, naming the bad field. */
export function checkCompaction(options: CompactionOptions): Required<CompactionOptions> {
  const { maxContextTokens, keepRecent = 2 } = options;
  const issues: string[] = [];
  if (!Number.isInteger(maxContextTokens) || maxContextTokens < 1) {
    issues.push(`Expected \`compaction.maxContextTokens\` to be an integer ≥ 1, got \`${String(maxContextTokens)}\``);
  }
  if (!Number.isInteger(keepRecent) || keepRecent < 0) {
    issues.push(`Expected \`compaction.keepRecent\` to be an integer ≥ 0, got \`${String(keepRecent)}\``);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { maxContextTokens, keepRecent };
}

/** Shows the run's summary to the model as a second system message, after the prompt's own. */
export function withSummary(messages: readonly ChatMessage[], summary: string | undefined): ChatMessage[] {
  if (summary === undefined) return [...messages];
  // The summary was written from tool results: it is quarantined like them.
  const quarantined = quarantine([{ label: 'summary', content: summary }]);
  const note: ChatMessage = { role: 'system', content: `Summary of the run's earlier results:\n${quarantined}` };
  const [first, ...rest] = messages;
  return first?.role === 'system' ? [first, note, ...rest] : [note, ...messages];
}

function summarizeMessages(goal: string, results: readonly TaskResult[], previous: string | undefined): ChatMessage[] {
  const tasks = results.map((r) => `- ${r.taskId}: ${r.description}`).join('\n');
  const lines = `${tasks}\n${quarantineValues(results.map((r) => ({ label: `task:${r.taskId}`, value: r.output })))}`;
  const before =
    previous === undefined ? '' : `Summary so far:\n${quarantine([{ label: 'summary', content: previous }])}\n`;
  return [
    {
      role: 'system',
      content:
        'Summarise these results of earlier steps for the rest of the run. Keep every fact, figure, name and ' +
        `decision a later step may need; drop wording and repetition. Plain text, no preamble.\n${untrustedDataNotice}`,
    },
    { role: 'user', content: `Goal: ${goal}\n${before}Results:\n${lines}` },
  ];
}

/**
 * A compactor for one run. When a prompt would exceed `maxContextTokens`, every result in it
 * but the `keepRecent` newest (and the summary so far) is summarised in one `summarize` model
 * call, recorded as `context.compacted` (the summary and the tasks it stands for); the prompt
 * is then rebuilt from the summary and the remaining results. Compactions of one run happen
 * one at a time; calls that wait for one measure their prompt again afterwards. Replay
 * rebuilds the same context: the summary and the compacted tasks are in the run's state.
 *
 * @example
 * const compactor = createCompactor(session, model, { maxContextTokens: 8_000 });
 * const { messages } = await compactor.fit(results, (r, s) => withSummary(synthesizeMessages(goal, r), s), signal);
 * // => a prompt of at most ≈ 8,000 tokens, unless the newest results alone are larger
 */
export function createCompactor(
  session: RunSession,
  model: Model,
  options: CompactionOptions,
  onToken?: (token: ModelToken) => void,
): Compactor {
  const { maxContextTokens, keepRecent } = checkCompaction(options);
  let inFlight: Promise<void> | undefined;

  async function compact(older: readonly TaskResult[], signal: AbortSignal): Promise<void> {
    const { goal, summary } = session.state;
    const { reply, recorded } = await callModel(
      session,
      model,
      {
        purpose: 'summarize',
        goal,
        results: older,
        ...(summary === undefined ? {} : { previousSummary: summary }),
        messages: summarizeMessages(goal, older, summary),
      },
      { signal, ...(onToken === undefined ? {} : { onToken }) },
    );
    // The summary covers the run as it stood at its own `model.called` event.
    const throughSeq = (await recorded).at(-1)?.seq ?? -1;
    await session.execute({ type: 'compact', summary: reply.content, throughSeq, taskIds: older.map((r) => r.taskId) });
  }

  return {
    async fit(results, build, signal) {
      for (;;) {
        const summary = session.state.summary;
        const visible = results.filter((r) => session.state.tasks.get(r.taskId)?.compacted !== true);
        const messages = build(visible, summary);
        if (estimateTokens(messages) <= maxContextTokens || visible.length <= keepRecent) {
          return { ...(summary === undefined ? {} : { summary }), results: visible, messages };
        }
        if (inFlight === undefined) {
          inFlight = compact(visible.slice(0, visible.length - keepRecent), signal).finally(() => {
            inFlight = undefined;
          });
        }
        await inFlight;
      }
    },
  };
}
