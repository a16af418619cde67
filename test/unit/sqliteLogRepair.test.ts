import { closeSync, copyFileSync, openSync, statSync, truncateSync, writeSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogCorruptionError } from '../../src/errors.js';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { inspectWal } from '../../src/log/walTail.js';
import { completions, draftEvent, tempDir } from '../helpers/tempLog.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

/**
 * Writes three batches of 100 events and copies the database and its WAL while the writer
 * still holds them (nothing checkpointed): the copy is the log as a crash would leave it.
 */
async function crashedCopy(): Promise<string> {
  const live = tmp.file('live.db');
  const log = sqliteLog(live, { onNotice: () => {} });
  await log.append([draftEvent('r1'), ...completions('r1', 99)]);
  await log.append(completions('r1', 100, 99));
  await log.append(completions('r1', 100, 199));
  const copy = tmp.file('crashed.db');
  copyFileSync(live, copy);
  copyFileSync(`${live}-wal`, `${copy}-wal`);
  await log.close();
  return copy;
}

function patch(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

describe('sqliteLog repairs a torn last write', () => {
  it('drops a last transaction cut off mid-frame, keeps every whole one, and says so', async () => {
    const copy = await crashedCopy();
    expect(inspectWal(`${copy}-wal`)).toMatchObject({ tornBytes: 0 });
    truncateSync(`${copy}-wal`, statSync(`${copy}-wal`).size - 100);
    const notices: string[] = [];
    const log = sqliteLog(copy, { onNotice: (m) => notices.push(m) });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/repaired a torn last write \(partial frame\)/);
    expect(notices[0]).toContain(copy);
    expect(log.notices).toEqual(notices);
    const events = await log.read('r1');
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // The repaired log takes appends again, continuing after its last whole event.
    const [next] = await log.append(completions('r1', 1, 299));
    expect(next?.seq).toBe(200);
    await log.close();
  });

  it('drops a last frame whose checksum does not hold', async () => {
    const copy = await crashedCopy();
    const wal = `${copy}-wal`;
    patch(wal, statSync(wal).size - 10, Buffer.from('garbage!!!'));
    const notices: string[] = [];
    const log = sqliteLog(copy, { onNotice: (m) => notices.push(m) });
    expect(notices[0]).toMatch(/\(bad checksum\)/);
    expect(await log.read('r1')).toHaveLength(200);
    await log.close();
  });

  it('reports through process warnings when no onNotice is given', async () => {
    const copy = await crashedCopy();
    truncateSync(`${copy}-wal`, statSync(`${copy}-wal`).size - 1);
    const warnings: Error[] = [];
    const listen = (w: Error) => warnings.push(w);
    process.on('warning', listen);
    const log = sqliteLog(copy);
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', listen);
    expect(warnings.map((w) => w.name)).toContain('TroupeLogNotice');
    await log.close();
  });
});

describe('sqliteLog refuses other damage', () => {
  it('names the file and the byte offset of a damaged page', async () => {
    const file = tmp.file();
    const log = sqliteLog(file);
    await log.append([draftEvent('r1'), ...completions('r1', 499)]);
    await log.close();
    const pages = statSync(file).size / 4096;
    expect(pages).toBeGreaterThan(8);
    patch(file, 4096 * 5, Buffer.alloc(4096, 0xab));
    let error: unknown;
    try {
      const damaged = sqliteLog(file);
      await damaged.read('r1').finally(() => damaged.close());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LogCorruptionError);
    expect(error).toMatchObject({ code: 'LOG_CORRUPT', file, position: 4096 * 5 });
    expect((error as Error).message).toContain('page 6');
  });
});
