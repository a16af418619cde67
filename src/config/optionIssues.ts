import type { z } from 'zod';

/** The value at `path` inside `root`, or `undefined` where the path leaves it. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], root);
}

/** A value as an option error shows it: objects as JSON, anything else as text. */
export function showValue(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * One line per zod issue of `given`, naming the field (under `prefix`), what was expected and
 * the value given: ``Expected `limits.maxParallel` to be valid (Too small: expected number to
 * be >=1), got `0` ``. Every options check in troupe reports its errors this way.
 *
 * @example
 * optionIssues(schema.safeParse({ concurrency: 0 }).error!, { concurrency: 0 })
 * // => ['Expected `concurrency` to be valid (Too small: expected number to be >=1), got `0`']
 */
export function optionIssues(error: z.ZodError, given: unknown, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.join('.') || '(root)';
    return `Expected \`${prefix}${path}\` to be valid (${issue.message}), got \`${showValue(valueAt(given, issue.path))}\``;
  });
}
