import { ConfigError } from '../errors.js';

/**
 * One thing the redactor replaces: every match of `pattern` becomes `[REDACTED_<kind>]`.
 * Context that must stay readable (the `Bearer ` before a token, the `password=` before a
 * value) sits in a lookbehind, so only the secret itself is replaced.
 */
export interface RedactionRule {
  /** Upper-case label, e.g. `OPENAI_KEY`; the replacement is `[REDACTED_OPENAI_KEY]`. */
  kind: string;
  /** A global regular expression. No backreferences: rules are also joined into one pre-filter. */
  pattern: RegExp;
  /** Refuses a match that only looks like the thing (a card number failing Luhn, say). */
  validate?: (match: string) => boolean;
  /**
   * A cheap test (a literal or two, case-insensitive) that every match passes: text failing it
   * skips the rule. Lookbehind-led patterns are slow to scan; their keyword is not.
   */
  hint?: RegExp;
  /**
   * Characters of which every match holds at least one (`#` stands for any digit), from
   * `@:?&_-.=#`: a string holding none of them skips the rule without a regex.
   */
  needs?: string;
}

/** A pattern as a user supplies it: a regex (made global) or its source text. */
export interface RedactionPatternSpec {
  kind: string;
  pattern: RegExp | string;
}

// Secrets are rarely glued to word characters; these keep `task-sk-1` style ids intact.
const start = '(?<![A-Za-z0-9_-])';
const end = '(?![A-Za-z0-9_-])';
// A value after `key=`/`key: `/`"key": "` (also with the quotes escaped, as in JSON inside a JSON
// string) that is not code (`getPassword()`, `process.env.X`, a type annotation) and not already redacted.
const assigned = '(?:\\\\?["\'])?\\s*[:=]\\s*(?:\\\\?["\'])?';
const notCode =
  '(?!\\[REDACTED_|(?:process\\.env|os\\.environ|env\\.|this\\.|self\\.|config\\.|\\$\\{|\\{\\{|null|undefined|None|true|false|string|number|boolean|str|int|await|new|typeof|require|import|yield)\\b)(?![\\w$.]*\\()';

// A name whose value is a secret in `name=value` text: a bare word after no letter or digit
// (`GITHUB_TOKEN=`, `token:`), or a compound name after anything (`AWS_SECRET_ACCESS_KEY=`,
// `stripeClientSecret:`, `"SessionToken": `), as prefixes name the vendor, not the kind.
const secretName =
  '(?:(?<![A-Za-z0-9])(?:secret|token|credentials?)|client[_-]?secret|secret[_-]?(?:access[_-]?)?key|account[_-]?key|api[_-]?key|(?:access|auth|refresh|session|id)[_-]?token|private[_-]?key)';

function rule(kind: string, needs: string, hint: string, source: string, flags = 'g'): RedactionRule {
  const pattern = new RegExp(source, flags);
  return { kind, pattern, hint: new RegExp(hint, pattern.ignoreCase ? 'i' : ''), ...(needs === '' ? {} : { needs }) };
}

/**
 * The secret formats troupe redacts by default, most specific first (an Anthropic key also
 * looks like an OpenAI one, so it must be replaced before the OpenAI rule runs).
 *
 * @example
 * builtinSecretRules.map((r) => r.kind).includes('GITHUB_TOKEN')
 * // => true
 */
export const builtinSecretRules: readonly RedactionRule[] = [
  // The whole block up to its END line; a block cut short loses its base64 lines, not the prose after.
  rule(
    'PRIVATE_KEY',
    '-',
    'PRIVATE KEY',
    '-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:[\\s\\S]*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?:(?:\\s|\\\\[rn])*[A-Za-z0-9+/=]{16,})*)',
  ),
  rule('ANTHROPIC_KEY', '-', 'sk-ant-', `${start}sk-ant-[A-Za-z0-9_-]{20,}${end}`),
  rule('OPENAI_KEY', '-', 'sk-', `${start}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}${end}`),
  rule(
    'GITHUB_TOKEN',
    '_',
    'gh[pousr]_|github_pat_',
    `${start}(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})${end}`,
  ),
  rule(
    'AWS_ACCESS_KEY',
    '',
    'A[KS]IA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA',
    `${start}(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}${end}`,
  ),
  // `aws_secret_access_key = …` as in ~/.aws/credentials, `"SecretAccessKey": "…"` as the AWS CLI prints it.
  rule(
    'AWS_SECRET_KEY',
    ':=',
    'aws_?secret|secret_?access',
    `(?<=(?:aws_?secret_?(?:access_?)?|secret_?access_?)key${assigned})[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])`,
    'gi',
  ),
  rule(
    'SLACK_WEBHOOK',
    ':',
    'hooks\\.slack',
    'https://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]+',
  ),
  rule('SLACK_TOKEN', '-', 'xox', `${start}xox[abposre]-[A-Za-z0-9-]{10,}${end}`),
  rule(
    'STRIPE_KEY',
    '_',
    '_live_|_test_|whsec_',
    `${start}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}${end}|${start}whsec_[A-Za-z0-9]{24,}${end}`,
  ),
  rule('GOOGLE_API_KEY', '', 'AIza', `${start}AIza[0-9A-Za-z_-]{35}${end}`),
  rule('GOOGLE_OAUTH_TOKEN', '.', 'ya29\\.', `${start}ya29\\.[0-9A-Za-z_-]{20,}${end}`),
  rule('NPM_TOKEN', '_', 'npm_', `${start}npm_[A-Za-z0-9]{36}${end}`),
  rule('HUGGINGFACE_TOKEN', '_', 'hf_', `${start}hf_[A-Za-z]{34}${end}`),
  rule('JWT', '.', 'eyJ', `${start}eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*`),
  rule('BEARER_TOKEN', '', 'bearer', '(?<=\\bbearer\\s+)(?!\\[REDACTED_)[A-Za-z0-9\\-._~+/]{12,}=*', 'gi'),
  rule('BASIC_AUTH', ':=', 'authorization', `(?<=\\bauthorization${assigned}basic\\s+)[A-Za-z0-9+/]{8,}={0,2}`, 'gi'),
  rule('URL_PASSWORD', '@', '@', '(?<=\\b[a-z][a-z0-9+.-]*://[^\\s/:@]*:)(?!\\[REDACTED_)[^\\s/@]+(?=@)', 'gi'),
  rule(
    'URL_TOKEN',
    '=',
    '[?&]',
    // Presigned AWS/GCS URLs carry a session token and a signature as `X-Amz-*` / `X-Goog-*`.
    '(?<=[?&](?:token|access_token|refresh_token|id_token|api_key|apikey|key|secret|client_secret|password|sig|signature|auth|x-(?:amz|goog)-(?:signature|security-token))=)(?!\\[REDACTED_)[^&#\\s"\'<>]{4,}',
    'gi',
  ),
  rule(
    'PASSWORD',
    ':=',
    'pass|pwd',
    `(?<=\\b(?:password|passwd|passphrase|pwd)${assigned})${notCode}[^\\s"',;&}<>]{3,}`,
    'gi',
  ),
  rule(
    'SECRET',
    ':=',
    'secret|key|token|credential',
    `(?<=${secretName}${assigned})${notCode}[^\\s"',;&}<>]{6,}`,
    'gi',
  ),
];

const kindPattern = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Validates extra patterns given in options or config and compiles them to rules. Every bad
 * pattern is named at once in one `ConfigError`.
 *
 * @example
 * compileRules([{ kind: 'ACME_TOKEN', pattern: 'acme_[a-z0-9]{32}' }], 'redaction.patterns')[0].kind
 * // => 'ACME_TOKEN'
 * @param specs the patterns to compile
 * @param field the option's name, for error messages
 */
export function compileRules(specs: readonly RedactionPatternSpec[], field: string): RedactionRule[] {
  const issues: string[] = [];
  const rules: RedactionRule[] = [];
  specs.forEach((spec, i) => {
    const at = `${field}[${i}]`;
    if (typeof spec?.kind !== 'string' || !kindPattern.test(spec.kind)) {
      issues.push(`Expected \`${at}.kind\` to match ${kindPattern}, got \`${String(spec?.kind)}\``);
      return;
    }
    try {
      const source = spec.pattern instanceof RegExp ? spec.pattern.source : spec.pattern;
      if (typeof source !== 'string' || source === '') throw new Error('empty');
      const flags = spec.pattern instanceof RegExp ? spec.pattern.flags.replace(/[gy]/g, '') : '';
      const pattern = new RegExp(source, `${flags}g`);
      if (pattern.test('')) throw new Error('it matches the empty string');
      rules.push({ kind: spec.kind, pattern });
    } catch (err) {
      issues.push(
        `Expected \`${at}.pattern\` to be a regular expression that matches something, got \`${String(spec.pattern)}\` (${(err as Error).message})`,
      );
    }
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return rules;
}
