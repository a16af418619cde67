import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadEnv, openaiModelFromEnv } from '../../src/model/modelFromEnv.js';
import { modelLimiter } from '../../src/model/modelLimiter.js';
import { retryAfterMs } from '../../src/model/modelRetry.js';
import { costOf, defaultPrices, priceOf } from '../../src/model/pricing.js';

const dir = mkdtempSync(join(tmpdir(), 'troupe-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadEnv and openaiModelFromEnv', () => {
  it('loads a .env file with Node’s own loader, and loads nothing when there is none', () => {
    const file = join(dir, '.env');
    writeFileSync(file, 'TROUPE_TEST_LOADED=yes\n');
    try {
      expect(loadEnv(file)).toBe(true);
      expect(process.env.TROUPE_TEST_LOADED).toBe('yes');
    } finally {
      delete process.env.TROUPE_TEST_LOADED;
    }
    expect(loadEnv(join(dir, 'missing.env'))).toBe(false);
  });

  it('names the file it cannot read', () => {
    expect(() => loadEnv(dir)).toThrow(ConfigError);
    expect(() => loadEnv(dir)).toThrow(dir);
  });

  it('returns no model when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set', () => {
    expect(openaiModelFromEnv({ env: {} })).toBeUndefined();
    expect(openaiModelFromEnv({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:8080/v1' } })?.name).toBe('gpt-4o-mini');
    expect(openaiModelFromEnv({ env: { OPENAI_API_KEY: 'sk-x', TROUPE_MODEL: 'gpt-4.1' } })?.name).toBe('gpt-4.1');
  });
});

describe('prices', () => {
  it('prices dated snapshots by their longest listed prefix', () => {
    expect(priceOf('gpt-4o-mini-2024-07-18', defaultPrices)).toBe(defaultPrices['gpt-4o-mini']);
    expect(priceOf('gpt-4o-2024-08-06', defaultPrices)).toBe(defaultPrices['gpt-4o']);
    expect(priceOf('gpt-4omni', defaultPrices)).toBeUndefined();
    expect(priceOf('llama3.2', defaultPrices)).toBeUndefined();
  });

  it('costs usage per million tokens, and nothing when unpriced', () => {
    expect(costOf({ inputTokens: 2_000_000, outputTokens: 500_000 }, { inputPerMTok: 0.15, outputPerMTok: 0.6 })).toBe(
      0.6,
    );
    expect(costOf({ inputTokens: 10, outputTokens: 10 }, undefined)).toBe(0);
  });

  it('adds up: the cost of two calls is the cost of their summed usage', () => {
    const tokens = fc.integer({ min: 0, max: 10_000_000 });
    fc.assert(
      fc.property(tokens, tokens, tokens, tokens, (a, b, c, d) => {
        const price = defaultPrices['gpt-4o-mini'];
        const apart =
          costOf({ inputTokens: a, outputTokens: b }, price) + costOf({ inputTokens: c, outputTokens: d }, price);
        const together = costOf({ inputTokens: a + c, outputTokens: b + d }, price);
        expect(apart).toBeCloseTo(together, 9);
      }),
    );
  });
});

describe('retry-after and limits', () => {
  it('reads retry-after-ms, retry-after in seconds, and retry-after as an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('puts no limiter on the path unless a limit is set', () => {
    expect(modelLimiter(undefined)).toBeUndefined();
    expect(modelLimiter({})).toBeUndefined();
    expect(modelLimiter({ requestsPerSecond: 10 })).toBeTypeOf('function');
    expect(() => modelLimiter({ requestsPerSecond: 0 })).toThrow(/limits\.requestsPerSecond/);
  });

  it('drops a queued request whose signal aborts, without running it', async () => {
    const run = modelLimiter({ maxConcurrent: 1 });
    if (run === undefined) throw new Error('expected a limiter');
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    const first = run(
      () =>
        new Promise<string>((r) => {
          release = () => r('first');
          started();
        }),
      new AbortController().signal,
    );
    await running;
    const controller = new AbortController();
    let ran = false;
    const second = run(async () => {
      ran = true;
      return 'second';
    }, controller.signal);
    controller.abort(new Error('gone'));
    await expect(second).rejects.toMatchObject({ code: 'RUN_CANCELLED' });
    release();
    await expect(first).resolves.toBe('first');
    expect(ran).toBe(false);
  });
});
