import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * troupe's version, from its package.json: the nearest one above this module named `troupe`
 * (the module runs from `src/` in tests and from `dist/src/` once built).
 *
 * @example
 * packageVersion()
 * // => '0.1.0'
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'troupe' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json at this level: look one up.
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}
