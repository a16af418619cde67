import type { Tool } from '../tools/defineTool.js';
import { type BudgetConfig, parseBudgetConfig } from './budgetConfig.js';

/** What one task is about to spend. */
export interface Spend {
  amountUsd: number;
  /** Who a payment goes to; `undefined` for a tool that only costs. */
  counterparty: string | undefined;
}

/** The budget judge's decision on one spend; `reason` carries the numbers. */
export type BudgetDecision =
  | { verdict: 'allowed' }
  | { verdict: 'rejected'; reason: string }
  | { verdict: 'review'; reason: string };

/** The budget judge (CFO): which tasks spend, whether a spend fits, and the day's ledger. */
export interface BudgetPolicy {
  readonly config: BudgetConfig;
  /** What calling `tool` with `input` spends, or `undefined` when it spends nothing. */
  spendOf(tool: Tool, input: unknown): Spend | undefined;
  /** Decides a spend given what the run has spent so far. Pure: nothing is recorded. */
  check(spend: Spend, spentInRunUsd: number, at?: number): BudgetDecision;
  /** Adds an allowed spend to the day's ledger. */
  record(spend: Spend, at?: number): void;
  /** What was spent on the UTC day of `at`. */
  spentOnDay(at?: number): number;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/**
 * Creates the budget judge from a policy (validated; see `loadBudgetConfig` to read one from
 * a file). A task spends when its tool has a cost (`costUsd`) or is a payment tool (the
 * policy's `paymentCapability`; its input's `amountUsd` is added and its `counterparty` must
 * be allow-listed). Over a limit → rejected with the numbers; above `reviewAboveUsd` → a
 * human decides. The per-day ledger lives in this object: share one policy across runtimes
 * of a process, and seed `spentTodayUsd` when restarting mid-day.
 *
 * @example
 * const cfo = budgetPolicy({ perTaskUsd: 50, perRunUsd: 100, perDayUsd: 500, reviewAboveUsd: 20 });
 * cfo.check({ amountUsd: 30, counterparty: undefined }, 0)
 * // => { verdict: 'review', reason: 'Spend of $30.00 is above the review threshold of $20.00' }
 */
export function budgetPolicy(
  config: unknown,
  options: { spentTodayUsd?: number; now?: () => number } = {},
): BudgetPolicy {
  const policy = parseBudgetConfig(config);
  const now = options.now ?? Date.now;
  const ledger = new Map<string, number>();
  if (options.spentTodayUsd !== undefined) ledger.set(dayOf(now()), options.spentTodayUsd);
  const allowed = policy.counterparties === undefined ? undefined : new Set(policy.counterparties);

  function spentOnDay(at = now()): number {
    return ledger.get(dayOf(at)) ?? 0;
  }

  return {
    config: policy,
    spendOf(tool, input) {
      const payment = tool.capabilities.includes(policy.paymentCapability);
      const fields = (typeof input === 'object' && input !== null ? input : {}) as {
        amountUsd?: unknown;
        counterparty?: unknown;
      };
      // An amount given but not a number is not free: NaN makes `check` refuse it.
      const given = payment ? fields.amountUsd : undefined;
      const amount = given === undefined ? 0 : typeof given === 'number' ? given : Number.NaN;
      if (!payment && tool.costUsd === 0) return undefined;
      return {
        amountUsd: tool.costUsd + amount,
        counterparty: payment ? String(fields.counterparty ?? '') : undefined,
      };
    },
    check(spend, spentInRunUsd, at = now()) {
      const { amountUsd, counterparty } = spend;
      if (!Number.isFinite(amountUsd) || amountUsd < 0) {
        const shown = Number.isNaN(amountUsd) ? 'not a number' : String(amountUsd);
        return {
          verdict: 'rejected',
          reason: `Expected a spend's \`amountUsd\` to be a finite number ≥ 0, got ${shown}`,
        };
      }
      if (counterparty !== undefined && allowed !== undefined && !allowed.has(counterparty)) {
        return {
          verdict: 'rejected',
          reason: `Counterparty \`${counterparty}\` is not on the allow-list (${[...allowed].join(', ')})`,
        };
      }
      if (amountUsd > policy.perTaskUsd) {
        return {
          verdict: 'rejected',
          reason: `Spend of ${usd(amountUsd)} exceeds the per-task limit of ${usd(policy.perTaskUsd)}`,
        };
      }
      if (spentInRunUsd + amountUsd > policy.perRunUsd) {
        return {
          verdict: 'rejected',
          reason: `Spend of ${usd(amountUsd)} would bring the run to ${usd(spentInRunUsd + amountUsd)}, over its limit of ${usd(policy.perRunUsd)}`,
        };
      }
      const today = spentOnDay(at);
      if (today + amountUsd > policy.perDayUsd) {
        return {
          verdict: 'rejected',
          reason: `Spend of ${usd(amountUsd)} would bring today to ${usd(today + amountUsd)}, over the daily limit of ${usd(policy.perDayUsd)}`,
        };
      }
      if (policy.reviewAboveUsd !== undefined && amountUsd > policy.reviewAboveUsd) {
        return {
          verdict: 'review',
          reason: `Spend of ${usd(amountUsd)} is above the review threshold of ${usd(policy.reviewAboveUsd)}`,
        };
      }
      return { verdict: 'allowed' };
    },
    record(spend, at = now()) {
      const day = dayOf(at);
      ledger.set(day, (ledger.get(day) ?? 0) + spend.amountUsd);
    },
    spentOnDay,
  };
}
