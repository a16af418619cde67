import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlanReferenceError, type TroupeError } from '../../src/errors.js';
import { findReferences, hasReferences, type OutputLookup, resolveReferences } from '../../src/run/references.js';

const outputs: Record<string, unknown> = {
  research: {
    trends: [
      { name: '#agentops', volume: 18400 },
      { name: '#localllm', volume: 9100 },
    ],
    count: 2,
  },
  draft: 'Agents need ops too.',
  flag: false,
  nothing: null,
};
const lookup: OutputLookup = (id) => (id in outputs ? { output: outputs[id] } : undefined);

function failure(input: unknown, look: OutputLookup = lookup): TroupeError {
  try {
    resolveReferences('post', input, look);
  } catch (err) {
    return err as TroupeError;
  }
  throw new Error('expected resolveReferences to throw');
}

describe('findReferences', () => {
  it('finds references in nested strings, in order, with their paths', () => {
    const refs = findReferences({
      text: 'Take: {{draft.output}} ({{research.output.count}})',
      tags: ['{{research.output.trends.0.name}}'],
      n: 3,
    });
    expect(refs.map((r) => [r.taskId, r.path, r.text])).toEqual([
      ['draft', [], '{{draft.output}}'],
      ['research', ['count'], '{{research.output.count}}'],
      ['research', ['trends', '0', 'name'], '{{research.output.trends.0.name}}'],
    ]);
  });

  it('ignores text that is not a reference and object keys', () => {
    expect(findReferences({ '{{a.output}}': 'x', t: '{{a}} {{a.result}} { {a.output} } {{a.output.}}' })).toEqual([]);
    expect(hasReferences({ t: '{{a}}' })).toBe(false);
    expect(hasReferences([1, { t: 'x {{a.output}}' }])).toBe(true);
    expect(hasReferences(undefined)).toBe(false);
  });
});

describe('resolveReferences', () => {
  it('replaces a whole-string reference by the value, keeping its JSON type', () => {
    expect(
      resolveReferences(
        'post',
        {
          all: '{{research.output}}',
          count: '{{research.output.count}}',
          top: '{{research.output.trends.0}}',
          flag: '{{flag.output}}',
          none: '{{nothing.output}}',
        },
        lookup,
      ),
    ).toEqual({
      all: outputs.research,
      count: 2,
      top: { name: '#agentops', volume: 18400 },
      flag: false,
      none: null,
    });
  });

  it('interpolates references inside longer strings as text, JSON for non-strings', () => {
    expect(
      resolveReferences(
        'post',
        ['{{draft.output}} #{{research.output.count}}', 'top: {{research.output.trends.1}}, {{flag.output}}'],
        lookup,
      ),
    ).toEqual(['Agents need ops too. #2', 'top: {"name":"#localllm","volume":9100}, false']);
  });

  it('leaves the input itself unchanged', () => {
    const input = { text: '{{draft.output}}' };
    resolveReferences('post', input, lookup);
    expect(input).toEqual({ text: '{{draft.output}}' });
  });

  it('fails with PlanReferenceError naming the reference when the path is missing', () => {
    const err = failure({ text: '{{research.output.trends.5.name}}' });
    expect(err).toBeInstanceOf(PlanReferenceError);
    expect(err).toMatchObject({ code: 'REFERENCE_UNRESOLVED', reference: '{{research.output.trends.5.name}}' });
    expect(err.message).toBe(
      'Task `post`: {{research.output.trends.5.name}} names `5`, which `research.output.trends` does not have (it is an array of 2)',
    );
    expect(failure('x {{draft.output.length}}').message).toContain('(it is string)');
    expect(failure('{{research.output.trends.first}}').message).toContain('names `first`');
  });

  it('fails when the referenced task has no output', () => {
    expect(failure('{{ghost.output}}').message).toBe(
      'Task `post`: {{ghost.output}} names task `ghost`, which has no output',
    );
  });
});

const jsonValue = fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('{{'));
const ids = ['a', 'b', 'c'] as const;
const referenceArb = fc.constantFrom(...ids).map((id) => `{{${id}.output}}`);
const plainText = fc.string({ maxLength: 8 }).filter((s) => !s.includes('{') && !s.includes('}'));
const templateString = fc.oneof(
  referenceArb,
  fc.tuple(plainText, referenceArb, plainText).map(([l, r, t]) => `${l}${r}${t}`),
  plainText,
);
const template = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    templateString,
    fc.integer(),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie('node'), { maxKeys: 3 }),
  ),
})).node;

describe('resolveReferences (properties)', () => {
  it('a whole-string reference resolves to the output itself, whatever its JSON type', () => {
    fc.assert(
      fc.property(jsonValue, (output) => {
        const resolved = resolveReferences('t', { v: '{{a.output}}' }, () => ({ output }));
        expect(resolved).toEqual({ v: output });
      }),
    );
  });

  it('no reference survives resolution, and inputs without references come back equal', () => {
    fc.assert(
      fc.property(template, fc.tuple(jsonValue, jsonValue, jsonValue), (input, values) => {
        const look: OutputLookup = (id) => ({ output: values[ids.indexOf(id as (typeof ids)[number])] });
        const resolved = resolveReferences('t', input, look);
        expect(hasReferences(resolved)).toBe(false);
        expect(findReferences(resolved)).toEqual([]);
        if (!hasReferences(input)) expect(resolved).toEqual(input);
      }),
    );
  });
});
