import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal values always serialise alike. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${stableStringify(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * The idempotency key of a call: a SHA-256 of its parts (e.g. run, task, tool and input),
 * equal for equal parts whatever the key order of objects inside them.
 *
 * @example
 * idempotencyKey('run-1', 'post', 'postToX', { text: 'hi' }) === idempotencyKey('run-1', 'post', 'postToX', { text: 'hi' })
 * // => true
 */
export function idempotencyKey(...parts: readonly unknown[]): string {
  return createHash('sha256').update(stableStringify(parts)).digest('hex').slice(0, 32);
}
