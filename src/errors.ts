/**
 * Every error troupe raises is a `TroupeError` with a stable string `code`, so callers can
 * branch on `err.code` without parsing messages, and events record `{ code, message }`.
 */

/** The stable codes of every error troupe raises. */
export type TroupeErrorCode =
  | 'CONFIG_INVALID'
  | 'GOAL_INVALID'
  | 'PLAN_INVALID'
  | 'REFERENCE_UNRESOLVED'
  | 'MODEL_OUTPUT_INVALID'
  | 'MODEL_FAILED'
  | 'MODEL_RATE_LIMITED'
  | 'TOOL_INPUT_INVALID'
  | 'TOOL_OUTPUT_INVALID'
  | 'TOOL_FAILED'
  | 'TOOL_TIMEOUT'
  | 'TOOL_UNAVAILABLE'
  | 'TOOL_CALL_LIMIT'
  | 'CIRCUIT_OPEN'
  | 'DISPATCH_QUOTA_EXCEEDED'
  | 'OCC_CONFLICT'
  | 'UNSAFE_INPUT'
  | 'LOG_CORRUPT'
  | 'EVENT_INVALID'
  | 'VALUE_UNSTORABLE'
  | 'LOG_CLOSED'
  | 'LOG_LOCKED'
  | 'LOG_UNAVAILABLE'
  | 'LEASE_LOST'
  | 'RUN_CANCELLED'
  | 'RUN_NOT_FOUND'
  | 'TASK_NOT_FOUND'
  | 'INVALID_STATE'
  | 'MCP_FAILED'
  | 'BULKHEAD_FULL'
  | 'FALLBACK_EXHAUSTED'
  | 'PARTIAL_SUCCESS_UNMET'
  | 'COMPOSE_INVALID'
  | 'NO_TOOL_SELECTED'
  | 'PORT_IN_USE'
  | 'BUDGET_EXCEEDED'
  | 'REVIEW_NOT_FOUND';

/**
 * The base of every troupe error.
 *
 * @example
 * try { await handle.result } catch (err) {
 *   if (err instanceof TroupeError) console.log(err.code);
 * }
 * // => 'TOOL_TIMEOUT'
 */
export class TroupeError extends Error {
  /** A stable, machine-readable code. */
  readonly code: TroupeErrorCode;

  constructor(code: TroupeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'TroupeError';
  }
}

/** The plan is not a valid task graph: bad shape, a cycle, a dangling dependency or an unknown tool. */
export class PlanValidationError extends TroupeError {
  /** Each problem found, one line each. */
  readonly issues: readonly string[];
  constructor(issues: readonly string[], options?: { cause?: unknown }) {
    super('PLAN_INVALID', `Invalid plan: ${issues.join('; ')}`, options);
    this.name = 'PlanValidationError';
    this.issues = issues;
  }
}

/**
 * A plan reference that cannot be resolved at run time: its task has no output, or the path
 * names a key or index the output does not have.
 */
export class PlanReferenceError extends TroupeError {
  /** The reference as written, e.g. `{{research.output.trends.0}}`. */
  readonly reference: string;
  /** The task whose input holds the reference. */
  readonly taskId: string;
  constructor(taskId: string, reference: string, message: string) {
    super('REFERENCE_UNRESOLVED', `Task \`${taskId}\`: ${reference} ${message}`);
    this.name = 'PlanReferenceError';
    this.reference = reference;
    this.taskId = taskId;
  }
}

/** The model answered with something that could not be used; `output` is what it said. */
export class ModelOutputError extends TroupeError {
  readonly output: string;
  constructor(message: string, output: string, options?: { cause?: unknown }) {
    super('MODEL_OUTPUT_INVALID', message, options);
    this.name = 'ModelOutputError';
    this.output = output;
  }
}

/** A tool was given input that fails its schema. */
export class ToolInputError extends TroupeError {
  readonly tool: string;
  constructor(tool: string, message: string, options?: { cause?: unknown }) {
    super('TOOL_INPUT_INVALID', message, options);
    this.name = 'ToolInputError';
    this.tool = tool;
  }
}

/** A tool returned output that fails its schema. */
export class ToolOutputError extends TroupeError {
  readonly tool: string;
  constructor(tool: string, message: string, options?: { cause?: unknown }) {
    super('TOOL_OUTPUT_INVALID', message, options);
    this.name = 'ToolOutputError';
    this.tool = tool;
  }
}

/** A tool, task or model did not settle within its time limit. */
export class ToolTimeoutError extends TroupeError {
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super('TOOL_TIMEOUT', `${what} did not settle within ${timeoutMs} ms`);
    this.name = 'ToolTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** A processing step asked for more tool calls than `maxToolCalls` allows. */
export class ToolCallLimitError extends TroupeError {
  readonly taskId: string;
  readonly maxToolCalls: number;
  constructor(taskId: string, maxToolCalls: number, asked: number) {
    super(
      'TOOL_CALL_LIMIT',
      `Task \`${taskId}\` asked for ${asked} tool calls; at most ${maxToolCalls} are allowed per step (maxToolCalls)`,
    );
    this.name = 'ToolCallLimitError';
    this.taskId = taskId;
    this.maxToolCalls = maxToolCalls;
  }
}

/** A call was refused because its circuit breaker is open. */
export class CircuitOpenError extends TroupeError {
  readonly circuit: string;
  constructor(circuit: string, message?: string) {
    super('CIRCUIT_OPEN', message ?? `Circuit \`${circuit}\` is open: calls are refused until it half-opens`);
    this.name = 'CircuitOpenError';
    this.circuit = circuit;
  }
}

/** A dispatch limit was or would be exceeded; `partial` holds results gathered before it stopped. */
export class DispatchQuotaExceeded extends TroupeError {
  readonly limit: string;
  readonly partial: readonly unknown[];
  constructor(limit: string, message: string, partial: readonly unknown[] = []) {
    super('DISPATCH_QUOTA_EXCEEDED', message);
    this.name = 'DispatchQuotaExceeded';
    this.limit = limit;
    this.partial = partial;
  }
}

/** An optimistic write named a version that is no longer current. */
export class OCCConflict extends TroupeError {
  readonly key: string;
  readonly expectedVersion: number;
  readonly actualVersion: number;
  constructor(key: string, expectedVersion: number, actualVersion: number) {
    super(
      'OCC_CONFLICT',
      `Write to \`${key}\` expected version ${expectedVersion}, but the stored version is ${actualVersion}`,
    );
    this.name = 'OCCConflict';
    this.key = key;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** Input was refused by the prompt-injection screen. */
export class UnsafeInputError extends TroupeError {
  readonly source: string;
  constructor(source: string, message: string) {
    super('UNSAFE_INPUT', message);
    this.name = 'UnsafeInputError';
    this.source = source;
  }
}

/** Options or configuration are invalid; `issues` lists every bad field. */
export class ConfigError extends TroupeError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[], options?: { cause?: unknown }) {
    super('CONFIG_INVALID', issues.join('; '), options);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** The event log is damaged beyond its last whole event. */
export class LogCorruptionError extends TroupeError {
  readonly file: string;
  readonly position: number;
  constructor(file: string, position: number, message: string, options?: { cause?: unknown }) {
    super('LOG_CORRUPT', `${file} at ${position}: ${message}`, options);
    this.name = 'LogCorruptionError';
    this.file = file;
    this.position = position;
  }
}

/**
 * A log refused to append an event that its own reader would refuse or could not read back
 * as it was given (it fails the event schema, or holds a value JSON cannot carry, such as
 * `NaN`). Nothing of the batch holding it was written.
 */
export class EventInvalidError extends TroupeError {
  /** The `type` of the refused event, as given. */
  readonly eventType: string;
  /** Where in the event the problem is, dotted (`usage.inputTokens`, `output.items.3`); `''` for the event itself. */
  readonly path: string;
  constructor(eventType: string, path: string, problem: string) {
    super(
      'EVENT_INVALID',
      `Cannot append a ${eventType} event: ${path === '' ? 'the event' : `\`${path}\``} ${problem}`,
    );
    this.name = 'EventInvalidError';
    this.eventType = eventType;
    this.path = path;
  }
}

/**
 * User code handed troupe a value to record that the log could not store (a `NaN`, a `Date`, a
 * cycle…, or a record of the wrong shape): a global-state commit's value, a sub-agent record.
 * The unit that produced it (the task, the tool call) fails with this; nothing is written.
 */
export class UnstorableValueError extends TroupeError {
  /** Where in the value the problem is, dotted (`value.items.3`); the root's name alone for the value itself. */
  readonly path: string;
  constructor(message: string, path: string) {
    super('VALUE_UNSTORABLE', message);
    this.name = 'UnstorableValueError';
    this.path = path;
  }
}

/** The log's database server cannot be reached (refused, reset, shut down); `target` names it without credentials. */
export class LogUnavailableError extends TroupeError {
  readonly target: string;
  constructor(target: string, message: string, options?: { cause?: unknown }) {
    super('LOG_UNAVAILABLE', `${target}: ${message}`, options);
    this.name = 'LogUnavailableError';
    this.target = target;
  }
}

/**
 * An append was refused because this process no longer holds the run's lease: another worker
 * claimed it (a higher `epoch`), so this one must drop the run without writing to it again.
 */
export class LeaseLostError extends TroupeError {
  readonly runId: string;
  readonly epoch: number;
  constructor(runId: string, epoch: number, message: string) {
    super('LEASE_LOST', message);
    this.name = 'LeaseLostError';
    this.runId = runId;
    this.epoch = epoch;
  }
}

/** The serialisable form of an error, as recorded in events. */
export interface ErrorInfo {
  code: string;
  message: string;
}

/** Turns anything thrown into `{ code, message }`; errors that are not troupe's get `UNKNOWN`. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof TroupeError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'UNKNOWN', message: textOf(err.message) };
  return { code: 'UNKNOWN', message: textOf(err) };
}

/** Any thrown value as text, never throwing itself: what user code throws is recorded in events. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return `a thrown ${typeof value} that cannot be shown as text`;
  }
}

/** Rebuilds a throwable `TroupeError` from a recorded `ErrorInfo`. */
export function fromErrorInfo(info: ErrorInfo): TroupeError {
  const code = (info.code === 'UNKNOWN' ? 'TOOL_FAILED' : info.code) as TroupeErrorCode;
  return new TroupeError(code, info.message);
}
