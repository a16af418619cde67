import { describe, expect, it } from 'vitest';
import {
  CircuitOpenError,
  ConfigError,
  DispatchQuotaExceeded,
  fromErrorInfo,
  LogCorruptionError,
  ModelOutputError,
  OCCConflict,
  PlanValidationError,
  ToolInputError,
  ToolOutputError,
  ToolTimeoutError,
  TroupeError,
  toErrorInfo,
  UnsafeInputError,
} from '../../src/errors.js';

describe('TroupeError and its subclasses', () => {
  const cases: [TroupeError, string, string][] = [
    [new TroupeError('INVALID_STATE', 'nope'), 'TroupeError', 'INVALID_STATE'],
    [new PlanValidationError(['a', 'b']), 'PlanValidationError', 'PLAN_INVALID'],
    [new ModelOutputError('bad', 'raw'), 'ModelOutputError', 'MODEL_OUTPUT_INVALID'],
    [new ToolInputError('add', 'bad input'), 'ToolInputError', 'TOOL_INPUT_INVALID'],
    [new ToolOutputError('add', 'bad output'), 'ToolOutputError', 'TOOL_OUTPUT_INVALID'],
    [new ToolTimeoutError('Task `a`', 50), 'ToolTimeoutError', 'TOOL_TIMEOUT'],
    [new CircuitOpenError('search'), 'CircuitOpenError', 'CIRCUIT_OPEN'],
    [new DispatchQuotaExceeded('maxCalls', 'too many'), 'DispatchQuotaExceeded', 'DISPATCH_QUOTA_EXCEEDED'],
    [new OCCConflict('k', 1, 2), 'OCCConflict', 'OCC_CONFLICT'],
    [new UnsafeInputError('goal', 'injection'), 'UnsafeInputError', 'UNSAFE_INPUT'],
    [new ConfigError(['x']), 'ConfigError', 'CONFIG_INVALID'],
    [new LogCorruptionError('events.db', 12, 'torn write'), 'LogCorruptionError', 'LOG_CORRUPT'],
  ];

  it.each(cases)('%s has its name, its stable code, and is an Error and a TroupeError', (err, name, code) => {
    expect(err.name).toBe(name);
    expect(err.code).toBe(code);
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(TroupeError);
    expect(err.stack).toBeTypeOf('string');
  });

  it('passes `cause` through', () => {
    const cause = new Error('root');
    expect(new TroupeError('TOOL_FAILED', 'wrapped', { cause }).cause).toBe(cause);
    expect(new PlanValidationError(['x'], { cause }).cause).toBe(cause);
    expect(new ModelOutputError('m', 'o', { cause }).cause).toBe(cause);
  });

  it('puts what went wrong into messages and fields', () => {
    const plan = new PlanValidationError(['task `a` depends on itself', 'the plan has no tasks']);
    expect(plan.issues).toEqual(['task `a` depends on itself', 'the plan has no tasks']);
    expect(plan.message).toBe('Invalid plan: task `a` depends on itself; the plan has no tasks');

    const timeout = new ToolTimeoutError('Task `a`', 50);
    expect(timeout.timeoutMs).toBe(50);
    expect(timeout.message).toBe('Task `a` did not settle within 50 ms');

    const occ = new OCCConflict('counter', 3, 4);
    expect([occ.key, occ.expectedVersion, occ.actualVersion]).toEqual(['counter', 3, 4]);
    expect(occ.message).toContain('expected version 3');
    expect(occ.message).toContain('version is 4');

    expect(new ModelOutputError('bad', 'raw text').output).toBe('raw text');
    expect(new ToolInputError('add', 'm').tool).toBe('add');
    expect(new ToolOutputError('add', 'm').tool).toBe('add');
    expect(new CircuitOpenError('search').message).toContain('`search`');
    expect(new CircuitOpenError('search', 'custom').message).toBe('custom');
    expect(new DispatchQuotaExceeded('maxCalls', 'm', [1, 2]).partial).toEqual([1, 2]);
    expect(new DispatchQuotaExceeded('maxCalls', 'm').partial).toEqual([]);
    expect(new UnsafeInputError('goal', 'm').source).toBe('goal');
    expect(new ConfigError(['a', 'b']).message).toBe('a; b');
    const log = new LogCorruptionError('events.db', 12, 'torn write');
    expect([log.file, log.position, log.message]).toEqual(['events.db', 12, 'events.db at 12: torn write']);
  });
});

describe('toErrorInfo', () => {
  it('keeps the code and message of a TroupeError', () => {
    expect(toErrorInfo(new ToolTimeoutError('Task `a`', 5))).toEqual({
      code: 'TOOL_TIMEOUT',
      message: 'Task `a` did not settle within 5 ms',
    });
  });

  it('labels foreign errors and thrown non-errors UNKNOWN', () => {
    expect(toErrorInfo(new RangeError('out of range'))).toEqual({ code: 'UNKNOWN', message: 'out of range' });
    expect(toErrorInfo('a string')).toEqual({ code: 'UNKNOWN', message: 'a string' });
    expect(toErrorInfo(undefined)).toEqual({ code: 'UNKNOWN', message: 'undefined' });
    expect(toErrorInfo({ code: 'X' })).toEqual({ code: 'UNKNOWN', message: '[object Object]' });
  });
});

describe('fromErrorInfo', () => {
  it('rebuilds a throwable TroupeError with the recorded code and message', () => {
    const err = fromErrorInfo({ code: 'PLAN_INVALID', message: 'Invalid plan: cycle' });
    expect(err).toBeInstanceOf(TroupeError);
    expect(err.code).toBe('PLAN_INVALID');
    expect(err.message).toBe('Invalid plan: cycle');
  });

  it('round-trips through toErrorInfo', () => {
    const original = new ToolOutputError('add', 'returned a string');
    expect(toErrorInfo(fromErrorInfo(toErrorInfo(original)))).toEqual(toErrorInfo(original));
  });

  it('maps UNKNOWN (a foreign error) to TOOL_FAILED, keeping the message', () => {
    const err = fromErrorInfo(toErrorInfo(new Error('socket hang up')));
    expect(err.code).toBe('TOOL_FAILED');
    expect(err.message).toBe('socket hang up');
  });
});
