import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog } from '../../src/log/EventLog.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { openaiModel } from '../../src/model/openaiModel.js';
import { createRuntime, type RunHandle } from '../../src/runtime/createRuntime.js';
import {
  type ChatRequestBody,
  type OpenAIServer,
  type ServerReply,
  startOpenAIServer,
} from '../support/openaiServer.js';

let server: OpenAIServer;
let dir: string;
beforeAll(async () => {
  server = await startOpenAIServer(writer);
  dir = mkdtempSync(join(tmpdir(), 'troupe-clarify-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.requests.length = 0;
});

const plan = { tasks: [{ id: 'draft', description: 'Draft the launch post', kind: 'processing' }] };

/** Plans one processing step, which asks for the tone until a human has answered. */
function writer(body: ChatRequestBody): ServerReply {
  if (body.response_format !== undefined) return { content: JSON.stringify(plan) };
  const system = body.messages[0]?.content ?? '';
  const user = body.messages.at(-1)?.content ?? '';
  if (system.startsWith('Write the final answer')) return { content: `Final: ${/Drafted[^"\\\n]*/.exec(user)?.[0]}` };
  const answer = /The human answered your question: (.*)/.exec(user)?.[1];
  if (answer === undefined) return { toolCall: { name: 'ask_clarification', arguments: '{"question":"Which tone?"}' } };
  return { content: `Drafted in a ${answer} tone` };
}

function runtimeOn(log: EventLog) {
  const model = openaiModel({ baseURL: server.baseURL, model: 'local-model', env: {} });
  return createRuntime({ log, model });
}

function question(handle: RunHandle) {
  return firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'task.clarification_requested')));
}

describe('clarification from a real model', () => {
  it('waits in NeedsClarification when the model calls ask_clarification, and resumes with the answer', async () => {
    const log = memoryLog();
    const runtime = runtimeOn(log);
    const handle = runtime.run('write the launch post');
    expect(await question(handle)).toMatchObject({ taskId: 'draft', question: 'Which tone?' });
    expect((await runtime.replay(handle.runId)).tasks.get('draft')?.status).toBe('needs_clarification');

    await handle.answer('draft', 'playful');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.tasks[0]?.output).toBe('Drafted in a playful tone');
    expect(result.answer).toBe('Final: Drafted in a playful tone');
    // The answered step is not offered the question function again (a plan revision still is).
    const answered = server.requests.find((r) => r.messages.some((m) => m.content?.includes('playful') === true));
    expect(answered?.tools?.map((t) => t.function.name)).toEqual(['revise_plan']);
    // Both processing calls count against the task.
    expect(result.tasks[0]?.usage?.calls).toBe(2);
    await runtime.close();
  });

  it('refuses an empty answer and an answer to a task that is not waiting, changing nothing', async () => {
    const runtime = runtimeOn(memoryLog());
    const handle = runtime.run('write the launch post');
    await question(handle);
    await expect(handle.answer('draft', '  ')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(handle.answer('nope', 'x')).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
    await handle.answer('draft', 'dry');
    await expect(handle.answer('draft', 'again')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect((await handle.result).status).toBe('completed');
    await runtime.close();
  });

  it('survives a restart: a new process on the same SQLite log resumes the run and takes the answer', async () => {
    const file = join(dir, 'events.db');
    const first = sqliteLog(file);
    const before = runtimeOn(first);
    const handle = before.run('write the launch post');
    await question(handle);
    // The process dies while the run waits: its log closes, nothing else is written.
    await first.close();

    const second = sqliteLog(file);
    const after = runtimeOn(second);
    const resumed = await after.resume(handle.runId);
    const state = await after.replay(handle.runId);
    expect(state.tasks.get('draft')).toMatchObject({ status: 'needs_clarification', question: 'Which tone?' });

    await resumed.answer('draft', 'formal');
    const result = await resumed.result;
    expect(result.status).toBe('completed');
    expect(result.tasks[0]?.output).toBe('Drafted in a formal tone');
    const types = (await second.read(handle.runId)).map((e) => e.type);
    expect(types.filter((t) => t === 'run.started')).toHaveLength(1);
    expect(types.filter((t) => t === 'task.clarification_requested')).toHaveLength(1);
    expect(types.at(-1)).toBe('run.completed');
    await after.close();
  });
});
