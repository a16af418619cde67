#!/usr/bin/env node
import { TroupeError } from '../errors.js';
import { redactionSafeguard } from '../security/redactStream.js';
import type { Command } from './command.js';
import { answerCommand } from './commands/answer.js';
import { dashboardCommand } from './commands/dashboard.js';
import { replayCommand } from './commands/replay.js';
import { resumeCommand } from './commands/resume.js';
import { approveCommand, rejectCommand, reviewsCommand } from './commands/reviews.js';
import { runCommand } from './commands/run.js';
import { runsCommand } from './commands/runs.js';

/** Every `troupe` subcommand, by name. */
const commands: Record<string, Command> = {
  run: runCommand,
  dashboard: dashboardCommand,
  reviews: reviewsCommand,
  approve: approveCommand,
  reject: rejectCommand,
  answer: answerCommand,
  runs: runsCommand,
  resume: resumeCommand,
  replay: replayCommand,
};

const usage = `troupe — an actor-model runtime for AI-agent orchestration

Usage:
${Object.values(commands)
  .map((c) => `  troupe ${c.usage}`)
  .join('\n')}

Run \`troupe <command> --help\` for a command's options.`;

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(
      `troupe: unknown command \`${name}\`; expected one of ${Object.keys(commands).join(', ')}\n\n${usage}\n`,
    );
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`Usage: troupe ${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}

// Whatever a command prints, on stdout or stderr, secrets and personal data are redacted on the way out.
redactionSafeguard();

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message =
      err instanceof TroupeError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`troupe: ${message}\n`);
    process.exitCode = 1;
  },
);
