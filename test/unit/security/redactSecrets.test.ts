import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { createRedactor } from '../../../src/security/redactor.js';
import { redactSecrets } from '../../../src/security/redactSecrets.js';
import { compileRules } from '../../../src/security/secretPatterns.js';
import { cleanTexts } from '../../fixtures/security/falsePositives.js';
import { piiSamples } from '../../fixtures/security/pii.js';
import { configuredSecret, secretSamples } from '../../fixtures/security/secrets.js';

describe('secret redaction', () => {
  it('covers at least 10 secret formats', () => {
    expect(new Set(secretSamples.map((s) => s.kind)).size).toBeGreaterThanOrEqual(10);
  });

  it.each(secretSamples.map((s) => [s.kind, s] as const))('replaces a %s with its label', (kind, sample) => {
    const out = redactSecrets(sample.text);
    expect(out).not.toContain(sample.secret);
    expect(out).toContain(`[REDACTED_${kind}]`);
  });

  it.each(cleanTexts.map((t) => [t]))('leaves ordinary text alone: %s', (text) => {
    expect(createRedactor().text(text)).toBe(text);
  });

  it('keeps the context around a secret readable', () => {
    expect(redactSecrets('Authorization: Bearer abcdefghijklmnopqrstuvwx')).toBe(
      'Authorization: Bearer [REDACTED_BEARER_TOKEN]',
    );
    expect(redactSecrets('postgres://app:s3cr3t-pw@db:5432/app')).toBe(
      'postgres://app:[REDACTED_URL_PASSWORD]@db:5432/app',
    );
  });

  it('redacts a private key block cut short, and not the prose after it', () => {
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
    const out = redactSecrets(`-----BEGIN PRIVATE KEY-----\n${body}\n${body}\nthe rest is prose`);
    expect(out).toBe('[REDACTED_PRIVATE_KEY]\nthe rest is prose');
  });

  it('is idempotent: redacting twice changes nothing more', () => {
    const redactor = createRedactor();
    for (const sample of [...secretSamples, ...piiSamples]) {
      const once = redactor.text(sample.text);
      expect(redactor.text(once)).toBe(once);
    }
  });

  it('returns the very same string when nothing matched', () => {
    const text = 'nothing secret in here at all';
    expect(createRedactor().text(text)).toBe(text);
  });

  it('redacts configured secret values by exact match, whatever they look like', () => {
    const redactor = createRedactor({ values: [configuredSecret.value, 'abc'] });
    expect(redactor.text(`db pass is ${configuredSecret.value}!`)).toBe('db pass is [REDACTED_SECRET_VALUE]!');
    // Values under 4 characters would shred ordinary words and are ignored.
    expect(redactor.text('abc def')).toBe('abc def');
  });

  it('applies extra patterns too', () => {
    const rules = compileRules([{ kind: 'ACME_TOKEN', pattern: /acme_[a-z0-9]{12}/ }], 'patterns');
    const redactor = createRedactor({ rules });
    expect(redactor.text('token acme_0123456789ab here')).toBe('token [REDACTED_ACME_TOKEN] here');
  });

  it('names every bad extra pattern at once', () => {
    let error: unknown;
    try {
      compileRules(
        [
          { kind: 'lower', pattern: 'x+' },
          { kind: 'EMPTY_MATCH', pattern: 'a*' },
          { kind: 'BROKEN', pattern: '([' },
        ],
        'redaction.patterns',
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toHaveLength(3);
    expect(issues[0]).toContain('redaction.patterns[0].kind');
    expect(issues[1]).toContain('redaction.patterns[1].pattern');
    expect(issues[2]).toContain('redaction.patterns[2].pattern');
  });

  it('can be limited to secrets, leaving personal data', () => {
    const redactor = createRedactor({ pii: false });
    expect(redactor.text('mail ada@example.com')).toBe('mail ada@example.com');
  });
});
