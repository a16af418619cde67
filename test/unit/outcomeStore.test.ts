import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { RunSession } from '../../src/run/RunSession.js';
import { OutcomeStore } from '../../src/tools/outcomeStore.js';

async function plannedSession(log = memoryLog()) {
  const session = new RunSession(log, 'r1');
  session.submit({ type: 'start', goal: 'g' });
  const tasks = ['a', 'b', 'c'].map((id) => ({
    id,
    description: id,
    kind: 'tool_call' as const,
    dependsOn: [],
    tool: 'post',
    input: { id },
  }));
  await session.execute({ type: 'plan', attempt: 1, tasks });
  return { log, session };
}

describe('OutcomeStore', () => {
  it('records an outcome in the log and returns it for the same key', async () => {
    const { log, session } = await plannedSession();
    const outcomes = new OutcomeStore(log);
    outcomes.record(session, 'a', 'post', 'key-a', { id: 'x-1' });
    await session.durable();
    expect(await outcomes.lookup('r1', 'key-a')).toEqual({ output: { id: 'x-1' } });
    const events = await log.read('r1');
    expect(events.at(-1)).toMatchObject({ type: 'tool.succeeded', taskId: 'a', tool: 'post', idempotencyKey: 'key-a' });
  });

  it('answers a first call without reading the log', async () => {
    const { log } = await plannedSession();
    const read = vi.spyOn(log, 'read');
    const outcomes = new OutcomeStore(log);
    expect(await outcomes.lookup('r1', 'never-called')).toBeUndefined();
    expect(read).not.toHaveBeenCalled();
  });

  it('reads an outcome evicted from the cache back from the log', async () => {
    const { log, session } = await plannedSession();
    const outcomes = new OutcomeStore(log, { max: 1 });
    outcomes.record(session, 'a', 'post', 'key-a', 'A');
    outcomes.record(session, 'b', 'post', 'key-b', 'B');
    await session.durable();
    const read = vi.spyOn(log, 'read');
    expect(await outcomes.lookup('r1', 'key-a')).toEqual({ output: 'A' });
    expect(read).toHaveBeenCalledTimes(1);
    expect(await outcomes.lookup('r1', 'key-a')).toEqual({ output: 'A' });
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('learns a run’s outcomes from its events on resume, and forgets them when it ends', async () => {
    const { log, session } = await plannedSession();
    new OutcomeStore(log).record(session, 'c', 'post', 'key-c', { undefinedOk: true });
    await session.durable();
    const resumed = new OutcomeStore(log);
    resumed.hydrate('r1', await log.read('r1'));
    expect(await resumed.lookup('r1', 'key-c')).toEqual({ output: { undefinedOk: true } });
    resumed.forget('r1');
    expect(await resumed.lookup('r1', 'key-c')).toBeUndefined();
  });

  it('refuses a cache size that is not an integer ≥ 1', () => {
    expect(() => new OutcomeStore(memoryLog(), { max: 0 })).toThrow(ConfigError);
    expect(() => new OutcomeStore(memoryLog(), { max: 0 })).toThrow(
      'Expected `max` of OutcomeStore to be an integer ≥ 1, got `0`',
    );
  });
});
