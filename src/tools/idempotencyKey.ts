import * as crypto from 'node:crypto';

// One-shot `crypto.hash` (Node ≥ 20.12) is about twice as fast as a Hash object; older Node 20 lacks it.
const sha256 =
  typeof crypto.hash === 'function'
    ? (text: string) => crypto.hash('sha256', text, 'hex')
    : (text: string) => crypto.createHash('sha256').update(text).digest('hex');

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
  return sha256(stableStringify(parts)).slice(0, 32);
}
