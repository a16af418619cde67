import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type McpToolset, mcpTools, scriptedModel } from '../../src/index.js';

const bin = (pkg: string) =>
  fileURLToPath(new URL(`../../node_modules/@modelcontextprotocol/${pkg}/dist/index.js`, import.meta.url));
const context = () => ({ signal: new AbortController().signal, idempotencyKey: 'key', runId: 'run', taskId: 'task' });

describe('MCP: @modelcontextprotocol/server-everything over stdio', () => {
  let everything: McpToolset;
  beforeAll(async () => {
    everything = await mcpTools({
      name: 'everything',
      command: process.execPath,
      args: [bin('server-everything'), 'stdio'],
    });
  });
  afterAll(() => everything.close());

  const tool = (name: string) => {
    const found = everything.tools.find((t) => t.name === `everything_${name}`);
    if (found === undefined) throw new Error(`no tool ${name} in ${everything.tools.map((t) => t.name).join(', ')}`);
    return found;
  };

  it('lists the server’s tools, prefixed by the server’s name', () => {
    const names = everything.tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['everything_echo', 'everything_get-sum']));
    expect(names.every((n) => n.startsWith('everything_'))).toBe(true);
  });

  it('calls tools with validated input', async () => {
    await expect(tool('echo').call({ message: 'hi there' }, context())).resolves.toContain('hi there');
    await expect(tool('get-sum').call({ a: 2, b: 40 }, context())).resolves.toContain('42');
  });

  it('refuses input that fails the server’s JSON Schema before calling', async () => {
    await expect(tool('get-sum').call({ a: 'two', b: 40 }, context())).rejects.toMatchObject({
      code: 'TOOL_INPUT_INVALID',
    });
  });

  it('fails the attempt with TOOL_FAILED when the server’s tool errors', async () => {
    const call = tool('gzip-file-as-resource').call(
      { name: 'x.gz', data: 'ftp://127.0.0.1/x', outputType: 'resource' },
      context(),
    );
    await expect(call).rejects.toMatchObject({
      code: 'TOOL_FAILED',
      message: expect.stringContaining('Unsupported URL protocol'),
    });
  });

  it('completes a long-running operation that reports progress', async () => {
    const result = await tool('trigger-long-running-operation').call({ duration: 0.2, steps: 2 }, context());
    expect(String(result)).toMatch(/completed/i);
  });

  it('lists and reads resources', async () => {
    const resources = await everything.listResources();
    expect(resources.length).toBeGreaterThan(0);
    const text = await everything.readResource((resources[0] as { uri: string }).uri);
    expect(text.length).toBeGreaterThan(0);
  });

  it('names the resource when it cannot be read', async () => {
    await expect(everything.readResource('demo://resource/does-not-exist')).rejects.toMatchObject({
      code: 'MCP_FAILED',
    });
  });

  it('runs a plan whose task calls an MCP tool', async () => {
    const runtime = createRuntime({
      tools: everything.tools,
      model: scriptedModel({
        plan: () => ({
          tasks: [
            { id: 'sum', description: 'add', kind: 'tool_call', tool: 'everything_get-sum', input: { a: 1, b: 2 } },
          ],
        }),
      }),
    });
    const result = await runtime.run('add 1 and 2').result;
    expect(result.status).toBe('completed');
    expect(String(result.tasks[0]?.output)).toContain('3');
    await runtime.close();
  });
});

describe('MCP: @modelcontextprotocol/server-filesystem on a temporary folder', () => {
  let dir: string;
  let fs: McpToolset;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'troupe-mcp-'));
    await writeFile(join(dir, 'notes.txt'), 'remember the milk');
    fs = await mcpTools({ name: 'fs', command: process.execPath, args: [bin('server-filesystem'), dir] });
  });
  afterAll(async () => {
    await fs.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and writes files inside the allowed folder', async () => {
    const read =
      fs.tools.find((t) => t.name === 'fs_read_text_file') ?? fs.tools.find((t) => t.name === 'fs_read_file');
    const write = fs.tools.find((t) => t.name === 'fs_write_file');
    expect(read).toBeDefined();
    expect(JSON.stringify(await read!.call({ path: join(dir, 'notes.txt') }, context()))).toContain(
      'remember the milk',
    );
    await write!.call({ path: join(dir, 'out.txt'), content: 'written by troupe' }, context());
    expect(await readFile(join(dir, 'out.txt'), 'utf8')).toBe('written by troupe');
  });

  it('surfaces the server’s refusal of a path outside the folder as TOOL_FAILED', async () => {
    const read =
      fs.tools.find((t) => t.name === 'fs_read_text_file') ?? fs.tools.find((t) => t.name === 'fs_read_file');
    await expect(read!.call({ path: '/etc/hostname' }, context())).rejects.toMatchObject({ code: 'TOOL_FAILED' });
  });
});
