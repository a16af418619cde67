import { ConfigError } from '../errors.js';
import type { Model } from '../model/Model.js';
import type { TaskState } from '../run/state.js';
import type { GlobalState } from '../state/globalState.js';
import type { StateUpdate } from '../state/updateState.js';
import type { BudgetPolicy } from './budgetPolicy.js';
import { createJudge, type Judge, type JudgeOptions } from './judge.js';

/** An accepted result, as the runtime's `commit` option sees it. */
export interface AcceptedResult {
  runId: string;
  taskId: string;
  kind: TaskState['kind'];
  tool: string | undefined;
  output: unknown;
}

/** Turns an accepted result into the global-state updates it makes (none: `[]`). */
export type CommitFn = (result: AcceptedResult) => readonly StateUpdate[];

/** The Planner–Worker–Judge parts of a run's executor; each is optional. */
export interface SwarmDeps {
  judge?: Judge;
  budget?: BudgetPolicy;
  globalState?: GlobalState;
  commit?: CommitFn;
  /** Conflicts tolerated per update before the task fails with `OCCConflict`. */
  maxConflicts: number;
}

/** The Planner–Worker–Judge options of `createRuntime`; leave them all out and results complete unjudged. */
export interface SwarmOptions {
  /** Scores every result; see `createJudge`. @default undefined (no Judge) */
  judge?: JudgeOptions;
  /** The budget judge (CFO) that tools with a cost, and payment tools, pass first; see `budgetPolicy`. @default undefined */
  budget?: BudgetPolicy;
  /** Shared state that accepted results are committed to; see `createGlobalState`. @default undefined */
  globalState?: GlobalState;
  /** The global-state updates an accepted result makes (requires `globalState`). @default undefined */
  commit?: CommitFn;
  /** OCC conflicts tolerated per update before the task fails with `OCCConflict`. @default 10 */
  maxConflicts?: number;
}

function isFunction(value: unknown): boolean {
  return typeof value === 'function';
}

/**
 * Validates the swarm options and builds what the executor needs; `undefined` when none is
 * set, so a runtime without a Judge, budget or global state keeps its hot path as it was.
 * A bad option is a `ConfigError` naming each field, its value and what was expected.
 *
 * @example
 * swarmDeps({ judge: { score: () => 1 } }, model)
 * // => { judge: Judge, maxConflicts: 10 }
 * swarmDeps({}, model)
 * // => undefined
 */
export function swarmDeps(options: SwarmOptions, model: Model): SwarmDeps | undefined {
  const { judge, budget, globalState, commit, maxConflicts = 10 } = options;
  if (judge === undefined && budget === undefined && globalState === undefined && commit === undefined)
    return undefined;
  const issues: string[] = [];
  if (budget !== undefined && !isFunction((budget as Partial<BudgetPolicy>).check)) {
    issues.push('Expected `budget` to be a budget policy made by `budgetPolicy(config)`');
  }
  if (globalState !== undefined && !isFunction((globalState as Partial<GlobalState>).commit)) {
    issues.push('Expected `globalState` to be made by `createGlobalState()`');
  }
  if (commit !== undefined && !isFunction(commit)) {
    issues.push(`Expected \`commit\` to be a function, got \`${typeof commit}\``);
  }
  if (commit !== undefined && globalState === undefined) {
    issues.push('Expected `globalState` when `commit` is set: commits need a state to land in');
  }
  if (!Number.isInteger(maxConflicts) || maxConflicts < 0) {
    issues.push(`Expected \`maxConflicts\` to be an integer ≥ 0, got \`${String(maxConflicts)}\``);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    ...(judge === undefined ? {} : { judge: createJudge(judge, model) }),
    ...(budget === undefined ? {} : { budget }),
    ...(globalState === undefined ? {} : { globalState }),
    ...(commit === undefined ? {} : { commit }),
    maxConflicts,
  };
}
