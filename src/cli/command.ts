import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';

/** One `troupe` subcommand. */
export interface Command {
  /** The usage line, without the leading `troupe `. */
  usage: string;
  /** Runs the command with its arguments; resolves with the exit code. */
  run(argv: readonly string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments with `node:util`'s `parseArgs`; an unknown or malformed
 * option is a `ConfigError` that names it.
 */
export function parseCommandArgs(
  argv: readonly string[],
  options: Options,
  usage: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (err) {
    throw new ConfigError([`${(err as Error).message}\nUsage: troupe ${usage}`], { cause: err });
  }
}

/** Reads a numeric option, naming it when it is not an integer ≥ `min`. */
export function intOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigError([`Expected \`--${name}\` to be an integer ≥ ${min}, got \`${value}\``]);
  return n;
}
