import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteLog, type TroupeEvent } from '../../src/index.js';
import { tempDir } from '../helpers/tempLog.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const run = promisify(execFile);
const goal = "post 'restart me' to all social platforms";

/** Starts `troupe run` with slow platforms and SIGKILLs it once its three tasks are running. */
function killedMidRun(log: string): Promise<{ runId: string; seen: TroupeEvent[] }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [cli, 'run', goal, '--json', '--latency', '60000', '--log', log], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const seen: TroupeEvent[] = [];
    createInterface({ input: proc.stdout }).on('line', (line) => {
      seen.push(JSON.parse(line) as TroupeEvent);
      if (seen.filter((e) => e.type === 'task.started').length === 3) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL' || seen[0] === undefined)
        reject(new Error(`troupe run was not killed mid-run (${signal})`));
      else resolve({ runId: seen[0].runId, seen });
    });
  });
}

describe('troupe run killed mid-run, then troupe resume', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('troupe-cli-');
  });
  afterAll(() => tmp.remove());

  it('finishes the run, printing only what happens after the restart', async () => {
    const log = tmp.file('events.db');
    const { runId, seen } = await killedMidRun(log);

    const runs = await run(process.execPath, [cli, 'runs', '--log', log, '--json']);
    expect(JSON.parse(runs.stdout.trim())).toMatchObject({ runId, goal, status: 'running' });

    const resumed = await run(process.execPath, [cli, 'resume', runId, '--log', log, '--json']);
    const events = resumed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TroupeEvent);
    const lastSeen = Math.max(...seen.map((e) => e.seq));
    expect(events.every((e) => e.seq > lastSeen && e.runId === runId)).toBe(true);
    expect(events.filter((e) => e.type === 'task.started').map((e) => (e as { attempt: number }).attempt)).toEqual([
      2, 2, 2,
    ]);
    // Each post's outcome is recorded with its completion: one task.completed carrying the call's key.
    const completions = events.filter((e) => e.type === 'task.completed');
    expect(completions.filter((e) => typeof e.idempotencyKey === 'string')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'tool.succeeded')).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: 'run.completed' });

    const replay = await run(process.execPath, [cli, 'replay', runId, '--log', log, '--json']);
    const { state } = JSON.parse(replay.stdout) as { state: { status: string; tasks: { status: string }[] } };
    expect(state.status).toBe('completed');
    expect(state.tasks.map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);

    const timeline = await run(process.execPath, [cli, 'replay', runId, '--log', log, '--until', String(lastSeen)]);
    expect(timeline.stdout).toContain(`state at seq ${lastSeen}: running`);
    expect(timeline.stdout).not.toContain('run completed');
  });

  it('says which run is unknown, lets two short runs share a log, and refuses a writer while one runs', async () => {
    const log = tmp.file('other.db');
    // Two at once: the second waits for the first's writer lock, then runs.
    await Promise.all([
      run(process.execPath, [cli, 'run', goal, '--log', log, '--json']),
      run(process.execPath, [cli, 'run', goal, '--log', log, '--json']),
    ]);
    const both = await run(process.execPath, [cli, 'runs', '--log', log, '--json']);
    expect(
      both.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).status),
    ).toEqual(['completed', 'completed']);
    await expect(run(process.execPath, [cli, 'resume', 'no-such-run', '--log', log])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('RUN_NOT_FOUND'),
    });
    await expect(run(process.execPath, [cli, 'replay', 'x', '--until', '-1', '--log', log])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--until'),
    });
    const holder = spawn(process.execPath, [cli, 'run', goal, '--latency', '60000', '--log', log], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      await new Promise<void>((resolve) => createInterface({ input: holder.stdout }).once('line', () => resolve()));
      expect(() => sqliteLog(log)).toThrow(expect.objectContaining({ code: 'LOG_LOCKED' }));
      const listed = await run(process.execPath, [cli, 'runs', '--log', log]);
      expect(listed.stdout).toContain('1 run(s) not finished');
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
