import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolve, initialRunState, sqliteLog } from '../../src/index.js';
import { tempDir } from '../helpers/tempLog.js';

const child = fileURLToPath(new URL('../support/revisionCrashChild.mjs', import.meta.url));

interface Round {
  ended: 'killed' | number;
  lines: string[];
  stderr: string;
}

/** Runs the child until it exits, or SIGKILLs it as soon as it prints `killOn`. */
function round(log: string, modes: [string, string], killOn?: string): Promise<Round> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, log, 'revision-crash', ...modes], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result: Round = { ended: 'killed', lines: [], stderr: '' };
    proc.stderr.on('data', (chunk: Buffer) => {
      result.stderr += chunk.toString();
    });
    createInterface({ input: proc.stdout }).on('line', (line) => {
      result.lines.push(line);
      if (line === killOn) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      result.ended = signal === 'SIGKILL' ? 'killed' : (code ?? -1);
      resolve(result);
    });
  });
}

describe('a run killed with SIGKILL between a step’s request for a revision and the revision', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('troupe-revision-crash-');
  });
  afterAll(() => tmp.remove());

  it('revises once on resume: not zero times, not twice, and the step that asked does not run again', async () => {
    const log = tmp.file('events.db');
    // Killed once the request is durable, the revision not yet made.
    const first = await round(log, ['hang', 'hang'], 'requested');
    expect(first.ended, first.stderr).toBe('killed');
    // The revision may be asked before the request's commit is announced: it waits on no effect.
    expect(first.lines.filter((l) => l !== 'revising')).toEqual(['research', 'requested']);
    // Resumed: the revision is asked again (nothing ran the step again); killed while it is asked.
    const second = await round(log, ['hang', 'hang'], 'revising');
    expect(second.ended, second.stderr).toBe('killed');
    expect(second.lines).toEqual(['revising']);
    // Resumed: revised; killed while the revised plan runs.
    const third = await round(log, ['answer', 'hang'], 'revised');
    expect(third.ended, third.stderr).toBe('killed');
    expect(third.lines).toEqual(['revising', 'revised']);
    // Resumed: the revision stands, nothing is revised again, and the run completes.
    const last = await round(log, ['answer', 'run']);
    expect(last.ended, last.stderr).toBe(0);
    expect(last.lines).toEqual(['done completed']);

    const reader = sqliteLog(log, { readOnly: true });
    const events = await reader.read('revision-crash');
    await reader.close();
    const count = (type: string, taskId?: string) =>
      events.filter((e) => e.type === type && (taskId === undefined || ('taskId' in e && e.taskId === taskId))).length;
    expect(count('plan.revision_requested')).toBe(1);
    expect(count('plan.revised')).toBe(1);
    expect(count('task.completed', 'research')).toBe(1);
    const state = events.reduce(evolve, initialRunState('revision-crash'));
    expect(state.status).toBe('completed');
    expect(state.revisions).toBe(1);
    expect(state.revisionRequests).toEqual([]);
    expect([...state.tasks.values()].map((t) => [t.id, t.status])).toEqual([
      ['research', 'completed'],
      ['draft', 'completed'],
      ['fromArchive', 'completed'],
    ]);
    expect(state.tasks.get('draft')?.output).toBe('take on {"fromArchive":{"top":"#rust"}}');
  }, 120_000);
});
