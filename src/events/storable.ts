/**
 * What an event log can store: the values JSON carries unchanged. One definition, used by every
 * log before it appends (`checkEvents`) and wherever user code hands troupe a value to record
 * (tool outputs, sub-agent records, global-state commits), so a value the log would refuse is
 * refused where it enters, as the failure of the call that produced it.
 */

/** What every refusal says a value must be instead. */
export const storableValues =
  'expected JSON-storable values: finite numbers, strings, booleans, null, arrays and plain objects';

/** Deeper than this is refused: JSON that deep is junk, and a cycle would never end. */
export const maxStorableDepth = 256;

/**
 * The largest value accepted where it enters, counted in characters of its JSON text (about
 * 16 MiB). Far below what a log can encode in one event (V8's longest string is 2^29 − 24
 * characters), and walking stops there, so a value whose parts are shared many times over (its
 * JSON grows exponentially) is refused in bounded time.
 */
export const maxStorableChars = 16 * 1024 * 1024;

/** Why a value cannot be stored, and where. */
export interface StorableProblem {
  /** Dotted path from the value's root (`rows.0.n`); `''` for the value itself. */
  path: string;
  /** What is wrong there, e.g. `is NaN`, `is a Date`, `refers to itself (a cycle)`. */
  problem: string;
}

/** A value ready to store, or why it cannot be. */
export type StorableResult = { ok: true; value: unknown } | ({ ok: false } & StorableProblem);

const refused: unique symbol = Symbol('refused');
/** The problem a walk records when the value outgrew its limit (named in `problemOf`). */
const tooLarge = 'too large';

/** A copy's state: how much JSON it has seen, and the problem it met. */
class Walk {
  chars = 0;
  problem = '';
  /** Filled innermost first while a refusal unwinds. */
  readonly path: string[] = [];

  refuse(problem: string): typeof refused {
    this.problem = problem;
    return refused;
  }
}

// The rules, shared by the check (`check`, for the logs: no allocation) and the copy (`copyOf`,
// where values enter): the two walks differ only in what they build.
const deeper = `is nested deeper than ${maxStorableDepth} levels`;
const hole = 'is undefined (or a hole)';

/** Why a value that is not an object (or is `null`) cannot be stored, or `undefined` when it can. */
function primitiveProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'object':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `is ${value}`;
    case 'undefined':
      return 'is undefined';
    default:
      return `is a ${typeof value}`;
  }
}

/** Why an object that is not an array cannot be stored (it is a class instance), or `undefined`. */
function instanceProblem(value: object): string | undefined {
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return undefined;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  const label = typeof name === 'string' && name !== '' ? name : 'class instance';
  return `is ${/^[AEIOU]/.test(label) ? 'an' : 'a'} ${label}`;
}

/** Why `value` cannot be stored, with `path` filled innermost first; `undefined` when it can. */
function check(value: unknown, depth: number, path: string[]): string | undefined {
  if (typeof value !== 'object' || value === null) return primitiveProblem(value);
  if (depth >= maxStorableDepth) return deeper;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const problem = item === undefined ? hole : check(item, depth + 1, path);
      if (problem !== undefined) {
        path.push(String(i));
        return problem;
      }
    }
    return undefined;
  }
  const instance = instanceProblem(value);
  if (instance !== undefined) return instance;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    // An undefined property is how JSON says "absent": it is left out, which reads back the same.
    if (item === undefined) continue;
    const problem = check(item, depth + 1, path);
    if (problem !== undefined) {
      path.push(key);
      return problem;
    }
  }
  return undefined;
}

/** A plain copy of `value` as a read of the log gives it back, or `refused` with the walk's problem and path set. */
function copyOf(value: unknown, depth: number, walk: Walk): unknown {
  if (typeof value !== 'object' || value === null) {
    const problem = primitiveProblem(value);
    if (problem !== undefined) return walk.refuse(problem);
    if (typeof value === 'string') {
      walk.chars += value.length + 2;
      return walk.chars > maxStorableChars ? walk.refuse(tooLarge) : value;
    }
    walk.chars += 5;
    // JSON writes -0 as 0.
    return value === 0 ? 0 : value;
  }
  if (depth >= maxStorableDepth) return walk.refuse(deeper);
  if (walk.chars > maxStorableChars) return walk.refuse(tooLarge);
  if (Array.isArray(value)) {
    const length = value.length;
    walk.chars += length + 2;
    const copy = new Array<unknown>(length);
    for (let i = 0; i < length; i++) {
      const item = value[i];
      const next = item === undefined ? walk.refuse(hole) : copyOf(item, depth + 1, walk);
      if (next === refused) {
        walk.path.push(String(i));
        return refused;
      }
      copy[i] = next;
    }
    return copy;
  }
  const instance = instanceProblem(value);
  if (instance !== undefined) return walk.refuse(instance);
  const copy: Record<string, unknown> = {};
  walk.chars += 2;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    walk.chars += key.length + 4;
    const next = copyOf(item, depth + 1, walk);
    if (next === refused) {
      walk.path.push(key);
      return refused;
    }
    // An own `__proto__` key (as JSON.parse makes it) is data, not the copy's prototype.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: next, enumerable: true, writable: true });
    else copy[key] = next;
  }
  return copy;
}

/**
 * The path to the first object that contains itself, or `undefined` when `value` has no cycle.
 * Objects explored without finding one are not explored again, so shared parts cost once.
 */
function cyclePath(value: unknown, ancestors: Set<object>, done: Set<object>, path: string[]): string[] | undefined {
  if (typeof value !== 'object' || value === null || done.has(value)) return undefined;
  if (ancestors.has(value)) return path;
  if (ancestors.size >= maxStorableDepth) return undefined;
  ancestors.add(value);
  for (const key of Object.keys(value)) {
    path.push(key);
    const found = cyclePath((value as Record<string, unknown>)[key], ancestors, done, path);
    if (found !== undefined) return found;
    path.pop();
  }
  ancestors.delete(value);
  done.add(value);
  return undefined;
}

/** The cycle in a value too deep to store, if that is why; a getter that throws meanwhile means none was found. */
function findCycle(value: unknown): string[] | undefined {
  try {
    return cyclePath(value, new Set(), new Set(), []);
  } catch {
    return undefined;
  }
}

function problemOf(value: unknown, problem: string, innermostFirst: string[]): StorableProblem {
  if (problem === tooLarge) {
    const size = `${Math.round(maxStorableChars / 1024 / 1024)} MiB`;
    return { path: '', problem: `is larger than ${size} as JSON; store it elsewhere and return a reference to it` };
  }
  const path = innermostFirst.reverse();
  if (problem === deeper) {
    const cycle = findCycle(value);
    if (cycle !== undefined) return { path: cycle.join('.'), problem: 'refers to itself (a cycle)' };
    const shown = path.length > 8 ? [...path.slice(0, 4), '…', ...path.slice(-2)] : path;
    return { path: shown.join('.'), problem };
  }
  return { path: path.join('.'), problem };
}

/**
 * Why `value` cannot be stored as it is, or `undefined` when it can: what the logs check
 * before appending. Copies nothing.
 *
 * @example
 * storableProblem({ rows: [{ n: 1n }] })
 * // => { path: 'rows.0.n', problem: 'is a bigint' }
 * storableProblem({ text: 'ok', gone: undefined })
 * // => undefined
 */
export function storableProblem(value: unknown): StorableProblem | undefined {
  const path: string[] = [];
  const problem = check(value, 0, path);
  return problem === undefined ? undefined : problemOf(value, problem, path);
}

/**
 * Checks `value` where it enters from user code and returns a plain copy of it, so what was
 * checked is what gets stored: code that kept a reference cannot change the recorded value
 * later, and getters are read once. The copy is what a read of the log gives back (`-0` is `0`,
 * undefined properties are absent, and `undefined` itself is nothing). Refused: `NaN`,
 * `±Infinity`, bigints, functions, symbols, `undefined` array items, class instances (`Date`,
 * `Map`, `Set`, `Buffer`…), cycles, nesting past `maxStorableDepth`, more than
 * `maxStorableChars` of JSON, and a getter or proxy that throws.
 *
 * @example
 * toStorable({ v: -0, at: undefined })
 * // => { ok: true, value: { v: 0 } }
 * toStorable({ v: Number.NaN })
 * // => { ok: false, path: 'v', problem: 'is NaN' }
 */
export function toStorable(value: unknown): StorableResult {
  // Nothing at all (a tool that returns nothing) is stored as an absent field, as JSON does.
  if (value === undefined) return { ok: true, value };
  const walk = new Walk();
  let copy: unknown;
  try {
    copy = copyOf(value, 0, walk);
  } catch (err) {
    const message = err instanceof Error ? err.message : `a ${typeof err}`;
    return { ok: false, path: '', problem: `could not be read (a getter or proxy threw: ${message})` };
  }
  if (copy === refused) return { ok: false, ...problemOf(value, walk.problem, walk.path) };
  // Numbers are counted, not checked one by one: a long array of them is measured here.
  if (walk.chars > maxStorableChars) return { ok: false, ...problemOf(value, tooLarge, []) };
  return { ok: true, value: copy };
}

/**
 * A problem as a sentence fragment naming the field under `root`, for error messages.
 *
 * @example
 * describeStorableProblem('output', { path: 'v', problem: 'is NaN' })
 * // => 'output.v is NaN; expected JSON-storable values: finite numbers, strings, booleans, null, arrays and plain objects'
 */
export function describeStorableProblem(root: string, { path, problem }: StorableProblem): string {
  const where = path === '' ? root : `${root}.${path}`;
  return `${where} ${problem}; ${storableValues}`;
}
