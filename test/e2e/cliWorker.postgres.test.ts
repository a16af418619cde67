import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/pgDatabase.js';
import { tempDir } from '../helpers/tempLog.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const exec = promisify(execFile);
const failed = (err: { code: number; stdout: string; stderr: string }) => err;
const goal = "post 'shared' to all social platforms";

interface WorkerProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  stderr(): string;
  waitFor(pattern: RegExp): Promise<string>;
}

const started: WorkerProcess[] = [];

/** A `troupe worker` process; its stdout lines are collected as they come. */
function startWorker(cwd: string, env: NodeJS.ProcessEnv, ...argv: string[]): WorkerProcess {
  return startLongRunning(cwd, env, 'worker', '--model', 'demo', ...argv);
}

/** A long-running `troupe` process (`worker`, `dashboard`); its stdout lines are collected as they come. */
function startLongRunning(cwd: string, env: NodeJS.ProcessEnv, ...argv: string[]): WorkerProcess {
  const child = spawn(process.execPath, [cli, ...argv], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  if (child.stdout !== null) createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const line = lines.find((l) => pattern.test(l));
        if (line !== undefined) {
          clearInterval(timer);
          resolve(line);
        } else if (child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`worker exited ${child.exitCode} without ${pattern}: ${lines.join(' | ')} ${stderr}`));
        }
      }, 25);
    });
  const worker = { child, lines, exited, waitFor, stderr: () => stderr };
  started.push(worker);
  return worker;
}

describe('troupe CLI on PostgreSQL: run --detach, worker, runs, replay', () => {
  let tmp: ReturnType<typeof tempDir>;
  let url: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    tmp = tempDir('troupe-cli-pg-');
    url = await freshDatabase('cli');
    const { TROUPE_DATABASE_URL: _ignored, TROUPE_LOG: _log, ...rest } = process.env;
    env = rest;
  });
  afterEach(() => {
    for (const worker of started.splice(0)) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  });
  afterAll(() => tmp.remove());

  const troupe = (...argv: string[]) => exec(process.execPath, [cli, ...argv], { cwd: tmp.dir, env });

  it('submits with run --detach; a worker takes and completes the run; runs and replay read it back', async () => {
    const detached = await troupe('run', '--detach', goal, '--model', 'demo', '--database-url', url, '--json');
    const { runId } = JSON.parse(detached.stdout) as { runId: string };
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);

    const worker = startWorker(tmp.dir, { ...env, TROUPE_DATABASE_URL: url }, '--max-runs', '2', '--lease-ms', '3000');
    expect(await worker.waitFor(/^took /)).toContain(runId);
    expect(await worker.waitFor(/^finished /)).toBe(`finished ${runId} (epoch 1): completed`);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.lines.at(-1)).toMatch(/^worker .* stopped$/);

    const runs = await troupe('runs', '--json', '--database-url', url);
    const listed = runs.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { runId: string; status: string; goal: string });
    expect(listed).toContainEqual(expect.objectContaining({ runId, status: 'completed', goal }));
    const table = await troupe('runs', '--database-url', url);
    expect(table.stdout).toMatch(new RegExp(`${runId}\\s+completed`));

    const replay = await troupe('replay', runId, '--database-url', url);
    expect(replay.stdout).toMatch(new RegExp(`^\\s+\\d+\\s+\\+0\\.000s\\s+run ${runId} started`, 'm'));
    expect(replay.stdout).toContain('state at the end: completed');
  });

  it('plain text: run --detach prints the id alone; TROUPE_DATABASE_URL stands in for the flag', async () => {
    const detached = await exec(process.execPath, [cli, 'run', '--detach', goal, '--model', 'demo'], {
      cwd: tmp.dir,
      env: { ...env, TROUPE_DATABASE_URL: url },
    });
    expect(detached.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    const runs = await troupe('runs', '--database-url', url);
    expect(runs.stdout).toMatch(new RegExp(`${detached.stdout.trim()}\\s+running`));
  });

  it('on SIGTERM a worker lets the run in hand finish, then exits 0', async () => {
    const { stdout } = await troupe('run', '--detach', `slow ${goal}`, '--model', 'demo', '--database-url', url);
    const runId = stdout.trim();
    const worker = startWorker(tmp.dir, env, '--database-url', url, '--latency', '400', '--drain-ms', '60000');
    await worker.waitFor(new RegExp(`^took ${runId}`));
    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.lines).toContain(`finished ${runId} (epoch 1): completed`);
    // It exits once its runs are done, not when --drain-ms runs out.
    expect(Date.now() - signalled).toBeLessThan(30_000);
    const runs = await troupe('runs', '--json', '--database-url', url);
    expect(runs.stdout).toMatch(new RegExp(`"runId":"${runId}","goal":"[^"]*","status":"completed"`));
  });

  it('on SIGTERM with no time to drain, a worker hands its run back and exits 0; another worker finishes it', async () => {
    const { stdout } = await troupe('run', '--detach', `handed ${goal}`, '--model', 'demo', '--database-url', url);
    const runId = stdout.trim();
    const first = startWorker(tmp.dir, env, '--database-url', url, '--latency', '2000', '--drain-ms', '0');
    await first.waitFor(new RegExp(`^took ${runId}`));
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.lines.join('\n')).toMatch(new RegExp(`^handed-back ${runId} \\(epoch 1\\)`, 'm'));
    const second = startWorker(tmp.dir, env, '--database-url', url, '--json');
    const done = JSON.parse(await second.waitFor(new RegExp(`"event":"finished","runId":"${runId}"`))) as {
      status: string;
      epoch: number;
    };
    expect(done.status).toBe('completed');
    expect(done.epoch).toBeGreaterThan(1);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('run (attached), reviews and dashboard work on the database too', async () => {
    const attached = await troupe('run', `attached ${goal}`, '--model', 'demo', '--database-url', url);
    const runId = /run (\S+) started/.exec(attached.stdout)?.[1] ?? '';
    expect(attached.stdout).toContain('run completed');
    expect((await troupe('reviews', '--database-url', url)).stdout).toBe('No reviews waiting.\n');

    const dashboard = startLongRunning(tmp.dir, env, 'dashboard', '--database-url', url, '--port', '0');
    const [, address] = /(http:\/\/127\.0\.0\.1:\d+)\/#/.exec(await dashboard.waitFor(/^troupe dashboard: http/)) ?? [];
    expect(await dashboard.waitFor(/^reading /)).toMatch(/^reading postgres:\/\/.* \(read-only\)/);
    const runs = (await (await fetch(`${address}/api/runs`)).json()) as { runId: string; status: string }[];
    expect(runs).toContainEqual(expect.objectContaining({ runId, status: 'completed' }));
    dashboard.child.kill('SIGTERM');
    expect(await dashboard.exited).toBe(0);
  });

  it('Ctrl-C on an attached run names --database-url in the resume hint; resume finishes it there', async () => {
    const run = startLongRunning(
      tmp.dir,
      env,
      'run',
      `cut ${goal}`,
      '--model',
      'demo',
      '--database-url',
      url,
      '--latency',
      '2000',
    );
    await run.waitFor(/^task \S+ started/);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    const hint = /troupe resume (\S+) --database-url (postgres:\/\/\S+)/.exec(run.stderr());
    expect(hint?.[2]).toBe(url.replace(/:[^:@/]*@/, '@'));
    const resumed = await troupe('resume', hint?.[1] ?? '', '--model', 'demo', '--database-url', url);
    expect(resumed.stdout).toContain('run completed');
  });

  it('exits 2 for --log with --database-url, and for worker or run --detach without a database', async () => {
    const cases = [
      ['runs', '--log', tmp.file('x.db'), '--database-url', url],
      ['run', goal, '--log', tmp.file('x.db'), '--database-url', url],
      ['worker'],
      ['worker', '--log', tmp.file('x.db')],
      ['run', '--detach', goal],
      ['worker', '--database-url', url, '--max-runs', '0'],
    ];
    for (const argv of cases) {
      const err = await troupe(...argv).then(() => undefined, failed);
      expect(err?.code, argv.join(' ')).toBe(2);
      expect(err?.stderr).toMatch(/Usage: troupe/);
    }
  });

  it('names an unreachable server instead of hanging', async () => {
    const err = await troupe('runs', '--database-url', 'postgres://nobody@127.0.0.1:1/none').then(
      () => undefined,
      failed,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toMatch(/LOG_UNAVAILABLE/);
  });
});
