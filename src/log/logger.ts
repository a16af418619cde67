import type { Observable, Subscription } from 'rxjs';
import type { TroupeEvent } from '../events/types.js';
import { redactDeep } from '../security/redactDeep.js';
import { createRedactor, type Redactor } from '../security/redactor.js';

/** How much a logger writes, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Options of `createLogger`. */
export interface LoggerOptions {
  /**
   * The least severe level written; `silent` writes nothing.
   * @default 'info'
   */
  level?: LogLevel | 'silent';
  /**
   * Where each JSON line goes (without the newline added).
   * @default a line on process.stderr
   */
  write?: (line: string) => void;
  /** Fields on every line of this logger and its children. @default {} */
  bindings?: Readonly<Record<string, unknown>>;
  /**
   * Applied to the message and every field of every line; it cannot be turned off, only
   * replaced (e.g. with one that also knows configured secret values).
   * @default createRedactor()
   */
  redactor?: Redactor;
  /** @default Date.now */
  clock?: () => number;
}

/** A structured JSON logger: one line per call, redacted, with its bindings. */
export interface Logger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** A logger writing to the same place with more bindings. */
  child(bindings: Readonly<Record<string, unknown>>): Logger;
  /** A child bound to a run: `runId` and `correlationId` on every line. */
  forRun(runId: string): Logger;
}

const rank: Readonly<Record<LogLevel | 'silent', number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

// Errors have no enumerable fields: turn them into what a reader of the log needs.
function plain(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
}

/**
 * Creates a structured JSON logger. Every line passes through a redactor first, whichever
 * instance or child writes it, so a key in an error message or a field never reaches the log.
 *
 * @example
 * const lines: string[] = [];
 * const log = createLogger({ write: (l) => lines.push(l), clock: () => 0 }).forRun('run-1');
 * log.warn('retrying', { error: new Error('401 for sk-proj-abcdefghijklmnopqrstuvwx') });
 * lines[0]
 * // => '{"level":"warn","time":0,"msg":"retrying","runId":"run-1","correlationId":"run-1","error":{"name":"Error","message":"401 for [REDACTED_OPENAI_KEY]"}}'
 * @param options level, destination, bindings and redactor
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = rank[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const redactor = options.redactor ?? createRedactor();
  const clock = options.clock ?? Date.now;

  function make(bindings: Readonly<Record<string, unknown>>): Logger {
    function emit(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void {
      if (rank[level] < threshold) return;
      const extra: Record<string, unknown> = {};
      for (const key in fields) extra[key] = plain(fields[key]);
      const body = redactDeep({ msg: message, ...bindings, ...extra }, redactor, { sensitiveKeys: 'mask' });
      let line: string;
      try {
        line = JSON.stringify({ level, time: clock(), ...body });
      } catch {
        line = JSON.stringify({ level, time: clock(), msg: body.msg, unserializable: true });
      }
      write(line);
    }
    return {
      debug: (message, fields) => emit('debug', message, fields),
      info: (message, fields) => emit('info', message, fields),
      warn: (message, fields) => emit('warn', message, fields),
      error: (message, fields) => emit('error', message, fields),
      child: (more) => make({ ...bindings, ...more }),
      forRun: (runId) => make({ ...bindings, runId, correlationId: runId }),
    };
  }
  return make(options.bindings ?? {});
}

const levelOf: Partial<Readonly<Record<TroupeEvent['type'], LogLevel>>> = {
  'run.started': 'info',
  'run.completed': 'info',
  'run.cancelled': 'warn',
  'run.failed': 'error',
  'plan.rejected': 'warn',
  'task.retrying': 'warn',
  'task.failed': 'error',
};

/**
 * Writes one line per event: `run.*` at info, retries and refused plans at warn, failures at
 * error, everything else at debug. Each line carries the event's `runId`, `correlationId`,
 * `causationId` and `seq`, so a log search follows one run end to end.
 *
 * @example
 * const subscription = logEvents(runtime.events$, createLogger({ level: 'info' }));
 * // => {"level":"info","time":…,"msg":"run.started","runId":"…","correlationId":"…","seq":0,…}
 * @param events$ the events to log, e.g. `runtime.events$`
 * @param logger where they go
 */
export function logEvents(events$: Observable<TroupeEvent>, logger: Logger): Subscription {
  return events$.subscribe((event) => {
    const { type, runId, correlationId, causationId, seq, id: _id, ts: _ts, ...payload } = event;
    const fields = { causationId, seq, ...payload };
    const log = logger.child({ runId, correlationId });
    log[levelOf[type] ?? 'debug'](type, fields);
  });
}
