import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Command, commandHelp } from '../../src/cli/command.js';
import { commands } from '../../src/cli/commands.js';
import { tempDir } from '../helpers/tempLog.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const exec = promisify(execFile);
const failed = (err: { code: number; stdout: string; stderr: string }) => err;
const goal = "post 'conventions' to all social platforms";

describe('troupe CLI conventions', () => {
  let tmp: ReturnType<typeof tempDir>;
  let log: string;
  beforeAll(async () => {
    tmp = tempDir('troupe-cli-conv-');
    log = tmp.file('events.db');
    for (let i = 0; i < 3; i++) await exec(process.execPath, [cli, 'run', goal, '--log', log], { cwd: tmp.dir });
  });
  afterAll(() => tmp.remove());

  it('prints its version with --version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const { stdout } = await exec(process.execPath, [cli, '--version']);
    expect(stdout).toBe(`${pkg.version}\n`);
  });

  it('lists every option of every command, with its default, under <command> --help', async () => {
    for (const [name, command] of Object.entries(commands)) {
      const stdout = commandHelp(name, command);
      expect(stdout).toContain(`Usage: troupe ${name}`);
      for (const [flag, spec] of Object.entries(command.options)) {
        const line = stdout.split('\n').find((l) => l.trimStart().startsWith(`--${flag}`));
        expect(line, `${name} --${flag}`).toBeDefined();
        if (spec.default !== undefined) expect(line).toContain(`(default: ${spec.default})`);
      }
      expect(stdout).toContain('--config <file>');
    }
    const run = await exec(process.execPath, [cli, 'run', '--help']);
    expect(run.stdout).toBe(commandHelp('run', commands.run as Command));
    expect(run.stdout).toMatch(/--concurrency <n> +tasks of the run that execute at once \(default: .*16\)/);
  });

  it('exits 2 on usage errors: an unknown option, a missing argument, a malformed value, no command', async () => {
    const cases = [
      ['run', goal, '--bogus'],
      ['resume'],
      ['replay', 'a', 'b'],
      ['run', goal, '--concurrency', 'lots'],
      ['answer', 'run-1'],
      ['nonsense'],
      [],
    ];
    const outcomes = await Promise.all(
      cases.map((argv) => exec(process.execPath, [cli, ...argv], { cwd: tmp.dir }).then(() => undefined, failed)),
    );
    outcomes.forEach((err, i) => {
      expect(err?.code, cases[i]?.join(' ')).toBe(2);
      expect(err?.stderr).toMatch(/Usage/);
    });
  });

  it('survives a reader that closes the pipe: `troupe runs --json | head -1`', () => {
    const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${cli}" runs --json --log "${log}" | head -1`], {
      encoding: 'utf8',
    });
    expect(piped.status).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({ goal, status: 'completed' });
    expect(piped.stderr).toBe('');
    // Many lines into a pipe closed at once: still no stack trace.
    const closed = spawnSync(
      'sh',
      [
        '-c',
        `"${process.execPath}" "${cli}" replay "$(${process.execPath} ${cli} runs --json --log ${log} | head -1 | cut -d'"' -f4)" --log "${log}" | true`,
      ],
      { encoding: 'utf8' },
    );
    expect(closed.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
  });

  it('names the path when the log directory cannot be written', async () => {
    const blocker = tmp.file('not-a-dir');
    await exec(process.execPath, [cli, 'run', goal, '--log', blocker], { cwd: tmp.dir });
    const err = await exec(process.execPath, [cli, 'run', goal, '--log', join(blocker, 'sub', 'events.db')], {
      cwd: tmp.dir,
    }).then(() => undefined, failed);
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain(join(blocker, 'sub'));
    expect(err?.stderr).not.toMatch(/^\s+at /m);
  });

  it('lists the runs of a log it may only read', async () => {
    // Root writes anything: the check runs as `nobody` then, on a copy it owns only for reading.
    const asRoot = process.getuid?.() === 0;
    const dir = tmp.file('readonly');
    mkdirSync(dir);
    const file = join(dir, 'events.db');
    await exec(process.execPath, [cli, 'run', goal, '--log', file]);
    for (const name of [dir, file]) {
      if (asRoot) chownSync(name, 0, 0);
      chmodSync(name, name === dir ? 0o555 : 0o444);
    }
    chmodSync(tmp.dir, 0o755);
    const { stdout } = await exec(process.execPath, [cli, 'runs', '--log', file], {
      cwd: dir,
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(stdout).toContain('completed');
    expect(stdout).toContain(goal);
  });
});
