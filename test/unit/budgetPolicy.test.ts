import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/errors.js';
import { loadBudgetConfig, parseBudgetConfig } from '../../src/judge/budgetConfig.js';
import { budgetPolicy } from '../../src/judge/budgetPolicy.js';
import { defineTool } from '../../src/tools/defineTool.js';

const config = { perTaskUsd: 50, perRunUsd: 100, perDayUsd: 150, reviewAboveUsd: 20, counterparties: ['acme'] };
const noon = Date.UTC(2026, 0, 10, 12);

const pay = defineTool({
  name: 'pay',
  description: 'Pays a counterparty',
  input: z.object({ amountUsd: z.number(), counterparty: z.string() }),
  capabilities: ['payment'],
  run: () => 'paid',
});
const search = defineTool({
  name: 'search',
  description: 'Paid search',
  input: z.object({}),
  costUsd: 0.5,
  run: () => [],
});
const free = defineTool({ name: 'echo', description: 'Free', input: z.object({}), run: () => 'x' });

describe('budgetPolicy', () => {
  it('knows which tools spend and how much', () => {
    const cfo = budgetPolicy(config);
    expect(cfo.spendOf(free, {})).toBeUndefined();
    expect(cfo.spendOf(search, {})).toEqual({ amountUsd: 0.5, counterparty: undefined });
    expect(cfo.spendOf(pay, { amountUsd: 12, counterparty: 'acme' })).toEqual({ amountUsd: 12, counterparty: 'acme' });
  });

  it('allows within limits, reviews above the threshold, rejects over a limit with the numbers', () => {
    const cfo = budgetPolicy(config, { now: () => noon });
    expect(cfo.check({ amountUsd: 10, counterparty: 'acme' }, 0)).toEqual({ verdict: 'allowed' });
    expect(cfo.check({ amountUsd: 30, counterparty: 'acme' }, 0)).toEqual({
      verdict: 'review',
      reason: 'Spend of $30.00 is above the review threshold of $20.00',
    });
    expect(cfo.check({ amountUsd: 60, counterparty: 'acme' }, 0)).toEqual({
      verdict: 'rejected',
      reason: 'Spend of $60.00 exceeds the per-task limit of $50.00',
    });
    expect(cfo.check({ amountUsd: 10, counterparty: 'acme' }, 95).verdict).toBe('rejected');
    expect(cfo.check({ amountUsd: 10, counterparty: 'acme' }, 95)).toMatchObject({
      reason: 'Spend of $10.00 would bring the run to $105.00, over its limit of $100.00',
    });
    expect(cfo.check({ amountUsd: 1, counterparty: 'mallory' }, 0)).toEqual({
      verdict: 'rejected',
      reason: 'Counterparty `mallory` is not on the allow-list (acme)',
    });
  });

  it('rejects a payment whose amount is not a finite number ≥ 0 instead of letting it through (or into the log)', () => {
    const cfo = budgetPolicy(config, { now: () => noon });
    for (const amountUsd of [Number.NaN, Number.POSITIVE_INFINITY, -5, '1000', { usd: 1 }]) {
      const spend = cfo.spendOf(pay, { amountUsd, counterparty: 'acme' });
      expect(spend && cfo.check(spend, 0)).toMatchObject({
        verdict: 'rejected',
        reason: expect.stringMatching(/^Expected a spend's `amountUsd` to be a finite number ≥ 0, got /),
      });
    }
    expect(cfo.spendOf(pay, { counterparty: 'acme' })).toEqual({ amountUsd: 0, counterparty: 'acme' });
  });

  it('keeps a per-day ledger that resets on the next UTC day', () => {
    let at = noon;
    const cfo = budgetPolicy(config, { now: () => at, spentTodayUsd: 140 });
    expect(cfo.check({ amountUsd: 15, counterparty: 'acme' }, 0)).toMatchObject({
      verdict: 'rejected',
      reason: 'Spend of $15.00 would bring today to $155.00, over the daily limit of $150.00',
    });
    cfo.record({ amountUsd: 5, counterparty: 'acme' });
    expect(cfo.spentOnDay()).toBe(145);
    at += 24 * 3_600_000;
    expect(cfo.spentOnDay()).toBe(0);
    expect(cfo.check({ amountUsd: 15, counterparty: 'acme' }, 0).verdict).toBe('allowed');
  });
});

describe('budget config', () => {
  it('fills defaults and refuses bad fields with ConfigError naming each', () => {
    expect(parseBudgetConfig({ perTaskUsd: 1, perRunUsd: 2, perDayUsd: 3 }).paymentCapability).toBe('payment');
    let error: ConfigError | undefined;
    try {
      parseBudgetConfig({ perTaskUsd: -1, perRunUsd: 'lots', counterparties: [''], limit: 3 });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error?.issues.join('\n') ?? '';
    expect(text).toMatch(/`perTaskUsd`.*got `-1`/);
    expect(text).toMatch(/`perRunUsd`.*got `lots`/);
    expect(text).toMatch(/`perDayUsd`.*got `undefined`/);
    expect(text).toMatch(/`counterparties.0`/);
    expect(text).toMatch(/unknown field\(s\) `limit`/);
  });

  it('loads a policy file, and names the file when it is missing, not JSON or invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'troupe-budget-'));
    const good = join(dir, 'budget.json');
    await writeFile(good, JSON.stringify(config));
    expect((await loadBudgetConfig(good)).perRunUsd).toBe(100);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{ "perTaskUsd": 1,');
    await expect(loadBudgetConfig(bad)).rejects.toThrow(/bad\.json: expected JSON/);
    const wrong = join(dir, 'wrong.json');
    await writeFile(wrong, JSON.stringify({ ...config, perDayUsd: 'x' }));
    await expect(loadBudgetConfig(wrong)).rejects.toThrow(/wrong\.json: Expected `perDayUsd`/);
    await expect(loadBudgetConfig(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: cannot read/);
  });
});
