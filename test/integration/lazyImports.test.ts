import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tempLog.js';

const entry = new URL('../../dist/src/index.js', import.meta.url).href;
const heavy = [
  '/node_modules/openai/',
  '/node_modules/@modelcontextprotocol/',
  '/node_modules/better-sqlite3/',
  '/node_modules/pg/',
  // Loaded only once an application registers something with it (an SDK, a context manager).
  '/node_modules/@opentelemetry/',
  '/node_modules/bottleneck/',
  // rxjs's entry loads every operator; troupe reads the few files it uses (src/util/rx.ts).
  '/node_modules/rxjs/dist/cjs/index.js',
  // …and of those, the operators a run never calls only when called (src/util/rx.ts `later`).
  '/node_modules/rxjs/dist/cjs/internal/operators/mergeMap.js',
  '/node_modules/rxjs/dist/cjs/internal/operators/toArray.js',
  // troupe's own: the dashboard (server, routes, page) loads when one is served.
  '/dist/actors/ui.js',
  '/dist/src/ui/routes.js',
  '/dist/src/ui/assets/',
  '/dist/src/mcp/McpConnection.js',
];

/** The module URLs a fresh process loads while it runs `script` (ESM through a resolve hook, CommonJS through require). */
async function loadedBy(dir: string, script: string): Promise<string[]> {
  const record = join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const resolved = await next(specifier, context);\n  appendFileSync(${JSON.stringify(record)}, resolved.url + '\\n');\n  return resolved;\n}\n`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${hooks}`).href)});\n`,
  );
  const main = join(dir, `main-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    main,
    `import { createRequire } from 'node:module';\nconst troupe = await import(${JSON.stringify(entry)});\n${script}\nconst cjs = Object.keys(createRequire(import.meta.url).cache);\nconsole.log(JSON.stringify(cjs));\n`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', register, main]);
  const esm = readFileSync(record, 'utf8').trim().split('\n');
  return [...esm, ...(JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as string[])];
}

describe("import 'troupe' loads the heavy parts only when they are used", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('troupe-lazy-');
  });
  afterAll(() => tmp.remove());

  it('loads neither openai, the MCP SDK, better-sqlite3, pg, OpenTelemetry, bottleneck nor all of rxjs for createRuntime on a memoryLog and a run', async () => {
    const loaded = await loadedBy(
      tmp.dir,
      "const runtime = troupe.createRuntime({ log: troupe.memoryLog(), model: troupe.scriptedModel({ plan: () => ({ tasks: [{ id: 'a', description: 'think', kind: 'processing' }] }) }) });\n" +
        "const result = await runtime.run('think').result;\n" +
        "if (result.status !== 'completed') throw new Error(result.status);\n" +
        'await runtime.close();',
    );
    expect(loaded.some((url) => url.includes('/node_modules/zod/'))).toBe(true);
    for (const part of heavy)
      expect(
        loaded.filter((url) => url.includes(part)),
        part,
      ).toEqual([]);
  });

  it('loads better-sqlite3 once a sqliteLog is opened, openai once an openai model is called, bottleneck once a limiter is made, the dashboard once served', async () => {
    const file = join(tmp.dir, 'events.db');
    const loaded = await loadedBy(
      tmp.dir,
      `const log = troupe.sqliteLog(${JSON.stringify(file)}); await log.close();\n` +
        "const model = troupe.openaiModel({ baseURL: 'http://127.0.0.1:9/v1', model: 'm', retry: { maxRetries: 0 } });\n" +
        "await model.complete({ purpose: 'synthesize', goal: 'g', messages: [], results: [] }, { signal: AbortSignal.timeout(2000) }).catch(() => {});\n" +
        'troupe.modelLimiter({ requestsPerSecond: 5 });\n' +
        'const runtime = troupe.createRuntime({ log: troupe.memoryLog() });\n' +
        'await runtime.serve({ port: 0 });\n' +
        'await runtime.close();',
    );
    expect(loaded.some((url) => url.includes('/dist/src/ui/routes.js'))).toBe(true);
    expect(loaded.some((url) => url.includes('/node_modules/bottleneck/'))).toBe(true);
    expect(loaded.some((url) => url.includes('/node_modules/better-sqlite3/'))).toBe(true);
    expect(loaded.some((url) => url.includes('/node_modules/openai/'))).toBe(true);
    expect(loaded.some((url) => url.includes('/node_modules/@modelcontextprotocol/'))).toBe(false);
  });
});
