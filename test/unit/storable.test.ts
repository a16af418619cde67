import { describe, expect, it } from 'vitest';
import { ToolOutputError } from '../../src/errors.js';
import {
  describeStorableProblem,
  maxStorableChars,
  maxStorableDepth,
  storableProblem,
  storableValues,
  toStorable,
} from '../../src/events/storable.js';
import { storableOutput } from '../../src/tools/storableOutput.js';

class Point {
  constructor(readonly x: number) {}
}

class Stamp {
  toJSON(): never {
    throw new Error('toJSON exploded');
  }
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { child: value };
  return value;
}

const cyclic: Record<string, unknown> = { name: 'root', list: [1] };
(cyclic.list as unknown[]).push({ up: cyclic });

/** Each value, where the problem is, and what is said about it. */
const refused: [string, unknown, string, string][] = [
  ['NaN', { v: Number.NaN }, 'v', 'is NaN'],
  ['Infinity', [Number.POSITIVE_INFINITY], '0', 'is Infinity'],
  ['-Infinity', { a: { b: Number.NEGATIVE_INFINITY } }, 'a.b', 'is -Infinity'],
  ['a bigint', { rows: [{ n: 1n }] }, 'rows.0.n', 'is a bigint'],
  ['a function', { run: () => 1 }, 'run', 'is a function'],
  ['a symbol', { tag: Symbol('s') }, 'tag', 'is a symbol'],
  ['undefined in an array', [1, undefined], '1', 'is undefined (or a hole)'],
  // biome-ignore lint/suspicious/noSparseArray: a hole is one of the values under test
  ['a hole in an array', [1, , 3], '1', 'is undefined (or a hole)'],
  ['a Date', { at: new Date(0) }, 'at', 'is a Date'],
  ['a Map', new Map(), '', 'is a Map'],
  ['a Set', { s: new Set() }, 's', 'is a Set'],
  ['a class instance', { p: new Point(1) }, 'p', 'is a Point'],
  ['an Error', { e: new Error('x') }, 'e', 'is an Error'],
  ['a Buffer', Buffer.from('x'), '', 'is a Buffer'],
  ['a boxed string', { s: new String('x') }, 's', 'is a String'],
  ['a class whose toJSON throws (never called)', { at: new Stamp() }, 'at', 'is a Stamp'],
  ['a plain object with toJSON', { toJSON: () => 'x' }, 'toJSON', 'is a function'],
  ['a cycle', cyclic, 'list.1.up', 'refers to itself (a cycle)'],
];

describe('toStorable and storableProblem', () => {
  it.each(refused)('refuse %s, naming where it is', (_what, value, path, problem) => {
    expect(toStorable(value)).toEqual({ ok: false, path, problem });
    expect(storableProblem(value)).toEqual({ path, problem });
  });

  it('accept plain JSON, unicode of every kind and null-prototype objects, and copy them', () => {
    const value = { text: 'snow ☃ \u{1f600} lone \ud800', none: null, n: [1.5, -2, 0], deep: [[{}], []], t: true };
    const stored = toStorable(value);
    expect(stored).toEqual({ ok: true, value });
    expect(stored.ok && stored.value).not.toBe(value);
    expect(storableProblem(value)).toBeUndefined();
    const bare = Object.assign(Object.create(null), { a: 1 });
    const copy = toStorable(bare);
    expect(copy.ok && Object.getPrototypeOf(copy.value)).toBe(Object.prototype);
  });

  it('give what a read of the log gives back: -0 is 0, undefined properties are absent, nothing stays nothing', () => {
    const stored = toStorable({ zero: -0, list: [-0], gone: undefined });
    expect(stored.ok).toBe(true);
    if (!stored.ok) return;
    expect(Object.is((stored.value as { zero: number }).zero, 0)).toBe(true);
    expect(Object.is((stored.value as { list: number[] }).list[0], 0)).toBe(true);
    expect(Object.keys(stored.value as object)).toEqual(['zero', 'list']);
    expect(toStorable(undefined)).toEqual({ ok: true, value: undefined });
  });

  it('keep an own __proto__ key as data, as JSON.parse does, without touching the prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const stored = toStorable(parsed);
    expect(stored.ok).toBe(true);
    if (!stored.ok) return;
    expect(JSON.stringify(stored.value)).toBe(JSON.stringify(parsed));
    expect(Object.getPrototypeOf(stored.value)).toBe(Object.prototype);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('copy, so a value changed after the check cannot reach the log', () => {
    const output = { v: 1, list: [1, 2] };
    const stored = toStorable(output);
    output.v = Number.NaN;
    output.list.push(Number.NaN);
    expect(stored).toEqual({ ok: true, value: { v: 1, list: [1, 2] } });
  });

  it('read a getter once, and name a getter that throws', () => {
    let reads = 0;
    const counted = toStorable({
      get v() {
        reads += 1;
        return reads;
      },
    });
    expect(counted).toEqual({ ok: true, value: { v: 1 } });
    const broken = toStorable({
      get v(): never {
        throw new Error('getter exploded');
      },
    });
    expect(broken).toEqual({
      ok: false,
      path: '',
      problem: 'could not be read (a getter or proxy threw: getter exploded)',
    });
  });

  it('tell a deep value whose parts are shared from a cycle, in bounded time', () => {
    let shared: unknown = { leaf: 1 };
    for (let i = 0; i < maxStorableDepth + 40; i++) shared = { a: shared, b: shared };
    const started = performance.now();
    expect(toStorable(shared)).toMatchObject({
      ok: false,
      problem: `is nested deeper than ${maxStorableDepth} levels`,
    });
    expect(storableProblem(shared)).toMatchObject({ problem: `is nested deeper than ${maxStorableDepth} levels` });
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('refuse nesting past the limit, and accept it up to the limit', () => {
    expect(toStorable(nested(maxStorableDepth)).ok).toBe(true);
    const deep = toStorable(nested(maxStorableDepth + 1));
    expect(deep).toMatchObject({ ok: false, problem: `is nested deeper than ${maxStorableDepth} levels` });
    expect(deep.ok || deep.path).toMatch(/^child\.child\.child\.child\.….child\.child$/);
  });

  it('refuse more JSON than maxStorableChars, in bounded time even when parts are shared 2^60 times', () => {
    const big = toStorable({ text: 'x'.repeat(maxStorableChars) });
    expect(big).toMatchObject({
      ok: false,
      path: '',
      problem: expect.stringMatching(/^is larger than 16 MiB as JSON/),
    });
    const numbers = toStorable(new Array<number>(4_000_000).fill(123456));
    expect(numbers).toMatchObject({ ok: false, path: '', problem: expect.stringMatching(/^is larger than 16 MiB/) });
    let shared: unknown = { leaf: 'x' };
    for (let i = 0; i < 60; i++) shared = { a: shared, b: shared };
    const started = performance.now();
    expect(toStorable(shared)).toMatchObject({ ok: false, problem: expect.stringMatching(/larger than/) });
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('storableOutput', () => {
  it('throws ToolOutputError naming the tool, the field, what was wrong and what is expected', () => {
    let thrown: unknown;
    try {
      storableOutput('stats', { v: Number.NaN });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ToolOutputError);
    expect(thrown).toMatchObject({
      code: 'TOOL_OUTPUT_INVALID',
      tool: 'stats',
      message:
        'Tool `stats` returned output that cannot be stored: output.v is NaN; expected JSON-storable values: finite numbers, strings, booleans, null, arrays and plain objects',
    });
  });

  it('returns the copy of a storable output', () => {
    const output = { url: 'https://x.example/1' };
    const stored = storableOutput('post', output);
    expect(stored).toEqual(output);
    expect(stored).not.toBe(output);
  });

  it('describes a problem at the root by the root name', () => {
    expect(describeStorableProblem('output', { path: '', problem: 'is a Map' })).toBe(
      `output is a Map; ${storableValues}`,
    );
  });
});
