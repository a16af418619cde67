import { ConfigError } from '../errors.js';
import type { Model } from './Model.js';
import { type OpenAIModelOptions, openaiModel } from './openaiModel.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Loads a `.env` file into `process.env` with Node's own `process.loadEnvFile` (Node ≥ 20.12;
 * variables already set are kept). A missing file, or a Node without the function, loads
 * nothing and returns `false`; an unreadable or malformed file is a `ConfigError`.
 *
 * @example
 * loadEnv(); // reads ./.env when there is one
 * // => true
 */
export function loadEnv(path = '.env'): boolean {
  const load = (process as { loadEnvFile?: (path: string) => void }).loadEnvFile;
  if (typeof load !== 'function') return false;
  try {
    load(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new ConfigError([`Could not load \`${path}\`: ${(err as Error).message}`], { cause: err });
  }
}

/** Options of `openaiModelFromEnv`: those of `openaiModel`, plus where the `.env` file is. */
export interface ModelFromEnvOptions extends OpenAIModelOptions {
  /** The `.env` file to load first; `false` loads none. @default '.env' */
  envFile?: string | false;
}

/**
 * An `openaiModel` configured from the environment when `OPENAI_API_KEY` or `OPENAI_BASE_URL`
 * is set (after loading `.env`), else `undefined`, so callers fall back to an offline model:
 * `openaiModelFromEnv() ?? demoModel()`.
 *
 * @example
 * // OPENAI_BASE_URL=http://127.0.0.1:11434/v1 TROUPE_MODEL=llama3.2
 * openaiModelFromEnv()?.name
 * // => 'llama3.2'
 */
export function openaiModelFromEnv(options: ModelFromEnvOptions = {}): Model | undefined {
  const { envFile = '.env', ...rest } = options;
  if (envFile !== false && options.env === undefined) loadEnv(envFile);
  const env: Env = options.env ?? process.env;
  if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL && rest.apiKey === undefined && rest.baseURL === undefined) {
    return undefined;
  }
  return openaiModel({ ...rest, env });
}
