import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../src/dispatch/template.js';
import { ToolInputError } from '../../src/errors.js';

describe('parseTemplate', () => {
  it('fills every named placeholder, repeated ones too, rendering non-strings as JSON', () => {
    const t = parseTemplate('Sort {{items}} {{ order }}; again {{items}}.');
    expect(t.names).toEqual(['items', 'order']);
    expect(t.fill({ items: [3, 1], order: 'desc' }, 0)).toBe('Sort [3,1] desc; again [3,1].');
  });

  it('leaves text without placeholders unchanged', () => {
    expect(parseTemplate('no slots here').fill({}, 0)).toBe('no slots here');
  });

  it('refuses a missing argument, naming it, its index and what the template expects', () => {
    const t = parseTemplate('{{a}} and {{b}}');
    expect(() => t.fill({ a: 1 }, 4)).toThrow(ToolInputError);
    expect(() => t.fill({ a: 1 }, 4)).toThrow('`arguments[4]` is missing `b`: the template expects {a, b}');
  });

  it('refuses an extra argument the template does not use', () => {
    expect(() => parseTemplate('{{a}}').fill({ a: 1, z: 2 }, 0)).toThrow(
      '`arguments[0]` has `z`, which the template does not use',
    );
  });

  it('refuses arguments that are not objects and templates that are not strings', () => {
    const t = parseTemplate('{{a}}');
    expect(() => t.fill([1] as never, 2)).toThrow('Expected `arguments[2]` to be an object');
    expect(() => t.fill(null as never, 0)).toThrow(ToolInputError);
    expect(() => parseTemplate(42 as never)).toThrow('Expected `template` to be a string, got `number`');
  });
});
