import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactDeep } from '../../../src/security/redactDeep.js';
import { createRedactor } from '../../../src/security/redactor.js';
import { piiSamples } from '../../fixtures/security/pii.js';
import { secretSamples } from '../../fixtures/security/secrets.js';

const redactor = createRedactor({ values: ['configured-secret-value'] });

const b62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const chars = (alphabet: string, min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength: min, maxLength: max });

/** Secrets generated per format, so the fuzzer tries far more than the fixed corpus. */
const secret = fc.oneof(
  chars(b62, 20, 60).map((s) => `sk-proj-${s}`),
  chars(b62, 20, 60).map((s) => `sk-ant-api03-${s}`),
  chars(b62, 36, 40).map((s) => `ghp_${s}`),
  chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16, 16).map((s) => `AKIA${s}`),
  chars(b62, 10, 30).map((s) => `xoxb-${s}`),
  chars(b62, 16, 40).map((s) => `${'sk_'}live_${s}`),
  chars(`${b62}_-`, 35, 35).map((s) => `AIza${s}`),
  fc.tuple(chars(b62, 5, 30), chars(b62, 5, 30), chars(b62, 5, 40)).map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`),
  fc.constant('configured-secret-value'),
);

/** Surrounding text: arbitrary unicode, but secrets are set off by a separator, as in real text. */
const separators = fc.constantFrom(' ', '\n', '\t', '"', "'", '(', ')', ',', ';', ': ', '=');
const noise = fc.string({ maxLength: 40 });

describe('redactor under fuzzing', () => {
  it('never throws, on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(typeof redactor.text(text)).toBe('string');
      }),
      { numRuns: 2_000 },
    );
  });

  it('never lets a generated secret through, whatever text surrounds it', () => {
    fc.assert(
      fc.property(noise, separators, secret, separators, noise, (before, s1, value, s2, after) => {
        const out = redactor.text(`${before}${s1}${value}${s2}${after}`);
        expect(out).not.toContain(value);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never lets a corpus secret or PII value through, in any mix', () => {
    const samples = [...secretSamples.map((s) => ({ text: s.text, value: s.secret })), ...piiSamples];
    fc.assert(
      fc.property(fc.subarray(samples, { minLength: 1 }), fc.constantFrom(' ', '\n', ' | '), (picked, glue) => {
        const out = redactor.text(picked.map((s) => s.text).join(glue));
        for (const s of picked) expect(out).not.toContain(s.value);
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(noise, secret, noise, (a, value, b) => {
        const once = redactor.text(`${a} ${value} ${b}`);
        expect(redactor.text(once)).toBe(once);
      }),
      { numRuns: 1_000 },
    );
  });

  it('never throws on any JSON value and leaves no secret inside it', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), secret, (json, value) => {
        const out = redactDeep({ json, nested: [{ value }] }, redactor, { sensitiveKeys: 'remove', found: [] });
        expect(JSON.stringify(out)).not.toContain(value);
      }),
      { numRuns: 500 },
    );
  });
});
