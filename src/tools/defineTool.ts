import type { Context } from '@opentelemetry/api';
import { z } from 'zod';
import { ConfigError, ToolInputError, ToolOutputError, TroupeError } from '../errors.js';
import type { SubAgentRecord } from '../events/types.js';
import { describeIssues } from '../util/describeIssues.js';
import { zodSchemaIssue } from './zodSchemaIssue.js';

/** What a tool's `run` receives beside its input. */
export interface ToolContext {
  /** Aborted when the task times out or the run is cancelled; pass it to your I/O. */
  signal: AbortSignal;
  /** Stable for the same run, task, tool and input: give it to external APIs to de-duplicate. */
  idempotencyKey: string;
  runId: string;
  taskId: string;
  /**
   * The OpenTelemetry context of this call's `execute_tool` span, when an SDK is registered: start
   * your own spans under it (`tracer.startSpan(name, {}, traceContext)`) or inject it into outgoing
   * requests (`propagation.inject`). It is also the active context while `run` executes.
   */
  traceContext?: Context;
  /** Records a sub-agent this tool dispatched in the run's log (`subagent.completed`), when run inside a run. */
  recordSubAgent?: (record: SubAgentRecord) => void;
}

/** The definition `defineTool` takes. */
export interface ToolDefinition<I extends z.ZodType, O extends z.ZodType> {
  /** Letters, digits, `_` and `-`, starting with a letter; at most 64 characters. */
  name: string;
  /** What the tool does, for the model that plans with it. */
  description: string;
  /** The zod schema of the input; every call is validated against it. */
  input: I;
  /** The zod schema of the output; when given, every result is validated against it. */
  output?: O;
  /** Estimated cost of one call in US dollars. @default 0 */
  costUsd?: number;
  /** Estimated latency of one call in milliseconds. @default 0 */
  latencyMs?: number;
  /** What the tool can do, for capability-based selection. @default [] */
  capabilities?: readonly string[];
  /** Tools to call instead, in order, while this tool's circuit breaker is open. @default [] */
  fallbacks?: readonly string[];
  run(input: z.output<I>, context: ToolContext): Promise<z.output<O>> | z.output<O>;
}

/** A tool ready to be called: input and output are validated on every call. */
export interface Tool<In = unknown, Out = unknown> {
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType<In>;
  readonly output: z.ZodType<Out> | undefined;
  readonly costUsd: number;
  readonly latencyMs: number;
  readonly capabilities: readonly string[];
  /** Tools to call instead, in order, while this tool's circuit breaker is open. */
  readonly fallbacks?: readonly string[];
  /** The JSON Schema of the input, generated from its zod schema (computed once). */
  jsonSchema(): Record<string, unknown>;
  /** Validates `input`, runs the tool, validates its output. */
  call(input: unknown, context: ToolContext): Promise<Out>;
}

const toolNamePattern = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

function nonNegative(field: string, value: number | undefined, tool: string): number {
  if (value === undefined) return 0;
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError([`Expected \`${field}\` of tool \`${tool}\` to be a number ≥ 0, got \`${value}\``]);
  }
  return value;
}

/**
 * Defines a tool from zod schemas. The model sees the JSON Schema generated from `input`;
 * each call is validated on the way in (`ToolInputError`) and out (`ToolOutputError`).
 *
 * @example
 * const add = defineTool({
 *   name: 'add',
 *   description: 'Adds two numbers',
 *   input: z.object({ a: z.number(), b: z.number() }),
 *   output: z.number(),
 *   run: ({ a, b }) => a + b,
 * });
 * await add.call({ a: 1, b: 2 }, context);
 * // => 3
 */
export function defineTool<I extends z.ZodType, O extends z.ZodType = z.ZodUnknown>(
  definition: ToolDefinition<I, O>,
): Tool<z.output<I>, z.output<O>> {
  const { name, description, input, output, run } = definition;
  if (typeof name !== 'string' || !toolNamePattern.test(name)) {
    throw new ConfigError([
      `Expected tool \`name\` to match ${toolNamePattern} (a letter, then letters, digits, _ or -), got \`${String(name)}\``,
    ]);
  }
  if (typeof description !== 'string' || description.trim() === '') {
    throw new ConfigError([`Expected \`description\` of tool \`${name}\` to be a non-empty string`]);
  }
  const schemaIssues = [
    zodSchemaIssue(input, `\`input\` of tool \`${name}\``),
    output === undefined ? undefined : zodSchemaIssue(output, `\`output\` of tool \`${name}\``),
  ].filter((issue) => issue !== undefined);
  if (schemaIssues.length > 0) throw new ConfigError(schemaIssues);
  if (typeof run !== 'function') throw new ConfigError([`Expected \`run\` of tool \`${name}\` to be a function`]);
  const costUsd = nonNegative('costUsd', definition.costUsd, name);
  const latencyMs = nonNegative('latencyMs', definition.latencyMs, name);
  let schema: Record<string, unknown> | undefined;

  return {
    name,
    description,
    input: input as z.ZodType<z.output<I>>,
    output: output as z.ZodType<z.output<O>> | undefined,
    costUsd,
    latencyMs,
    capabilities: definition.capabilities ?? [],
    fallbacks: definition.fallbacks ?? [],
    jsonSchema() {
      schema ??= z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
      return schema;
    },
    async call(raw, context) {
      const parsed = input.safeParse(raw);
      if (!parsed.success) {
        throw new ToolInputError(name, `Invalid input for tool \`${name}\`: ${describeIssues(parsed.error)}`);
      }
      let result: unknown;
      try {
        result = await run(parsed.data as z.output<I>, context);
      } catch (err) {
        if (err instanceof TroupeError) throw err;
        const message = err instanceof Error ? err.message : String(err);
        throw new TroupeError('TOOL_FAILED', `Tool \`${name}\` failed: ${message}`, { cause: err });
      }
      if (output === undefined) return result as z.output<O>;
      const checked = output.safeParse(result);
      if (!checked.success) {
        throw new ToolOutputError(name, `Tool \`${name}\` returned invalid output: ${describeIssues(checked.error)}`);
      }
      return checked.data as z.output<O>;
    },
  };
}
