import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type McpToolset, mcpTools, scriptedModel } from '../../src/index.js';

const faultServer = fileURLToPath(new URL('../support/mcpFaultServer.mjs', import.meta.url));
const context = () => ({ signal: new AbortController().signal, idempotencyKey: 'key', runId: 'run', taskId: 'task' });
const opened: McpToolset[] = [];

async function open(env: Record<string, string> = {}, requestTimeoutMs = 2_000): Promise<McpToolset> {
  const toolset = await mcpTools(
    { name: 'fault', command: process.execPath, args: [faultServer], env },
    { requestTimeoutMs, restartDelayMs: 10 },
  );
  opened.push(toolset);
  return toolset;
}

const tool = (toolset: McpToolset, name: string) => toolset.tools.find((t) => t.name === `fault_${name}`)!;

afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

describe('MCP faults', () => {
  it('names the command when a server cannot start', async () => {
    const failing = mcpTools({ name: 'ghost', command: '/nonexistent/mcp-server', args: ['--stdio'] });
    await expect(failing).rejects.toMatchObject({ code: 'MCP_FAILED' });
    await expect(failing).rejects.toThrow('/nonexistent/mcp-server --stdio');
  });

  it('refuses a bad server name', async () => {
    await expect(mcpTools({ name: '9 lives', command: process.execPath })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it('refuses tools whose prefixed names clash, naming both', async () => {
    await expect(open({ FAULT_CLASH: '1' })).rejects.toThrow(/`dup\.name` and `dup_name`/);
  });

  it('turns a server that never answers into TOOL_TIMEOUT', async () => {
    const toolset = await open({}, 300);
    await expect(tool(toolset, 'hang').call({}, context())).rejects.toMatchObject({ code: 'TOOL_TIMEOUT' });
  });

  it('rejects structured output that fails the declared schema', async () => {
    const toolset = await open();
    await expect(tool(toolset, 'bad_output').call({}, context())).rejects.toMatchObject({
      code: 'TOOL_OUTPUT_INVALID',
    });
  });

  it('fails a call whose server dies mid-call, restarts the server, and the retried task completes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'troupe-mcp-crash-'));
    try {
      const toolset = await open({ CRASH_MARKER: join(dir, 'crashed') });
      const runtime = createRuntime({
        tools: toolset.tools,
        retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5 },
        model: scriptedModel({
          plan: () => ({
            tasks: [{ id: 'c', description: 'crash once', kind: 'tool_call', tool: 'fault_crash', input: {} }],
          }),
        }),
      });
      const handle = runtime.run('survive a crash');
      const types: string[] = [];
      handle.events$.subscribe((e) => types.push(e.type));
      const result = await handle.result;
      expect(result.status).toBe('completed');
      expect(result.tasks[0]?.output).toBe('survived');
      expect(types).toContain('task.retrying');
      await runtime.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a resource that disappears as MCP_FAILED', async () => {
    const toolset = await open();
    await expect(toolset.readResource('fault://vanishing')).resolves.toBe('here for now');
    await expect(toolset.readResource('fault://vanishing')).rejects.toMatchObject({ code: 'MCP_FAILED' });
  });

  it('closes its server when the runtime closes', async () => {
    const toolset = await open();
    const runtime = createRuntime({ tools: toolset.tools, closeWith: [toolset] });
    await runtime.close();
    await expect(tool(toolset, 'crash').call({}, context())).rejects.toThrow(/closed/);
  });
});
