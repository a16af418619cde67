import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TroupeEvent } from '../../src/events/types.js';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { tempDir } from '../helpers/tempLog.js';
import {
  type ChatRequestBody,
  type OpenAIServer,
  type ServerReply,
  startOpenAIServer,
} from '../support/openaiServer.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);
const failed = (err: { code: number; stdout: string; stderr: string }) => err;
/** The environment of a machine with no model configured. */
const bare = {
  ...process.env,
  OPENAI_API_KEY: '',
  OPENAI_BASE_URL: '',
  TROUPE_MODEL: '',
  TROUPE_LOG: '',
  TROUPE_CONFIG: '',
};

/** A model server that plans one `countWords` call for any goal and asks a question when told to. */
function planner(body: ChatRequestBody): ServerReply {
  if (body.response_format !== undefined) {
    const goal = body.messages.at(-1)?.content ?? '';
    const tasks = goal.includes('ask me')
      ? [{ id: 'draft', description: 'Draft it', kind: 'processing' }]
      : [
          {
            id: 'count',
            description: 'Count',
            kind: 'tool_call',
            tool: 'countWords',
            input: { text: 'one two three' },
          },
        ];
    return { content: JSON.stringify({ tasks }) };
  }
  const system = body.messages[0]?.content ?? '';
  const user = body.messages.at(-1)?.content ?? '';
  if (system.startsWith('Write the final answer')) return { content: `Final answer from ${body.model}` };
  if (!/The human answered/.test(user))
    return { toolCall: { name: 'ask_clarification', arguments: '{"question":"Which?"}' } };
  return { content: 'drafted' };
}

/** A project directory where `troupe` and `zod` resolve as they would after `npm install troupe zod`. */
function project(tmp: ReturnType<typeof tempDir>, name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(repo, join(dir, 'node_modules', 'troupe'));
  symlinkSync(join(repo, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'));
  return dir;
}

function events(file: string, runId: string): Promise<readonly TroupeEvent[]> {
  const log = sqliteLog(file, { readOnly: true });
  return log.read(runId).finally(() => log.close());
}

describe('troupe with a project file, .env and TROUPE_* settings', () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: OpenAIServer;
  beforeAll(async () => {
    tmp = tempDir('troupe-cli-project-');
    server = await startOpenAIServer(planner);
  });
  afterAll(async () => {
    await server.close();
    tmp.remove();
  });

  it('says plainly when a goal is beyond the offline demo model, and how to configure a real one', async () => {
    const err = await exec(
      process.execPath,
      [cli, 'run', 'summarize the latest news about Rust', '--log', tmp.file()],
      {
        cwd: tmp.dir,
        env: bare,
      },
    ).then(() => undefined, failed);
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain('model: demo (offline');
    expect(err?.stderr).toContain('The offline demo model cannot do "summarize the latest news about Rust"');
    expect(err?.stderr).toContain('OPENAI_API_KEY');
    expect(err?.stdout).not.toContain('Done');
  });

  it('init writes a starter with one tool, refuses to overwrite it, and run uses its tool, model and log', async () => {
    const dir = project(tmp, 'init');
    const init = await exec(process.execPath, [cli, 'init'], { cwd: dir, env: bare });
    expect(init.stdout).toContain('troupe.config.mjs');
    const again = await exec(process.execPath, [cli, 'init'], { cwd: dir, env: bare }).then(() => undefined, failed);
    expect(again?.stderr).toContain('--force');
    const starter = readFileSync(join(dir, 'troupe.config.mjs'), 'utf8');
    expect(starter).toContain("name: 'countWords'");
    writeFileSync(
      join(dir, 'troupe.config.mjs'),
      starter.replace(
        'concurrency: 4,',
        `concurrency: 4,\n  model: { name: 'project-model', baseURL: '${server.baseURL}' },`,
      ),
    );
    const { stdout, stderr } = await exec(process.execPath, [cli, 'run', 'count the words', '--json'], {
      cwd: dir,
      env: bare,
    });
    expect(stderr).toContain(`model: \`project-model\` at ${server.baseURL} (from ${join(dir, 'troupe.config.mjs')})`);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TroupeEvent);
    expect(lines.find((e) => e.type === 'plan.created')).toMatchObject({ tasks: [{ tool: 'countWords' }] });
    expect(lines.find((e) => e.type === 'task.completed')).toMatchObject({ taskId: 'count', output: { words: 3 } });
    expect(lines.at(-1)).toMatchObject({ type: 'run.completed', answer: 'Final answer from project-model' });
    // The starter's `log` setting places the log; every command finds it without --log.
    const runs = await exec(process.execPath, [cli, 'runs', '--json'], { cwd: dir, env: bare });
    expect(JSON.parse(runs.stdout)).toMatchObject({ status: 'completed', goal: 'count the words' });
  });

  it('takes the model from .env (OPENAI_BASE_URL, TROUPE_MODEL), the log from TROUPE_LOG and TROUPE_LOG_LEVEL, recording the model but no key', async () => {
    const dir = project(tmp, 'env');
    writeFileSync(
      join(dir, '.env'),
      `OPENAI_BASE_URL=${server.baseURL}\nTROUPE_MODEL=env-model\nOPENAI_API_KEY=sk-test-cli-0123456789abcdefghij\n`,
    );
    writeFileSync(
      join(dir, 'tools.mjs'),
      "import { defineConfig, defineTool } from 'troupe';\nimport { z } from 'zod';\n" +
        "export default defineConfig({ tools: [defineTool({ name: 'countWords', description: 'counts', input: z.object({ text: z.string() }), run: ({ text }) => ({ words: text.split(' ').length }) })] });\n",
    );
    const log = join(dir, 'elsewhere', 'log.db');
    const env = {
      ...bare,
      OPENAI_BASE_URL: undefined,
      TROUPE_MODEL: undefined,
      OPENAI_API_KEY: undefined,
      TROUPE_LOG: log,
      TROUPE_LOG_LEVEL: 'info',
    };
    const run = await exec(process.execPath, [cli, 'run', 'count', '--config', 'tools.mjs'], { cwd: dir, env });
    expect(run.stderr).toContain(`model: \`env-model\` at ${server.baseURL} (from the environment)`);
    // TROUPE_LOG_LEVEL: every event also goes to stderr as a JSON line.
    const logged = run.stderr.split('\n').flatMap((line) => (line.startsWith('{') ? [JSON.parse(line)] : []));
    expect(logged.map((l) => l.msg)).toEqual(expect.arrayContaining(['run.started', 'run.completed']));
    expect(run.stderr).not.toContain('sk-test-cli');
    expect(run.stdout).toContain('Final answer from env-model');
    const runId = /run (\S+) started on env-model/.exec(run.stdout)?.[1] ?? '';
    const recorded = await events(log, runId);
    expect(recorded[0]).toMatchObject({ type: 'run.started', model: { name: 'env-model', baseURL: server.baseURL } });
    expect(readFileSync(log, 'latin1')).not.toContain('sk-test-cli');
  });

  it('refuses a TypeScript project file Node cannot load, saying which Node can', async () => {
    const dir = project(tmp, 'ts');
    writeFileSync(
      join(dir, 'troupe.config.ts'),
      "import { defineConfig } from 'troupe';\nexport default defineConfig({ concurrency: 2 as number });\n",
    );
    const outcome = await exec(process.execPath, [cli, 'runs'], { cwd: dir, env: bare }).then(
      (r) => ({ code: 0, ...r }),
      failed,
    );
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    if (major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18))
      expect(outcome.stderr).not.toContain('cannot load');
    else expect(outcome.stderr).toContain('cannot load the TypeScript project file');
  });

  it('answer and resume continue on the model the run started on, and refuse another', async () => {
    const dir = project(tmp, 'resume');
    writeFileSync(join(dir, 'troupe.config.mjs'), "export default { log: 'events.db' };\n");
    const flags = ['--model', 'first-model', '--base-url', server.baseURL];
    const waiting = await exec(process.execPath, [cli, 'run', 'ask me', ...flags], { cwd: dir, env: bare }).then(
      () => undefined,
      failed,
    );
    expect(waiting?.code).toBe(3);
    const runId = /troupe answer (\S+) draft/.exec(waiting?.stderr ?? '')?.[1] ?? '';
    const refused = await exec(process.execPath, [cli, 'answer', runId, 'draft', 'this', '--model', 'demo'], {
      cwd: dir,
      env: bare,
    }).then(() => undefined, failed);
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toContain(
      `Run \`${runId}\` started on model \`first-model\` at ${server.baseURL}, not \`demo\``,
    );
    expect(refused?.stderr).toContain(`--model first-model --base-url ${server.baseURL}`);
    const answered = await exec(process.execPath, [cli, 'answer', runId, 'draft', 'this'], { cwd: dir, env: bare });
    expect(answered.stderr).toContain('model: `first-model`');
    expect(answered.stdout).toContain('Final answer from first-model');
  });

  it('Ctrl-C leaves the run resumable, says how, and resume finishes it', async () => {
    const log = tmp.file('interrupted.db');
    const proc = spawn(
      process.execPath,
      [cli, 'run', "post 'stop me' to all social platforms", '--json', '--latency', '60000', '--log', log],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: bare,
      },
    );
    let stderr = '';
    proc.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    let runId = '';
    let started = 0;
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as TroupeEvent;
      runId = event.runId;
      if (event.type === 'task.started' && ++started === 3) proc.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain(`continue it with: troupe resume ${runId} --log ${log}`);
    const resumed = await exec(process.execPath, [cli, 'resume', runId, '--log', log, '--json'], { env: bare });
    expect(
      resumed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    ).toContain('run.completed');
  });
});
