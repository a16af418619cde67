import { ConfigError } from '../errors.js';

/**
 * Option checks shared by the resilience operators. Each throws a `ConfigError` naming the
 * operator, the option, the value it got and what it expected, so a typo in a config file
 * points at itself: ``retryBackoff: expected `maxRetries` to be an integer ≥ 0, got `-1` ``.
 */

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  return String(value);
}

function fail(owner: string, option: string, expected: string, value: unknown): never {
  throw new ConfigError([`${owner}: expected \`${option}\` to be ${expected}, got \`${show(value)}\``]);
}

/**
 * Checks an options argument is an object.
 *
 * @example
 * checkObject('bulkhead', null)
 * // => throws ConfigError "bulkhead: expected `options` to be an object, got `null`"
 */
export function checkObject(owner: string, value: unknown): asserts value is object {
  if (typeof value !== 'object' || value === null) fail(owner, 'options', 'an object', value);
}

/**
 * An integer at least `min`; `fallback` when `value` is undefined.
 *
 * @example
 * integerAtLeast('retryBackoff', 'maxRetries', undefined, 0, 3)
 * // => 3
 */
export function integerAtLeast(owner: string, option: string, value: unknown, min: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(owner, option, `an integer ≥ ${min}`, value);
  }
  return value;
}

/**
 * A finite number at least `min` (or `Infinity` when `allowInfinity`); `fallback` when undefined.
 *
 * @example
 * numberAtLeast('withTimeout', 'ms', 250, 0)
 * // => 250
 */
export function numberAtLeast(
  owner: string,
  option: string,
  value: unknown,
  min: number,
  fallback?: number,
  allowInfinity = false,
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const ok =
    typeof value === 'number' && !Number.isNaN(value) && value >= min && (allowInfinity || Number.isFinite(value));
  if (!ok) fail(owner, option, `a ${allowInfinity ? '' : 'finite '}number ≥ ${min}`, value);
  return value as number;
}

/**
 * A number in `[min, max]`; `fallback` when undefined.
 *
 * @example
 * numberBetween('retryBackoff', 'jitter', 0.5, 0, 1, 0.5)
 * // => 0.5
 */
export function numberBetween(
  owner: string,
  option: string,
  value: unknown,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    fail(owner, option, `a number between ${min} and ${max}`, value);
  }
  return value;
}

/**
 * A function, or `undefined` when optional and absent.
 *
 * @example
 * optionalFunction('retryBackoff', 'retryIf', (err) => true)
 * // => [Function]
 */
export function optionalFunction<F extends (...args: never[]) => unknown>(
  owner: string,
  option: string,
  value: unknown,
): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') fail(owner, option, 'a function', value);
  return value as F;
}

/**
 * A non-empty string; `fallback` when undefined.
 *
 * @example
 * nonEmptyString('circuitBreaker', 'name', undefined, 'circuit')
 * // => 'circuit'
 */
export function nonEmptyString(owner: string, option: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') fail(owner, option, 'a non-empty string', value);
  return value;
}
