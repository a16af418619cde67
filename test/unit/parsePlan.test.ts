import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ModelOutputError, PlanValidationError, type TroupeError } from '../../src/errors.js';
import { parsePlan, planOutputSchema } from '../../src/run/parsePlan.js';
import { defineTool, type Tool } from '../../src/tools/defineTool.js';

const post = defineTool({
  name: 'post',
  description: 'Posts text',
  input: z.object({ text: z.string().min(1).max(10) }),
  run: ({ text }) => ({ posted: text }),
});
const fetchPage = defineTool({
  name: 'fetchPage',
  description: 'Fetches a page',
  input: z.object({ url: z.url() }),
  run: () => 'page',
});
const tools = new Map<string, Tool>([
  [post.name, post as Tool],
  [fetchPage.name, fetchPage as Tool],
]);
const options = { tools, maxTasks: 5 };

type Draft = { id: string; description?: string; kind?: string; dependsOn?: string[]; tool?: string; input?: unknown };
function plan(...tasks: Draft[]): string {
  return JSON.stringify({ tasks: tasks.map((t) => ({ description: `do ${t.id}`, kind: 'processing', ...t })) });
}

function failure(raw: string, opts = options): TroupeError {
  try {
    parsePlan(raw, opts);
  } catch (err) {
    return err as TroupeError;
  }
  throw new Error('expected parsePlan to throw');
}

describe('parsePlan accepts', () => {
  it('a valid graph, filling in `dependsOn`', () => {
    const tasks = parsePlan(
      plan(
        { id: 'a', kind: 'tool_call', tool: 'post', input: { text: 'hi' } },
        { id: 'b', dependsOn: ['a'] },
        { id: 'c' },
      ),
      options,
    );
    expect(tasks.map((t) => [t.id, t.dependsOn])).toEqual([
      ['a', []],
      ['b', ['a']],
      ['c', []],
    ]);
    expect(tasks[0]).toMatchObject({ kind: 'tool_call', tool: 'post', input: { text: 'hi' } });
  });

  it('a dependency named twice, kept once (in first-mention order)', () => {
    const tasks = parsePlan(plan({ id: 'a' }, { id: 'b' }, { id: 'c', dependsOn: ['b', 'a', 'b', 'a', 'b'] }), options);
    expect(tasks.map((t) => [t.id, t.dependsOn])).toEqual([
      ['a', []],
      ['b', []],
      ['c', ['b', 'a']],
    ]);
  });

  it('JSON inside a ```json code fence, or a bare fence, with whitespace around', () => {
    const body = plan({ id: 'a' });
    expect(parsePlan(`\n \`\`\`json\n${body}\n\`\`\`  \n`, options)).toHaveLength(1);
    expect(parsePlan(`\`\`\`${body}\`\`\``, options)).toHaveLength(1);
  });

  it('a diamond (shared dependencies are not a cycle)', () => {
    const raw = plan(
      { id: 'a' },
      { id: 'b', dependsOn: ['a'] },
      { id: 'c', dependsOn: ['a'] },
      { id: 'd', dependsOn: ['b', 'c'] },
    );
    expect(parsePlan(raw, options).map((t) => t.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('exactly `maxTasks` tasks', () => {
    const raw = plan(...['a', 'b', 'c', 'd', 'e'].map((id) => ({ id })));
    expect(parsePlan(raw, options)).toHaveLength(5);
  });
});

describe('parsePlan refuses model output that is not a plan (MODEL_OUTPUT_INVALID)', () => {
  it('text that is not JSON, keeping the raw text', () => {
    const err = failure('Sure! Here is your plan: step 1, step 2');
    expect(err).toBeInstanceOf(ModelOutputError);
    expect(err.code).toBe('MODEL_OUTPUT_INVALID');
    expect(err.message).toContain('Expected the plan as JSON');
    expect((err as ModelOutputError).output).toBe('Sure! Here is your plan: step 1, step 2');
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it('a fence around text that is not JSON', () => {
    expect(failure('```json\n{tasks: nope}\n```').code).toBe('MODEL_OUTPUT_INVALID');
  });

  it.each([
    ['an array', '[]', '(root)'],
    ['an object without tasks', '{"steps":[]}', 'tasks'],
    ['tasks that are not an array', '{"tasks":"a, b"}', 'tasks'],
    ['a task without a description', '{"tasks":[{"id":"a","kind":"processing"}]}', 'tasks.0.description'],
    ['a task of an unknown kind', '{"tasks":[{"id":"a","description":"d","kind":"magic"}]}', 'tasks.0.kind'],
    ['an empty task id', '{"tasks":[{"id":"","description":"d","kind":"processing"}]}', 'tasks.0.id'],
  ])('%s, naming the field', (_what, raw, field) => {
    const err = failure(raw);
    expect(err).toBeInstanceOf(ModelOutputError);
    expect(err.message).toContain('Expected a plan of the form { tasks: [...] }');
    expect(err.message).toContain(`${field}:`);
  });
});

describe('parsePlan refuses invalid graphs (PLAN_INVALID)', () => {
  function issues(raw: string, opts = options): readonly string[] {
    const err = failure(raw, opts);
    expect(err).toBeInstanceOf(PlanValidationError);
    expect(err.code).toBe('PLAN_INVALID');
    return (err as PlanValidationError).issues;
  }

  it('an empty plan', () => {
    expect(issues('{"tasks":[]}')).toEqual(['the plan has no tasks']);
  });

  it('more tasks than `maxTasks`, naming both counts', () => {
    const raw = plan(...['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id })));
    expect(issues(raw)).toEqual(['the plan has 6 tasks; at most 5 are allowed (maxTasks)']);
  });

  it('a clarification whose question is blank, or not text', () => {
    expect(
      issues(
        plan(
          { id: 'a', kind: 'clarification', input: { question: '' } },
          { id: 'b', kind: 'clarification', description: '   ' },
          { id: 'c', kind: 'clarification', input: { question: 42 } },
          { id: 'd', kind: 'clarification', input: { question: 'Which tone?' } },
        ),
      ),
    ).toEqual([
      'task `a` is a clarification whose question (`input.question`) is blank or not text',
      'task `b` is a clarification whose question (`description`) is blank or not text',
      'task `c` is a clarification whose question (`input.question`) is blank or not text',
    ]);
  });

  it('a duplicate id', () => {
    expect(issues(plan({ id: 'a' }, { id: 'a' }))).toEqual(['task id `a` is used more than once']);
  });

  it('a self dependency', () => {
    expect(issues(plan({ id: 'a', dependsOn: ['a'] }))).toEqual(['task `a` depends on itself']);
  });

  it('a dangling dependency', () => {
    expect(issues(plan({ id: 'a', dependsOn: ['ghost'] }))).toEqual([
      'task `a` depends on `ghost`, which is not in the plan',
    ]);
  });

  it('a cycle, naming exactly the tasks on it', () => {
    const raw = plan(
      { id: 'start' },
      { id: 'x', dependsOn: ['start', 'z'] },
      { id: 'y', dependsOn: ['x'] },
      { id: 'z', dependsOn: ['y'] },
    );
    const [issue, ...rest] = issues(raw);
    expect(rest).toEqual([]);
    expect(issue).toMatch(/form a dependency cycle$/);
    for (const id of ['x', 'y', 'z']) expect(issue).toContain(`\`${id}\``);
    expect(issue).not.toContain('`start`');
  });

  it('a two-task cycle with no task free to start', () => {
    expect(issues(plan({ id: 'a', dependsOn: ['b'] }, { id: 'b', dependsOn: ['a'] }))).toEqual([
      'tasks `a`, `b` form a dependency cycle',
    ]);
  });

  it('an unknown tool, listing the registered ones', () => {
    expect(issues(plan({ id: 'a', kind: 'tool_call', tool: 'postToMySpace', input: {} }))).toEqual([
      'task `a` calls unknown tool `postToMySpace` (registered: post, fetchPage)',
    ]);
    const none = issues(plan({ id: 'a', kind: 'tool_call', tool: 'post', input: {} }), {
      tools: new Map(),
      maxTasks: 5,
    });
    expect(none).toEqual(['task `a` calls unknown tool `post` (registered: none)']);
  });

  it('a tool_call that names no tool', () => {
    const [issue, ...rest] = issues(plan({ id: 'a', kind: 'tool_call' }));
    expect(rest).toEqual([]);
    expect(issue).toMatch(/^task `a` is a tool_call but names no `tool`/);
  });

  it('tool input that fails the tool’s schema, naming the field', () => {
    const [tooLong] = issues(
      plan({ id: 'a', kind: 'tool_call', tool: 'post', input: { text: 'far too long a post' } }),
    );
    expect(tooLong).toMatch(/^task `a` gives `post` invalid input: text: /);
    const [missing] = issues(plan({ id: 'a', kind: 'tool_call', tool: 'fetchPage' }));
    expect(missing).toMatch(/^task `a` gives `fetchPage` invalid input: url: /);
  });

  it('every problem at once', () => {
    const raw = plan(
      { id: 'a', dependsOn: ['a'] },
      { id: 'b', dependsOn: ['nope'] },
      { id: 'c', kind: 'tool_call', tool: 'missing' },
    );
    expect(issues(raw)).toHaveLength(3);
  });
});

describe('parsePlan over random graphs', () => {
  /** A chain t0 ← t1 ← … plus random extra edges to earlier tasks: always a DAG. */
  const dagArb = fc.array(fc.nat(), { minLength: 2, maxLength: 12 }).map((masks) =>
    masks.map((mask, i) => ({
      id: `t${i}`,
      dependsOn: Array.from({ length: i }, (_, j) => j)
        .filter((j) => j === i - 1 || (mask >> j) & 1)
        .map((j) => `t${j}`),
    })),
  );
  const opts = { tools, maxTasks: 100 };

  it('accepts every DAG as given', () => {
    fc.assert(
      fc.property(dagArb, (dag) => {
        expect(parsePlan(plan(...dag), opts).map((t) => [t.id, t.dependsOn])).toEqual(
          dag.map((t) => [t.id, t.dependsOn]),
        );
      }),
    );
  });

  it('refuses a DAG with one back edge, naming both ends of the cycle it closes', () => {
    fc.assert(
      fc.property(dagArb, (dag) => {
        const last = dag.at(-1)?.id as string;
        const cyclic = dag.map((t) => (t.id === 't0' ? { ...t, dependsOn: [last] } : t));
        const err = failure(plan(...cyclic), opts) as PlanValidationError;
        expect(err.code).toBe('PLAN_INVALID');
        expect(err.issues).toHaveLength(1);
        expect(err.issues[0]).toContain('`t0`');
        expect(err.issues[0]).toContain(`\`${last}\``);
      }),
    );
  });
});

describe('parsePlan and references `{{<id>.output…}}`', () => {
  function issues(raw: string): readonly string[] {
    const err = failure(raw);
    expect(err).toBeInstanceOf(PlanValidationError);
    return (err as PlanValidationError).issues;
  }

  it('adds a referenced task to `dependsOn` when the plan omits it, keeping the rest', () => {
    const tasks = parsePlan(
      plan(
        { id: 'research' },
        { id: 'draft', dependsOn: ['research'] },
        { id: 'extra' },
        { id: 'post', kind: 'tool_call', tool: 'post', dependsOn: ['extra'], input: { text: '{{draft.output}}' } },
      ),
      options,
    );
    expect(tasks.find((t) => t.id === 'post')?.dependsOn).toEqual(['extra', 'draft']);
  });

  it('does not check input with references against the tool schema at plan time', () => {
    const raw = plan({ id: 'a' }, { id: 'p', kind: 'tool_call', tool: 'post', input: { text: '{{a.output.long}}' } });
    expect(parsePlan(raw, options)[1]?.dependsOn).toEqual(['a']);
  });

  it('refuses a reference to an unknown task, naming the task and the reference', () => {
    expect(issues(plan({ id: 'p', input: { text: 'hi {{ghost.output.name}}' } }))).toEqual([
      'task `p` references {{ghost.output.name}}, but no task `ghost` is in the plan',
    ]);
  });

  it('refuses a reference to the task itself', () => {
    expect(issues(plan({ id: 'p', input: ['{{p.output}}'] }))).toEqual([
      'task `p` references {{p.output}}, its own output',
    ]);
  });

  it('refuses a reference that closes a cycle, naming it', () => {
    expect(
      issues(plan({ id: 'a', dependsOn: ['b'] }, { id: 'b', input: { from: '{{a.output.x}}' } }, { id: 'c' })),
    ).toEqual(['task `b` references {{a.output.x}}, which closes a dependency cycle']);
  });

  it('refuses something written like a reference to a task that is not one', () => {
    expect(issues(plan({ id: 'a' }, { id: 'b', dependsOn: ['a'], input: { t: '{{a.result}}' } }))).toEqual([
      'task `b` writes {{a.result}}; a reference is {{a.output}} or {{a.output.<path>}}',
    ]);
  });

  it('teaches the syntax in the JSON schema sent to the model', () => {
    expect(JSON.stringify(z.toJSONSchema(planOutputSchema))).toContain('{{<taskId>.output}}');
  });
});
