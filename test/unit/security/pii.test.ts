import { describe, expect, it } from 'vitest';
import { detectPII, redactPII } from '../../../src/security/pii.js';
import { cleanTexts } from '../../fixtures/security/falsePositives.js';
import { piiSamples } from '../../fixtures/security/pii.js';

describe('PII detection', () => {
  it('covers at least 6 kinds of personal data', () => {
    expect(new Set(piiSamples.map((s) => s.kind)).size).toBeGreaterThanOrEqual(6);
  });

  it.each(piiSamples.map((s) => [s.kind, s.value, s] as const))('finds a %s: %s', (kind, value, sample) => {
    const findings = detectPII(sample.text);
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding?.kind).toBe(kind);
    expect(sample.text.slice(finding?.start, finding?.end)).toBe(value);
    const redacted = redactPII(sample.text);
    expect(redacted).not.toContain(value);
    expect(redacted).toContain(`[REDACTED_${kind}]`);
  });

  it.each(cleanTexts.map((t) => [t]))('finds nothing in: %s', (text) => {
    expect(detectPII(text)).toEqual([]);
  });

  it('flags card numbers only when the Luhn check passes', () => {
    expect(detectPII('card 4111 1111 1111 1111')).toHaveLength(1);
    expect(detectPII('order 4111 1111 1111 1112')).toEqual([]);
    expect(detectPII('order 4111-1111 1111-1111')).toEqual([]);
  });

  it('flags IBANs only when the mod-97 check passes', () => {
    expect(detectPII('GB82 WEST 1234 5698 7654 32')).toHaveLength(1);
    expect(detectPII('GB83 WEST 1234 5698 7654 32')).toEqual([]);
  });

  it('refuses impossible SSNs and loopback addresses', () => {
    expect(detectPII('000-12-3456 666-12-3456 123-00-4567 123-45-0000')).toEqual([]);
    expect(detectPII('127.0.0.1 and ::1 and 999.1.1.1')).toEqual([]);
  });

  it('reports offsets, never values', () => {
    const findings = detectPII('mail ada@example.com or call +44 20 7946 0958');
    expect(findings).toEqual([
      { kind: 'EMAIL', start: 5, end: 20 },
      { kind: 'PHONE', start: 29, end: 45 },
    ]);
  });

  it('finds several kinds in one text and redacts them all', () => {
    const text = piiSamples.map((s) => s.text).join(' | ');
    const redacted = redactPII(text);
    for (const sample of piiSamples) expect(redacted).not.toContain(sample.value);
  });

  it('handles empty and huge inputs', () => {
    expect(detectPII('')).toEqual([]);
    const big = `${'lorem ipsum '.repeat(50_000)}ada@example.com`;
    expect(redactPII(big).endsWith('[REDACTED_EMAIL]')).toBe(true);
  });
});
