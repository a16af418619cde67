import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolve, initialRunState, sqliteLog } from '../../src/index.js';
import { tempDir } from '../helpers/tempLog.js';
import { seededRandom } from '../support/seededRandom.js';

const child = fileURLToPath(new URL('../support/toolStepCrashChild.mjs', import.meta.url));
const steps = 12;
const turns = 3;
const calls = 3;
const kills = 8;

interface Round {
  ended: 'killed' | number;
  effects: number;
  dedups: number;
  /** Calls of a key the log had recorded as succeeded when the child started. */
  reruns: number;
  done?: string;
  stderr: string;
}

function round(log: string, ledger: string, runId: string, killAfter: number | undefined): Promise<Round> {
  return new Promise((resolve, reject) => {
    const args = [child, log, ledger, runId, String(steps), String(turns), String(calls)];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const result: Round = { ended: 'killed', effects: 0, dedups: 0, reruns: 0, stderr: '' };
    proc.stderr.on('data', (chunk: Buffer) => {
      result.stderr += chunk.toString();
    });
    createInterface({ input: proc.stdout }).on('line', (line) => {
      if (line === 'effect') result.effects += 1;
      else if (line === 'dedup') result.dedups += 1;
      else if (line === 'rerun') result.reruns += 1;
      else if (line.startsWith('done ')) result.done = line.slice(5);
      if (killAfter !== undefined && result.effects + result.dedups >= killAfter) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      result.ended = signal === 'SIGKILL' ? 'killed' : (code ?? -1);
      resolve(result);
    });
  });
}

describe('a tool-calling step killed with SIGKILL mid-step', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('troupe-toolstep-crash-');
  });
  afterAll(() => tmp.remove());

  it('resumes from its recorded calls: no recorded call runs again, every effect is written once', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const log = tmp.file('events.db');
    const ledger = tmp.file('ledger.txt');
    const runId = 'tool-step-crash';
    const rounds: Round[] = [];
    for (let i = 0; i < kills; i++) {
      const r = await round(log, ledger, runId, 1 + Math.floor(random() * 12));
      rounds.push(r);
      if (r.done !== undefined) break;
    }
    const last = await round(log, ledger, runId, undefined);
    rounds.push(last);
    const report = `seed ${seed}; rounds (end:effects+dedups/reruns): ${rounds.map((r) => `${r.ended}:${r.effects}+${r.dedups}/${r.reruns}`).join(' ')}`;
    console.log(report);
    expect(last.ended, `${report}\n${last.stderr}`).toBe(0);
    expect(last.done, report).toBe('completed');
    expect(rounds.filter((r) => r.ended === 'killed').length, report).toBeGreaterThanOrEqual(kills - 2);
    expect(
      rounds.reduce((n, r) => n + r.reruns, 0),
      report,
    ).toBe(0);

    const lines = existsSync(ledger) ? readFileSync(ledger, 'utf8').split('\n').filter(Boolean) : [];
    const keys = lines.map((line) => line.split(' ')[0]);
    expect(new Set(keys).size, report).toBe(keys.length);
    expect(keys.length, report).toBe(steps * turns * calls);

    const reader = sqliteLog(log, { readOnly: true });
    const events = await reader.read(runId);
    await reader.close();
    const state = events.reduce(evolve, initialRunState(runId));
    expect(state.status).toBe('completed');
    expect(state.counts.completed).toBe(steps);
    // Each call's success is recorded once: a second record would mean it ran again.
    const succeeded = events.filter((e) => e.type === 'tool.called' && e.error === undefined && e.cached !== true);
    const recordedKeys = succeeded.map((e) => (e.type === 'tool.called' ? e.idempotencyKey : ''));
    expect(new Set(recordedKeys).size, report).toBe(recordedKeys.length);
    expect(recordedKeys.length, report).toBe(steps * turns * calls);
    for (const task of state.tasks.values()) expect(task.output).toBe(`${task.id}: ${turns * calls} lines`);
  }, 180_000);
});
