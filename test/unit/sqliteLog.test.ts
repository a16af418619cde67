import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, LogCorruptionError } from '../../src/errors.js';
import type { TroupeEvent } from '../../src/events/types.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { completions, draftEvent, tempDir } from '../helpers/tempLog.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

const quiet = { onNotice: () => {} };

describe('sqliteLog append and read', () => {
  it('assigns seq in append order across runs and reads a run back in order', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    const first = await log.append([draftEvent('r1'), draftEvent('r2')]);
    const second = await log.append(completions('r1', 3));
    expect(first.map((e) => [e.runId, e.seq])).toEqual([
      ['r1', 0],
      ['r2', 1],
    ]);
    expect(second.map((e) => e.seq)).toEqual([2, 3, 4]);
    const r1 = await log.read('r1');
    expect(r1.map((e) => e.seq)).toEqual([0, 2, 3, 4]);
    expect(r1).toEqual([first[0], ...second]);
    expect((await log.read('r1', 3)).map((e) => e.seq)).toEqual([3, 4]);
    expect(await log.read('nobody')).toEqual([]);
    await log.close();
  });

  it('keeps every event across a reopen and continues the seq', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    await log.append([draftEvent('r1'), ...completions('r1', 100)]);
    await log.close();
    const again = sqliteLog(tmp.file(), quiet);
    expect(await again.read('r1')).toHaveLength(101);
    const [next] = await again.append(completions('r1', 1, 100));
    expect(next?.seq).toBe(101);
    await again.close();
  });

  it('stores the events of one tick in one commit, visible only once committed', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    const pending = [log.append([draftEvent('r1')]), log.append(completions('r1', 2))];
    expect(await log.read('r1')).toEqual([]);
    await Promise.all(pending);
    expect(await log.read('r1')).toHaveLength(3);
    await log.close();
  });

  it('commits at once when a batch fills (maxBatch)', async () => {
    const log = sqliteLog(tmp.file(), { ...quiet, maxBatch: 3 });
    void log.append([draftEvent('r1'), ...completions('r1', 2)]);
    expect(await log.read('r1')).toHaveLength(3);
    await log.close();
  });

  it('waits flushMs for more appends before committing', async () => {
    const log = sqliteLog(tmp.file(), { ...quiet, flushMs: 60_000 });
    const done = log.append([draftEvent('r1')]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await log.read('r1')).toEqual([]);
    await log.close();
    await expect(done).resolves.toHaveLength(1);
  });

  it('flushes pending appends on close, then refuses appends with LOG_CLOSED', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    const pending = log.append([draftEvent('r1')]);
    await log.close();
    await expect(pending).resolves.toHaveLength(1);
    await expect(log.append([draftEvent('r1')])).rejects.toMatchObject({ code: 'LOG_CLOSED' });
    const reader = sqliteLog(tmp.file(), { ...quiet, readOnly: true });
    expect(await reader.read('r1')).toHaveLength(1);
    await reader.close();
  });

  it('summarises runs like memoryLog does', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    const memory = memoryLog();
    const events = [
      draftEvent('a'),
      draftEvent('b'),
      ...completions('a', 2),
      draftEvent('a', { type: 'run.completed', answer: 'ok' }),
      draftEvent('b', { type: 'run.failed', error: { code: 'TOOL_FAILED', message: 'x' } }),
      draftEvent('c'),
      draftEvent('c', { type: 'run.cancelled', reason: 'stop' }),
      ...completions('c', 1),
    ];
    await log.append(events);
    await memory.append(events);
    expect(await log.runs()).toEqual(await memory.runs());
    await log.close();
  });
});

describe('sqliteLog subscribe', () => {
  it('replays stored events from fromSeq, then tails new ones with no gap and no duplicate', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    await log.append([draftEvent('r1'), ...completions('r1', 2999)]);
    const seen = firstValueFrom(log.subscribe(10).pipe(take(3000), toArray()));
    // Appended while the subscription replays: they must follow the stored ones exactly once.
    await log.append(completions('r1', 10, 3000));
    const events = await seen;
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 10));
    await log.close();
  });

  it('lets a listener append while it replays, and sees those events once, in order', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    await log.append([draftEvent('r1'), ...completions('r1', 2047)]);
    const seen: number[] = [];
    let added = 0;
    const sub = log.subscribe(0).subscribe((event) => {
      seen.push(event.seq);
      if (event.seq % 500 === 0 && added < 5) {
        added += 1;
        void log.append(completions('r2', 1));
      }
    });
    await log.append(completions('r2', 1));
    await new Promise((resolve) => setImmediate(resolve));
    sub.unsubscribe();
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
    expect(seen.length).toBeGreaterThanOrEqual(2048 + 5);
    await log.close();
  });

  it('without fromSeq, carries only events committed from now on', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    await log.append([draftEvent('r1')]);
    const next = firstValueFrom(log.subscribe());
    const [stored] = await log.append(completions('r1', 1));
    expect(await next).toEqual(stored as TroupeEvent);
    await log.close();
  });

  it('completes its subscribers when the log closes; a read-only log replays and completes', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    await log.append([draftEvent('r1'), ...completions('r1', 4)]);
    const all = firstValueFrom(log.subscribe(0).pipe(toArray()));
    await log.close();
    expect(await all).toHaveLength(5);
    const reader = sqliteLog(tmp.file(), { ...quiet, readOnly: true });
    expect(await firstValueFrom(reader.subscribe(2).pipe(toArray()))).toHaveLength(3);
    await reader.close();
  });
});

describe('sqliteLog writers', () => {
  it('refuses a second writer with LOG_LOCKED while allowing readers, and frees the lock on close', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    await log.append([draftEvent('r1')]);
    expect(() => sqliteLog(tmp.file(), quiet)).toThrow(expect.objectContaining({ code: 'LOG_LOCKED' }));
    const reader = sqliteLog(tmp.file(), { ...quiet, readOnly: true });
    expect(await reader.read('r1')).toHaveLength(1);
    await expect(reader.append([draftEvent('r1')])).rejects.toMatchObject({ code: 'LOG_CLOSED' });
    await reader.close();
    await log.close();
    const next = sqliteLog(tmp.file(), quiet);
    expect(await next.read('r1')).toHaveLength(1);
    await next.close();
  });

  it('names each bad option', () => {
    expect(() => sqliteLog(tmp.file(), { maxBatch: 0 })).toThrow(ConfigError);
    expect(() => sqliteLog(tmp.file(), { flushMs: -1 })).toThrow('Expected `flushMs` to be an integer ≥ 0, got `-1`');
    expect(() => sqliteLog(tmp.file(), { synchronous: 'off' as never })).toThrow('`synchronous`');
    expect(() => sqliteLog('')).toThrow(ConfigError);
    expect(() => sqliteLog(tmp.file('missing.db'), { readOnly: true })).toThrow('no such file');
  });
});

describe('sqliteLog damage', () => {
  it('refuses a file that is not a SQLite database, naming it and position 0', () => {
    const file = tmp.file();
    writeFileSync(file, 'this is not a database at all, just text');
    expect(() => sqliteLog(file, quiet)).toThrow(LogCorruptionError);
    try {
      sqliteLog(file, quiet);
    } catch (err) {
      expect(err).toMatchObject({ code: 'LOG_CORRUPT', file, position: 0 });
    }
  });

  it('refuses an event whose body is damaged, naming the file and its seq', async () => {
    const file = tmp.file();
    const log = sqliteLog(file, quiet);
    await log.append([draftEvent('r1'), ...completions('r1', 9)]);
    await log.close();
    const raw = new Database(file);
    raw.prepare('UPDATE events SET body = ? WHERE seq = 4').run('{"seq":4,"type":"task.compl');
    raw.close();
    const reopened = sqliteLog(file, quiet);
    await expect(reopened.read('r1')).rejects.toMatchObject({ code: 'LOG_CORRUPT', file, position: 4 });
    await reopened.close();
  });

  it('refuses a log whose last event fails its schema when it opens', async () => {
    const file = tmp.file();
    const log = sqliteLog(file, quiet);
    await log.append([draftEvent('r1'), ...completions('r1', 2)]);
    await log.close();
    const raw = new Database(file);
    raw.prepare('UPDATE events SET body = ? WHERE seq = 2').run(JSON.stringify({ seq: 2, type: 'task.completed' }));
    raw.close();
    expect(() => sqliteLog(file, quiet)).toThrow(/at 2: event seq 2 fails its schema/);
  });

  it('refuses a log written by a newer troupe', async () => {
    const file = tmp.file();
    await sqliteLog(file, quiet).close();
    const raw = new Database(file);
    raw.prepare('INSERT INTO schema_version (version, applied_at) VALUES (99, 0)').run();
    raw.close();
    expect(() => sqliteLog(file, quiet)).toThrow(/schema version 99 was written by a newer troupe/);
  });
});
