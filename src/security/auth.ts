import { z } from 'zod';
import { ConfigError } from '../errors.js';

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name such as `OPENAI_API_KEY`');
// RFC 9110 field names: letters, digits and a few symbols, no spaces or colons.
const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name such as `x-api-key`');

/**
 * How troupe authenticates an outbound call: no credentials, a bearer token, or an API key in
 * a named header. Tokens are never written in config, only the env vars that hold them.
 *
 * @example
 * authConfigSchema.parse({ type: 'api_key', header: 'x-api-key', tokenEnv: 'ANTHROPIC_API_KEY' }).header
 * // => 'x-api-key'
 */
export const authConfigSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('bearer'), tokenEnv: envName }),
  z.object({ type: z.literal('api_key'), header: headerName, tokenEnv: envName }),
]);

/** Outbound authentication: `none`, `bearer` (Authorization header) or `api_key` (a named header). */
export type AuthConfig = z.infer<typeof authConfigSchema>;

/** Auth with its token read: the headers to send, and the token to redact wherever it appears. */
export interface ResolvedAuth {
  headers: Readonly<Record<string, string>>;
  /** The token's value, so the caller can add it to the redactor's exact values. */
  secret?: string;
}

/**
 * Reads the token an `AuthConfig` names. Call it at start-up: a missing or empty variable is a
 * `ConfigError` naming it, not a 401 at the first call.
 *
 * @example
 * resolveAuth({ type: 'bearer', tokenEnv: 'SEARCH_TOKEN' }, { SEARCH_TOKEN: 'abc' }).headers
 * // => { authorization: 'Bearer abc' }
 * resolveAuth({ type: 'bearer', tokenEnv: 'SEARCH_TOKEN' }, {})
 * // => throws ConfigError: Expected env var `SEARCH_TOKEN` (auth.tokenEnv) to hold a token, but it is not set
 * @param config the auth to resolve
 * @param env where tokens are read from
 * @param field the config path of `config`, for error messages
 * @default env process.env
 */
export function resolveAuth(
  config: AuthConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
  field = 'auth',
): ResolvedAuth {
  const parsed = authConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (i) =>
          `Expected \`${[field, ...i.path].join('.')}\` to be valid (${i.message}), got \`${JSON.stringify(config)}\``,
      ),
    );
  }
  const auth = parsed.data;
  if (auth.type === 'none') return { headers: {} };
  const token = env[auth.tokenEnv];
  if (token === undefined || token.trim() === '') {
    throw new ConfigError([
      `Expected env var \`${auth.tokenEnv}\` (${field}.tokenEnv) to hold a token, but it is ${token === undefined ? 'not set' : 'empty'}`,
    ]);
  }
  const headers =
    auth.type === 'bearer' ? { authorization: `Bearer ${token}` } : { [auth.header.toLowerCase()]: token };
  return { headers, secret: token };
}
