import { demoModel } from '../demo/demoModel.js';
import type { Model } from '../model/Model.js';
import { loadEnv } from '../model/modelFromEnv.js';
import { openaiModel } from '../model/openaiModel.js';

/** The model flags every `troupe` command that runs a goal takes. */
export interface CliModelOptions {
  /** `--model`: a model of an OpenAI-compatible server; `scripted` or `demo` for the offline demo model. */
  model?: string;
  /** `--base-url`: the server, e.g. `http://127.0.0.1:11434/v1` (Ollama); OpenAI when only `--model` is given. */
  baseURL?: string;
}

const offline = new Set(['scripted', 'demo']);

/**
 * The model behind a CLI command: the offline demo model unless `--model` names another or
 * `--base-url` is given; then `openaiModel`, after loading `.env`, with the key from
 * `OPENAI_API_KEY` (a `ConfigError` names it when OpenAI itself is asked without one).
 *
 * @example
 * cliModel({ model: 'llama3.2', baseURL: 'http://127.0.0.1:11434/v1' }).name
 * // => 'llama3.2'
 */
export function cliModel(options: CliModelOptions): Model {
  const { model, baseURL } = options;
  if ((model === undefined || offline.has(model)) && baseURL === undefined) return demoModel();
  loadEnv();
  return openaiModel({
    ...(model === undefined || offline.has(model) ? {} : { model }),
    ...(baseURL === undefined ? {} : { baseURL }),
  });
}
