import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/errors.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import type { RuntimeOptions } from '../../src/runtime/options.js';
import { defineTool } from '../../src/tools/defineTool.js';

function issuesOf(options: unknown): readonly string[] {
  try {
    createRuntime(options as RuntimeOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    expect((err as ConfigError).message).toBe((err as ConfigError).issues.join('; '));
    return (err as ConfigError).issues;
  }
  throw new Error('expected createRuntime to throw');
}

const tool = (name: string) => defineTool({ name, description: 'd', input: z.object({}), run: () => 1 });

describe('createRuntime options', () => {
  it('starts with no options at all, on the scripted model and a memory log', async () => {
    const runtime = createRuntime();
    const result = await runtime.run('say hi').result;
    expect(result.status).toBe('completed');
    await runtime.close();
  });

  it('lists every bad field at once, each with its value and what was expected', () => {
    const issues = issuesOf({
      model: {},
      tools: [{}],
      log: 3,
      concurrency: 0,
      taskTimeoutMs: -5,
      modelTimeoutMs: 1.5,
      retry: { maxRetries: -1, initialDelayMs: 'soon' },
      maxPlanAttempts: 0,
      maxTasks: Number.NaN,
      maxGoalLength: Number.POSITIVE_INFINITY,
      closeWith: [{}],
    });
    expect(issues).toHaveLength(12);
    const byField = new Map(issues.map((issue) => [/^Expected `([^`]+)`/.exec(issue)?.[1], issue]));
    expect(byField.get('model')).toBe(
      'Expected `model` to be valid (expected a Model (an object with a `complete` method)), got `{}`',
    );
    expect(byField.get('tools.0')).toContain('expected a tool made by defineTool');
    expect(byField.get('log')).toBe('Expected `log` to be valid (expected an EventLog), got `3`');
    expect(byField.get('concurrency')).toMatch(/>=1\), got `0`$/);
    expect(byField.get('taskTimeoutMs')).toMatch(/>=1\), got `-5`$/);
    expect(byField.get('modelTimeoutMs')).toMatch(/expected int.*got `1\.5`$/);
    expect(byField.get('retry.maxRetries')).toMatch(/>=0\), got `-1`$/);
    expect(byField.get('retry.initialDelayMs')).toMatch(/expected number, received string\), got `soon`$/);
    expect(byField.get('maxPlanAttempts')).toMatch(/got `0`$/);
    expect(byField.get('maxTasks')).toMatch(/got `NaN`$/);
    expect(byField.get('maxGoalLength')).toMatch(/got `Infinity`$/);
    expect(byField.get('closeWith.0')).toContain('expected an object with a `close` method');
  });

  it.each([
    ['a string concurrency', { concurrency: '4' }, 'concurrency'],
    ['a fractional retry count', { retry: { maxRetries: 1.5 } }, 'retry.maxRetries'],
    ['tools that are not an array', { tools: 'postToX' }, 'tools'],
    ['a retry policy that is not an object', { retry: 5 }, 'retry'],
  ])('refuses %s', (_what, options, field) => {
    const issues = issuesOf(options);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(new RegExp(`^Expected \`${field.replace('.', '\\.')}\` to be valid`));
  });

  it('refuses options that are not an object', () => {
    expect(issuesOf(null)).toEqual(['Expected `options` to be an object, got `null`']);
    expect(issuesOf(7)).toEqual(['Expected `options` to be an object, got `7`']);
  });

  it('refuses two tools with the same name', () => {
    expect(issuesOf({ tools: [tool('post'), tool('post')] })).toEqual([
      'Expected tool names to be unique, got `post` twice',
    ]);
  });

  it('accepts boundary values and a partial retry policy', async () => {
    const runtime = createRuntime({
      concurrency: 1,
      taskTimeoutMs: 1,
      retry: { maxRetries: 0 },
      maxPlanAttempts: 1,
      maxTasks: 1,
      tools: [tool('a'), tool('b')],
    });
    await runtime.close();
  });
});
