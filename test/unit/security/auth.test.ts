import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { type AuthConfig, resolveAuth } from '../../../src/security/auth.js';

describe('outbound auth', () => {
  it('sends a bearer token from its env var', () => {
    expect(resolveAuth({ type: 'bearer', tokenEnv: 'TOKEN' }, { TOKEN: 'abc' })).toEqual({
      headers: { authorization: 'Bearer abc' },
      secret: 'abc',
    });
  });

  it('sends an API key in the named header', () => {
    const auth = resolveAuth({ type: 'api_key', header: 'X-Api-Key', tokenEnv: 'KEY' }, { KEY: 'k1' });
    expect(auth.headers).toEqual({ 'x-api-key': 'k1' });
  });

  it('sends nothing for none', () => {
    expect(resolveAuth({ type: 'none' }, {})).toEqual({ headers: {} });
  });

  it('names a missing or empty variable', () => {
    expect(() => resolveAuth({ type: 'bearer', tokenEnv: 'MISSING' }, {})).toThrow(
      /`MISSING` \(auth\.tokenEnv\) to hold a token, but it is not set/,
    );
    expect(() => resolveAuth({ type: 'bearer', tokenEnv: 'EMPTY' }, { EMPTY: ' ' }, 'auth.search')).toThrow(
      /`EMPTY` \(auth\.search\.tokenEnv\).*empty/,
    );
  });

  it('refuses a malformed config, naming the field', () => {
    const bad = [
      { type: 'api_key', header: 'bad header', tokenEnv: 'KEY' },
      { type: 'bearer', tokenEnv: 'not-a-name' },
      { type: 'oauth' },
    ] as unknown as AuthConfig[];
    for (const config of bad) expect(() => resolveAuth(config, { KEY: 'x' })).toThrow(ConfigError);
    expect(() => resolveAuth(bad[0] as AuthConfig, {})).toThrow(/auth\.header/);
  });
});
