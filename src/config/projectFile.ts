import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { isModel, type ProjectConfig } from './defineConfig.js';

/** The names a project file may have, in the order they are looked for. */
export const projectFileNames = [
  'troupe.config.ts',
  'troupe.config.mts',
  'troupe.config.js',
  'troupe.config.mjs',
  'troupe.config.json',
] as const;

/** The fields of a project file that only code can give; the rest are `troupeConfigSchema` settings. */
const codeFields = ['tools', 'judge', 'budget', 'limits', 'circuitBreaker', 'compaction'] as const;

/** A project file split into what `loadConfig` validates and what the runtime takes as is. */
export interface ProjectFile {
  /** The file's path, as found or given. */
  file: string;
  /** The settings, for `loadConfig` (a model object is not among them); `undefined` for JSON, which `loadConfig` reads. */
  settings: Record<string, unknown> | undefined;
  /** The tools, Judge, budget, limits and a model object, when the file gives them. */
  code: Pick<ProjectConfig, (typeof codeFields)[number]> & { model?: ProjectConfig['model'] };
}

/**
 * The project file in `dir`: the first of `projectFileNames` that exists, else `undefined`.
 *
 * @example
 * findProjectFile(process.cwd())
 * // => 'troupe.config.mjs'
 */
export function findProjectFile(dir: string): string | undefined {
  return projectFileNames.map((name) => resolve(dir, name)).find((path) => existsSync(path));
}

function isBag(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function importConfig(file: string): Promise<unknown> {
  try {
    const module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
    return module.default;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new ConfigError(
        [
          `Node ${process.version} cannot load the TypeScript project file \`${file}\`: run Node ≥ 23.6 ` +
            '(or ≥ 22.6 with --experimental-strip-types), or name it troupe.config.mjs',
        ],
        { cause: err },
      );
    }
    throw new ConfigError([`Could not load project file \`${file}\`: ${(err as Error).message}`], { cause: err });
  }
}

/**
 * Loads a project file: a JS/TS module whose default export is `defineConfig({ … })`, or a
 * JSON object. A file that cannot be loaded or exports something else is a `ConfigError`
 * naming it and what was expected.
 *
 * @example
 * const { settings, code } = await loadProjectFile('troupe.config.mjs');
 * code.tools?.map((t) => t.name)
 * // => ['greet']
 */
export async function loadProjectFile(file: string): Promise<ProjectFile> {
  if (!existsSync(file))
    throw new ConfigError([`Expected \`--config\` to name a project file, got \`${file}\` (no such file)`]);
  if (file.endsWith('.json')) return { file, settings: undefined, code: {} };
  const exported = await importConfig(file);
  if (!isBag(exported)) {
    throw new ConfigError([
      `Expected project file \`${file}\` to \`export default defineConfig({ … })\`, got ${exported === undefined ? 'no default export' : typeof exported}`,
    ]);
  }
  const settings: Record<string, unknown> = {};
  const code: ProjectFile['code'] = {};
  for (const [key, value] of Object.entries(exported)) {
    if ((codeFields as readonly string[]).includes(key)) Object.assign(code, { [key]: value });
    else if (key === 'model' && isModel(value as ProjectConfig['model'])) code.model = value as ProjectConfig['model'];
    else settings[key] = value;
  }
  return { file, settings, code };
}
