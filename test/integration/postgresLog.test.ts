import pg from 'pg';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../examples/workers/localPostgres.js';
import { ConfigError, LogCorruptionError, LogUnavailableError } from '../../src/errors.js';
import { storeAppends } from '../../src/log/postgres/pgWriter.js';
import { type PostgresLog, postgresLog } from '../../src/log/postgres/postgresLog.js';
import { emptyDatabase, freshDatabase } from '../helpers/pgDatabase.js';
import { completions, draftEvent } from '../helpers/tempLog.js';

let url: string;
const opened: PostgresLog[] = [];
function open(options: Parameters<typeof postgresLog>[1] = {}): PostgresLog {
  const log = postgresLog(url, { onNotice: () => undefined, ...options });
  opened.push(log);
  return log;
}
beforeAll(async () => {
  url = await freshDatabase('pglog');
});
afterAll(async () => {
  await Promise.all(opened.map((log) => log.close()));
});

async function fresh(): Promise<void> {
  await Promise.all(opened.splice(0).map((log) => log.close()));
  await emptyDatabase(url);
}

describe('postgresLog opening', () => {
  it('refuses bad connections and options with ConfigError naming each field', () => {
    expect(() => postgresLog('mysql://x')).toThrow(ConfigError);
    expect(() => postgresLog(42 as never)).toThrow(ConfigError);
    expect(() => postgresLog(url, { flushMs: -1, poolSize: 1 })).toThrow(
      expect.objectContaining({ issues: [expect.stringContaining('flushMs'), expect.stringContaining('poolSize')] }),
    );
  });

  it('fails with LogUnavailableError, without the password, when no server listens', async () => {
    const port = await freePort();
    const log = postgresLog(`postgres://someone:s3cret-pw@127.0.0.1:${port}/nothing`, { connectTimeoutMs: 2000 });
    const failure = await log.ready().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(LogUnavailableError);
    expect((failure as Error).message).toContain(`127.0.0.1:${port}`);
    expect((failure as Error).message).not.toContain('s3cret-pw');
    await expect(log.append([draftEvent('r1')])).rejects.toMatchObject({ code: 'LOG_UNAVAILABLE' });
    await expect(log.read('r1')).rejects.toMatchObject({ code: 'LOG_UNAVAILABLE' });
    await log.close();
  });

  it('refuses a schema written by a newer troupe', async () => {
    await fresh();
    await open().ready();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('INSERT INTO troupe_schema (version) VALUES (99)');
    try {
      const failure = await postgresLog(url)
        .ready()
        .catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(LogCorruptionError);
      expect((failure as Error).message).toMatch(/schema version 99 was written by a newer troupe/);
    } finally {
      await client.query('DELETE FROM troupe_schema WHERE version = 99');
      await client.end();
    }
  });

  it('migrates a database written by the first schema (appends without the server-side function) and keeps its events', async () => {
    const older = await freshDatabase('pgschema1');
    const first = postgresLog(older, { onNotice: () => undefined });
    await first.append([draftEvent('kept')]);
    await first.close();
    const client = new pg.Client({ connectionString: older });
    await client.connect();
    await client.query('DROP FUNCTION troupe_append');
    await client.query('DELETE FROM troupe_schema WHERE version > 1');
    try {
      const log = postgresLog(older, { onNotice: () => undefined });
      expect((await log.append([draftEvent('after')])).map((e) => e.seq)).toEqual([1]);
      expect((await log.read('kept')).map((e) => e.type)).toEqual(['run.started']);
      await log.close();
      const versions = await client.query<{ version: number }>('SELECT version FROM troupe_schema ORDER BY version');
      expect(versions.rows.map((r) => r.version)).toEqual([1, 2]);
    } finally {
      await client.end();
    }
  });

  it('migrates once when several processes open a new database together', async () => {
    const shared = await freshDatabase('pgmigrate');
    const logs = Array.from({ length: 4 }, () => postgresLog(shared));
    await Promise.all(logs.map((log) => log.ready()));
    await Promise.all(logs.map((log) => log.close()));
  });
});

describe('postgresLog across processes', () => {
  it('delivers every process’s appends to every subscriber in one order, gapless', async () => {
    await fresh();
    const [a, b] = [open(), open()];
    await Promise.all([a.ready(), b.ready()]);
    const seenA = firstValueFrom(a.subscribe(0).pipe(take(400), toArray()));
    const seenB = firstValueFrom(b.subscribe(0).pipe(take(400), toArray()));
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      writes.push(a.append([draftEvent(`a${i}`), ...completions(`a${i}`, 9)]));
      writes.push(b.append([draftEvent(`b${i}`), ...completions(`b${i}`, 9)]));
    }
    await Promise.all(writes);
    const [fromA, fromB] = await Promise.all([seenA, seenB]);
    expect(fromA.map((e) => e.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(fromB).toEqual(fromA);
  });

  it('never skips a seq whose transaction commits after a later one began', async () => {
    await fresh();
    const log = open();
    await log.ready();
    const seen = firstValueFrom(log.subscribe(0).pipe(take(3), toArray()));
    // Another process takes seq 0 and holds its transaction open.
    const slow = new pg.Client({ connectionString: url });
    await slow.connect();
    await slow.query('BEGIN');
    await storeAppends(slow, [{ events: [draftEvent('slow')] }]);
    // This append must wait for seq 1 until the slow one commits, so no reader can see 1 before 0.
    const fast = log.append([draftEvent('fast'), ...completions('fast', 1)]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await log.read('fast')).toEqual([]);
    await slow.query('COMMIT');
    await slow.end();
    expect((await fast).map((e) => e.seq)).toEqual([1, 2]);
    expect((await seen).map((e) => [e.seq, e.runId])).toEqual([
      [0, 'slow'],
      [1, 'fast'],
      [2, 'fast'],
    ]);
  });
});

describe('postgresLog run queue and fencing', () => {
  it('claims each submitted run once across workers, oldest first', async () => {
    await fresh();
    const [a, b] = [open(), open()];
    for (let i = 0; i < 10; i++) await a.queue.submit([draftEvent(`run${i}`)]);
    const [got1, got2] = await Promise.all([a.queue.claim('w1', 6, 10_000), b.queue.claim('w2', 6, 10_000)]);
    const all = [...got1, ...got2].map((l) => l.runId).sort();
    expect(all).toEqual(Array.from({ length: 10 }, (_, i) => `run${i}`).sort());
    expect([...got1, ...got2].every((l) => l.epoch === 1)).toBe(true);
    expect(await a.queue.claim('w3', 5, 10_000)).toEqual([]);
    await expect(a.queue.submit([draftEvent('run0')])).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('refuses appends under a lost lease and stores nothing of them', async () => {
    await fresh();
    const log = open();
    await log.queue.submit([draftEvent('r1')]);
    const [old] = await log.queue.claim('w1', 1, 50);
    expect(await log.queue.fenced(old as never).append(completions('r1', 1))).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await log.queue.renew('w1', [old as never], 50)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const [next] = await log.queue.claim('w2', 1, 10_000);
    expect(next).toEqual({ runId: 'r1', epoch: 2 });
    await expect(log.queue.fenced(old as never).append(completions('r1', 1, 1))).rejects.toMatchObject({
      code: 'LEASE_LOST',
      runId: 'r1',
      epoch: 1,
    });
    expect(await log.queue.renew('w1', [old as never], 50)).toEqual([]);
    const current = log.queue.fenced(next as never);
    await current.append([draftEvent('r1', { type: 'run.completed', answer: 'ok' })]);
    expect((await log.read('r1')).map((e) => e.type)).toEqual(['run.started', 'task.completed', 'run.completed']);
    // A finished run leaves the queue: no worker claims it again.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await log.queue.claim('w3', 1, 1)).toEqual([]);
  });

  it('stores a batch mixing refused, fenced and unfenced appends in one commit: dense seq, nothing of the refused', async () => {
    await fresh();
    const log = open();
    await log.queue.submit([draftEvent('lost')]);
    await log.queue.submit([draftEvent('held')]);
    const [stale] = await log.queue.claim('w1', 1, 10_000);
    await log.queue.release('w1', [stale as never]);
    const leases = await log.queue.claim('w2', 2, 10_000);
    const held = leases.find((l) => l.runId === 'held');
    expect(stale?.runId).toBe('lost');
    // Made in one turn of the event loop, the three appends share one commit.
    const [free, refused, fenced] = await Promise.allSettled([
      log.append([draftEvent('free'), ...completions('free', 2)]),
      log.queue.fenced(stale as never).append(completions('lost', 3)),
      log.queue
        .fenced(held as never)
        .append([...completions('held', 1), draftEvent('held', { type: 'run.completed', answer: 'ok' })]),
    ]);
    expect(refused).toMatchObject({
      status: 'rejected',
      reason: {
        code: 'LEASE_LOST',
        runId: 'lost',
        epoch: 1,
        message: expect.stringMatching(/it is leased at epoch 3/),
      },
    });
    const seqs = [free, fenced].flatMap((r) => (r.status === 'fulfilled' ? r.value.map((e) => e.seq) : []));
    expect(seqs).toEqual([2, 3, 4, 5, 6]);
    expect((await log.read('lost')).map((e) => e.type)).toEqual(['run.started']);
    // The run that ended left the queue; the other stays with its holder.
    await expect(log.queue.renew('w2', leases, 10_000)).resolves.toEqual([{ runId: 'lost', epoch: 3 }]);
  });

  it('hands released runs back with a new epoch, refusing the old holder', async () => {
    await fresh();
    const log = open();
    await log.queue.submit([draftEvent('r1')]);
    const [lease] = await log.queue.claim('w1', 1, 10_000);
    await log.queue.release('w1', [lease as never]);
    await expect(log.queue.fenced(lease as never).append(completions('r1', 1))).rejects.toMatchObject({
      code: 'LEASE_LOST',
    });
    expect(await log.queue.claim('w2', 1, 10_000)).toEqual([{ runId: 'r1', epoch: 3 }]);
  });
});
