import { copyFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createRuntime,
  defineTool,
  evolve,
  idempotencyKey,
  initialRunState,
  type Runtime,
  type ScriptedTask,
  scriptedModel,
  sqliteLog,
  type TroupeEvent,
} from '../../src/index.js';
import { tempDir } from '../helpers/tempLog.js';

let tmp: ReturnType<typeof tempDir>;
const runtimes: Runtime[] = [];
beforeEach(() => {
  tmp = tempDir('troupe-resume-');
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
  tmp.remove();
});

const quiet = { onNotice: () => {} };

/** Tools that count their calls; `slow` never settles until `release()` (it honours its signal). */
function world(slowBlocks: boolean) {
  const calls = new Map<string, number>();
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  const tools = [
    defineTool({
      name: 'post',
      description: 'posts a message',
      input: z.object({ text: z.string() }),
      run: ({ text }, { idempotencyKey: key }) => {
        count(`post:${text}`);
        return { posted: text, key };
      },
    }),
    defineTool({
      name: 'slow',
      description: 'takes its time',
      input: z.object({}),
      run: (_, { signal }) => {
        count('slow');
        if (!slowBlocks) return 'slow done';
        return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    }),
  ];
  return { calls, tools };
}

const plan: ScriptedTask[] = [
  { id: 'a', description: 'post a', kind: 'tool_call', tool: 'post', input: { text: 'a' } },
  { id: 'b', description: 'slow b', kind: 'tool_call', tool: 'slow', input: {} },
  { id: 'q', description: 'ask', kind: 'clarification', input: { question: 'which colour?' } },
  { id: 'c', description: 'think about a', kind: 'processing', dependsOn: ['a'] },
];

function model(processed: string[]) {
  return scriptedModel({
    plan: () => ({ tasks: plan }),
    process: (task) => {
      processed.push(task.id);
      return `thought about ${task.id}`;
    },
    synthesize: (_goal, results) => results.map((r) => r.taskId).join(','),
  });
}

/** Copies a live log's database and WAL: the files as a crash at this moment leaves them. */
function snapshot(live: string, name: string): string {
  const copy = tmp.file(name);
  copyFileSync(live, copy);
  copyFileSync(`${live}-wal`, `${copy}-wal`);
  return copy;
}

async function crashMidRun(): Promise<{ copy: string; runId: string; before: ReturnType<typeof world> }> {
  const live = tmp.file('live.db');
  const before = world(true);
  const runtime = createRuntime({ log: sqliteLog(live, quiet), model: model([]), tools: before.tools });
  runtimes.push(runtime);
  const handle = runtime.run('do four things');
  // Wait until a, c and the question are recorded while b still runs; then "crash".
  await firstValueFrom(
    handle.events$.pipe(
      filter(
        (e) =>
          (e.type === 'task.completed' && (e.taskId === 'a' || e.taskId === 'c')) ||
          e.type === 'task.clarification_requested',
      ),
      take(3),
      toArray(),
    ),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return { copy: snapshot(live, 'crashed.db'), runId: handle.runId, before };
}

describe('runtime.resume on a SQLite log', () => {
  it('reruns the task cut off mid-flight, keeps recorded results, and leaves the question pending', async () => {
    const { copy, runId, before } = await crashMidRun();
    expect(before.calls.get('post:a')).toBe(1);
    const after = world(false);
    const processed: string[] = [];
    const runtime = createRuntime({ log: sqliteLog(copy, quiet), model: model(processed), tools: after.tools });
    runtimes.push(runtime);
    const handle = await runtime.resume(runId);
    const waiting = await firstValueFrom(
      handle.events$.pipe(filter((e) => e.type === 'task.completed' && e.taskId === 'b')),
    );
    expect(waiting).toMatchObject({ output: 'slow done' });
    const state = await runtime.replay(runId);
    expect(state.tasks.get('q')?.status).toBe('needs_clarification');
    expect(state.status).toBe('running');
    await handle.answer('q', 'blue');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.answer).toBe('a,b,q,c');
    // Recorded work is not redone: `a` posted once in all, `c` was not processed again.
    expect(after.calls.get('post:a')).toBeUndefined();
    expect(processed).toEqual([]);
    expect(after.calls.get('slow')).toBe(1);
    expect(result.tasks.find((t) => t.id === 'q')?.output).toBe('blue');
  });

  it('refills recorded outcomes from an older log whose tool.succeeded precedes the cut', async () => {
    const { copy, runId } = await crashMidRun();
    // Today's log records a's call and completion as one `task.completed`. Rewrite it the way
    // earlier versions wrote it, cut between the tool's effect and the task's completion: a
    // `tool.succeeded` of a is recorded, `task.completed` of a (and what followed) is not.
    const raw = new Database(copy);
    const completedA = raw
      .prepare('SELECT seq FROM events WHERE type = \'task.completed\' AND body LIKE \'%"taskId":"a"%\'')
      .pluck()
      .get() as number;
    raw.prepare('DELETE FROM events WHERE seq >= ?').run(completedA);
    raw.close();
    const key = idempotencyKey(runId, 'a', 'post', { text: 'a' });
    const old = sqliteLog(copy, quiet);
    const [started] = (await old.read(runId)).filter((e) => e.type === 'task.started' && e.taskId === 'a');
    await old.append([
      {
        type: 'tool.succeeded',
        taskId: 'a',
        tool: 'post',
        idempotencyKey: key,
        output: { posted: 'a', key },
        id: 'old-format-outcome',
        runId,
        ts: Date.now(),
        correlationId: runId,
        causationId: started?.id ?? null,
      },
    ]);
    await old.close();
    const after = world(false);
    const runtime = createRuntime({ log: sqliteLog(copy, quiet), model: model([]), tools: after.tools });
    runtimes.push(runtime);
    const handle = await runtime.resume(runId);
    await handle.answer('q', 'blue');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(after.calls.get('post:a')).toBeUndefined();
    expect(result.tasks.find((t) => t.id === 'a')?.output).toEqual({ posted: 'a', key });
    const events = await sqliteLog(copy, { ...quiet, readOnly: true }).read(runId);
    expect(events.filter((e) => e.type === 'tool.succeeded' && e.taskId === 'a')).toHaveLength(1);
  });

  it("records a tool task's outcome and completion as one task.completed carrying the idempotency key", async () => {
    const file = tmp.file();
    const { tools } = world(false);
    const runtime = createRuntime({ log: sqliteLog(file, quiet), model: model([]), tools });
    runtimes.push(runtime);
    const handle = runtime.run('do four things');
    await firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'task.clarification_requested')));
    await handle.answer('q', 'red');
    expect((await handle.result).status).toBe('completed');
    const events = await sqliteLog(file, { ...quiet, readOnly: true }).read(handle.runId);
    const ofA = events.filter((e) => 'taskId' in e && e.taskId === 'a');
    expect(ofA.map((e) => e.type)).toEqual(['task.started', 'task.completed']);
    expect(ofA[1]?.causationId).toBe(ofA[0]?.id);
    expect(ofA[1]).toMatchObject({
      output: { posted: 'a', key: idempotencyKey(handle.runId, 'a', 'post', { text: 'a' }) },
      tool: 'post',
      idempotencyKey: idempotencyKey(handle.runId, 'a', 'post', { text: 'a' }),
    });
  });

  it('replays a run to any seq (time travel) and refuses an unknown run', async () => {
    const file = tmp.file();
    const { tools } = world(false);
    const runtime = createRuntime({ log: sqliteLog(file, quiet), model: model([]), tools });
    runtimes.push(runtime);
    const handle = runtime.run('do four things');
    await firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'task.clarification_requested')));
    await handle.answer('q', 'red');
    await handle.result;
    const events: TroupeEvent[] = [];
    const log = sqliteLog(file, { ...quiet, readOnly: true });
    events.push(...(await log.read(handle.runId)));
    for (const event of events) {
      const expected = events.filter((e) => e.seq <= event.seq).reduce(evolve, initialRunState(handle.runId));
      expect(await runtime.replay(handle.runId, { untilSeq: event.seq })).toEqual(expected);
    }
    await expect(runtime.resume('nope')).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    await expect(runtime.replay('nope')).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    await log.close();
  });
});
