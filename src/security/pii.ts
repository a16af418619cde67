import { isIPv6 } from 'node:net';
import type { RedactionRule } from './secretPatterns.js';

/** The kinds of personal data `detectPII` finds. */
export type PIIKind = 'EMAIL' | 'PHONE' | 'SSN' | 'CREDIT_CARD' | 'IBAN' | 'IP_ADDRESS';

/** One piece of personal data found in a text: where it is, never what it is. */
export interface PIIFinding {
  kind: PIIKind;
  /** Offset of the first character in the text. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

/** Luhn checksum: what separates a card number from an order number of the same length. */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
function ibanValid(text: string): boolean {
  const iban = text.replace(/\s/g, '');
  if (iban.length < 15 || iban.length > 34) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const digit of value) rest = (rest * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return rest === 1;
}

function cardValid(text: string): boolean {
  const digits = digitsOf(text);
  if (digits.length < 13 || digits.length > 19) return false;
  // Grouped numbers must be grouped consistently: `4111 1111-1111 1111` is not how cards are written.
  const separators = text.replace(/\d/g, '');
  if (separators !== '' && new Set(separators).size > 1) return false;
  return luhn(digits);
}

function phoneValid(text: string): boolean {
  const count = digitsOf(text).length;
  return count >= (text.startsWith('+') ? 8 : 10) && count <= 15;
}

// Loopback and unspecified addresses say nothing about a person and are everywhere in code.
function ipv4Valid(text: string): boolean {
  return !text.startsWith('127.') && text !== '0.0.0.0';
}

function ipv6Valid(text: string): boolean {
  return isIPv6(text) && (text.match(/:/g)?.length ?? 0) >= 3 && text !== '::1';
}

const octet = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/**
 * The PII rules, in the order they run: card numbers before phone numbers (a grouped card
 * number also looks like a phone number), and every numeric rule refuses digits glued to
 * letters, so UUIDs, hashes and version strings pass.
 *
 * @example
 * piiRules.map((r) => r.kind)
 * // => ['EMAIL', 'IBAN', 'CREDIT_CARD', 'SSN', 'PHONE', 'IP_ADDRESS', 'IP_ADDRESS']
 */
export const piiRules: readonly RedactionRule[] = [
  {
    kind: 'EMAIL',
    hint: /@/,
    needs: '@',
    pattern:
      /(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,24}(?![\w-])/g,
  },
  {
    kind: 'IBAN',
    hint: /[A-Z]{2}\d{2}/,
    needs: '#',
    pattern: /(?<![\w-])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w-])/g,
    validate: ibanValid,
  },
  {
    kind: 'CREDIT_CARD',
    hint: /\d{4}/,
    needs: '#',
    pattern: /(?<![\w.-])[2-6](?:\d[ -]?){11,17}\d(?![\w-]|\.\d)/g,
    validate: cardValid,
  },
  {
    kind: 'SSN',
    hint: /\d{3}-\d{2}-/,
    needs: '-',
    pattern: /(?<![\w.-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-]|\.\d)/g,
  },
  {
    kind: 'PHONE',
    hint: /\+\d|\d{3}/,
    needs: '#',
    pattern:
      /(?<![\w.+-])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}|(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4})(?![\w-]|\.\d)/g,
    validate: phoneValid,
  },
  {
    kind: 'IP_ADDRESS',
    hint: /\d\.\d/,
    needs: '.',
    pattern: new RegExp(`(?<![\\w.])(?:${octet}\\.){3}${octet}(?![\\w]|\\.\\d)`, 'g'),
    validate: ipv4Valid,
  },
  {
    kind: 'IP_ADDRESS',
    hint: /:[0-9A-Fa-f]{0,4}:/,
    needs: ':',
    pattern: /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g,
    validate: ipv6Valid,
  },
];

/**
 * Finds personal data in a text: emails, phone numbers, US SSNs, card numbers (Luhn-checked),
 * IBANs (mod-97-checked) and IP addresses. Findings carry offsets, never the values.
 *
 * @example
 * detectPII('mail ada@example.com or call +44 20 7946 0958')
 * // => [{ kind: 'EMAIL', start: 5, end: 20 }, { kind: 'PHONE', start: 29, end: 45 }]
 * @param text the text to scan
 */
export function detectPII(text: string): PIIFinding[] {
  const findings: PIIFinding[] = [];
  const taken: [number, number][] = [];
  for (const rule of piiRules) {
    if (rule.hint?.test(text) === false) continue;
    rule.pattern.lastIndex = 0;
    for (const match of text.matchAll(rule.pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (rule.validate !== undefined && !rule.validate(match[0])) continue;
      if (taken.some(([s, e]) => start < e && end > s)) continue;
      taken.push([start, end]);
      findings.push({ kind: rule.kind as PIIKind, start, end });
    }
  }
  return findings.sort((a, b) => a.start - b.start);
}

/**
 * Replaces every piece of personal data `detectPII` finds with `[REDACTED_<KIND>]`.
 *
 * @example
 * redactPII('card 4111 1111 1111 1111, order 4111 1111 1111 1112')
 * // => 'card [REDACTED_CREDIT_CARD], order 4111 1111 1111 1112'
 * @param text the text to redact
 */
export function redactPII(text: string): string {
  const findings = detectPII(text);
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += `${text.slice(at, f.start)}[REDACTED_${f.kind}]`;
    at = f.end;
  }
  return out + text.slice(at);
}
