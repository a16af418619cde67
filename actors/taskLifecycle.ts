import { type Actor, createActor, type InspectionEvent, type Observer } from 'xstate';
import {
  type TaskMachineContext,
  type TaskMachineEvent,
  type TaskMachineInput,
  type TaskRecorders,
  taskMachine,
} from '../machines/task.js';
import { TroupeError } from '../src/errors.js';

/** Where one task is in the task chart, as the executor drives it. */
export interface TaskLife {
  /** Sends an event to the task's chart; events the current state does not handle are ignored, as in XState. */
  send(event: TaskMachineEvent): void;
  /** Whether the task is in `state`: a top-level state (`'Completed'`) or a dotted path (`'Running.Retrying'`). */
  in(state: string): boolean;
  /** The attempt the task is on (the chart's `context.attempt`). */
  readonly attempt: number;
}

type Args = { context: TaskMachineContext; event: TaskMachineEvent };
type Effect = (context: TaskMachineContext, event: TaskMachineEvent, recorders: TaskRecorders) => void;
interface Edge {
  guard: ((args: Args) => boolean) | undefined;
  target: Leaf | undefined;
  effects: readonly Effect[];
}
interface Leaf {
  readonly path: string;
  readonly final: boolean;
  readonly edges: Map<string, Edge[]>;
}

/** The parts of an XState v5 state node this module reads: public fields of `StateNode`. */
interface ChartNode {
  key: string;
  path: string[];
  type: string;
  parent?: ChartNode;
  states: Record<string, ChartNode>;
  entry: unknown[];
  exit: unknown[];
  initial?: { target: ChartNode[] };
  transitions: Map<
    string,
    { source: ChartNode; target?: ChartNode[]; guard?: unknown; actions: unknown[]; reenter: boolean }[]
  >;
}

function unsupported(what: string): never {
  throw new TroupeError('INVALID_STATE', `The task chart uses ${what}, which the lean task lifecycle cannot run`);
}

function effectOf(action: unknown): Effect {
  if (typeof action === 'function' && (action as { type?: unknown }).type === 'xstate.assign') {
    const assignment = (action as { assignment?: unknown }).assignment;
    if (typeof assignment !== 'object' || assignment === null) unsupported('an assign with a function');
    const fields = Object.entries(assignment as Record<string, unknown>);
    return (context, event) => {
      for (const [key, value] of fields) {
        (context as unknown as Record<string, unknown>)[key] =
          typeof value === 'function' ? (value as (a: Args) => unknown)({ context, event }) : value;
      }
    };
  }
  const named =
    typeof action === 'string' ? { type: action, params: undefined } : (action as { type?: unknown; params?: unknown });
  const type = named?.type;
  if (typeof type !== 'string' || !(type in taskMachine.implementations.actions))
    unsupported(`the action ${String(type)}`);
  const params = named.params;
  const name = type as keyof TaskRecorders;
  return (context, event, recorders) => {
    const value = typeof params === 'function' ? (params as (a: Args) => unknown)({ context, event }) : params;
    (recorders[name] as (p: unknown) => void)(value);
  };
}

function guardOf(guard: unknown): Edge['guard'] {
  if (guard === undefined) return undefined;
  const name = typeof guard === 'string' ? guard : (guard as { type?: unknown }).type;
  const impl = (taskMachine.implementations.guards as Record<string, unknown>)[name as string];
  if (typeof impl !== 'function') unsupported(`the guard ${String(name)}`);
  return (args) => (impl as (a: Args, p: undefined) => boolean)(args, undefined);
}

function initialChild(node: ChartNode): ChartNode | undefined {
  if (node.type !== 'compound') return undefined;
  if (node.initial?.target.length !== 1) unsupported('a compound state without one initial state');
  return node.initial.target[0];
}

function ancestors(node: ChartNode): ChartNode[] {
  const chain: ChartNode[] = [];
  for (let n: ChartNode | undefined = node; n !== undefined; n = n.parent) chain.unshift(n);
  return chain;
}

/** The states a transition enters, outermost first: below the transition's domain down to a leaf. */
function entered(source: ChartNode, target: ChartNode, reenter: boolean): ChartNode[] {
  const from = ancestors(source);
  const to = ancestors(target);
  let common = 0;
  while (common < from.length && common < to.length && from[common] === to[common]) common++;
  // A transition to a state inside its own source does not leave the source (XState's default).
  if (!reenter && common === from.length && to.length > from.length) common = from.length;
  else if (common === from.length || common === to.length) common -= 1;
  const nodes = to.slice(common);
  for (let n = initialChild(target); n !== undefined; n = initialChild(n)) nodes.push(n);
  return nodes;
}

function leafPath(node: ChartNode): string {
  return node.path.join('.');
}

/**
 * The task chart compiled once into a table: for each leaf state and event, the candidate
 * transitions in the chart's order (the leaf's own first, then its ancestors'), each with its
 * guard (the chart's own implementation) and the effects it runs — its actions, then the entry
 * actions of the states it enters (assigns and `record*` calls, in XState's order). Running a
 * task through this table allocates almost nothing; XState's `transition()` costs ~55 µs per
 * event and a fresh actor ~50 µs per task. A property test holds it equal to the live chart.
 */
function compile(): { leaves: Map<string, Leaf>; initial: Leaf; initialEffects: readonly Effect[] } {
  const root = taskMachine.root as unknown as ChartNode;
  const leaves = new Map<string, Leaf>();
  const walk = (node: ChartNode): void => {
    if (node.exit.length > 0) unsupported('exit actions');
    const children = Object.values(node.states);
    if (children.length === 0) {
      leaves.set(leafPath(node), { path: leafPath(node), final: node.type === 'final', edges: new Map() });
    }
    for (const child of children) walk(child);
  };
  walk(root);
  const nodeOf = (path: string): ChartNode => {
    let node = root;
    for (const key of path.split('.')) node = node.states[key] as ChartNode;
    return node;
  };
  const leafOf = (node: ChartNode): Leaf => {
    let n = node;
    for (let child = initialChild(n); child !== undefined; child = initialChild(child)) n = child;
    return leaves.get(leafPath(n)) as Leaf;
  };
  for (const leaf of leaves.values()) {
    for (let node: ChartNode | undefined = nodeOf(leaf.path); node !== undefined; node = node.parent) {
      for (const [type, definitions] of node.transitions) {
        const list = leaf.edges.get(type) ?? [];
        leaf.edges.set(type, list);
        for (const def of definitions) {
          if ((def.target?.length ?? 0) > 1) unsupported('a transition with several targets');
          const target = def.target?.[0];
          const into = target === undefined ? [] : entered(def.source, target, def.reenter);
          list.push({
            guard: guardOf(def.guard),
            target: target === undefined ? undefined : leafOf(target),
            effects: [...def.actions, ...into.flatMap((n) => n.entry)].map(effectOf),
          });
        }
      }
    }
  }
  const initial = leafOf(root);
  const initialEffects = entered(root, nodeOf(initial.path), false)
    .flatMap((n) => n.entry)
    .map(effectOf);
  return { leaves, initial, initialEffects };
}

const chart = compile();
const contextOf = taskMachine.config.context as unknown as (args: { input: TaskMachineInput }) => TaskMachineContext;

class LeanTask implements TaskLife {
  private leaf: Leaf = chart.initial;
  readonly context: TaskMachineContext;
  private readonly recorders: TaskRecorders;

  constructor(input: TaskMachineInput, recorders: TaskRecorders) {
    this.recorders = recorders;
    this.context = contextOf({ input });
    for (const effect of chart.initialEffects) effect(this.context, { type: 'START' }, recorders);
  }

  get attempt(): number {
    return this.context.attempt;
  }

  send(event: TaskMachineEvent): void {
    if (this.leaf.final) return;
    const edges = this.leaf.edges.get(event.type);
    if (edges === undefined) return;
    const args = { context: this.context, event };
    for (const edge of edges) {
      if (edge.guard !== undefined && !edge.guard(args)) continue;
      if (edge.target !== undefined) this.leaf = edge.target;
      for (const effect of edge.effects) effect(this.context, event, this.recorders);
      return;
    }
  }

  in(state: string): boolean {
    const path = this.leaf.path;
    return path === state || (path.length > state.length && path.startsWith(state) && path[state.length] === '.');
  }
}

function matchesValue(state: string): string | Record<string, string> {
  const dot = state.indexOf('.');
  return dot < 0 ? state : { [state.slice(0, dot)]: state.slice(dot + 1) };
}

class ActorTask implements TaskLife {
  private readonly actor: Actor<typeof taskMachine>;

  constructor(actor: Actor<typeof taskMachine>) {
    this.actor = actor;
  }

  get attempt(): number {
    return this.actor.getSnapshot().context.attempt;
  }

  send(event: TaskMachineEvent): void {
    this.actor.send(event);
  }

  in(state: string): boolean {
    return this.actor.getSnapshot().matches(matchesValue(state) as never);
  }
}

/**
 * Starts one task's lifecycle. Without an inspector it runs on the compiled chart (a plain
 * object per task); with one, each task is a live XState actor of the same chart, so the
 * Stately inspector sees every task. Both call `recorders` exactly as the chart's actions say.
 */
export function startTask(
  input: TaskMachineInput,
  recorders: TaskRecorders,
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void),
): TaskLife {
  if (inspect === undefined) return new LeanTask(input, recorders);
  const actions = Object.fromEntries(
    Object.entries(recorders).map(([name, fn]) => [
      name,
      (_: unknown, params: never) => (fn as (p: never) => void)(params),
    ]),
  );
  const actor = createActor(taskMachine.provide({ actions: actions as never }), { input, inspect });
  actor.start();
  return new ActorTask(actor);
}
