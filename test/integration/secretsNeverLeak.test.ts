import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EventOf } from '../../src/events/types.js';
import { createLogger, logEvents } from '../../src/log/logger.js';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import type { ProcessRequest, SynthesizeRequest } from '../../src/model/Model.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { createRedactor } from '../../src/security/redactor.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { piiSamples } from '../fixtures/security/pii.js';
import { configuredSecret, secretSamples } from '../fixtures/security/secrets.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/** Every value that must not survive, with a line of text that carries it. */
const samples = [
  ...secretSamples.map((s) => ({ kind: s.kind, text: s.text, value: s.secret })),
  ...piiSamples.map((s) => ({ kind: s.kind, text: s.text, value: s.value })),
  { kind: 'SECRET_VALUE', text: `db password ${configuredSecret.value}`, value: configuredSecret.value },
];
const corpus = samples.map((s) => s.text).join('\n');

/** The values found in `text`, as written or JSON-escaped. */
function survivors(text: string): string[] {
  return samples
    .filter((s) => text.includes(s.value) || text.includes(JSON.stringify(s.value).slice(1, -1)))
    .map((s) => `${s.kind}: ${s.value}`);
}

describe('secrets and personal data never reach the log, the logger, the prompts or the CLI', () => {
  // The CLI records to `.troupe/events.db` under its working directory.
  const cliDir = mkdtempSync(join(tmpdir(), 'troupe-cli-secrets-'));
  const previous = process.env[configuredSecret.name];
  beforeAll(() => {
    process.env[configuredSecret.name] = configuredSecret.value;
  });
  afterAll(() => {
    rmSync(cliDir, { recursive: true, force: true });
    if (previous === undefined) delete process.env[configuredSecret.name];
    else process.env[configuredSecret.name] = previous;
  });

  it(`covers ${samples.length} values of ${new Set(samples.map((s) => s.kind)).size} kinds`, () => {
    expect(new Set(secretSamples.map((s) => s.kind)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(piiSamples.map((s) => s.kind)).size).toBeGreaterThanOrEqual(6);
  });

  it('through a goal, a tool result, a model output, an answer and a log line, read back from the SQLite file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'troupe-leak-')), 'events.db');
    const prompts: string[] = [];
    const lookup = defineTool({
      name: 'lookup',
      description: 'returns customer records',
      input: z.object({ q: z.string() }),
      run: () => ({
        records: samples.map((s) => ({ note: s.text })),
        apiKey: 'k-not-shown-anywhere',
        nested: { authorization: 'Basic not-shown-either' },
      }),
    });
    const model = scriptedModel({
      plan: () => ({
        tasks: [
          { id: 'fetch', description: 'look up the customer', kind: 'tool_call', tool: 'lookup', input: { q: corpus } },
          { id: 'think', description: 'summarise the records', kind: 'processing', dependsOn: ['fetch'] },
        ],
      }),
      process: (_task, request: ProcessRequest) => {
        prompts.push(JSON.stringify(request));
        return `summary:\n${corpus}`;
      },
      synthesize: (_goal, _results, request: SynthesizeRequest) => {
        prompts.push(JSON.stringify(request));
        return `answer:\n${corpus}`;
      },
    });
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      write: (line) => lines.push(line),
      redactor: createRedactor({ values: [configuredSecret.value] }),
    });
    const runtime = createRuntime({
      log: sqliteLog(file),
      model,
      tools: [lookup],
      redaction: { secretEnv: [configuredSecret.name] },
    });
    const logging = logEvents(runtime.events$, logger);
    const handle = runtime.run(`Check these records:\n${corpus}`);
    const result = await handle.result;
    logger.forRun(handle.runId).error(`finished: ${corpus}`, { result, corpus: samples.map((s) => s.text) });
    expect(result.status).toBe('completed');

    const replayed = await runtime.replay(handle.runId);
    logging.unsubscribe();
    await runtime.close();

    // Live state is what a replay of the log rebuilds: both redacted.
    expect(JSON.stringify([...replayed.tasks.values()].map((t) => t.output))).toBe(
      JSON.stringify(result.tasks.map((t) => t.output)),
    );
    expect(replayed.answer).toBe(result.answer);
    expect(survivors(JSON.stringify(result))).toEqual([]);
    expect(survivors(prompts.join('\n'))).toEqual([]);
    expect(prompts[0]).toContain('<untrusted_data');
    expect(survivors(lines.join('\n'))).toEqual([]);
    expect(lines.length).toBeGreaterThan(5);

    const reader = sqliteLog(file, { readOnly: true });
    const events = await reader.read(handle.runId);
    await reader.close();
    expect(survivors(JSON.stringify(events))).toEqual([]);
    const bytes = [file, `${file}-wal`]
      .filter(existsSync)
      .map((f) => readFileSync(f).toString('utf8'))
      .join('');
    expect(survivors(bytes)).toEqual([]);
    expect(bytes).not.toContain('k-not-shown-anywhere');

    const fetched = events.find(
      (e): e is EventOf<'task.completed'> => e.type === 'task.completed' && e.taskId === 'fetch',
    );
    expect(fetched?.output).not.toHaveProperty('apiKey');
    expect(fetched?.redactions).toEqual(
      expect.arrayContaining([
        { path: 'output.apiKey', kind: 'SENSITIVE_KEY' },
        { path: 'output.nested.authorization', kind: 'SENSITIVE_KEY' },
        { path: 'output.records[0].note', kind: 'OPENAI_KEY' },
      ]),
    );
    const kinds = new Set(fetched?.redactions?.map((r) => r.kind));
    for (const s of samples) expect(kinds).toContain(s.kind === 'BASIC_AUTH' ? 'BASIC_AUTH' : s.kind);
  });

  it('through an answer to a clarification', async () => {
    const runtime = createRuntime({
      model: scriptedModel({
        plan: () => ({
          tasks: [{ id: 'ask', description: 'ask', kind: 'clarification', input: { question: 'Who?' } }],
        }),
      }),
      redaction: { secretEnv: [configuredSecret.name] },
    });
    const handle = runtime.run('ask who to contact');
    await new Promise<void>((resolve) => {
      const sub = handle.events$.subscribe((e) => {
        if (e.type === 'task.clarification_requested') {
          sub.unsubscribe();
          resolve();
        }
      });
    });
    await handle.answer('ask', corpus);
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(survivors(JSON.stringify(result))).toEqual([]);
    await runtime.close();
  });

  it('through the CLI, on stdout and stderr, as JSON lines and as text', async () => {
    // A project whose model answers any goal (the demo model refuses goals it does not know) and echoes it back.
    const index = new URL('../../dist/src/index.js', import.meta.url).href;
    writeFileSync(
      join(cliDir, 'troupe.config.mjs'),
      `import { defineConfig, scriptedModel } from ${JSON.stringify(index)};\n` +
        'export default defineConfig({ model: scriptedModel({ process: (task, req) => "checked: " + req.goal }) });\n',
    );
    const env = {
      ...process.env,
      TROUPE_SECRET_ENV: configuredSecret.name,
      [configuredSecret.name]: configuredSecret.value,
    };
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [cli, ...args], { env, cwd: cliDir }).catch(
        (err: { stdout: string; stderr: string }) => err,
      );
    const json = await run(['run', `Check these records: ${corpus}`, '--json']);
    expect(json.stdout).toContain('"type":"run.completed"');
    const text = await run(['run', `Check these records: ${corpus}`]);
    expect(text.stdout).toContain('run completed');
    // A usage error echoes the argument it refuses: redacted too.
    const usage = await run(['run', 'hello', '--concurrency', corpus]);
    expect(usage.stderr).toContain('--concurrency');
    for (const output of [json, text, usage]) {
      expect(survivors(output.stdout)).toEqual([]);
      expect(survivors(output.stderr)).toEqual([]);
    }
    const db = join(cliDir, '.troupe', 'events.db');
    expect(existsSync(db)).toBe(true);
    expect(survivors(readFileSync(db, 'latin1'))).toEqual([]);
  });
});
