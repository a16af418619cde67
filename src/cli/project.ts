import { readFileSync } from 'node:fs';
import { type LoadedConfig, loadConfig } from '../config/loadConfig.js';
import { findProjectFile, loadProjectFile, type ProjectFile } from '../config/projectFile.js';
import { loadEnv } from '../model/modelFromEnv.js';
import { type ParsedArgs, stringOption, UsageError } from './command.js';

/** Where the CLI keeps its event log unless `--log`, the project file or `TROUPE_LOG` say otherwise. */
export const defaultLogFile = '.troupe/events.db';

/** What a `troupe` command works with: the project file, the validated settings and the log. */
export interface CliProject {
  /** The project file read, if any. */
  file: string | undefined;
  /** The settings of the project file, `TROUPE_*` env vars and `.env`, validated. */
  loaded: LoadedConfig;
  /** The tools, model object, Judge, budget and limits the project file gives. */
  code: ProjectFile['code'];
  /** The event log: `--log`, else `log` of the project file or `TROUPE_LOG`, else `.troupe/events.db`. */
  logFile: string;
  /** Where the model settings come from: the project file when it names a model, else the environment. */
  modelSource: string;
  /** Whether the log file was chosen by `--log` (commands repeat it in the hints they print). */
  logGiven: boolean;
  /**
   * The PostgreSQL log, when `--database-url` or `TROUPE_DATABASE_URL` names one: then it, not
   * `logFile`, is the log every command opens. An explicit `--log` wins over the env var.
   */
  databaseUrl: string | undefined;
  /** The environment the settings were read from, `.env` included. */
  env: Readonly<Record<string, string | undefined>>;
}

function fileNamesModel(file: string, project: ProjectFile | undefined): boolean {
  if (project?.settings !== undefined) return project.settings.model !== undefined || project.code.model !== undefined;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { model?: unknown }).model !== undefined;
  } catch {
    return false;
  }
}

/**
 * Opens the project of a command: loads `.env` into the environment, finds the project file
 * (`--config`, else `TROUPE_CONFIG`, else `troupe.config.*` in the current directory), and
 * validates its settings with the `TROUPE_*` env vars. Every bad field is one `ConfigError`.
 *
 * @example
 * const project = await openProject({ values: { log: 'x.db' }, positionals: [] });
 * project.logFile
 * // => 'x.db'
 */
export async function openProject(args: ParsedArgs, cwd: string = process.cwd()): Promise<CliProject> {
  loadEnv();
  const env = process.env;
  const given = stringOption(args, 'config') ?? (env.TROUPE_CONFIG || undefined);
  const file = given ?? findProjectFile(cwd);
  const project = file === undefined ? undefined : await loadProjectFile(file);
  const loaded = loadConfig({
    env,
    file: file ?? false,
    ...(project?.settings === undefined ? {} : { fileSettings: project.settings }),
  });
  const logFlag = stringOption(args, 'log');
  const urlFlag = stringOption(args, 'database-url');
  if (logFlag !== undefined && urlFlag !== undefined)
    throw new UsageError('Expected either `--log <file>` (SQLite) or `--database-url <url>` (PostgreSQL), got both');
  const databaseUrl = urlFlag ?? (logFlag === undefined ? env.TROUPE_DATABASE_URL || undefined : undefined);
  return {
    file,
    loaded,
    code: project?.code ?? {},
    logFile: logFlag ?? loaded.config.log ?? defaultLogFile,
    logGiven: logFlag !== undefined,
    databaseUrl,
    modelSource: file !== undefined && fileNamesModel(file, project) ? file : 'the environment',
    env,
  };
}
