import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChatRequestBody,
  type OpenAIServer,
  type ServerReply,
  startOpenAIServer,
} from '../support/openaiServer.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const exec = promisify(execFile);

/** Plans one processing step that asks for the tone until the human answered. */
function writer(body: ChatRequestBody): ServerReply {
  if (body.response_format !== undefined) {
    return { content: JSON.stringify({ tasks: [{ id: 'draft', description: 'Draft the post', kind: 'processing' }] }) };
  }
  const system = body.messages[0]?.content ?? '';
  const user = body.messages.at(-1)?.content ?? '';
  if (system.startsWith('Write the final answer')) return { content: `Final: ${/Drafted[^"\\\n]*/.exec(user)?.[0]}` };
  const answer = /The human answered your question: (.*)/.exec(user)?.[1];
  if (answer === undefined) return { toolCall: { name: 'ask_clarification', arguments: '{"question":"Which tone?"}' } };
  return { content: `Drafted in a ${answer} tone` };
}

let server: OpenAIServer;
let dir: string;
beforeAll(async () => {
  server = await startOpenAIServer(writer);
  dir = mkdtempSync(join(tmpdir(), 'troupe-cli-clarify-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('troupe run on a real model that asks a question, without a terminal', () => {
  it('exits 3 saying how to answer, and `troupe answer` resumes the run to the end', async () => {
    const log = join(dir, 'events.db');
    const flags = ['--model', 'local-model', '--base-url', server.baseURL, '--log', log];
    const env = { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '' };
    const run = exec(process.execPath, [cli, 'run', 'write the launch post', ...flags], { env });
    const failure = await run.then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(3);
    const hint = /troupe answer (\S+) draft "<your answer>" --log/.exec(failure?.stderr ?? '');
    expect(failure?.stderr).toContain('waits for an answer to task `draft`: Which tone?');
    expect(hint).not.toBeNull();
    // The hint names the model the run is on, so the answer does not continue on another.
    expect(failure?.stderr).toContain(`--model local-model --base-url ${server.baseURL}`);

    const runId = hint?.[1] as string;
    const { stdout } = await exec(process.execPath, [cli, 'answer', runId, 'draft', 'formal', ...flags], { env });
    expect(stdout).toContain('Final: Drafted in a formal tone');
  });

  it('refuses `troupe answer` without the answer, saying what it expects', async () => {
    const call = exec(process.execPath, [cli, 'answer', 'some-run', 'draft', '--log', join(dir, 'other.db')]);
    await expect(call).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Expected a run id, a task id and the answer'),
    });
  });
});
