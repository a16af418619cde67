import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { completions, draftEvent, tempDir } from '../helpers/tempLog.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('troupe-readonly-log-');
  chmodSync(tmp.dir, 0o755);
});
afterEach(() => {
  chmodSync(tmp.dir, 0o755);
  tmp.remove();
});

/** Runs the CLI as a user who may not write the log (`nobody` when the tests run as root, who may write anything). */
function troupe(...args: string[]) {
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', ...asNobody, env: { ...process.env } });
}

async function logWithRuns(withWal: boolean): Promise<string> {
  const file = tmp.file();
  const log = sqliteLog(file, { onNotice: () => {} });
  await log.append([draftEvent('done', { goal: 'post hi' }), ...completions('done', 3)]);
  await log.append([draftEvent('done', { type: 'run.completed', answer: 'posted' })]);
  await log.append([draftEvent('going', { goal: 'post more' }), ...completions('going', 2)]);
  if (withWal) {
    // The files as a crash leaves them: the last run still in the WAL.
    copyFileSync(file, tmp.file('crashed.db'));
    copyFileSync(`${file}-wal`, tmp.file('crashed.db-wal'));
  }
  await log.close();
  return withWal ? tmp.file('crashed.db') : file;
}

describe('a read-only log', () => {
  it.each([
    ['a read-only file', false],
    ['a read-only file whose WAL holds the last run', true],
  ])('can be listed and replayed from %s in a read-only directory', async (_what, withWal) => {
    const file = await logWithRuns(withWal);
    for (const name of ['events.db', 'crashed.db', 'crashed.db-wal']) {
      try {
        chmodSync(tmp.file(name), 0o444);
      } catch {
        // Only the files of this case exist.
      }
    }
    chmodSync(tmp.dir, 0o555);
    const runs = troupe('runs', '--log', file, '--json');
    expect(runs.stderr).not.toContain('Error');
    expect(runs.status).toBe(0);
    expect(
      runs.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).runId),
    ).toEqual(['done', 'going']);
    const replay = troupe('replay', 'done', '--log', file, '--json');
    expect(replay.status).toBe(0);
    expect(replay.stdout).toContain('completed');
  });
});
