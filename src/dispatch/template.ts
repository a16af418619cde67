import { ToolInputError } from '../errors.js';

/** The arguments of one agent: a value for each placeholder of the template. */
export type TemplateArgs = Readonly<Record<string, unknown>>;

/** A template split once into its text and placeholders, so filling it is a join. */
export interface ParsedTemplate {
  readonly source: string;
  /** Each placeholder's name, in order of first appearance. */
  readonly names: readonly string[];
  /** Fills the placeholders with `args`; `ToolInputError` when one is missing or extra. */
  fill(args: TemplateArgs, index: number): string;
}

const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Parses a template with named `{{placeholders}}`. Filling checks that the arguments name
 * exactly the template's placeholders: a missing or an extra argument is a `ToolInputError`.
 *
 * @example
 * parseTemplate('Sort {{items}} in {{order}} order').fill({ items: [3, 1], order: 'ascending' }, 0)
 * // => 'Sort [3,1] in ascending order'
 */
export function parseTemplate(source: string): ParsedTemplate {
  if (typeof source !== 'string') {
    throw new ToolInputError('dispatchAgents', `Expected \`template\` to be a string, got \`${typeof source}\``);
  }
  const texts: string[] = [];
  const slots: string[] = [];
  let last = 0;
  for (const match of source.matchAll(placeholder)) {
    texts.push(source.slice(last, match.index));
    slots.push(match[1] as string);
    last = match.index + match[0].length;
  }
  texts.push(source.slice(last));
  const names = [...new Set(slots)];
  const known = new Set(names);

  return {
    source,
    names,
    fill(args, index) {
      if (typeof args !== 'object' || args === null || Array.isArray(args)) {
        throw new ToolInputError(
          'dispatchAgents',
          `Expected \`arguments[${index}]\` to be an object of placeholder values, got \`${JSON.stringify(args)}\``,
        );
      }
      for (const name of names) {
        if (!(name in args)) {
          throw new ToolInputError(
            'dispatchAgents',
            `\`arguments[${index}]\` is missing \`${name}\`: the template expects {${names.join(', ')}}`,
          );
        }
      }
      for (const key of Object.keys(args)) {
        if (!known.has(key)) {
          throw new ToolInputError(
            'dispatchAgents',
            `\`arguments[${index}]\` has \`${key}\`, which the template does not use: it expects {${names.join(', ')}}`,
          );
        }
      }
      let out = texts[0] as string;
      for (let i = 0; i < slots.length; i++) out += render(args[slots[i] as string]) + (texts[i + 1] as string);
      return out;
    },
  };
}
