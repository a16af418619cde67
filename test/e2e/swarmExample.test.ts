import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const example = fileURLToPath(new URL('../../dist/examples/swarm/main.js', import.meta.url));

describe('examples/swarm', () => {
  it('prints a timeline with a rejected draft, an approved review and an OCC conflict, and exits 0', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [example], { timeout: 20_000 });
    expect(stdout).toMatch(/Judge: draft-rust rejected \(score 0\.4/);
    expect(stdout).toMatch(/draft-rust retried in \d+ ms: The Judge scored 0\.4/);
    expect(stdout).toMatch(/Judge: draft-rust accepted/);
    expect(stdout).toMatch(/Judge: draft-climate review \(score 0\.78/);
    expect(stdout).toMatch(/review rv-[0-9a-f]{12} approved \("fine for this audience"\)/);
    expect(stdout).toMatch(/OCCConflict: research-(rust|ai-agents) wrote `trending` at v0, stored v1/);
    expect(stdout.match(/OCCConflict/g)).toHaveLength(1);
    expect(stdout).toContain('run completed');
    expect(stdout).toContain('global state `trending` at v2: ');
  });
});
