import type { Observable, Subscription } from 'rxjs';
import type { TroupeEvent } from '../events/types.js';
import { checkObject, numberBetween } from '../streams/checkOptions.js';
import type { Tool } from './defineTool.js';

/** Options of `toolEstimates`. */
export interface ToolEstimatesConfig {
  /**
   * The least weight a new observation gets. Early on each observation weighs `1 / (n + 1)`
   * (a running mean, with the declared value as the first sample); once that falls below
   * `minWeight` the estimate becomes an exponential moving average that follows drift. @default 0.1
   */
  minWeight?: number;
  /** Tools whose declared cost and latency are the starting estimates. @default [] */
  tools?: Iterable<Tool>;
}

/** What one tool call cost and took. */
export interface Observation {
  latencyMs?: number;
  costUsd?: number;
}

/** Running estimates of each tool's cost and latency, learnt from observed calls. */
export interface ToolEstimates {
  /** The predicted latency of one call, in ms: the declared value until something is observed. */
  latencyMs(tool: Tool): number;
  /** The predicted cost of one call, in US dollars. */
  costUsd(tool: Tool): number;
  /** How many calls of `tool` were observed. */
  observations(tool: Tool | string): number;
  /** Folds in one observed call of the tool named `tool`. */
  observe(tool: string, observation: Observation): void;
  /**
   * Learns from a stream of troupe events: `plan.created` says which task runs which tool,
   * `task.completed` gives the latency (`durationMs`) and, when the output is an object with
   * a numeric `costUsd` (tools that know their bill report it so), the cost.
   */
  observeEvents(events$: Observable<TroupeEvent>): Subscription;
}

interface Estimate {
  value: number;
  /** Samples folded in, counting the declared value as the first. */
  n: number;
}

/**
 * Creates cost and latency estimates for tools that converge on observed values, for
 * `selectTool({ estimates })`.
 *
 * @example
 * const estimates = toolEstimates();
 * estimates.observeEvents(runtime.events$);
 * // after some runs:
 * estimates.latencyMs(search)
 * // => 118.6 (declared 50)
 */
export function toolEstimates(config: ToolEstimatesConfig = {}): ToolEstimates {
  checkObject('toolEstimates', config);
  const minWeight = numberBetween('toolEstimates', 'minWeight', config.minWeight, 0, 1, 0.1);
  const latency = new Map<string, Estimate>();
  const cost = new Map<string, Estimate>();
  const counts = new Map<string, number>();

  function fold(table: Map<string, Estimate>, tool: string, declared: number, observed: number): void {
    const current = table.get(tool) ?? { value: declared, n: 1 };
    const weight = Math.max(1 / (current.n + 1), minWeight);
    table.set(tool, { value: current.value + weight * (observed - current.value), n: current.n + 1 });
  }

  // Declared values seed the estimates; a tool first seen in a read is remembered then.
  const declared = new Map<string, { latencyMs: number; costUsd: number }>();
  for (const tool of config.tools ?? []) declared.set(tool.name, { latencyMs: tool.latencyMs, costUsd: tool.costUsd });
  const read = (table: Map<string, Estimate>, tool: Tool, fallback: number): number => {
    declared.set(tool.name, { latencyMs: tool.latencyMs, costUsd: tool.costUsd });
    return table.get(tool.name)?.value ?? fallback;
  };

  const estimates: ToolEstimates = {
    latencyMs: (tool) => read(latency, tool, tool.latencyMs),
    costUsd: (tool) => read(cost, tool, tool.costUsd),
    observations: (tool) => counts.get(typeof tool === 'string' ? tool : tool.name) ?? 0,
    observe(tool, observation) {
      const prior = declared.get(tool);
      counts.set(tool, (counts.get(tool) ?? 0) + 1);
      const { latencyMs, costUsd } = observation;
      if (typeof latencyMs === 'number' && Number.isFinite(latencyMs) && latencyMs >= 0) {
        fold(latency, tool, prior?.latencyMs ?? latencyMs, latencyMs);
      }
      if (typeof costUsd === 'number' && Number.isFinite(costUsd) && costUsd >= 0) {
        fold(cost, tool, prior?.costUsd ?? costUsd, costUsd);
      }
    },
    observeEvents(events$) {
      // Which tool each task in flight calls, per run; entries go when the task ends.
      const toolOf = new Map<string, string>();
      return events$.subscribe((event) => {
        if (event.type === 'plan.created') {
          for (const task of event.tasks)
            if (task.tool !== undefined) toolOf.set(`${event.runId}/${task.id}`, task.tool);
        } else if (event.type === 'task.completed' || event.type === 'task.failed') {
          const key = `${event.runId}/${event.taskId}`;
          const tool = toolOf.get(key);
          toolOf.delete(key);
          if (tool === undefined || event.type === 'task.failed') return;
          const reported = (event.output as { costUsd?: unknown } | null | undefined)?.costUsd;
          estimates.observe(tool, {
            latencyMs: event.durationMs,
            ...(typeof reported === 'number' ? { costUsd: reported } : {}),
          });
        }
      });
    },
  };
  return estimates;
}
