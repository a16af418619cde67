import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { z as z3 } from 'zod/v3';
import { ConfigError, ToolInputError, ToolOutputError, TroupeError } from '../../src/errors.js';
import { defineTool, type ToolContext } from '../../src/tools/defineTool.js';

const context: ToolContext = { signal: new AbortController().signal, idempotencyKey: 'k1', runId: 'r1', taskId: 't1' };

const add = defineTool({
  name: 'add',
  description: 'Adds two numbers',
  input: z.object({ a: z.number(), b: z.number() }),
  output: z.number(),
  run: ({ a, b }) => a + b,
});

function base(overrides: Record<string, unknown>) {
  return { name: 'ok', description: 'd', input: z.object({}), run: () => 1, ...overrides } as Parameters<
    typeof defineTool
  >[0];
}

function configIssue(overrides: Record<string, unknown>): string {
  try {
    defineTool(base(overrides));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    return (err as ConfigError).message;
  }
  throw new Error('expected defineTool to throw');
}

describe('defineTool refuses a bad definition (CONFIG_INVALID)', () => {
  it.each([
    ['an empty name', ''],
    ['a name starting with a digit', '1tool'],
    ['a name with a space', 'post to x'],
    ['a name with a dot', 'post.x'],
    ['a name over 64 characters', `a${'b'.repeat(64)}`],
    ['a name that is not a string', 42],
  ])('%s, quoting it', (_what, name) => {
    const message = configIssue({ name });
    expect(message).toContain('Expected tool `name` to match');
    expect(message).toContain(`got \`${String(name)}\``);
  });

  it('accepts names at the edges: one letter, 64 characters, _ and -', () => {
    for (const name of ['a', `a${'b'.repeat(63)}`, 'post_to-X9']) expect(defineTool(base({ name })).name).toBe(name);
  });

  it.each([
    ['an empty description', { description: '  ' }, 'Expected `description` of tool `ok` to be a non-empty string'],
    [
      'an input that is not a zod schema',
      { input: { type: 'object' } },
      'Expected `input` of tool `ok` to be a zod 4 schema, got object',
    ],
    [
      'a zod 3 schema, naming zod 4 and how to get it',
      { input: z3.object({ q: z3.string() }) },
      'Expected `input` of tool `ok` to be a zod 4 schema, got a zod 3 schema: troupe needs zod 4 (npm install zod@^4',
    ],
    [
      'a zod 3 output schema',
      { output: z3.string() },
      'Expected `output` of tool `ok` to be a zod 4 schema, got a zod 3 schema',
    ],
    ['a run that is not a function', { run: 'go' }, 'Expected `run` of tool `ok` to be a function'],
    ['a negative costUsd', { costUsd: -0.01 }, 'Expected `costUsd` of tool `ok` to be a number ≥ 0, got `-0.01`'],
    ['a NaN latencyMs', { latencyMs: Number.NaN }, 'Expected `latencyMs` of tool `ok` to be a number ≥ 0, got `NaN`'],
    ['an infinite costUsd', { costUsd: Number.POSITIVE_INFINITY }, 'got `Infinity`'],
  ])('%s', (_what, overrides, message) => {
    expect(configIssue(overrides)).toContain(message);
  });

  it('fills in defaults for the optional fields', () => {
    const tool = defineTool(base({}));
    expect([tool.costUsd, tool.latencyMs, tool.capabilities, tool.output]).toEqual([0, 0, [], undefined]);
  });
});

describe('Tool.call', () => {
  it('validates input, runs, validates output', async () => {
    expect(await add.call({ a: 1, b: 2 }, context)).toBe(3);
  });

  it('passes the parsed input (with zod defaults and transforms) and the context to `run`', async () => {
    const seen: unknown[] = [];
    const tool = defineTool({
      name: 'echo',
      description: 'Echoes',
      input: z.object({ text: z.string().trim(), times: z.number().default(1) }),
      run: (input, ctx) => {
        seen.push(input, ctx);
        return input;
      },
    });
    expect(await tool.call({ text: '  hi  ' }, context)).toEqual({ text: 'hi', times: 1 });
    expect(seen[1]).toBe(context);
  });

  it('refuses bad input with ToolInputError naming each field, without running the tool', async () => {
    let ran = false;
    const tool = defineTool({
      name: 'post',
      description: 'Posts',
      input: z.object({ text: z.string().max(5), meta: z.object({ lang: z.string() }) }),
      run: () => {
        ran = true;
      },
    });
    const err = await tool.call({ text: 'far too long', meta: { lang: 7 } }, context).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolInputError);
    expect(err).toMatchObject({ code: 'TOOL_INPUT_INVALID', tool: 'post', name: 'ToolInputError' });
    expect((err as Error).message).toMatch(/^Invalid input for tool `post`: text: .*; meta\.lang: /);
    expect(ran).toBe(false);
  });

  it('names the root when the input is not even an object', async () => {
    await expect(add.call('1 + 2', context)).rejects.toThrow(/Invalid input for tool `add`: \(root\): /);
  });

  it('refuses bad output with ToolOutputError naming the field', async () => {
    const tool = defineTool({
      name: 'lookup',
      description: 'Looks up',
      input: z.object({}),
      output: z.object({ url: z.url(), id: z.number() }),
      run: () => ({ url: 'not a url', id: 1 }) as never,
    });
    const err = await tool.call({}, context).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolOutputError);
    expect(err).toMatchObject({ code: 'TOOL_OUTPUT_INVALID', tool: 'lookup' });
    expect((err as Error).message).toMatch(/^Tool `lookup` returned invalid output: url: /);
  });

  it('returns output unchecked when the tool has no output schema', async () => {
    const tool = defineTool({ name: 'any', description: 'd', input: z.object({}), run: () => ({ anything: true }) });
    expect(await tool.call({}, context)).toEqual({ anything: true });
  });

  it('wraps what a tool throws (sync, async or a non-error) as TOOL_FAILED with the cause', async () => {
    const cause = new Error('ECONNRESET');
    const throwers = [
      () => {
        throw cause;
      },
      async () => {
        throw cause;
      },
      () => Promise.reject('a bare string'),
    ];
    const errors = await Promise.all(
      throwers.map((run, i) =>
        defineTool({ name: `t${i}`, description: 'd', input: z.object({}), run })
          .call({}, context)
          .catch((e) => e),
      ),
    );
    expect(errors[0]).toMatchObject({ code: 'TOOL_FAILED', message: 'Tool `t0` failed: ECONNRESET', cause });
    expect(errors[1]).toMatchObject({ code: 'TOOL_FAILED', message: 'Tool `t1` failed: ECONNRESET', cause });
    expect(errors[2]).toMatchObject({ code: 'TOOL_FAILED', message: 'Tool `t2` failed: a bare string' });
    for (const err of errors) expect(err).toBeInstanceOf(TroupeError);
  });

  it('lets a TroupeError thrown by the tool through unchanged', async () => {
    const own = new TroupeError('CIRCUIT_OPEN', 'upstream is down');
    const tool = defineTool({
      name: 'guarded',
      description: 'd',
      input: z.object({}),
      run: () => {
        throw own;
      },
    });
    await expect(tool.call({}, context)).rejects.toBe(own);
  });
});

describe('Tool.jsonSchema', () => {
  it('is the JSON Schema of the input, computed once', () => {
    const schema = add.jsonSchema();
    expect(schema).toMatchObject({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    });
    expect(add.jsonSchema()).toBe(schema);
  });
});
