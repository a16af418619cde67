import { type Redaction, redactDeep } from './redactDeep.js';
import { createRedactor, type Redactor } from './redactor.js';

/** A tool's or sub-agent's result after filtering, and what was taken out of it. */
export interface FilteredResponse<T> {
  /** The result with sensitive keys removed and secrets and personal data redacted. */
  value: T;
  /** Kinds and paths of what was redacted, never the values; empty when nothing was. */
  redactions: Redaction[];
}

/** Filters results before they are recorded or shown to a model. */
export type ResponseFilter = <T>(value: T) => FilteredResponse<T>;

let defaultFilter: ResponseFilter | undefined;

/**
 * Creates the filter applied to tool and sub-agent results: keys such as `password`, `apiKey`
 * or `authorization` are removed, every string at any depth is redacted, and each redaction
 * is listed by kind and path so it can be recorded in the event.
 *
 * @example
 * const filter = createResponseFilter();
 * filter({ name: 'Ada', contact: { email: 'ada@example.com' }, apiKey: 'k-123' })
 * // => { value: { name: 'Ada', contact: { email: '[REDACTED_EMAIL]' } },
 * //      redactions: [{ path: 'contact.email', kind: 'EMAIL' }, { path: 'apiKey', kind: 'SENSITIVE_KEY' }] }
 * @param redactor what replaces secrets and personal data in strings
 * @default redactor createRedactor()
 */
export function createResponseFilter(redactor: Redactor = createRedactor()): ResponseFilter {
  return <T>(value: T): FilteredResponse<T> => {
    const redactions: Redaction[] = [];
    const filtered = redactDeep(value, redactor, { sensitiveKeys: 'remove', found: redactions });
    return { value: filtered, redactions };
  };
}

/**
 * Filters one result with the default redactor (secrets and PII, built-in patterns only).
 *
 * @example
 * filterResponse({ card: '4111 1111 1111 1111' }).redactions
 * // => [{ path: 'card', kind: 'CREDIT_CARD' }]
 * @param value a tool's or sub-agent's result
 */
export function filterResponse<T>(value: T): FilteredResponse<T> {
  defaultFilter ??= createResponseFilter();
  return defaultFilter(value);
}
