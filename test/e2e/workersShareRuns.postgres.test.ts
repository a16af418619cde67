import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TroupeEvent } from '../../src/events/types.js';
import { type PostgresLog, postgresLog } from '../../src/log/postgres/postgresLog.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { freshDatabase } from '../helpers/pgDatabase.js';

interface Child {
  process: ChildProcess;
  lines: string[];
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
}

const children: Child[] = [];
function worker(url: string, maxRuns: number, leaseMs: number): Child {
  const child = spawn(process.execPath, ['test/support/pgWorkerChild.mjs', url, String(maxRuns), String(leaseMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  if (child.stdout !== null) createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  const handle: Child = {
    process: child,
    lines,
    waitFor: (pattern, ms = 60_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const timer = setInterval(() => {
          const line = lines.find((l) => pattern.test(l));
          if (line !== undefined) {
            clearInterval(timer);
            resolve(line);
          } else if (Date.now() - started > ms || child.exitCode !== null) {
            clearInterval(timer);
            reject(
              new Error(`no line matching ${pattern} (exit ${child.exitCode}); got ${lines.slice(-5).join(' | ')}`),
            );
          }
        }, 25);
      }),
  };
  children.push(handle);
  return handle;
}

async function waitUntil(check: () => Promise<boolean>, ms: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Checks a run's events as one writer at a time leaves them: each attempt started once, nothing after the end. */
function checkOneWriter(events: readonly TroupeEvent[]): void {
  const starts = new Set<string>();
  let ended = false;
  for (const event of events) {
    expect(ended, `event ${event.type} after the run ended`).toBe(false);
    if (event.type === 'task.started') {
      const key = `${event.taskId}#${event.attempt}`;
      expect(starts.has(key), `${key} started twice`).toBe(false);
      starts.add(key);
    }
    if (event.type === 'run.completed' || event.type === 'run.failed' || event.type === 'run.cancelled') ended = true;
  }
  expect(events.filter((e) => e.type === 'run.completed')).toHaveLength(1);
}

let url: string;
let log: PostgresLog;
beforeEach(async () => {
  url = await freshDatabase('e2eworkers');
  log = postgresLog(url, { onNotice: () => undefined });
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.process.exitCode === null) child.process.kill('SIGKILL');
  await log.close();
});

describe('worker processes sharing runs through PostgreSQL', () => {
  it('three workers finish 200 runs while one is killed -9 mid-run: no effect twice, no event lost', async () => {
    const submitter = createRuntime({ log });
    const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => submitter.submit(`ledger run ${i}`)));
    const workers = [worker(url, 8, 1500), worker(url, 8, 1500), worker(url, 8, 1500)];
    await Promise.all(workers.map((w) => w.waitFor(/^ready /)));
    const victim = workers[1] as Child;
    await victim.waitFor(/^done /);
    // Killed between runs' tool calls: it holds several runs, some with a call made but not recorded.
    await victim.waitFor(/^call /);
    victim.process.kill('SIGKILL');
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      await waitUntil(
        async () => (await log.runs()).filter((r) => r.status === 'completed').length === ids.length,
        150_000,
      );
      const runs = await log.runs();
      expect(new Set(runs.map((r) => r.runId))).toEqual(new Set(ids));
      for (const id of ids) checkOneWriter(await log.read(id));
      const seqs = await db.query<{ n: string; top: string }>(
        'SELECT COUNT(*) AS n, MAX(seq) AS top FROM troupe_events',
      );
      expect(Number(seqs.rows[0]?.n)).toBe(Number(seqs.rows[0]?.top) + 1);
      const ledger = await db.query<{ key: string }>('SELECT key FROM ledger');
      expect(ledger.rowCount).toBe(ids.length * 2);
      // Whichever event records a call's outcome names its idempotency key.
      const recorded = await db.query<{ body: string }>(
        'SELECT body FROM troupe_events WHERE body LIKE \'%"idempotencyKey"%\'',
      );
      const keys = recorded.rows.flatMap((r) => [...r.body.matchAll(/"idempotencyKey":"([^"]+)"/g)].map((m) => m[1]));
      expect(new Set(keys)).toEqual(new Set(ledger.rows.map((r) => r.key)));
      expect(keys).toHaveLength(ids.length * 2);
      const survivors = workers.filter((w) => w !== victim);
      expect(survivors.every((w) => w.lines.some((l) => l.startsWith('done ')))).toBe(true);
      // The runs the killed worker held were taken over under a new lease epoch.
      const retaken = survivors.flatMap((w) => w.lines).filter((l) => /^done \S+ finished [2-9]/.test(l));
      expect(retaken.length).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
  }, 180_000);

  it('a worker stopped past its lease has its appends refused; the run completes once under the new owner', async () => {
    const submitter = createRuntime({ log });
    const runId = await submitter.submit('slow ledger run');
    const paused = worker(url, 1, 600);
    await paused.waitFor(new RegExp(`^call ${runId} 0`));
    paused.process.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const next = worker(url, 1, 600);
    await next.waitFor(new RegExp(`^call ${runId} 0`), 30_000);
    paused.process.kill('SIGCONT');
    const lost = await paused.waitFor(new RegExp(`^done ${runId} `), 30_000);
    expect(lost).toBe(`done ${runId} lost 1`);
    const finished = await next.waitFor(new RegExp(`^done ${runId} `), 30_000);
    expect(finished).toBe(`done ${runId} finished 2`);
    const events = await log.read(runId);
    checkOneWriter(events);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const ledger = await db.query('SELECT key FROM ledger');
      const calls = await db.query('SELECT key FROM ledger_calls');
      expect(ledger.rowCount).toBe(2);
      expect(calls.rowCount).toBe(3);
    } finally {
      await db.end();
    }
  }, 90_000);
});
