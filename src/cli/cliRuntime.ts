import { loadConfig } from '../config/loadConfig.js';
import { Outbox, socialPlatformTools } from '../demo/socialPlatforms.js';
import { ConfigError } from '../errors.js';
import { sqliteLog } from '../log/sqliteLog.js';
import { createRuntime, type Runtime } from '../runtime/createRuntime.js';
import { defineTool, type Tool } from '../tools/defineTool.js';
import { sleep } from '../util/abort.js';
import { type CliModelOptions, cliModel } from './cliModel.js';
import { defaultLogFile } from './commands/reviews.js';

/** What `troupe run` and `troupe resume` run on. */
export interface CliRuntimeOptions extends CliModelOptions {
  /** The event log file. @default '.troupe/events.db' */
  log?: string;
  /** Tasks of a run that execute at once. @default 16 */
  concurrency?: number;
  /** Simulated network latency of each offline platform call, in ms (to watch a run, or stop one mid-way). @default 0 */
  latencyMs?: number;
}

/** The same tools, each waiting `latencyMs` (and honouring its signal) before it acts. */
function withLatency(tools: readonly Tool[], latencyMs: number): Tool[] {
  if (latencyMs === 0) return [...tools];
  return tools.map((tool) =>
    defineTool({
      name: tool.name,
      description: tool.description,
      input: tool.input,
      capabilities: tool.capabilities,
      latencyMs: tool.latencyMs + latencyMs,
      run: async (input, context) => {
        await sleep(latencyMs, context.signal);
        return tool.call(input, context);
      },
    }),
  );
}

/**
 * The runtime behind the CLI: the offline demo model (or `--model` / `--base-url`, see
 * `cliModel`) and platform tools on a durable SQLite
 * log, so a run the process lost (Ctrl-C, crash, `kill -9`) continues with `troupe resume`.
 * Log notices (a repaired torn write) go to stderr.
 *
 * @example
 * const runtime = cliRuntime({ log: '.troupe/events.db' });
 * runtime.run("post 'hi' to all social platforms");
 * // => a RunHandle; its events land in .troupe/events.db
 */
export function cliRuntime(options: CliRuntimeOptions = {}): Runtime {
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isInteger(latencyMs) || latencyMs < 0) {
    throw new ConfigError([`Expected \`--latency\` to be an integer ≥ 0, got \`${latencyMs}\``]);
  }
  const log = sqliteLog(options.log ?? defaultLogFile, {
    // Another `troupe` command writing the same log (a short run, an approval) gets to finish first.
    lockTimeoutMs: 10_000,
    onNotice: (message) => process.stderr.write(`troupe: ${message}\n`),
  });
  try {
    return createRuntime({
      // troupe.config.json and TROUPE_* env vars, validated (every bad field at once) before anything runs.
      ...loadConfig().runtimeOptions,
      log,
      model: cliModel(options),
      tools: withLatency(socialPlatformTools(new Outbox()), latencyMs),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    });
  } catch (err) {
    void log.close();
    throw err;
  }
}
