import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tempLog.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

/** A consumer as a strict TypeScript user writes one, importing the package by name. */
const consumer = `import { createRuntime, defineConfig, defineTool, memoryLog, scriptedModel, type RunResult } from 'troupe';
import { z } from 'zod';

const shout = defineTool({
  name: 'shout',
  description: 'Upper-cases a text',
  input: z.object({ text: z.string() }),
  run: ({ text }) => text.toUpperCase(),
});
const model = scriptedModel({
  plan: () => ({ tasks: [{ id: 'loud', description: 'Shout it', kind: 'tool_call', tool: 'shout', input: { text: 'hi' } }] }),
});
export const config = defineConfig({ tools: [shout], concurrency: 2 });
const runtime = createRuntime({ log: memoryLog(), model, tools: [shout] });
const result: RunResult = await runtime.run('shout hi').result;
console.log(JSON.stringify({ status: result.status, output: result.tasks[0]?.output }));
await runtime.close();
`;

describe('the packed package installs into a fresh project, type-checks strictly and runs', () => {
  let tmp: ReturnType<typeof tempDir>;
  let app: string;
  beforeAll(async () => {
    tmp = tempDir('troupe-pack-');
    const { stdout } = await exec(npm, ['pack', '--json', '--pack-destination', tmp.dir], { cwd: repo });
    const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
    app = join(tmp.dir, 'app');
    await exec('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // Only the registry (or npm's cache of it) is needed. Install scripts are skipped: troupe has
    // none, and better-sqlite3 would compile SQLite from source where no prebuilt binary can be
    // fetched; this consumer never loads it (the driver loads with the first sqliteLog).
    await exec(
      npm,
      [
        'install',
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        join(tmp.dir, filename),
        'zod@^4',
        '@types/node@^20',
      ],
      { cwd: app },
    );
  }, 300_000);
  afterAll(() => tmp.remove());

  it('ships LICENSE, declarations and source maps that carry their sources, and builds nothing on install', () => {
    const pkg = join(app, 'node_modules', 'troupe');
    expect(readFileSync(join(pkg, 'LICENSE'), 'utf8')).toContain('MIT License');
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect(manifest.scripts?.prepare).toBeUndefined();
    expect(manifest.peerDependencies?.zod).toMatch(/^\^4/);
    const maps = readdirSync(join(pkg, 'dist', 'src', 'runtime')).filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const parsed = JSON.parse(readFileSync(join(pkg, 'dist', 'src', 'runtime', map), 'utf8')) as {
        sources: string[];
        sourcesContent?: string[];
      };
      expect(parsed.sourcesContent?.length).toBe(parsed.sources.length);
    }
  });

  it('type-checks a consumer with strict and exactOptionalPropertyTypes, library declarations included', async () => {
    writeFileSync(join(app, 'main.ts'), consumer);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          types: ['node'],
          outDir: 'out',
        },
        files: ['main.ts'],
      }),
    );
    const checked = await exec(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app }).then(
      () => '',
      (err: { stdout: string }) => err.stdout,
    );
    // xstate's own declarations do not hold under exactOptionalPropertyTypes; troupe's and the consumer's must.
    const ours = checked.split('\n').filter((line) => /^(main\.ts|node_modules\/troupe\/)/.test(line));
    expect(ours).toEqual([]);
    const { stdout } = await exec(process.execPath, [join(app, 'out', 'main.js')], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ status: 'completed', output: 'HI' });
  }, 120_000);

  it('puts a working `troupe` on the path', async () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await exec(join(app, 'node_modules', '.bin', 'troupe'), ['--version'], { cwd: app });
    expect(stdout.trim()).toBe(pkg.version);
  });
});
