import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';

/** One option of a `troupe` command, as its help lists it. */
export interface OptionSpec {
  /** A flag (`--json`) or an option with a value (`--log <file>`). */
  type: 'boolean' | 'string';
  /** What the option does, one line. */
  description: string;
  /** The value's name in the help, e.g. `file` for `--log <file>`. @default 'value' */
  value?: string;
  /** What applies when the option is not given, as the help shows it. @default none */
  default?: string;
}

/** A command's arguments after parsing: option values by name, and the positionals. */
export interface ParsedArgs {
  values: Readonly<Record<string, string | boolean | undefined>>;
  positionals: readonly string[];
}

/** One `troupe` subcommand: its usage, options and what it does. */
export interface Command {
  /** The usage line's arguments after the command name, e.g. `<runId>`; empty when it takes none. */
  args: string;
  /** What the command does, one line. */
  summary: string;
  /** Every option the command takes, by long name. */
  options: Readonly<Record<string, OptionSpec>>;
  /** Runs the command on its parsed arguments; resolves with the exit code. */
  run(args: ParsedArgs): Promise<number>;
}

/**
 * A command line that does not fit the command (an unknown option, a missing argument, a
 * value of the wrong form): the CLI prints it with the command's usage and exits 2.
 */
export class UsageError extends ConfigError {
  constructor(issue: string, options?: { cause?: unknown }) {
    super([issue], options);
    this.name = 'UsageError';
  }
}

/** The options every command takes. */
export const commonOptions: Readonly<Record<string, OptionSpec>> = {
  config: {
    type: 'string',
    value: 'file',
    description: 'the project file (troupe.config.js/.mjs/.ts/.json)',
    default: 'TROUPE_CONFIG, else troupe.config.* in the current directory',
  },
  help: { type: 'boolean', description: 'show this help' },
};

/** The usage line of `troupe <name>`, options included. */
export function usageLine(name: string, command: Command): string {
  const options = Object.entries(command.options).map(([flag, spec]) =>
    spec.type === 'boolean' ? `[--${flag}]` : `[--${flag} <${spec.value ?? 'value'}>]`,
  );
  return ['troupe', name, command.args, ...options].filter((part) => part !== '').join(' ');
}

/**
 * The help of `troupe <name> --help`: summary, usage, then each option with its default.
 *
 * @example
 * commandHelp('runs', runsCommand)
 * // => "troupe runs — every run in a log…\n\nUsage: troupe runs [--log <file>] [--json]\n\nOptions:\n  --log <file>  …  (default: .troupe/events.db)"
 */
export function commandHelp(name: string, command: Command): string {
  const all = { ...command.options, ...commonOptions };
  const heads = Object.entries(all).map(([flag, spec]) =>
    spec.type === 'boolean' ? `--${flag}` : `--${flag} <${spec.value ?? 'value'}>`,
  );
  const width = Math.max(...heads.map((h) => h.length));
  const lines = Object.values(all).map((spec, i) => {
    const fallback = spec.default === undefined ? '' : ` (default: ${spec.default})`;
    return `  ${(heads[i] ?? '').padEnd(width)}  ${spec.description}${fallback}`;
  });
  return `troupe ${name} — ${command.summary}\n\nUsage: ${usageLine(name, command)}\n\nOptions:\n${lines.join('\n')}\n`;
}

/** Parses `argv` for `command`; a command line that does not fit is a `UsageError`. */
export function parseCommandArgs(argv: readonly string[], command: Command): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries({ ...command.options, ...commonOptions }).map(([flag, spec]) => [flag, { type: spec.type }]),
  );
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
}

/** A string option's value, or `undefined` when it was not given. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Reads a numeric option, a `UsageError` naming it when it is not an integer ≥ `min`. */
export function intOption(args: ParsedArgs, name: string, min: number): number | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min)
    throw new UsageError(`Expected \`--${name}\` to be an integer ≥ ${min}, got \`${value}\``);
  return n;
}

/** The positionals, a `UsageError` unless there are exactly as many as `names` lists. */
export function exactPositionals(args: ParsedArgs, names: readonly string[]): string[] {
  if (args.positionals.length !== names.length) {
    throw new UsageError(`Expected ${names.join(', ')}, got ${args.positionals.length} argument(s)`);
  }
  return [...args.positionals];
}
