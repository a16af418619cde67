import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Examples import the package by name, as a user would; tests run them on the sources.
    alias: [{ find: /^troupe$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/pgGlobalSetup.ts'],
    // Tests wait for states, never for time; these limits only catch a hang, and are wide enough
    // for a loaded 2-core machine, where a fresh CLI process alone can take seconds to start.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
