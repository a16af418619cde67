import { demoTools } from '../demo/demoTools.js';
import { Outbox } from '../demo/socialPlatforms.js';
import { createLogger, logEvents } from '../log/logger.js';
import type { Model } from '../model/Model.js';
import { createRuntime, type Runtime } from '../runtime/createRuntime.js';
import { defineTool, type Tool } from '../tools/defineTool.js';
import { sleep } from '../util/abort.js';
import { openProjectLog } from './cliLog.js';
import { type ModelChoice, modelNotice } from './cliModel.js';
import type { CliProject } from './project.js';
import type { ExecuteFlags } from './sharedOptions.js';

/** What `troupe run` and `troupe resume` run on. */
export interface CliRuntimeOptions {
  /** The model, as `chooseModel` or `modelForRun` picked it. */
  model: Model;
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
 * The runtime behind the CLI: the project's settings, tools (the demo's platform stand-ins when
 * it gives none), Judge, budget and limits, on its durable log (SQLite, or PostgreSQL with `--database-url`), so a run the process lost
 * (Ctrl-C, crash, `kill -9`) continues with `troupe resume`. Log notices (a repaired torn write)
 * go to stderr. `--concurrency` wins over the settings. With a `logLevel` set (`TROUPE_LOG_LEVEL`),
 * every event is also written to stderr as a redacted JSON line at that level.
 *
 * @example
 * const runtime = cliRuntime(project, { model: chooseModel({}, project).model });
 * runtime.run("post 'hi' to all social platforms");
 * // => a RunHandle; its events land in the project's log
 */
export function cliRuntime(project: CliProject, options: CliRuntimeOptions): Runtime {
  const latencyMs = options.latencyMs ?? 0;
  const { code } = project;
  // Another `troupe` command writing the same SQLite log (a short run, an approval) gets to finish first.
  const log = openProjectLog(project, { lockTimeoutMs: 10_000 });
  try {
    const runtime = createRuntime({
      ...project.loaded.runtimeOptions,
      log,
      model: options.model,
      tools: withLatency(code.tools ?? demoTools(new Outbox()), latencyMs),
      ...(code.judge === undefined ? {} : { judge: code.judge }),
      ...(code.budget === undefined ? {} : { budget: code.budget }),
      ...(code.limits === undefined ? {} : { toolLimits: code.limits }),
      ...(code.circuitBreaker === undefined ? {} : { circuitBreaker: code.circuitBreaker }),
      ...(code.compaction === undefined ? {} : { compaction: code.compaction }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    });
    const level = project.loaded.config.logLevel;
    if (level !== undefined) logEvents(runtime.events$, createLogger({ level }));
    return runtime;
  } catch (err) {
    void log.close();
    throw err;
  }
}

/** Says on stderr which model a command that executes work runs on, then builds its runtime. */
export function executingRuntime(project: CliProject, choice: ModelChoice, flags: ExecuteFlags): Runtime {
  process.stderr.write(`troupe: ${modelNotice(choice)}\n`);
  return cliRuntime(project, { model: choice.model, ...flags });
}
