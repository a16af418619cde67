import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Built by `npm test`'s pretest step, as CI runs it.
const example = fileURLToPath(new URL('../../dist/examples/compose/main.js', import.meta.url));

describe('compose example', () => {
  it('refuses a bad chain, runs the five-tool chain by capability and learns its cost within 10%', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [example], { timeout: 20_000 });
    expect(stdout).toContain('step 2 `extractKeywords` needs input field `title`');
    expect(stdout).toContain('step 1 (fetchPage) failed: TOOL_FAILED');
    expect(stdout).toContain('run completed: 24 pages triaged');
    expect(stdout).toContain('notified: pager 8, slack 8, email 8');
    expect(stdout).toContain('same page again: 0 new notifications (cached)');
    const error = Number(/error ([\d.]+)%/.exec(stdout)?.[1]);
    expect(error).toBeLessThan(10);
  });
});
