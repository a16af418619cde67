import { piiRules } from './pii.js';
import { builtinSecretRules, type RedactionRule } from './secretPatterns.js';

/** What a redactor replaces. */
export interface RedactorOptions {
  /**
   * Replace secrets in the built-in formats (and `rules`).
   * @default true
   */
  secrets?: boolean;
  /**
   * Replace personal data (emails, phones, SSNs, card numbers, IBANs, IP addresses).
   * @default true
   */
  pii?: boolean;
  /** Extra rules (see `compileRules`), run after the built-in ones so they cannot split one. @default [] */
  rules?: readonly RedactionRule[];
  /**
   * Exact secret values (e.g. of env vars the config marks secret), replaced wherever they
   * appear as `[REDACTED_SECRET_VALUE]`. Values shorter than 4 characters are ignored.
   * @default []
   */
  values?: readonly string[];
}

/** Replaces secrets and personal data in text. */
export interface Redactor {
  /** The text with every match replaced; the very same string when nothing matched. */
  text(input: string): string;
  /** Like `text`, and adds the kind of each replacement to `kinds`. */
  scan(input: string, kinds: string[]): string;
}

/** The shortest secret value redacted by exact match; shorter ones would shred ordinary text. */
const minValueLength = 4;
/** No rule matches fewer characters than an email like `a@b.co`. */
const minRuleLength = 6;

// One bit per character a rule may need; digits share the last bit.
const featureChars = '@:?&_-.=';
const digitBit = 1 << featureChars.length;
const allFeatures = (digitBit << 1) - 1;
const featureBit = new Uint16Array(128);
for (let i = 0; i < featureChars.length; i++) featureBit[featureChars.charCodeAt(i)] = 1 << i;
for (let c = 48; c <= 57; c++) featureBit[c] = digitBit;

/** The feature bits of a text: one pass over its characters, stopping once all are seen. */
function featuresOf(text: string): number {
  let mask = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) mask |= featureBit[c] as number;
    if (mask === allFeatures) break;
  }
  return mask;
}

/** The bits of the characters a rule needs; 0 for a rule that needs none (it always runs). */
function maskOf(needs: string | undefined): number {
  let mask = 0;
  for (const ch of needs ?? '') mask |= ch === '#' ? digitBit : (featureBit[ch.charCodeAt(0)] ?? 0);
  return mask;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Creates a redactor. One pass over a string notes which of `@:?&_-.=` and digits it holds; a
 * rule runs only if the string holds a character it needs and its hint (a keyword) matches, so
 * ordinary text costs that pass and a few literal searches, and no allocation.
 *
 * @example
 * const redactor = createRedactor({ values: ['hunter2-prod'] });
 * redactor.text('key sk-proj-abcdefghijklmnopqrstuvwx, db pass hunter2-prod, mail ada@example.com')
 * // => 'key [REDACTED_OPENAI_KEY], db pass [REDACTED_SECRET_VALUE], mail [REDACTED_EMAIL]'
 * @param options what to replace
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  // Built-in formats run first and replace their matches whole; a user's pattern or value that
  // ran first could take a piece out of one (a 12-digit id inside a Slack token), after which the
  // built-in no longer matches and the rest of the secret would stay in clear.
  const rules: RedactionRule[] = options.secrets === false ? [] : [...builtinSecretRules, ...(options.rules ?? [])];
  const values = [...new Set(options.values ?? [])]
    .filter((v) => typeof v === 'string' && v.length >= minValueLength)
    .sort((a, b) => b.length - a.length);
  if (values.length > 0)
    rules.push({ kind: 'SECRET_VALUE', pattern: new RegExp(values.map(escapeRegExp).join('|'), 'g') });
  if (options.pii !== false) rules.push(...piiRules);
  if (rules.length === 0) return { text: (input) => input, scan: (input) => input };

  const minLength = Math.min(minRuleLength, ...values.map((v) => v.length));

  const masks = rules.map((r) => maskOf(r.needs));

  function run(input: string, kinds: string[] | undefined): string {
    if (input.length < minLength) return input;
    const features = featuresOf(input);
    let out = input;
    for (let i = 0; i < rules.length; i++) {
      const needs = masks[i] as number;
      if (needs !== 0 && (needs & features) === 0) continue;
      const { kind, pattern, validate, hint } = rules[i] as RedactionRule;
      if (hint?.test(out) === false) continue;
      pattern.lastIndex = 0;
      if (!pattern.test(out)) continue;
      pattern.lastIndex = 0;
      out = out.replace(pattern, (match) => {
        if (validate !== undefined && !validate(match)) return match;
        kinds?.push(kind);
        return `[REDACTED_${kind}]`;
      });
    }
    return out;
  }

  return {
    text: (input) => run(input, undefined),
    scan: (input, kinds) => run(input, kinds),
  };
}
