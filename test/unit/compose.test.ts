import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/errors.js';
import { ComposeError, ComposeStepError, compose } from '../../src/tools/compose.js';
import { defineTool, type ToolContext } from '../../src/tools/defineTool.js';

const context: ToolContext = {
  signal: new AbortController().signal,
  idempotencyKey: 'k',
  runId: 'r',
  taskId: 't',
};

function counting() {
  const calls: Record<string, number> = {};
  const count = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  const fetchPage = defineTool({
    name: 'fetchPage',
    description: 'fetch',
    input: z.object({ url: z.string() }),
    output: z.object({ status: z.number(), body: z.string() }),
    run: ({ url }) => {
      count('fetchPage');
      return { status: 200, body: `<h1>${url}</h1>` };
    },
  });
  const parse = defineTool({
    name: 'parse',
    description: 'parse',
    input: z.object({ html: z.string() }),
    output: z.object({ text: z.string() }),
    run: ({ html }) => {
      count('parse');
      return { text: html.replace(/<[^>]+>/g, '') };
    },
  });
  const summarise = defineTool({
    name: 'summarise',
    description: 'summarise',
    input: z.object({ text: z.string(), url: z.string() }),
    output: z.object({ summary: z.string() }),
    run: ({ text, url }) => {
      count('summarise');
      return { summary: `${url}: ${text.length} chars` };
    },
  });
  return { calls, fetchPage, parse, summarise };
}

describe('compose', () => {
  it('wires outputs to inputs by name, by explicit mapping, and from the chain input', async () => {
    const { fetchPage, parse, summarise } = counting();
    const chain = compose({ name: 'digest' }, fetchPage, { tool: parse, input: { html: 'body' } }, summarise);
    expect(chain.name).toBe('digest');
    expect(await chain.call({ url: 'a.com' }, context)).toEqual({ summary: 'a.com: 5 chars' });
    expect(chain.description).toBe('Runs `fetchPage` → `parse` → `summarise` in order');
  });

  it('passes a non-object output straight to a step that takes one value', async () => {
    const upper = defineTool({
      name: 'upper',
      description: 'u',
      input: z.string(),
      output: z.string(),
      run: (s) => s.toUpperCase(),
    });
    const len = defineTool({
      name: 'len',
      description: 'l',
      input: z.string(),
      output: z.number(),
      run: (s) => s.length,
    });
    const wrap = defineTool({
      name: 'wrap',
      description: 'w',
      input: z.object({ len: z.number() }),
      output: z.object({ n: z.number() }),
      run: ({ len: n }) => ({ n }),
    });
    expect(await compose(upper, len, wrap).call('abc', context)).toEqual({ n: 3 });
  });

  it('rejects a chain whose output cannot feed the next input before running, naming the fields', () => {
    const { calls, fetchPage, parse, summarise } = counting();
    const error = (() => {
      try {
        compose(fetchPage, parse, summarise);
      } catch (e) {
        return e;
      }
    })() as ComposeError;
    expect(error).toBeInstanceOf(ComposeError);
    expect(error.issues).toEqual([
      'step 2 `parse` needs input field `html`, but nothing before it outputs `html` (available: `url`, `status`, `body`)',
    ]);
    expect(calls).toEqual({});
  });

  it('rejects a field of the wrong kind, and an optional output feeding a required input', () => {
    const a = defineTool({
      name: 'a',
      description: 'a',
      input: z.object({}),
      output: z.object({ count: z.number(), note: z.string().optional() }),
      run: () => ({ count: 1 }),
    });
    const b = defineTool({
      name: 'b',
      description: 'b',
      input: z.object({ count: z.string(), note: z.string() }),
      output: z.string(),
      run: () => 'x',
    });
    expect(() => compose(a, b)).toThrow(
      'Cannot compose `a-b`: step 2 `b` input field `count`: `count` is a number but a string is expected; step 2 `b` input field `note`: `note` may be missing but is required',
    );
  });

  it('rejects a step without an output schema feeding the next, and a mapping to an unknown field', () => {
    const { fetchPage, summarise } = counting();
    const loose = defineTool({ name: 'loose', description: 'l', input: z.object({ url: z.string() }), run: () => 1 });
    expect(() => compose(loose, summarise)).toThrow('step 1 `loose` declares no `output` schema');
    expect(() => compose(fetchPage, { tool: summarise, input: { nope: 'body' } })).toThrow(
      'step 2 `summarise` has no input field `nope` to map',
    );
  });

  it('says which step failed when a step returns the wrong shape', async () => {
    const { fetchPage, summarise } = counting();
    const broken = defineTool({
      name: 'parse',
      description: 'p',
      input: z.object({ body: z.string() }),
      output: z.object({ text: z.string() }),
      run: () => ({ text: 42 }) as unknown as { text: string },
    });
    const error = await compose(fetchPage, broken, summarise)
      .call({ url: 'x' }, context)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComposeStepError);
    expect(error).toMatchObject({ step: 2, tool: 'parse', code: 'TOOL_OUTPUT_INVALID' });
    expect((error as Error).message).toMatch(/^Step 2 \(`parse`\) of `fetchPage-parse-summarise` failed: /);
  });

  it('caches each step per input, and does not cache failures', async () => {
    const { calls, fetchPage, parse, summarise } = counting();
    const chain = compose(fetchPage, { tool: parse, input: { html: 'body' } }, summarise);
    await chain.call({ url: 'a' }, context);
    await chain.call({ url: 'a' }, context);
    await chain.call({ url: 'b' }, context);
    expect(calls).toEqual({ fetchPage: 2, parse: 2, summarise: 2 });
    let flaky = 0;
    const sometimes = defineTool({
      name: 'sometimes',
      description: 's',
      input: z.object({ url: z.string() }),
      output: z.object({ body: z.string() }),
      run: () => {
        flaky += 1;
        if (flaky === 1) throw new Error('once');
        return { body: 'ok' };
      },
    });
    const retried = compose(sometimes, { tool: parse, input: { html: 'body' } });
    await expect(retried.call({ url: 'a' }, context)).rejects.toMatchObject({ step: 1, code: 'TOOL_FAILED' });
    expect(await retried.call({ url: 'a' }, context)).toEqual({ text: 'ok' });
    const uncached = compose({ cacheSize: 0 }, fetchPage, { tool: parse, input: { html: 'body' } });
    await uncached.call({ url: 'z' }, context);
    await uncached.call({ url: 'z' }, context);
    expect(calls.fetchPage).toBe(4);
  });

  it('resumes a chain that failed at a later step from that step, without repeating earlier ones', async () => {
    const { calls, fetchPage } = counting();
    let attempts = 0;
    const flakyParse = defineTool({
      name: 'flakyParse',
      description: 'p',
      input: z.object({ body: z.string() }),
      output: z.object({ text: z.string() }),
      run: ({ body }) => {
        attempts += 1;
        if (attempts === 1) throw new Error('parser crashed');
        return { text: body };
      },
    });
    const chain = compose(fetchPage, flakyParse);
    await expect(chain.call({ url: 'a' }, context)).rejects.toMatchObject({ step: 2 });
    expect(await chain.call({ url: 'a' }, context)).toEqual({ text: '<h1>a</h1>' });
    expect(calls.fetchPage).toBe(1);
    expect(attempts).toBe(2);
  });

  it('sums cost and latency, and unions capabilities', () => {
    const a = defineTool({
      name: 'a',
      description: 'a',
      input: z.object({ x: z.number() }),
      output: z.object({ x: z.number() }),
      costUsd: 0.01,
      latencyMs: 10,
      capabilities: ['math'],
      run: (v) => v,
    });
    const chain = compose(a, a, a);
    expect(chain.costUsd).toBeCloseTo(0.03);
    expect(chain.latencyMs).toBe(30);
    expect(chain.capabilities).toEqual(['math']);
  });

  it('rejects fewer than two steps, things that are not steps, and a bad cacheSize', () => {
    const { fetchPage } = counting();
    expect(() => compose(fetchPage)).toThrow('compose: expected at least 2 steps, got 1');
    expect(() => compose(fetchPage, 3 as never)).toThrow(ConfigError);
    expect(() => compose({ cacheSize: -1 }, fetchPage, fetchPage)).toThrow(
      '`cacheSize` to be an integer ≥ 0, got `-1`',
    );
  });
});
