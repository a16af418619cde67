import type { Redactor } from './redactor.js';

/** What was redacted and where: the kind and the path, never the value. */
export interface Redaction {
  /** A JSON path from the redacted value's root, e.g. `user.cards[0].number`. */
  path: string;
  /** What was found, e.g. `EMAIL`, or `SENSITIVE_KEY` for a value held under a key like `password`. */
  kind: string;
}

/** How `redactDeep` walks a value. */
export interface RedactDeepOptions {
  /**
   * What happens to a value held under a sensitive key (`password`, `apiKey`, `authorization`…):
   * `mask` keeps the key with `[REDACTED_SENSITIVE_KEY]`; `remove` drops the key.
   */
  sensitiveKeys: 'mask' | 'remove';
  /** Receives one entry per replacement, when given. */
  found?: Redaction[];
}

/**
 * Keys whose values are secret whatever they look like: a whole key (`token`, `cookie`, `ssn`)
 * or a key ending in a secret's name, whatever prefix names the vendor (`aws_secret_access_key`,
 * `SecretAccessKey`, `clientSecret`, `DB_PASSWORD`, `ssh_private_key`, `SessionToken`).
 * Anchored at the end, so `tokenCount`, `passwordPolicy` or a pagination `NextToken` are walked
 * like any other key.
 */
export const sensitiveKeyPattern =
  /^(?:pwd|token|authorization|proxy-authorization|cookie|set-cookie|session[_-]?id|ssn|credit[_-]?card|card[_-]?number|cvv|cvc)$|(?:password|passwd|passphrase|secret|secret[_.-]?(?:access[_.-]?)?key|private[_.-]?key|account[_.-]?key|api[_.-]?key|(?:access|refresh|auth|id|session|bearer|oauth|bot|api|csrf|xsrf)[_.-]?token|credentials?)$/i;

/** Deeper than this, a value is replaced whole: it is a cycle or an attack on the walker. */
const maxDepth = 64;
const masked = '[REDACTED_SENSITIVE_KEY]';

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function isWalkable(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Redacts every string inside `value` (objects and arrays, at any depth) and the values of
 * sensitive keys. Copy-on-write: what holds nothing to redact is returned as the same object,
 * so clean data costs no allocation. Class instances other than plain objects are kept as is.
 *
 * @example
 * const found: Redaction[] = [];
 * redactDeep({ user: { email: 'ada@example.com', password: 'x' } }, createRedactor(), { sensitiveKeys: 'remove', found })
 * // => { user: { email: '[REDACTED_EMAIL]' } }
 * found
 * // => [{ path: 'user.email', kind: 'EMAIL' }, { path: 'user.password', kind: 'SENSITIVE_KEY' }]
 * @param value the value to redact
 * @param redactor replaces secrets in text
 * @param options what to do with sensitive keys, and where to record redactions
 */
export function redactDeep<T>(value: T, redactor: Redactor, options: RedactDeepOptions): T {
  return walk(value, redactor, options, '', 0) as T;
}

function walk(value: unknown, redactor: Redactor, options: RedactDeepOptions, path: string, depth: number): unknown {
  if (typeof value === 'string') {
    if (options.found === undefined) return redactor.text(value);
    const kinds: string[] = [];
    const out = redactor.scan(value, kinds);
    for (const kind of new Set(kinds)) options.found.push({ path, kind });
    return out;
  }
  if (typeof value !== 'object' || value === null || !isWalkable(value)) return value;
  if (depth >= maxDepth) {
    options.found?.push({ path, kind: 'TOO_DEEP' });
    return '[REDACTED_TOO_DEEP]';
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const next = walk(item, redactor, options, join(path, i), depth + 1);
      if (next !== item) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (
      item !== null &&
      item !== undefined &&
      typeof item !== 'boolean' &&
      item !== masked &&
      sensitiveKeyPattern.test(key)
    ) {
      options.found?.push({ path: join(path, key), kind: 'SENSITIVE_KEY' });
      copy ??= { ...record };
      if (options.sensitiveKeys === 'remove') delete copy[key];
      else copy[key] = masked;
      continue;
    }
    const next = walk(item, redactor, options, join(path, key), depth + 1);
    if (next !== item) {
      copy ??= { ...record };
      copy[key] = next;
    }
  }
  return copy ?? value;
}
