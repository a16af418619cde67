import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { RuntimeOptions } from '../runtime/options.js';
import { type ResolvedAuth, resolveAuth } from '../security/auth.js';
import { compileRules } from '../security/secretPatterns.js';
import { envBindings, type TroupeConfig, troupeConfigSchema } from './configSchema.js';

type Env = Readonly<Record<string, string | undefined>>;
type Bag = Record<string, unknown>;

/** Where `loadConfig` reads from. Later sources win: file, then env, then options. */
export interface LoadConfigOptions {
  /** @default process.env */
  env?: Env;
  /**
   * A JSON config file; `false` reads none.
   * @default env.TROUPE_CONFIG, else `troupe.config.json` when it exists
   */
  file?: string | false;
  /** Values given in code; they win over the file and env. @default {} */
  options?: TroupeConfig;
  /** The settings of a JS/TS project file already imported from `file`: read instead of parsing `file` as JSON. */
  fileSettings?: Record<string, unknown>;
}

/** A validated config, with everything read from env at start-up. */
export interface LoadedConfig {
  config: TroupeConfig;
  /** Every env var the config marks secret: their values are redacted wherever they appear. */
  secretEnv: readonly string[];
  /** Each `auth` entry with its token read. */
  auth: Readonly<Record<string, ResolvedAuth>>;
  /** The config's runtime fields, ready to spread into `createRuntime`. */
  runtimeOptions: RuntimeOptions;
}

const offlineModels = new Set(['scripted', 'demo']);

function isBag(value: unknown): value is Bag {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RegExp);
}

// Later sources win field by field; `sources` remembers where each field came from for errors.
function merge(target: Bag, source: Bag, label: string, sources: Map<string, string>, at: string[] = []): void {
  for (const [key, value] of Object.entries(source)) {
    const path = [...at, key];
    if (isBag(value) && isBag(target[key])) {
      merge(target[key] as Bag, value, label, sources, path);
    } else {
      target[key] = isBag(value) ? structuredClone(value) : value;
      sources.set(path.join('.'), label);
    }
  }
}

function parseEnv(text: string, parse: 'int' | 'string' | 'boolean' | 'list'): unknown {
  if (parse === 'string') return text;
  if (parse === 'list')
    return text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  if (parse === 'boolean')
    return /^(1|true|yes|on)$/i.test(text) ? true : /^(0|false|no|off)$/i.test(text) ? false : text;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

function readFile(path: string, issues: string[]): Bag {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (isBag(parsed)) return parsed;
    issues.push(`Expected config file \`${path}\` to hold a JSON object, got ${JSON.stringify(parsed)?.slice(0, 40)}`);
  } catch (err) {
    issues.push(`Could not read config file \`${path}\`: ${(err as Error).message}`);
  }
  return {};
}

function sourceOf(path: readonly PropertyKey[], sources: Map<string, string>): string {
  for (let n = path.length; n > 0; n--) {
    const label = sources.get(path.slice(0, n).join('.'));
    if (label !== undefined) return label;
  }
  return 'defaults';
}

function valueAt(bag: Bag, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, k) => (isBag(v) ? v[k as string] : undefined), bag);
}

/**
 * Loads troupe's configuration from a JSON file, `TROUPE_*` env vars and options (later wins),
 * validates it against `troupeConfigSchema`, reads every named secret from env and resolves
 * outbound auth — all at start-up. Every problem is reported at once, in one `ConfigError`
 * whose `issues` name each field, where its value came from, the value and what was expected.
 *
 * @example
 * const { runtimeOptions } = loadConfig({ env: { TROUPE_CONCURRENCY: '8' }, file: false });
 * createRuntime({ ...runtimeOptions, model, tools });
 * loadConfig({ env: { TROUPE_CONCURRENCY: 'lots', TROUPE_LOG_LEVEL: 'loud' }, file: false });
 * // => throws ConfigError with 2 issues:
 * //    Expected `concurrency` (env TROUPE_CONCURRENCY) to be valid (…expected number…), got `"lots"`
 * //    Expected `logLevel` (env TROUPE_LOG_LEVEL) to be valid (…), got `"loud"`
 * @param options where to read from
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const issues: string[] = [];
  const sources = new Map<string, string>();
  const merged: Bag = {};
  const file =
    options.file === false
      ? undefined
      : (options.file ?? env.TROUPE_CONFIG ?? (existsSync('troupe.config.json') ? 'troupe.config.json' : undefined));
  if (file !== undefined) merge(merged, options.fileSettings ?? readFile(file, issues), `file ${file}`, sources);
  for (const [name, { path, parse }] of Object.entries(envBindings)) {
    const text = env[name];
    if (text !== undefined && text !== '') merge(merged, pathBag(path, parseEnv(text, parse)), `env ${name}`, sources);
  }
  if (options.options !== undefined) merge(merged, options.options as Bag, 'options', sources);

  const parsed = troupeConfigSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.') || '(root)';
      const value = valueAt(merged, issue.path);
      issues.push(
        `Expected \`${path}\` (${sourceOf(issue.path, sources)}) to be valid (${issue.message}), got \`${JSON.stringify(value) ?? 'undefined'}\``,
      );
    }
    throw new ConfigError(issues);
  }
  const config = parsed.data;
  const auth: Record<string, ResolvedAuth> = {};
  for (const [name, entry] of Object.entries(config.auth ?? {})) {
    try {
      auth[name] = resolveAuth(entry, env, `auth.${name}`);
    } catch (err) {
      issues.push(...((err as ConfigError).issues ?? [(err as Error).message]));
    }
  }
  const modelKeyEnv = config.model?.apiKeyEnv ?? 'OPENAI_API_KEY';
  const name = config.model?.name;
  if (name !== undefined && !offlineModels.has(name) && config.model?.baseURL === undefined && !env[modelKeyEnv]) {
    issues.push(
      `Expected env var \`${modelKeyEnv}\` (model.apiKeyEnv) to hold the API key of model \`${name}\`, but it is not set`,
    );
  }
  const dashboardEnv = config.dashboard?.tokenEnv;
  if (dashboardEnv !== undefined && !env[dashboardEnv]) {
    issues.push(
      `Expected env var \`${dashboardEnv}\` (dashboard.tokenEnv) to hold the dashboard token, but it is not set`,
    );
  }
  try {
    compileRules(config.redaction?.patterns ?? [], 'redaction.patterns');
  } catch (err) {
    issues.push(...(err as ConfigError).issues);
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const secretEnv = [
    ...new Set([
      ...(config.redaction?.secretEnv ?? []),
      ...Object.values(config.auth ?? {}).flatMap((a) => (a.type === 'none' ? [] : [a.tokenEnv])),
      modelKeyEnv,
      ...(dashboardEnv === undefined ? [] : [dashboardEnv]),
    ]),
  ];
  return { config, secretEnv, auth, runtimeOptions: toRuntimeOptions(config, secretEnv) };
}

function pathBag(path: readonly string[], value: unknown): Bag {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Bag;
}

function toRuntimeOptions(config: TroupeConfig, secretEnv: readonly string[]): RuntimeOptions {
  const { concurrency, taskTimeoutMs, modelTimeoutMs, retry, maxPlanAttempts, maxTasks, maxGoalLength } = config;
  const picked = { concurrency, taskTimeoutMs, modelTimeoutMs, retry, maxPlanAttempts, maxTasks, maxGoalLength };
  const options: RuntimeOptions = Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined));
  options.redaction = { ...config.redaction, secretEnv };
  if (config.screening !== undefined) options.screening = config.screening;
  return options;
}
