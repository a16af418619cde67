#!/usr/bin/env node
import { TroupeError } from '../errors.js';
import { redactionSafeguard } from '../security/redactStream.js';
import { commandHelp, parseCommandArgs, UsageError, usageLine } from './command.js';
import { commands } from './commands.js';
import { packageVersion } from './version.js';

const usage = `troupe — an actor-model runtime for AI-agent orchestration

Usage:
${Object.entries(commands)
  .map(([name, c]) => `  troupe ${`${name} ${c.args}`.trim().padEnd(36)} ${c.summary}`)
  .join('\n')}
  troupe --version

Run \`troupe <command> --help\` for a command's options and their defaults.`;

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(`${usage}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(
      `troupe: unknown command \`${name}\`; expected one of ${Object.keys(commands).join(', ')}\n\n${usage}\n`,
    );
    return 2;
  }
  try {
    const args = parseCommandArgs(rest, command);
    if (args.values.help === true) {
      process.stdout.write(commandHelp(name, command));
      return 0;
    }
    return await command.run(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`troupe ${name}: ${err.message}\nUsage: ${usageLine(name, command)}\n`);
    return 2;
  }
}

// A reader that stops early (`troupe runs --json | head -1`) closes the pipe: that ends the output, not in a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
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
