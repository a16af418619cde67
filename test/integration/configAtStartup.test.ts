import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

describe('config at start-up', () => {
  it('refuses a bad config before the CLI runs anything, naming every bad field', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'troupe-config-')), 'events.db');
    const env = { ...process.env, TROUPE_CONCURRENCY: 'zero', TROUPE_REDACT_PII: 'perhaps' };
    const outcome = await promisify(execFile)(process.execPath, [cli, 'run', 'hello', '--log', log], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('`concurrency` (env TROUPE_CONCURRENCY)');
    expect(outcome.stderr).toContain('`redaction.pii` (env TROUPE_REDACT_PII)');
  });
});
