import { describe, expect, it } from 'vitest';
import { redactDeep } from '../../../src/security/redactDeep.js';
import { createRedactor } from '../../../src/security/redactor.js';
import { compileRules } from '../../../src/security/secretPatterns.js';

const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const slack = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';

describe('secrets named by their key', () => {
  it.each([
    'aws_secret_access_key',
    'AWS_SECRET_ACCESS_KEY',
    'SecretAccessKey',
    'secretAccessKey',
    'prod_secret_access_key',
    'client_secret',
    'clientSecret',
    'private_key',
    'sshPrivateKey',
    'stripe_secret_key',
    'SessionToken',
    'DB_PASSWORD',
    'openai_api_key',
    'AccountKey',
    'github-api-token',
  ])('masks the value under `%s`, whatever it looks like', (key) => {
    const found: { path: string; kind: string }[] = [];
    const out = redactDeep({ creds: { [key]: 'short' } }, createRedactor(), { sensitiveKeys: 'mask', found });
    expect(out).toEqual({ creds: { [key]: '[REDACTED_SENSITIVE_KEY]' } });
    expect(found).toEqual([{ path: `creds.${key}`, kind: 'SENSITIVE_KEY' }]);
  });

  it.each([
    'tokenCount',
    'maxTokens',
    'passwordPolicy',
    'NextToken',
    'AccessKeyId',
    'publicKey',
    'secretName',
    'keyboard',
  ])('walks `%s` like any other key', (key) => {
    const value = { [key]: 'plain words' };
    expect(redactDeep(value, createRedactor(), { sensitiveKeys: 'mask' })).toBe(value);
  });
});

describe('AWS credentials in text', () => {
  const redactor = createRedactor();

  it.each([
    [
      'the AWS CLI JSON output',
      `{"AccessKey": {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "${secret}"}}`,
    ],
    ['the same JSON escaped inside a JSON string', JSON.stringify(`{"SecretAccessKey": "${secret}"}`)],
    ['an env line', `AWS_SECRET_ACCESS_KEY=${secret}`],
    ['a camelCase assignment', `const awsSecretAccessKey = '${secret}';`],
  ])('takes the key out of %s', (_, text) => {
    const out = redactor.text(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED_AWS_SECRET_KEY]');
  });

  it('takes any secret out of `NAME_SECRET_KEY=` / `"ClientSecret":` lines of other lengths', () => {
    expect(redactor.text('STRIPE_SECRET_KEY=abc123def456')).toBe('STRIPE_SECRET_KEY=[REDACTED_SECRET]');
    expect(redactor.text('{"ClientSecret": "abc123def456"}')).toBe('{"ClientSecret": "[REDACTED_SECRET]"}');
  });
});

describe('presigned URLs', () => {
  it('take out the session token and the signature, keeping the rest of the URL', () => {
    const token = `IQoJb3JpZ2luX2VjEJr${'a1B2'.repeat(20)}%2F%2B`;
    const url = `https://bucket.s3.amazonaws.com/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Security-Token=${token}&X-Amz-Signature=${'0f'.repeat(32)}&X-Amz-Expires=300`;
    const out = createRedactor().text(url);
    expect(out).toBe(
      'https://bucket.s3.amazonaws.com/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Security-Token=[REDACTED_URL_TOKEN]&X-Amz-Signature=[REDACTED_URL_TOKEN]&X-Amz-Expires=300',
    );
    expect(createRedactor().text('?X-Goog-Signature=abcdef0123')).toBe('?X-Goog-Signature=[REDACTED_URL_TOKEN]');
  });
});

describe('custom patterns and values never weaken a built-in format', () => {
  it('a 12-digit pattern leaves a Slack token replaced whole', () => {
    const rules = compileRules([{ kind: 'ACCOUNT_ID', pattern: /\d{12}/ }], 'patterns');
    const redactor = createRedactor({ rules });
    expect(redactor.text(`token ${slack} for account 123456789012`)).toBe(
      'token [REDACTED_SLACK_TOKEN] for account [REDACTED_ACCOUNT_ID]',
    );
  });

  it('a configured value that is a piece of a built-in secret leaves it replaced whole', () => {
    const redactor = createRedactor({ values: ['1234567890123'] });
    expect(redactor.text(`bot ${slack}; id 1234567890123`)).toBe(
      'bot [REDACTED_SLACK_TOKEN]; id [REDACTED_SECRET_VALUE]',
    );
  });

  it('a pattern that would eat an OpenAI key prefix leaves the key replaced whole', () => {
    const key = `sk-proj-${'Ab1'.repeat(16)}`;
    const rules = compileRules([{ kind: 'PROJ', pattern: /proj-[A-Za-z]{3}/ }], 'patterns');
    expect(createRedactor({ rules }).text(`key ${key}`)).toBe('key [REDACTED_OPENAI_KEY]');
  });
});
