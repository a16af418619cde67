import type { CliModelOptions } from './cliModel.js';
import { intOption, type OptionSpec, type ParsedArgs, stringOption } from './command.js';

/** `--database-url <url>`: a PostgreSQL event log, shared by processes (see `troupe worker`). */
export const databaseUrlOption: Readonly<Record<string, OptionSpec>> = {
  'database-url': {
    type: 'string',
    value: 'url',
    description: 'a PostgreSQL event log (postgres://…) instead of the SQLite file; not with --log',
    default: 'TROUPE_DATABASE_URL, else none',
  },
};

/** `--log <file>` / `--database-url <url>`: the event log a command reads or writes. */
export const logOption: Readonly<Record<string, OptionSpec>> = {
  log: {
    type: 'string',
    value: 'file',
    description: 'the SQLite event log',
    default: '`log` of the project file or TROUPE_LOG, else .troupe/events.db',
  },
  ...databaseUrlOption,
};

/** `--model` / `--base-url`: the model a command runs on. */
export const modelOptions: Readonly<Record<string, OptionSpec>> = {
  model: {
    type: 'string',
    value: 'name',
    description: 'a model of an OpenAI-compatible server; `demo` for the offline demo model',
    default: 'the project file, else TROUPE_MODEL with OPENAI_API_KEY / OPENAI_BASE_URL, else demo',
  },
  'base-url': {
    type: 'string',
    value: 'url',
    description: 'the OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1',
    default: 'OPENAI_BASE_URL, else OpenAI',
  },
};

/** `--json`: JSON lines instead of text. */
export const jsonOption: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', description: 'print JSON lines instead of text', default: 'false' },
};

/** The options of the commands that run a goal: `run`, `resume`, `answer`. */
export const runOptions: Readonly<Record<string, OptionSpec>> = {
  ...jsonOption,
  ...logOption,
  ...modelOptions,
};

/** The options of the commands that execute tasks: `run`, `resume`. */
export const executeOptions: Readonly<Record<string, OptionSpec>> = {
  concurrency: {
    type: 'string',
    value: 'n',
    description: 'tasks of the run that execute at once',
    default: '`concurrency` of the project file or TROUPE_CONCURRENCY, else 16',
  },
  latency: {
    type: 'string',
    value: 'ms',
    description: 'extra latency of every tool call (to watch a run, or stop one mid-way)',
    default: '0',
  },
};

/** `--model` / `--base-url` as `chooseModel` takes them. */
export function modelFlags(args: ParsedArgs): CliModelOptions {
  const model = stringOption(args, 'model');
  const baseURL = stringOption(args, 'base-url');
  return { ...(model === undefined ? {} : { model }), ...(baseURL === undefined ? {} : { baseURL }) };
}

/** `--concurrency` and `--latency` of a command that executes work, read (and checked) from its command line. */
export interface ExecuteFlags {
  concurrency?: number;
  latencyMs?: number;
}

/** Reads `executeOptions` from the command line; a bad value is a `UsageError`. */
export function executeFlags(args: ParsedArgs): ExecuteFlags {
  const concurrency = intOption(args, 'concurrency', 1);
  const latencyMs = intOption(args, 'latency', 0);
  return {
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(latencyMs === undefined ? {} : { latencyMs }),
  };
}
