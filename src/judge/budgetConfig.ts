import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { showValue, valueAt } from '../config/optionIssues.js';
import { ConfigError } from '../errors.js';

const usd = z.number().finite().nonnegative();

/** The CFO's budget policy, as the config file holds it (JSON). Unknown fields are refused. */
export const budgetConfigSchema = z
  .object({
    /** The most one task may spend, in USD. */
    perTaskUsd: usd,
    /** The most one run may spend, in USD. */
    perRunUsd: usd,
    /** The most all runs may spend in one UTC day, in USD. */
    perDayUsd: usd,
    /** Spends above this (and within the limits) wait for a human to approve. @default no review */
    reviewAboveUsd: usd.optional(),
    /** Who payments may go to; a payment to anyone else is rejected. @default anyone */
    counterparties: z.array(z.string().min(1)).optional(),
    /** The tool capability that marks a payment tool (its input names `amountUsd` and `counterparty`). @default 'payment' */
    paymentCapability: z.string().min(1).default('payment'),
  })
  .strict();

/** A validated budget policy. */
export type BudgetConfig = z.output<typeof budgetConfigSchema>;

/**
 * Validates a budget policy; a `ConfigError` names every bad field, its value and what was
 * expected.
 *
 * @param source where the policy came from, for the error messages
 * @example
 * parseBudgetConfig({ perTaskUsd: 5, perRunUsd: 20, perDayUsd: 100 })
 * // => { perTaskUsd: 5, perRunUsd: 20, perDayUsd: 100, paymentCapability: 'payment' }
 * parseBudgetConfig({ perTaskUsd: -1, perRunUsd: 20, perDayUsd: 100 })
 * // => throws ConfigError: budget config: Expected `perTaskUsd` to be ... got `-1`
 */
export function parseBudgetConfig(value: unknown, source = 'budget config'): BudgetConfig {
  const parsed = budgetConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `${source}: unknown field(s) ${issue.keys.map((k) => `\`${k}\``).join(', ')}`;
      }
      const path = issue.path.join('.') || '(root)';
      return `${source}: Expected \`${path}\` to be valid (${issue.message}), got \`${showValue(valueAt(value, issue.path))}\``;
    }),
  );
}

/**
 * Reads and validates a budget policy from a JSON file; a missing file, bad JSON or bad
 * fields are a `ConfigError` naming the file and each problem.
 *
 * @example
 * const budget = await loadBudgetConfig('budget.json');
 * createRuntime({ budget, tools });
 */
export async function loadBudgetConfig(path: string): Promise<BudgetConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${path}: cannot read the budget config (${(err as Error).message})`], { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${path}: expected JSON (${(err as Error).message})`], { cause: err });
  }
  return parseBudgetConfig(json, path);
}
