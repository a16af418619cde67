import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogCorruptionError } from '../../src/errors.js';
import { decodeEvent, encodeEvent, eventVersion } from '../../src/log/eventCodec.js';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { completions, draftEvent, tempDir } from '../helpers/tempLog.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

const quiet = { onNotice: () => {} };

describe('stored row format 2', () => {
  it('keeps no envelope field that repeats a column or another field, and reads back the whole event', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    const appended = await log.append([draftEvent('run-1'), ...completions('run-1', 2)]);
    await log.close();
    const db = new Database(tmp.file(), { readonly: true });
    const rows = db.prepare('SELECT seq, type, v, body FROM events ORDER BY seq').all() as {
      seq: number;
      type: string;
      v: number;
      body: string;
    }[];
    db.close();
    for (const row of rows) {
      expect(row.v).toBe(eventVersion);
      const body = JSON.parse(row.body) as Record<string, unknown>;
      for (const repeated of ['seq', 'type', 'runId', 'correlationId']) expect(body).not.toHaveProperty(repeated);
    }
    const reader = sqliteLog(tmp.file(), { ...quiet, readOnly: true });
    expect(await reader.read('run-1')).toEqual(appended);
    await reader.close();
  });

  it('keeps a correlationId that differs from the runId', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    const [appended] = await log.append([draftEvent('run-1', { correlationId: 'request-7' })]);
    expect(await log.read('run-1')).toEqual([appended]);
    expect(encodeEvent({ ...draftEvent('r', { correlationId: 'c' }), seq: 0 } as never)).toContain(
      '"correlationId":"c"',
    );
    await log.close();
  });

  it("gives a draft carrying its own seq the log's seq, stores no seq in the body, and keeps no link to the draft", async () => {
    const log = sqliteLog(tmp.file(), quiet);
    await log.append([draftEvent('run-1')]);
    const stray = { ...draftEvent('run-1'), seq: 99 } as never;
    const [appended] = await log.append([stray]);
    expect(appended?.seq).toBe(1);
    expect(appended).not.toBe(stray);
    (stray as { goal: string }).goal = 'changed after the append';
    expect(await log.read('run-1', 1)).toEqual([appended]);
    expect(appended).toMatchObject({ goal: 'goal of run-1' });
    expect(encodeEvent(stray)).not.toContain('"seq"');
    await log.close();
  });

  it('encodes a draft and its sequenced event to the same body', () => {
    const draft = draftEvent('r1', { correlationId: 'other' });
    expect(encodeEvent(draft)).toBe(encodeEvent({ ...draft, seq: 7 } as never));
    expect(JSON.parse(encodeEvent(draft))).toEqual({
      id: draft.id,
      ts: draft.ts,
      causationId: null,
      goal: 'goal of r1',
      correlationId: 'other',
    });
  });

  it('reads a format 1 body (the whole event) as it was', () => {
    const event = { ...draftEvent('r1'), seq: 4 };
    expect(decodeEvent('x.db', { seq: 4, v: 1, type: 'run.started', runId: 'r1' }, JSON.stringify(event))).toEqual(
      event,
    );
  });

  it.each([
    ['a format this troupe does not know', { v: 3 }, '{}', /format version 3/],
    ['a body that is not JSON', {}, '{"id":', /not valid JSON/],
    ['a body that is not an object', {}, '[1]', /not a JSON object/],
    ['a type it does not know', { type: 'task.exploded' }, '{}', /does not look like a troupe event/],
    ['a format 1 body whose seq disagrees with the row', { v: 1 }, '{"seq":9,"type":"run.started"}', /seq 9/],
  ])('refuses %s with LOG_CORRUPT naming the seq', (_what, columns, body, message) => {
    const row = { seq: 4, v: 2, type: 'run.started', runId: 'r1', ...columns };
    expect(() => decodeEvent('x.db', row, body)).toThrow(LogCorruptionError);
    expect(() => decodeEvent('x.db', row, body)).toThrow(message);
    expect(() => decodeEvent('x.db', row, body)).toThrow(/seq 4/);
  });
});
