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
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
