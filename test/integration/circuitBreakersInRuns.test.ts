import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/errors.js';
import type { TroupeEvent } from '../../src/events/types.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import type { RuntimeOptions } from '../../src/runtime/options.js';
import { defineTool, type Tool } from '../../src/tools/defineTool.js';
import { seededRandom } from '../support/seededRandom.js';
import { eventsOf, toolPlan } from './support.js';

function tool(name: string, run: () => unknown, extra: { fallbacks?: string[]; capabilities?: string[] } = {}): Tool {
  return defineTool({ name, description: name, input: z.object({}), run, ...extra });
}

function runtimeFor(tools: Tool[], plan: object | string, extra: RuntimeOptions = {}) {
  const log = memoryLog();
  const model = scriptedModel({ plan: () => plan as never });
  return { log, runtime: createRuntime({ log, model, tools, concurrency: 1, ...extra }) };
}

/** Every circuit event of a run, as `circuit:transition`. */
function circuitStory(events: readonly TroupeEvent[]): string[] {
  return events
    .filter((e) => e.type.startsWith('circuit.'))
    .map((e) => `${(e as { circuit: string }).circuit}:${e.type.slice(8)}`);
}

describe('circuit breakers in runs', () => {
  it('completes a run on a seeded tool that fails 30% of the time, recording every retry and every transition', async () => {
    const random = seededRandom(2024);
    let calls = 0;
    let failures = 0;
    const flaky = tool('flaky', () => {
      calls += 1;
      if (random() < 0.3) {
        failures += 1;
        throw new Error(`flaky failure ${failures}`);
      }
      return 'ok';
    });
    const tasks = Array.from({ length: 30 }, (_, i) => ({
      id: `t${i}`,
      description: `call ${i}`,
      kind: 'tool_call',
      tool: 'flaky',
    }));
    const { log, runtime } = runtimeFor(
      [flaky],
      { tasks },
      {
        retry: { maxRetries: 8, initialDelayMs: 0, maxDelayMs: 0 },
        // A short window and an immediate half-open keep the story independent of the wall clock.
        circuitBreaker: { tools: { failureThreshold: 2, windowMs: 60_000, halfOpenAfterMs: 0 } },
      },
    );
    const result = await runtime.run('call flaky thirty times').result;
    expect(result.status).toBe('completed');
    const events = await log.read(result.runId);
    const retries = events.filter((e) => e.type === 'task.retrying');
    expect(failures).toBeGreaterThan(5);
    expect(retries).toHaveLength(failures);
    expect(calls).toBe(30 + failures);
    const story = circuitStory(events).map((s) => s.split(':')[1]);
    expect(story.length).toBeGreaterThan(0);
    // Each opening is followed by a half-open trial, each trial by a close or a re-opening.
    story.forEach((step, i) => {
      const next = story[i + 1];
      if (step === 'opened' && next !== undefined) expect(next).toBe('half_opened');
      if (step === 'half_opened' && next !== undefined) expect(['closed', 'opened']).toContain(next);
    });
    expect(story[0]).toBe('opened');
    await runtime.close();
  });

  it('sends tasks to the declared fallback while the circuit is open', async () => {
    let primaryCalls = 0;
    const primary = tool(
      'primary',
      () => {
        primaryCalls += 1;
        throw new Error('503 from primary');
      },
      { fallbacks: ['backup'] },
    );
    const backup = tool('backup', () => 'from backup');
    const { log, runtime } = runtimeFor([primary, backup], toolPlan('primary'), {
      retry: { maxRetries: 2, initialDelayMs: 0, maxDelayMs: 0 },
      circuitBreaker: { tools: { failureThreshold: 1, halfOpenAfterMs: 600_000 } },
    });
    const result = await runtime.run('call primary').result;
    expect(result.status).toBe('completed');
    expect(result.tasks[0]?.output).toBe('from backup');
    expect(primaryCalls).toBe(1);
    const events = await log.read(result.runId);
    expect(circuitStory(events)).toEqual(['primary:opened']);
    const [fellBack] = await eventsOf(log, result.runId, 'task.fell_back');
    expect(fellBack).toMatchObject({ taskId: 't0', from: 'primary', to: 'backup', error: { code: 'CIRCUIT_OPEN' } });
    await runtime.close();
  });

  it('fails the task when the fallback fails too, with both circuits on record', async () => {
    const primary = tool('primary', () => Promise.reject(new Error('primary down')), { fallbacks: ['backup'] });
    const backup = tool('backup', () => Promise.reject(new Error('backup down')));
    const { log, runtime } = runtimeFor([primary, backup], toolPlan('primary'), {
      retry: { maxRetries: 2, initialDelayMs: 0, maxDelayMs: 0 },
      circuitBreaker: { tools: { failureThreshold: 1, halfOpenAfterMs: 600_000 } },
    });
    const result = await runtime.run('call primary').result;
    expect(result.status).toBe('failed');
    const events = await log.read(result.runId);
    expect(circuitStory(events)).toEqual(['primary:opened', 'backup:opened']);
    expect((await eventsOf(log, result.runId, 'task.fell_back')).length).toBe(2);
    const [failed] = await eventsOf(log, result.runId, 'task.failed');
    expect(failed?.error.code).toBe('FALLBACK_EXHAUSTED');
    expect(failed?.error.message).toContain('`primary`');
    expect(failed?.error.message).toContain('`backup`');
    await runtime.close();
  });

  it('fails fast with CIRCUIT_OPEN when no fallback is declared, without calling the tool again', async () => {
    let calls = 0;
    const down = tool('down', () => {
      calls += 1;
      throw new Error('down');
    });
    const { log, runtime } = runtimeFor([down], toolPlan('down'), {
      retry: { maxRetries: 3, initialDelayMs: 0, maxDelayMs: 0 },
      circuitBreaker: { tools: { failureThreshold: 1, halfOpenAfterMs: 600_000 } },
    });
    const result = await runtime.run('call down').result;
    expect(result.status).toBe('failed');
    expect(calls).toBe(1);
    const [failed] = await eventsOf(log, result.runId, 'task.failed');
    expect(failed?.error.code).toBe('CIRCUIT_OPEN');
    await runtime.close();
  });

  it('guards the model endpoint with its own circuit', async () => {
    let asked = 0;
    const model = scriptedModel({
      plan: () => ({ tasks: [{ id: 'think', description: 'think', kind: 'processing' }] }),
      process: () => {
        asked += 1;
        throw new Error('model overloaded');
      },
    });
    const log = memoryLog();
    const runtime = createRuntime({
      log,
      model,
      retry: { maxRetries: 2, initialDelayMs: 0, maxDelayMs: 0 },
      circuitBreaker: { model: { failureThreshold: 1, halfOpenAfterMs: 600_000 } },
    });
    const result = await runtime.run('think hard').result;
    expect(result.status).toBe('failed');
    expect(asked).toBe(1);
    expect(circuitStory(await log.read(result.runId))).toEqual(['scripted:opened']);
    const opened = (await eventsOf(log, result.runId, 'circuit.opened'))[0];
    expect(opened).toMatchObject({ target: 'model', failures: 1 });
    await runtime.close();
  });

  it('puts nothing in the path when no breaker is configured', async () => {
    let calls = 0;
    const down = tool('down', () => {
      calls += 1;
      throw new Error('down');
    });
    const { log, runtime } = runtimeFor([down], toolPlan('down'), {
      retry: { maxRetries: 2, initialDelayMs: 0, maxDelayMs: 0 },
    });
    const result = await runtime.run('call down').result;
    expect(calls).toBe(3);
    expect(circuitStory(await log.read(result.runId))).toEqual([]);
    await runtime.close();
  });

  it('rejects nonsense breaker settings and fallbacks that name no registered tool', () => {
    const a = tool('a', () => 1, { fallbacks: ['ghost'] });
    expect(() => createRuntime({ circuitBreaker: { tools: { failureThreshold: 0 } } })).toThrow(ConfigError);
    expect(() => createRuntime({ circuitBreaker: { tools: { failureThreshold: 0 } } })).toThrow(
      'circuitBreaker.tools.failureThreshold',
    );
    expect(() => createRuntime({ circuitBreaker: { tools: { windowMs: Number.NaN } } })).toThrow('got `NaN`');
    expect(() => createRuntime({ tools: [a] })).toThrow(
      'Expected the `fallbacks` of tool `a` to name other registered tools, got `ghost`',
    );
  });
});

describe('capabilities in plans', () => {
  const cheap = tool('cheapSearch', () => 'cheap', { capabilities: ['search'] });
  const pricey = defineTool({
    name: 'priceySearch',
    description: 'p',
    input: z.object({}),
    costUsd: 1,
    latencyMs: 1_000,
    capabilities: ['search'],
    run: () => 'pricey',
  });

  it('resolves a capability to a tool when the plan is parsed, and records the choice', async () => {
    const plan = JSON.stringify({
      tasks: [{ id: 'find', description: 'find', kind: 'tool_call', capability: 'search' }],
    });
    const { log, runtime } = runtimeFor([pricey, cheap], plan);
    const result = await runtime.run('find it').result;
    expect(result.status).toBe('completed');
    expect(result.tasks[0]?.output).toBe('cheap');
    const [created] = await eventsOf(log, result.runId, 'plan.created');
    expect(created?.tasks[0]).toMatchObject({ capability: 'search', tool: 'cheapSearch' });
    await runtime.close();
  });

  it('rejects a plan asking for a capability no tool has', async () => {
    const plan = JSON.stringify({ tasks: [{ id: 'fly', description: 'fly', kind: 'tool_call', capability: 'fly' }] });
    const { log, runtime } = runtimeFor([cheap], plan, { maxPlanAttempts: 1 });
    const result = await runtime.run('fly away').result;
    expect(result.status).toBe('failed');
    const [rejected] = await eventsOf(log, result.runId, 'plan.rejected');
    expect(rejected?.error.message).toContain(
      'task `fly` asks for capability `fly`: No registered tool declares the capability `fly`',
    );
    await runtime.close();
  });
});
