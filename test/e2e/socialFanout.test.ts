import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime, demoModel, memoryLog, Outbox, socialPlatformTools, type TroupeEvent } from '../../src/index.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
// The CLI records to `.troupe/events.db` under its working directory: keep it out of the checkout.
const cwd = mkdtempSync(join(tmpdir(), 'troupe-social-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('social fan-out', () => {
  it('goes request → plan → 3 tool calls → synthesis, all through the event log', async () => {
    const log = memoryLog();
    const outbox = new Outbox();
    const runtime = createRuntime({ log, model: demoModel(), tools: socialPlatformTools(outbox) });
    const handle = runtime.run("post 'hello world' to all social platforms");
    const result = await handle.result;

    expect(result.status).toBe('completed');
    const events = await log.read(handle.runId);
    // Model calls (plan, synthesis) are recorded too; the lifecycle is checked without them.
    const types = events.map((e) => e.type).filter((t) => t !== 'model.called');
    expect(types[0]).toBe('run.started');
    expect(types[1]).toBe('plan.created');
    expect(types.at(-1)).toBe('run.completed');
    expect(types.filter((t) => t === 'task.started')).toHaveLength(3);
    expect(types.filter((t) => t === 'task.completed')).toHaveLength(3);

    const plan = events.find((e) => e.type === 'plan.created') as Extract<TroupeEvent, { type: 'plan.created' }>;
    expect(plan.tasks.map((t) => t.tool).sort()).toEqual(['postToBluesky', 'postToThreads', 'postToX']);
    expect(outbox.posts.map((p) => p.platform).sort()).toEqual(['bluesky', 'threads', 'x']);
    expect(outbox.posts.every((p) => p.text === 'hello world')).toBe(true);

    const answer = (events.at(-1) as Extract<TroupeEvent, { type: 'run.completed' }>).answer;
    for (const post of outbox.posts) expect(answer).toContain(post.url);
    // Every event after the first names its cause, and seqs are consecutive.
    expect(events.slice(1).every((e) => e.causationId !== null)).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => events[0]!.seq + i));
    await runtime.close();
  });

  it('refuses a post over X’s 280 characters at plan time, sending nothing', async () => {
    const outbox = new Outbox();
    const runtime = createRuntime({ model: demoModel(), tools: socialPlatformTools(outbox), maxPlanAttempts: 2 });
    const result = await runtime.run(`post '${'a'.repeat(281)}' to all social platforms`).result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('PLAN_INVALID');
    expect(result.error?.message).toContain('X allows at most 280 characters');
    expect(outbox.posts).toHaveLength(0);
    await runtime.close();
  });

  it('counts Bluesky’s limit in graphemes: 300 emoji with modifiers fit', async () => {
    const [, bluesky] = socialPlatformTools();
    const family = '👩‍👩‍👧';
    const context = { signal: new AbortController().signal, idempotencyKey: 'k', runId: 'r', taskId: 't' };
    await expect(bluesky!.call({ text: family.repeat(300) }, context)).resolves.toMatchObject({ platform: 'bluesky' });
    await expect(bluesky!.call({ text: family.repeat(301) }, context)).rejects.toMatchObject({
      code: 'TOOL_INPUT_INVALID',
    });
    await expect(bluesky!.call({ text: '   ' }, context)).rejects.toThrow('Bluesky does not accept an empty post');
  });

  it('sends a post once per idempotency key', () => {
    const outbox = new Outbox();
    const first = outbox.send('x', 'hi', 'key-1');
    expect(outbox.send('x', 'hi', 'key-1')).toBe(first);
    expect(outbox.posts).toHaveLength(1);
  });

  it('prints the events as JSON lines from `troupe run --json`, ending in the run’s completion', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [cli, 'run', "post 'hello world' to all social platforms", '--json'],
      { cwd },
    );
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TroupeEvent);
    expect(events[0]?.type).toBe('run.started');
    expect(events.filter((e) => e.type === 'task.completed')).toHaveLength(3);
    expect(events.at(-1)?.type).toBe('run.completed');
  });

  it('exits 2 and says what it expects when `troupe run` gets no goal', async () => {
    const run = promisify(execFile)(process.execPath, [cli, 'run', '   '], { cwd });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Expected a goal') });
  });
});
