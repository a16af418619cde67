import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import type { RunState } from '../../src/run/state.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import type { RunResult } from '../../src/runtime/runResult.js';
import { tempDir } from '../helpers/tempLog.js';
import { fastRetry, simpleTool } from './support.js';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

class Stamp {
  toJSON(): never {
    throw new Error('toJSON exploded');
  }
}

function cycle(): unknown {
  const node: Record<string, unknown> = { name: 'loop' };
  node.next = { back: node };
  return node;
}

function sharedMany(): unknown {
  // No cycle, but 2^60 paths: its JSON would never finish.
  let node: Record<string, unknown> = { leaf: 'x' };
  for (let i = 0; i < 60; i++) node = { a: node, b: node };
  return node;
}

/** What a careless tool returns: every value JSON cannot carry as it is, alone and nested, and anything. */
const junkArb: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .constantFrom<() => unknown>(
      () => Number.NaN,
      () => Number.POSITIVE_INFINITY,
      () => ({ v: Number.NEGATIVE_INFINITY }),
      () => ({ count: 12n }),
      () => ({ run: () => 1 }),
      () => ({ tag: Symbol('s') }),
      () => [1, undefined, 3],
      // biome-ignore lint/suspicious/noSparseArray: a hole is one of the junk values under test
      () => [1, , 3],
      () => ({ at: new Date(0) }),
      () => new Map([['a', 1]]),
      () => ({ seen: new Set([1]) }),
      () => ({ where: new Point(1, 2) }),
      () => Buffer.from('hi'),
      () => ({ stamp: new Stamp() }),
      () => ({ toJSON: () => 'me' }),
      () => ({
        get broken(): never {
          throw new Error('getter exploded');
        },
      }),
      () => ({ zero: -0, list: [-0] }),
      () => ({ gone: undefined, kept: 1 }),
      () => Object.assign(Object.create(null), { bare: true }),
      () => JSON.parse('{"__proto__": {"polluted": true}}'),
      cycle,
      sharedMany,
    )
    .map((make) => make()),
  fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withNullPrototype: true,
    withBoxedValues: true,
    withSparseArray: true,
  }),
  fc.jsonValue(),
);

const caseArb = fc.record({ junk: junkArb, policy: fc.constantFrom('continue' as const, 'fail-run' as const) });

type Summary = { id: string; status: string; output?: unknown; error?: string };

function liveTasks(result: RunResult): Summary[] {
  return result.tasks.map((t) => ({
    id: t.id,
    status: t.status,
    ...(t.status === 'completed' ? { output: t.output } : {}),
    ...(t.status === 'failed' ? { error: t.error.code } : {}),
  }));
}

function replayedTasks(state: RunState): Summary[] {
  return [...state.tasks.values()].map((t) => ({
    id: t.id,
    status: t.status,
    ...(t.status === 'completed' ? { output: t.output } : {}),
    ...(t.status === 'failed' ? { error: t.error?.code ?? '' } : {}),
  }));
}

const healthyOutput = { items: [{ id: 'a', score: 0.5 }], total: 1 };

describe('a tool that returns what the log cannot store', () => {
  const dir = tempDir('troupe-unstorable-');
  afterAll(() => dir.remove());
  let n = 0;

  it('fails its own call: the run ends by its policy, healthy results are kept, and the log reopens to the same run', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ junk, policy }) => {
        n += 1;
        const file = dir.file(`unstorable-${n}.db`);
        const model = scriptedModel({
          plan: () => ({
            tasks: [
              { id: 'junk', description: 'returns junk', kind: 'tool_call', tool: 'junk', input: {} },
              { id: 'healthy', description: 'returns data', kind: 'tool_call', tool: 'healthy', input: {} },
              { id: 'step', description: 'calls the junk tool', kind: 'processing' },
            ],
          }),
          // The step calls the junk tool once, then answers with what the call gave it.
          process: (_task, request) => {
            const [turn] = request.turns ?? [];
            const result = turn?.results[0];
            if (result === undefined) return { toolCalls: [{ name: 'junk', arguments: {} }] };
            return result.ok ? 'the call succeeded' : `the call failed: ${result.error.code}`;
          },
        });
        const tools = [simpleTool('junk', () => junk), simpleTool('healthy', () => healthyOutput)];
        const runtime = createRuntime({ log: sqliteLog(file), model, tools, retry: fastRetry, onTaskFailure: policy });
        let result: RunResult;
        try {
          result = await runtime.run('store junk').result;
        } finally {
          await runtime.close();
        }
        expect(['completed', 'failed']).toContain(result.status);
        if (result.status === 'failed') expect(result.error.code).not.toBe('EVENT_INVALID');
        const tasks = liveTasks(result);
        expect(tasks.find((t) => t.id === 'healthy')).toEqual({
          id: 'healthy',
          status: 'completed',
          output: healthyOutput,
        });
        const junkTask = tasks.find((t) => t.id === 'junk');
        const step = tasks.find((t) => t.id === 'step');
        if (step?.status === 'completed') {
          expect(step.output).toBe(
            junkTask?.status === 'failed' ? 'the call failed: TOOL_OUTPUT_INVALID' : 'the call succeeded',
          );
        } else {
          // Under 'fail-run' the step may not have started before the junk task failed the run.
          expect(policy).toBe('fail-run');
        }
        if (junkTask?.status === 'failed') {
          expect(junkTask.error).toBe('TOOL_OUTPUT_INVALID');
          expect(result.status).toBe(policy === 'continue' ? 'completed' : 'failed');
          if (result.status === 'failed') expect(result.error.code).toBe('TOOL_OUTPUT_INVALID');
        } else {
          expect(junkTask?.status).toBe('completed');
          expect(result.status).toBe('completed');
        }

        const reopened = createRuntime({ log: sqliteLog(file), model, tools });
        try {
          const state = await reopened.replay(result.runId);
          expect(state.status).toBe(result.status);
          expect(replayedTasks(state)).toEqual(tasks);
          if (result.status === 'completed') expect(state.answer).toBe(result.answer);
        } finally {
          await reopened.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
