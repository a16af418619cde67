import { closeSync, copyFileSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { completions, draftEvent, tempDir } from '../helpers/tempLog.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('troupe-damage-');
});
afterEach(() => tmp.remove());

const quiet = { onNotice: () => {} };

describe('completed runs live in the main file', () => {
  it('copies a run into the main file when it ends, so the file alone (its WAL lost) still holds it', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    await log.append([draftEvent('done'), ...completions('done', 20)]);
    await log.append([draftEvent('done', { type: 'run.completed', answer: 'ok' })]);
    await log.append([draftEvent('going'), ...completions('going', 3)]);
    // The main file as a crash that also lost the WAL would leave it.
    copyFileSync(tmp.file(), tmp.file('main-only.db'));
    await log.close();
    const survivor = sqliteLog(tmp.file('main-only.db'), { ...quiet, readOnly: true });
    expect((await survivor.runs()).find((r) => r.runId === 'done')).toMatchObject({ status: 'completed', events: 22 });
    await survivor.close();
  });
});

/** Byte offsets of the frames that follow each commit frame of a WAL (4096-byte pages); the first commit is the schema. */
function framesAfterCommits(wal: string): number[] {
  const bytes = readFileSync(wal);
  const after: number[] = [];
  for (let at = 32; at + 4120 <= bytes.length; at += 4120) {
    if (bytes.readUInt32BE(at + 4) !== 0 && at + 4120 < bytes.length) after.push(at + 4120);
  }
  return after;
}

/** Three committed batches (r1 ×100; r1 ×100; r1 ×50 + r2 ×50) copied as a crash leaves them. */
async function crashedCopy(): Promise<string> {
  const live = tmp.file('live.db');
  const log = sqliteLog(live, quiet);
  await log.append([draftEvent('r1'), ...completions('r1', 99)]);
  await log.append(completions('r1', 100, 99));
  await log.append([...completions('r1', 50, 199), draftEvent('r2'), ...completions('r2', 49)]);
  const copy = tmp.file('crashed.db');
  copyFileSync(live, copy);
  copyFileSync(`${live}-wal`, `${copy}-wal`);
  await log.close();
  return copy;
}

describe('a damaged WAL is reported for what it loses', () => {
  it('names the acknowledged events and the runs lost after a damaged frame, to the writer', async () => {
    const copy = await crashedCopy();
    const [, secondBatch] = framesAfterCommits(`${copy}-wal`);
    const fd = openSync(`${copy}-wal`, 'r+');
    writeSync(fd, Buffer.from('damage'), 0, 6, (secondBatch as number) + 200);
    closeSync(fd);
    const notices: string[] = [];
    const log = sqliteLog(copy, { onNotice: (m) => notices.push(m) });
    expect((await log.read('r1')).length).toBe(100);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/WAL is damaged \(bad checksum\)/);
    expect(notices[0]).toContain('200 acknowledged event(s) (seq 100–299) are lost, of run(s) r1 (150), r2 (50)');
    await log.close();
  });

  it('tells a read-only open the same, and lists what SQLite kept', async () => {
    const copy = await crashedCopy();
    const [, , thirdBatch] = framesAfterCommits(`${copy}-wal`);
    const fd = openSync(`${copy}-wal`, 'r+');
    writeSync(fd, Buffer.from('damage'), 0, 6, (thirdBatch as number) + 200);
    closeSync(fd);
    const notices: string[] = [];
    const reader = sqliteLog(copy, { readOnly: true, onNotice: (m) => notices.push(m) });
    expect((await reader.runs()).map((r) => [r.runId, r.events])).toEqual([['r1', 200]]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('100 acknowledged event(s) (seq 200–299) are lost, of run(s) r1 (50), r2 (50)');
    await reader.close();
  });

  it('says a torn last write lost no acknowledged event', async () => {
    const copy = await crashedCopy();
    truncateSync(`${copy}-wal`, statSync(`${copy}-wal`).size - 100);
    const notices: string[] = [];
    const reader = sqliteLog(copy, { readOnly: true, onNotice: (m) => notices.push(m) });
    expect(notices[0]).toMatch(/repaired a torn last write \(partial frame\): no acknowledged event was lost/);
    await reader.close();
  });
});

describe('a deleted WAL is detected', () => {
  it('names the acknowledged events missing when the WAL of a writer that stopped is gone', async () => {
    const live = tmp.file('live.db');
    const log = sqliteLog(live, quiet);
    await log.append([draftEvent('r1'), ...completions('r1', 9)]);
    await log.append([draftEvent('done'), draftEvent('done', { type: 'run.completed', answer: 'ok' })]);
    await log.append(completions('r1', 5, 9));
    // A crash, then the WAL deleted: the main file and the lock file are left.
    copyFileSync(live, tmp.file('lost.db'));
    copyFileSync(`${live}-lock`, tmp.file('lost.db-lock'));
    await log.close();
    const notices: string[] = [];
    const reader = sqliteLog(tmp.file('lost.db'), { readOnly: true, onNotice: (m) => notices.push(m) });
    expect((await reader.runs()).map((r) => [r.runId, r.status, r.events])).toEqual([
      ['r1', 'running', 10],
      ['done', 'completed', 2],
    ]);
    await reader.close();
    const writer = sqliteLog(tmp.file('lost.db'), { onNotice: (m) => notices.push(m) });
    await writer.close();
    expect(notices).toHaveLength(2);
    for (const notice of notices) {
      expect(notice).toContain('5 acknowledged event(s) (seq 12–16) are missing');
      expect(notice).toContain('WAL is part of the database');
    }
  });

  it('says nothing when the log was closed and its WAL removed with it', async () => {
    const log = sqliteLog(tmp.file(), quiet);
    await log.append([draftEvent('r1'), ...completions('r1', 9)]);
    await log.close();
    const notices: string[] = [];
    const again = sqliteLog(tmp.file(), { onNotice: (m) => notices.push(m) });
    expect(await again.read('r1')).toHaveLength(10);
    await again.close();
    expect(notices).toEqual([]);
  });
});
