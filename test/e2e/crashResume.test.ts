import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolve, idempotencyKey, initialRunState, sqliteLog } from '../../src/index.js';
import { tempDir } from '../helpers/tempLog.js';
import { seededRandom } from '../support/seededRandom.js';

const child = fileURLToPath(new URL('../support/crashChild.mjs', import.meta.url));
const tasks = 1000;
const kills = 20;

interface Round {
  /** How the child ended: killed by us, or exited with this code. */
  ended: 'killed' | number;
  /** Effects written and repeated calls the ledger de-duplicated, as the child reported them. */
  effects: number;
  dedups: number;
  done?: string;
  stderr: string;
}

/**
 * Starts the child on the log and, when `killAfter` is a number, SIGKILLs it as soon as it
 * has reported that many tool calls (0: as soon as it is up, before the run is resumed).
 */
function round(log: string, ledger: string, runId: string, killAfter: number | undefined): Promise<Round> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, log, ledger, runId, String(tasks)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result: Round = { ended: 'killed', effects: 0, dedups: 0, stderr: '' };
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      proc.kill('SIGKILL');
    };
    proc.stderr.on('data', (chunk: Buffer) => {
      result.stderr += chunk.toString();
    });
    createInterface({ input: proc.stdout }).on('line', (line) => {
      if (line === 'effect') result.effects += 1;
      else if (line === 'dedup') result.dedups += 1;
      else if (line.startsWith('done ')) result.done = line.slice(5);
      if (
        killAfter !== undefined &&
        (line === 'ready' ? killAfter === 0 : result.effects + result.dedups >= killAfter)
      ) {
        kill();
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      result.ended = signal === 'SIGKILL' ? 'killed' : (code ?? -1);
      resolve(result);
    });
  });
}

describe('a run killed with SIGKILL at random moments', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('troupe-crash-');
  });
  afterAll(() => tmp.remove());

  it(`resumes ${kills} times and ends with every task's effect written exactly once`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const log = tmp.file('events.db');
    const ledger = tmp.file('ledger.txt');
    const runId = 'crash-run';
    const rounds: Round[] = [];
    for (let i = 0; i < kills; i++) {
      // Mostly mid-run; now and then before the run resumes at all.
      const killAfter = random() < 0.15 ? 0 : 1 + Math.floor(random() * 60);
      const r = await round(log, ledger, runId, killAfter);
      rounds.push(r);
      if (r.done !== undefined) break;
    }
    const last = await round(log, ledger, runId, undefined);
    rounds.push(last);
    const report = `seed ${seed}; rounds (end:effects+deduplicated): ${rounds.map((r) => `${r.ended}:${r.effects}+${r.dedups}`).join(' ')}`;
    console.log(report);
    expect(last.ended, `${report}\n${last.stderr}`).toBe(0);
    expect(last.done, report).toBe('completed');
    expect(rounds.filter((r) => r.ended === 'killed').length, report).toBeGreaterThanOrEqual(kills - 2);

    // Every task's effect is in the ledger exactly once, under the key troupe gave its call.
    const lines = existsSync(ledger) ? readFileSync(ledger, 'utf8').split('\n').filter(Boolean) : [];
    const keys = lines.map((line) => line.split(' ')[0]);
    expect(new Set(keys).size, report).toBe(keys.length);
    expect(keys.length, report).toBe(tasks);
    const expected = new Set(Array.from({ length: tasks }, (_, n) => idempotencyKey(runId, `t${n}`, 'ledger', { n })));
    expect(
      keys.every((key) => expected.has(key as string)),
      report,
    ).toBe(true);

    // The log folds without error to a completed run, each task completed once.
    const reader = sqliteLog(log, { readOnly: true });
    const events = await reader.read(runId);
    await reader.close();
    const state = events.reduce(evolve, initialRunState(runId));
    expect(state.status).toBe('completed');
    expect(state.counts.completed).toBe(tasks);
    const completions = events.filter((e) => e.type === 'task.completed');
    expect(new Set(completions.map((e) => (e as { taskId: string }).taskId)).size).toBe(tasks);
    expect(completions).toHaveLength(tasks);
    expect(events.filter((e) => e.type === 'run.started')).toHaveLength(1);
  }, 180_000);
});
