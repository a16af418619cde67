import type * as OpenAISdk from 'openai';

/** The `openai` SDK module. */
export type OpenAIModule = typeof OpenAISdk;

let loading: Promise<OpenAIModule> | undefined;

/**
 * The `openai` SDK, imported on first use: `import 'troupe'` and offline runs do not pay for
 * loading it (it is the heaviest part of a model call's code path).
 *
 * @example
 * const { default: OpenAI } = await loadOpenAI();
 * // => the SDK's client class
 */
export function loadOpenAI(): Promise<OpenAIModule> {
  loading ??= import('openai');
  return loading;
}
