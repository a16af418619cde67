import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findProjectFile } from '../../config/projectFile.js';
import { ConfigError } from '../../errors.js';
import type { Command } from '../command.js';

/** The starter project file `troupe init` writes. */
export const starterConfig = `// The project file every \`troupe\` command reads (or pass --config <file>).
import { defineConfig, defineTool } from 'troupe';
import { z } from 'zod';

const countWords = defineTool({
  name: 'countWords',
  description: 'Counts the words of a text',
  input: z.object({ text: z.string() }),
  run: ({ text }) => ({ words: text.split(/\\s+/).filter((word) => word !== '').length }),
});

export default defineConfig({
  tools: [countWords],
  // Without a model here the CLI uses OPENAI_API_KEY / OPENAI_BASE_URL / TROUPE_MODEL (environment
  // or .env), else the offline demo model. A local server, for instance Ollama:
  // model: { name: 'llama3.2', baseURL: 'http://127.0.0.1:11434/v1' },
  concurrency: 4,
  log: '.troupe/events.db',
});
`;

/**
 * `troupe init`: writes a starter `troupe.config.mjs` with one tool into the current directory.
 * It refuses to replace a project file that exists unless `--force` is given.
 */
export const initCommand: Command = {
  args: '',
  summary: 'write a starter troupe.config.mjs with one tool',
  options: { force: { type: 'boolean', description: 'replace an existing troupe.config.mjs', default: 'false' } },
  async run(args) {
    const file = resolve('troupe.config.mjs');
    const existing = findProjectFile(process.cwd());
    if (existing !== undefined && !(args.values.force === true && existing === file)) {
      throw new ConfigError([
        `Expected no project file here, found \`${existing}\`; edit it, or pass --force to replace troupe.config.mjs`,
      ]);
    }
    writeFileSync(file, starterConfig);
    process.stdout.write(
      `wrote ${file}\n` +
        'next: give it a model (OPENAI_API_KEY in .env, or `model` in the file), then\n' +
        '  npx troupe run "count the words of \'hello brave new world\'"\n',
    );
    return 0;
  },
};
