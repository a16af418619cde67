import type OpenAI from 'openai';
import { z } from 'zod';
import { optionIssues } from '../config/optionIssues.js';
import { ConfigError } from '../errors.js';
import type { Model, ModelReply } from './Model.js';
import { type ModelLimits, modelLimiter } from './modelLimiter.js';
import { type ModelRetryPolicy, withModelRetries } from './modelRetry.js';
import { type ChatOutcome, type ChatSettings, chatBody, outcomeOf, readStream, replyOf } from './openaiChat.js';
import { loadOpenAI } from './openaiSdk.js';
import { checkPrices, costOf, defaultPrices, type PriceTable, priceOf } from './pricing.js';

/** Options of `openaiModel`. Every field is optional; the environment fills the connection. */
export interface OpenAIModelOptions {
  /** The model to ask. @default process.env.TROUPE_MODEL ?? 'gpt-4o-mini' */
  model?: string;
  /** @default process.env.OPENAI_API_KEY (not needed for a local server set by `baseURL`) */
  apiKey?: string;
  /** An OpenAI-compatible server, e.g. `http://127.0.0.1:11434/v1` (Ollama). @default process.env.OPENAI_BASE_URL ?? OpenAI */
  baseURL?: string;
  /** Stream answers token by token to `onToken` (the runtime's `tokens$`). @default false */
  stream?: boolean;
  /** @default the server's */
  temperature?: number;
  /** Sent as `max_tokens`. @default the server's */
  maxOutputTokens?: number;
  /** How plans and judgements ask for JSON: `json_schema`, `json_object`, or the prompt alone. @default 'json_schema' */
  structuredOutput?: ChatSettings['structuredOutput'];
  /** The longest one HTTP attempt may take, in ms; it is then retried. @default 60000 */
  timeoutMs?: number;
  /** Retries of failed HTTP attempts (429, 5xx, timeouts). */
  retry?: Partial<ModelRetryPolicy>;
  /** Provider rate limits; without them no limiter is on the path. */
  limits?: ModelLimits;
  /** Prices per model, over `defaultPrices`. @default defaultPrices */
  prices?: PriceTable;
  /** Where `OPENAI_API_KEY`, `OPENAI_BASE_URL` and `TROUPE_MODEL` are read. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

const optionsSchema = z.object({
  model: z.string().min(1),
  baseURL: z.url().optional(),
  stream: z.boolean(),
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.number().int().min(1).optional(),
  structuredOutput: z.enum(['json_schema', 'json_object', 'prompt']),
  timeoutMs: z.number().int().min(1),
  retry: z.object({
    maxRetries: z.number().int().min(0),
    initialDelayMs: z.number().min(0),
    maxDelayMs: z.number().min(0),
    maxRetryAfterMs: z.number().min(0),
  }),
});

/** Where the SDK sends requests when no `baseURL` is given. */
const openaiBaseURL = 'https://api.openai.com/v1';

/** The placeholder key sent to servers that need none (the SDK insists on one). */
const noKey = 'not-needed';

function needsKey(baseURL: string | undefined): boolean {
  if (baseURL === undefined) return true;
  try {
    return new URL(baseURL).hostname.endsWith('api.openai.com');
  } catch {
    return false;
  }
}

function resolve(options: OpenAIModelOptions) {
  const env = options.env ?? process.env;
  const baseURL = options.baseURL ?? (env.OPENAI_BASE_URL || undefined);
  const apiKey = options.apiKey ?? (env.OPENAI_API_KEY || undefined);
  if (apiKey === undefined && needsKey(baseURL)) {
    throw new ConfigError([
      'Expected an OpenAI API key: set `OPENAI_API_KEY` (or pass `apiKey`), or set `OPENAI_BASE_URL` to an ' +
        'OpenAI-compatible server that needs none (Ollama, llama.cpp, vLLM)',
    ]);
  }
  const candidate = {
    model: options.model ?? (env.TROUPE_MODEL || 'gpt-4o-mini'),
    baseURL,
    stream: options.stream ?? false,
    temperature: options.temperature,
    maxOutputTokens: options.maxOutputTokens,
    structuredOutput: options.structuredOutput ?? 'json_schema',
    timeoutMs: options.timeoutMs ?? 60_000,
    retry: { maxRetries: 3, initialDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000, ...options.retry },
  };
  const parsed = optionsSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new ConfigError(optionIssues(parsed.error, candidate));
  }
  return { ...candidate, apiKey: apiKey ?? noKey };
}

/**
 * A `Model` on the `openai` SDK's chat completions, for OpenAI or any OpenAI-compatible
 * server (Ollama, llama.cpp, vLLM). Plans and judgements ask for JSON with the plan's JSON
 * schema (`response_format`); a processing step may call `ask_clarification`, which becomes
 * a clarification, and `revise_plan` while the run has a plan revision left. Each reply carries usage, cost (from `prices`) and the attempts it took;
 * retries are troupe's own (the SDK's are off) so that each failed attempt is reported.
 * A missing key when OpenAI itself is asked is a `ConfigError` naming `OPENAI_API_KEY`.
 *
 * @example
 * const model = openaiModel({ model: 'gpt-4o-mini' }); // OPENAI_API_KEY from the environment
 * const local = openaiModel({ baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.2' });
 * createRuntime({ model, tools }).run('post "hi" to all social platforms');
 * // => plans, processes and synthesises with the model; model.called events carry usage and costUsd
 */
export function openaiModel(options: OpenAIModelOptions = {}): Model {
  const config = resolve(options);
  const prices = { ...defaultPrices, ...checkPrices(options.prices ?? {}) };
  const price = priceOf(config.model, prices);
  const limited = modelLimiter(options.limits);
  // The SDK loads with the first call, so importing troupe or running offline never pays for it.
  let client: Promise<OpenAI> | undefined;
  const clientOf = () =>
    (client ??= loadOpenAI().then(
      ({ default: OpenAI }) =>
        new OpenAI({
          apiKey: config.apiKey,
          ...(config.baseURL === undefined ? {} : { baseURL: config.baseURL }),
          maxRetries: 0,
          timeout: config.timeoutMs,
        }),
    ));
  const settings: ChatSettings = {
    model: config.model,
    structuredOutput: config.structuredOutput,
    ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
    ...(config.maxOutputTokens === undefined ? {} : { maxOutputTokens: config.maxOutputTokens }),
  };

  return {
    name: config.model,
    baseURL: config.baseURL ?? openaiBaseURL,
    provider: 'openai',
    async complete(request, { signal, onAttempt, onToken }): Promise<ModelReply> {
      const what = `Model \`${config.model}\` (${request.purpose})`;
      const body = chatBody(request, settings);
      const once = async (attemptSignal: AbortSignal): Promise<ChatOutcome> => {
        if (!config.stream)
          return outcomeOf(await (await clientOf()).chat.completions.create(body, { signal: attemptSignal }), what);
        const stream = await (await clientOf()).chat.completions.create(
          { ...body, stream: true, stream_options: { include_usage: true } },
          { signal: attemptSignal },
        );
        return readStream(stream, onToken);
      };
      const { value, attempts } = await withModelRetries(once, {
        policy: config.retry,
        timeoutMs: config.timeoutMs,
        signal,
        what,
        model: config.model,
        ...(onAttempt === undefined ? {} : { onAttempt }),
        ...(limited === undefined ? {} : { gate: limited }),
      });
      const reply = replyOf(value, request, what);
      return { ...reply, attempts, costUsd: reply.usage === undefined ? 0 : costOf(reply.usage, price) };
    },
  };
}
