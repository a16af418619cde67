import { ConfigError } from '../errors.js';
import type { Usage } from '../events/types.js';

/** What a model charges, in USD per million tokens. */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** Prices by model name; a name also prices its dated snapshots (`gpt-4o-mini-2024-07-18`). */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * OpenAI's published list prices (USD per million tokens, standard tier) when this table was
 * written. Prices change: pass `prices` to `openaiModel` to correct or extend them. Models
 * not listed here (local servers, other providers) cost 0.
 */
export const defaultPrices: PriceTable = {
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4 },
};

/**
 * The price of `model` in `table`: an exact entry, else the longest entry the name starts
 * with followed by `-` (so `gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`, not `gpt-4o`).
 *
 * @example
 * priceOf('gpt-4o-mini-2024-07-18', defaultPrices)
 * // => { inputPerMTok: 0.15, outputPerMTok: 0.6 }
 */
export function priceOf(model: string, table: PriceTable): ModelPrice | undefined {
  const exact = table[model];
  if (exact !== undefined) return exact;
  let best: string | undefined;
  for (const name of Object.keys(table)) {
    if (model.startsWith(`${name}-`) && (best === undefined || name.length > best.length)) best = name;
  }
  return best === undefined ? undefined : table[best];
}

/**
 * What one call cost in USD, from its usage and the model's price (0 when unpriced).
 *
 * @example
 * costOf({ inputTokens: 1_000_000, outputTokens: 0 }, { inputPerMTok: 0.15, outputPerMTok: 0.6 })
 * // => 0.15
 */
export function costOf(usage: Usage, price: ModelPrice | undefined): number {
  if (price === undefined) return 0;
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}

/** Checks a user's price table: every price a finite number ≥ 0. */
export function checkPrices(table: PriceTable): PriceTable {
  const issues: string[] = [];
  for (const [name, price] of Object.entries(table)) {
    for (const field of ['inputPerMTok', 'outputPerMTok'] as const) {
      const value: unknown = (price as Partial<ModelPrice> | undefined)?.[field];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        issues.push(
          `Expected \`prices.${name}.${field}\` to be a number ≥ 0 (USD per million tokens), got \`${String(value)}\``,
        );
      }
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return table;
}
