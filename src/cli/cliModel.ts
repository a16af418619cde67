import { demoModel } from '../demo/demoModel.js';
import { ConfigError } from '../errors.js';
import type { Model } from '../model/Model.js';
import { openaiModel } from '../model/openaiModel.js';
import type { CliProject } from './project.js';

/** The model flags every `troupe` command that runs a goal takes. */
export interface CliModelOptions {
  /** `--model`: a model of an OpenAI-compatible server; `demo` (or `scripted`) for the offline demo model. */
  model?: string;
  /** `--base-url`: the server, e.g. `http://127.0.0.1:11434/v1` (Ollama); OpenAI when only `--model` is given. */
  baseURL?: string;
}

/** A model the CLI runs on, and where it came from, for the line that says so. */
export interface ModelChoice {
  model: Model;
  /** e.g. `--model`, `troupe.config.mjs`, `the environment`, `the run's record`. */
  source: string;
}

/** A model as `run.started` records it. */
export interface RecordedModel {
  name: string;
  baseURL?: string;
}

const offline = new Set(['scripted', 'demo']);

function openai(name: string | undefined, baseURL: string | undefined, project: CliProject): Model {
  const keyEnv = project.loaded.config.model?.apiKeyEnv ?? 'OPENAI_API_KEY';
  const apiKey = project.env[keyEnv] || undefined;
  return openaiModel({
    env: project.env,
    ...(name === undefined || offline.has(name) ? {} : { model: name }),
    ...(baseURL === undefined ? {} : { baseURL }),
    ...(apiKey === undefined ? {} : { apiKey }),
  });
}

/**
 * The model of a CLI command: `--model` / `--base-url` when given; else the project file's
 * model (an object, or settings merged with `TROUPE_MODEL` / `OPENAI_BASE_URL`); else an
 * OpenAI model when `OPENAI_API_KEY` (or the configured `apiKeyEnv`) is set; else the offline
 * demo model. `demo` or `scripted` as a name is the offline demo model.
 *
 * @example
 * chooseModel({ model: 'llama3.2', baseURL: 'http://127.0.0.1:11434/v1' }, project).model.name
 * // => 'llama3.2'
 */
export function chooseModel(flags: CliModelOptions, project: CliProject): ModelChoice {
  if (flags.model !== undefined || flags.baseURL !== undefined) {
    if (flags.baseURL === undefined && offline.has(flags.model ?? '')) return { model: demoModel(), source: '--model' };
    return { model: openai(flags.model, flags.baseURL, project), source: flags.model ? '--model' : '--base-url' };
  }
  const where = project.modelSource;
  if (project.code.model !== undefined && 'complete' in project.code.model)
    return { model: project.code.model, source: where };
  const settings = project.loaded.config.model ?? {};
  const keyEnv = settings.apiKeyEnv ?? 'OPENAI_API_KEY';
  if (settings.name !== undefined && offline.has(settings.name)) return { model: demoModel(), source: where };
  if (settings.name !== undefined || settings.baseURL !== undefined || project.env[keyEnv]) {
    return { model: openai(settings.name, settings.baseURL, project), source: where };
  }
  return { model: demoModel(), source: 'no model configured' };
}

function sameModel(model: Model, recorded: RecordedModel): boolean {
  const trim = (url: string | undefined) => url?.replace(/\/+$/, '');
  return model.name === recorded.name && trim(model.baseURL) === trim(recorded.baseURL);
}

function describe(model: RecordedModel | Model): string {
  return model.baseURL === undefined ? `\`${model.name}\`` : `\`${model.name}\` at ${model.baseURL}`;
}

/**
 * The model to continue a run on (`troupe resume`, `troupe answer`): the one it started on.
 * Given `--model` / `--base-url`, they must name that model, else a `ConfigError` says which
 * the run started on and the flags that continue it. Without flags the configured model is
 * used when it is the recorded one, else the recorded one is rebuilt (the demo model, or an
 * OpenAI-compatible model at the recorded server, its key from the environment). A run
 * recorded before runs named their model continues on the configured one.
 *
 * @example
 * modelForRun({ name: 'llama3.2', baseURL: 'http://127.0.0.1:11434/v1' }, {}, project).model.name
 * // => 'llama3.2'
 */
export function modelForRun(
  runId: string,
  recorded: RecordedModel | undefined,
  flags: CliModelOptions,
  project: CliProject,
): ModelChoice {
  if (recorded === undefined) return chooseModel(flags, project);
  const flagged = flags.model !== undefined || flags.baseURL !== undefined;
  const again = [
    `--model ${recorded.name}`,
    ...(recorded.baseURL === undefined ? [] : [`--base-url ${recorded.baseURL}`]),
  ];
  if (flagged) {
    const choice = chooseModel(flags, project);
    if (sameModel(choice.model, recorded)) return choice;
    throw new ConfigError([
      `Run \`${runId}\` started on model ${describe(recorded)}, not ${describe(choice.model)}: ` +
        `continue it with \`${again.join(' ')}\` or without model flags`,
    ]);
  }
  const configured = chooseModel({}, project);
  if (sameModel(configured.model, recorded)) return configured;
  if (recorded.name === 'demo') return { model: demoModel(), source: "the run's record" };
  if (recorded.baseURL === undefined) {
    throw new ConfigError([
      `Run \`${runId}\` started on model \`${recorded.name}\`, which the CLI cannot rebuild: ` +
        'give it as `model` in the project file (troupe.config.mjs)',
    ]);
  }
  return { model: openai(recorded.name, recorded.baseURL, project), source: "the run's record" };
}

/** The line that says which model a command runs on and how to change it. */
export function modelNotice(choice: ModelChoice): string {
  if (choice.model.name === 'demo') {
    return (
      'model: demo (offline: it plans "post \'<text>\' to all social platforms" and little else; ' +
      'set OPENAI_API_KEY, or `model` in troupe.config.mjs, for a real model)'
    );
  }
  return `model: ${describe(choice.model)} (from ${choice.source})`;
}
