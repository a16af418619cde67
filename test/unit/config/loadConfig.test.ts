import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/loadConfig.js';
import { ConfigError } from '../../../src/errors.js';
import { createRuntime } from '../../../src/runtime/createRuntime.js';

function configFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-config-'));
  const path = join(dir, 'troupe.config.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('merges file, env and options, later sources winning field by field', () => {
    const file = configFile({ concurrency: 4, retry: { maxRetries: 5, initialDelayMs: 10 }, logLevel: 'debug' });
    const { config } = loadConfig({
      file,
      env: { TROUPE_CONCURRENCY: '8', TROUPE_MAX_RETRIES: '1' },
      options: { taskTimeoutMs: 1_000 },
    });
    expect(config).toMatchObject({
      concurrency: 8,
      retry: { maxRetries: 1, initialDelayMs: 10 },
      logLevel: 'debug',
      taskTimeoutMs: 1_000,
    });
  });

  it('lists every bad field at once, naming where each value came from', () => {
    const file = configFile({ maxTasks: 0, screening: { goal: 'shrug' } });
    const issues = issuesOf(() =>
      loadConfig({
        file,
        env: { TROUPE_CONCURRENCY: 'lots', TROUPE_LOG_LEVEL: 'loud', TROUPE_REDACT: 'maybe' },
        options: { model: { baseURL: 'not a url' } },
      }),
    );
    expect(issues).toHaveLength(6);
    const text = issues.join('\n');
    expect(text).toContain('`concurrency` (env TROUPE_CONCURRENCY)');
    expect(text).toContain('got `"lots"`');
    expect(text).toContain('`logLevel` (env TROUPE_LOG_LEVEL)');
    expect(text).toContain('`redaction.enabled` (env TROUPE_REDACT)');
    expect(text).toContain(`\`maxTasks\` (file ${file})`);
    expect(text).toContain(`\`screening.goal\` (file ${file})`);
    expect(text).toContain('`model.baseURL` (options)');
  });

  it('refuses unknown fields rather than ignoring a typo', () => {
    const issues = issuesOf(() => loadConfig({ file: false, env: {}, options: { concurency: 3 } as never }));
    expect(issues[0]).toContain('concurency');
  });

  it('names a missing secret at start-up, with every other problem', () => {
    const issues = issuesOf(() =>
      loadConfig({
        file: false,
        env: {},
        options: {
          auth: { search: { type: 'bearer', tokenEnv: 'SEARCH_TOKEN' } },
          model: { name: 'gpt-4o-mini' },
          dashboard: { tokenEnv: 'DASH_TOKEN' },
          redaction: { patterns: [{ kind: 'X', pattern: '(' }] },
        },
      }),
    );
    expect(issues).toHaveLength(4);
    expect(issues.join('\n')).toMatch(/SEARCH_TOKEN.*auth\.search\.tokenEnv/);
    expect(issues.join('\n')).toContain('`OPENAI_API_KEY` (model.apiKeyEnv)');
    expect(issues.join('\n')).toContain('`DASH_TOKEN` (dashboard.tokenEnv)');
    expect(issues.join('\n')).toContain('redaction.patterns[0].pattern');
  });

  it('reports an unreadable or malformed file', () => {
    expect(issuesOf(() => loadConfig({ file: '/nonexistent/troupe.json', env: {} }))[0]).toContain(
      'Could not read config file `/nonexistent/troupe.json`',
    );
    expect(issuesOf(() => loadConfig({ file: configFile('{"concurrency": '), env: {} }))[0]).toContain(
      'Could not read',
    );
    expect(issuesOf(() => loadConfig({ file: configFile('[1]'), env: {} }))[0]).toContain('JSON object');
  });

  it('resolves auth and marks every named credential secret', () => {
    const loaded = loadConfig({
      file: false,
      env: { SEARCH_TOKEN: 'tok-123456', TROUPE_SECRET_ENV: 'DB_PASSWORD, SMTP_PASSWORD' },
      options: { auth: { search: { type: 'api_key', header: 'X-Api-Key', tokenEnv: 'SEARCH_TOKEN' } } },
    });
    expect(loaded.auth.search?.headers).toEqual({ 'x-api-key': 'tok-123456' });
    expect(loaded.secretEnv).toEqual(['DB_PASSWORD', 'SMTP_PASSWORD', 'SEARCH_TOKEN', 'OPENAI_API_KEY']);
    expect(loaded.runtimeOptions.redaction?.secretEnv).toEqual(loaded.secretEnv);
  });

  it('gives createRuntime options it accepts', () => {
    const { runtimeOptions } = loadConfig({ file: false, env: { TROUPE_CONCURRENCY: '3', TROUPE_REDACT_PII: 'off' } });
    expect(runtimeOptions).toMatchObject({ concurrency: 3, redaction: { pii: false } });
    expect(() => createRuntime(runtimeOptions)).not.toThrow();
  });
});
