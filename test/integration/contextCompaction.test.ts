import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { EventOf } from '../../src/events/types.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import type { ModelRequest, TaskResult } from '../../src/model/Model.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';

const facts = 30;
const expectedSum = Array.from({ length: facts }, (_, i) => (i + 1) ** 2).reduce((a, b) => a + b, 0);

/** Thirty research steps, each finding one fact among a page of filler, then a report on all of them. */
const plan = {
  tasks: [
    ...Array.from({ length: facts }, (_, i) => ({
      id: `f${i + 1}`,
      description: `Find fact ${i + 1}`,
      kind: 'processing' as const,
    })),
    {
      id: 'report',
      description: 'Add up every fact',
      kind: 'processing' as const,
      dependsOn: Array.from({ length: facts }, (_, i) => `f${i + 1}`),
    },
  ],
};

const factPattern = /fact-(\d+)=(\d+)/g;
const factsIn = (text: string) => new Map([...text.matchAll(factPattern)].map((m) => [m[1], Number(m[2])]));
const promptOf = (request: ModelRequest) => request.messages.map((m) => m.content).join('\n');

/** A scripted model whose report sums the facts it can see in its prompt, and which records its prompts' sizes. */
function researcher(options: { failFirstSummary?: boolean } = {}) {
  const prompts: { purpose: string; taskId?: string; chars: number }[] = [];
  let summaries = 0;
  const model = scriptedModel({
    plan: () => plan,
    process: (task, request) => {
      prompts.push({ purpose: 'process', taskId: task.id, chars: promptOf(request).length });
      if (task.id !== 'report') {
        const n = Number(task.id.slice(1));
        return `fact-${n}=${n * n} ${'Background reading that no later step needs. '.repeat(14)}`;
      }
      const seen = factsIn(promptOf(request));
      return `sum=${[...seen.values()].reduce((a, b) => a + b, 0)} over ${seen.size} facts`;
    },
    summarize: (results: readonly TaskResult[], request) => {
      summaries += 1;
      if (options.failFirstSummary === true && summaries === 1) throw new Error('summariser overloaded');
      const seen = factsIn(`${request.previousSummary ?? ''} ${results.map((r) => String(r.output)).join(' ')}`);
      return [...seen].map(([k, v]) => `fact-${k}=${v}`).join(' ');
    },
    synthesize: (_goal, results, request) => {
      prompts.push({ purpose: 'synthesize', chars: promptOf(request).length });
      return String(results.find((r) => r.taskId === 'report')?.output);
    },
  });
  return { model, prompts, summaries: () => summaries };
}

async function run(compaction?: { maxContextTokens: number; keepRecent?: number }, failFirstSummary = false) {
  const log = memoryLog();
  const { model, prompts, summaries } = researcher({ failFirstSummary });
  const runtime = createRuntime({
    log,
    model,
    concurrency: 4,
    retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2 },
    ...(compaction === undefined ? {} : { compaction }),
  });
  const handle = runtime.run('add up thirty facts');
  const result = await handle.result;
  const events = await log.read(handle.runId);
  const replayed = await runtime.replay(handle.runId);
  await runtime.close();
  const largest = (purpose: string) => Math.max(...prompts.filter((p) => p.purpose === purpose).map((p) => p.chars));
  return { result, events, replayed, largest, summaries };
}

describe('context compaction', () => {
  it('shrinks the long prompts by more than half, and the run still adds up every fact', async () => {
    const full = await run();
    const compacted = await run({ maxContextTokens: 1_500, keepRecent: 2 });

    expect(full.result.answer).toBe(`sum=${expectedSum} over ${facts} facts`);
    expect(compacted.result.status).toBe('completed');
    expect(compacted.result.answer).toBe(`sum=${expectedSum} over ${facts} facts`);

    const reportRatio = compacted.largest('process') / full.largest('process');
    const synthesisRatio = compacted.largest('synthesize') / full.largest('synthesize');
    expect(reportRatio).toBeLessThan(0.5);
    expect(synthesisRatio).toBeLessThan(0.5);
    expect(full.events.some((e) => e.type === 'context.compacted')).toBe(false);
  });

  it('records the summary, the tasks it stands for and a summarize call; replay rebuilds the same context', async () => {
    const { events, replayed, result } = await run({ maxContextTokens: 1_500, keepRecent: 2 });
    const compactions = events.filter((e): e is EventOf<'context.compacted'> => e.type === 'context.compacted');
    expect(compactions).toHaveLength(1);
    const [compaction] = compactions;
    expect(compaction?.taskIds).toHaveLength(facts - 2);
    expect(compaction?.summary).toContain('fact-1=1');
    const summarizeCall = events.find((e) => e.type === 'model.called' && e.purpose === 'summarize');
    expect(summarizeCall?.seq).toBe(compaction?.throughSeq);
    expect(replayed.summary).toBe(compaction?.summary);
    expect([...replayed.tasks.values()].filter((t) => t.compacted === true).map((t) => t.id)).toEqual(
      compaction?.taskIds,
    );
    expect(replayed.usage.calls).toBe(result.usage.calls);
  });

  it('retries the step whose summary failed, and still completes', async () => {
    const { result, events, summaries } = await run({ maxContextTokens: 1_500 }, true);
    expect(result.status).toBe('completed');
    expect(result.answer).toBe(`sum=${expectedSum} over ${facts} facts`);
    expect(summaries()).toBe(2);
    const retry = events.find((e) => e.type === 'task.retrying');
    expect(retry).toMatchObject({
      taskId: 'report',
      error: { message: expect.stringContaining('summariser overloaded') },
    });
  });

  it('refuses a budget that is not a positive integer, naming the field', () => {
    expect(() => createRuntime({ compaction: { maxContextTokens: 0 } })).toThrow(ConfigError);
    expect(() => createRuntime({ compaction: { maxContextTokens: 100, keepRecent: -1 } })).toThrow(
      /compaction\.keepRecent/,
    );
  });
});
