import { PlanReferenceError } from '../errors.js';

/** One `{{<taskId>.output[.<path>]}}` written in a task's input. */
export interface TaskReference {
  /** The task whose output is referenced. */
  readonly taskId: string;
  /** Keys and array indexes into that output, outermost first; empty for the whole output. */
  readonly path: readonly string[];
  /** The reference as written, braces included. */
  readonly text: string;
}

/** A task's output as the resolver sees it: present once the task completed. */
export type OutputLookup = (taskId: string) => { readonly output: unknown } | undefined;

// A task id holds no dot, brace or white space: the first dot ends it, so paths stay unambiguous.
const referencePattern = /\{\{([^.{}\s]+)\.output((?:\.[^.{}\s]+)*)\}\}/g;
const wholePattern = /^\{\{([^.{}\s]+)\.output((?:\.[^.{}\s]+)*)\}\}$/;

function toReference(text: string, taskId: string, rawPath: string): TaskReference {
  return { taskId, path: rawPath === '' ? [] : rawPath.slice(1).split('.'), text };
}

function referencesIn(text: string, into: TaskReference[]): void {
  if (!text.includes('{{')) return;
  for (const match of text.matchAll(referencePattern)) {
    into.push(toReference(match[0], match[1] as string, match[2] as string));
  }
}

function walk(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) walk(item, visit);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) walk(item, visit);
}

/**
 * Every reference in a task's input, in document order (strings inside objects and arrays
 * included; object keys are never references).
 *
 * @example
 * findReferences({ text: 'Take: {{draft.output}}', tag: '{{research.output.trends.0.name}}' })
 * // => [{ taskId: 'draft', path: [], text: '{{draft.output}}' },
 * //     { taskId: 'research', path: ['trends', '0', 'name'], text: '{{research.output.trends.0.name}}' }]
 */
export function findReferences(input: unknown): TaskReference[] {
  const found: TaskReference[] = [];
  walk(input, (text) => referencesIn(text, found));
  return found;
}

/** Whether a task's input holds any reference: the cheap check that keeps inputs without one on the fast path. */
export function hasReferences(input: unknown): boolean {
  let any = false;
  walk(input, (text) => {
    if (!any && text.includes('{{')) {
      referencePattern.lastIndex = 0;
      any = referencePattern.test(text);
      referencePattern.lastIndex = 0;
    }
  });
  return any;
}

function step(value: unknown, key: string): { found: boolean; value: unknown } {
  if (Array.isArray(value)) {
    if (!/^(0|[1-9]\d*)$/.test(key)) return { found: false, value: undefined };
    const index = Number(key);
    return index < value.length ? { found: true, value: value[index] } : { found: false, value: undefined };
  }
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, key)) {
    return { found: true, value: (value as Record<string, unknown>)[key] };
  }
  return { found: false, value: undefined };
}

function referencedValue(owner: string, ref: TaskReference, lookup: OutputLookup): unknown {
  const source = lookup(ref.taskId);
  if (source === undefined)
    throw new PlanReferenceError(owner, ref.text, `names task \`${ref.taskId}\`, which has no output`);
  let value = source.output;
  for (let i = 0; i < ref.path.length; i++) {
    const key = ref.path[i] as string;
    const next = step(value, key);
    if (!next.found) {
      const at = ['output', ...ref.path.slice(0, i)].join('.');
      const shape = Array.isArray(value) ? `an array of ${value.length}` : value === null ? 'null' : typeof value;
      throw new PlanReferenceError(
        owner,
        ref.text,
        `names \`${key}\`, which \`${ref.taskId}.${at}\` does not have (it is ${shape})`,
      );
    }
    value = next.value;
  }
  if (value === undefined) throw new PlanReferenceError(owner, ref.text, 'resolves to nothing');
  return value;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function resolveString(owner: string, text: string, lookup: OutputLookup): unknown {
  if (!text.includes('{{')) return text;
  const whole = wholePattern.exec(text);
  if (whole !== null) return referencedValue(owner, toReference(text, whole[1] as string, whole[2] as string), lookup);
  return text.replace(referencePattern, (match, taskId: string, rawPath: string) =>
    asText(referencedValue(owner, toReference(match, taskId, rawPath), lookup)),
  );
}

function resolveValue(owner: string, value: unknown, lookup: OutputLookup): unknown {
  if (typeof value === 'string') return resolveString(owner, value, lookup);
  if (Array.isArray(value)) return value.map((item) => resolveValue(owner, item, lookup));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = resolveValue(owner, item, lookup);
    return out;
  }
  return value;
}

/**
 * Replaces every reference in the input of task `owner`: a string that is exactly one
 * reference becomes the referenced value with its JSON type; a reference inside a longer
 * string is interpolated as text (JSON for anything but a string). Pure: the input is not
 * changed. Throws `PlanReferenceError` naming the reference when a task has no output or the
 * path is missing from it.
 *
 * @example
 * resolveReferences('post', { text: 'New: {{draft.output}}', n: '{{research.output.count}}' },
 *   (id) => ({ output: id === 'draft' ? 'hello' : { count: 3 } }))
 * // => { text: 'New: hello', n: 3 }
 */
export function resolveReferences(owner: string, input: unknown, lookup: OutputLookup): unknown {
  return resolveValue(owner, input, lookup);
}
