import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, shows } from '../support/readmeBlocks.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const blocks = codeBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
const fileOf = (line: number) => `line-${line}`;

// Blocks import `troupe` as a user would: the package's own entry (dist/, built by `npm test`'s
// pretest step), resolved by self-reference from a directory inside the package.
describe('every TypeScript block of the README', () => {
  const dir = mkdtempSync(join(root, '.readme-'));
  const cwd = mkdtempSync(join(tmpdir(), 'troupe-readme-'));
  let compiled: { ok: boolean; output: string } = { ok: false, output: '' };

  beforeAll(async () => {
    for (const block of blocks)
      writeFileSync(join(dir, `${fileOf(block.line)}.${block.lang}`), `${block.code}\nexport {};\n`);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../tsconfig.json',
        compilerOptions: {
          rootDir: '.',
          outDir: 'out',
          allowJs: true,
          checkJs: true,
          declaration: false,
          sourceMap: false,
          inlineSources: false,
        },
        include: ['*.ts', '*.js'],
      }),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    try {
      const { stdout } = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { timeout: 120_000 });
      compiled = { ok: true, output: stdout };
    } catch (err) {
      compiled = { ok: false, output: String((err as { stdout?: string }).stdout ?? err) };
    }
  }, 130_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  });

  it('finds the blocks, and the package entry they import is built', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    expect(existsSync(join(root, 'dist/src/index.js'))).toBe(true);
  });

  it('type-checks every block against the package', () => {
    expect(compiled.output).toBe('');
    expect(compiled.ok).toBe(true);
  });

  const env = { ...process.env };
  for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'TROUPE_MODEL', 'DATABASE_URL']) delete env[name];

  // A few at a time: each is a Node process that mostly waits on its own start-up.
  it.concurrent.each(blocks.filter((b) => !b.flags.includes('no-run')).map((b) => [b.line, b] as const))(
    'runs the block at line %i offline and prints what it shows',
    async (_line, block) => {
      expect(compiled.ok).toBe(true);
      const file = join(dir, 'out', `${fileOf(block.line)}.js`);
      const { stdout } = await run(process.execPath, [file], { cwd, env, timeout: 50_000 });
      for (const expected of block.expected) {
        expect(shows(stdout, expected), `expected the output to show \`${expected}\`; it was:\n${stdout}`).toBe(true);
      }
    },
    60_000,
  );
});
