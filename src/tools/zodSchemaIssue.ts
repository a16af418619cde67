/**
 * What is wrong with `value` as a zod 4 schema, or `undefined` when it is one. Checked by shape,
 * not `instanceof`, so a schema made by the application's own copy of zod 4 is accepted, and a
 * zod 3 schema is named as such with how to get zod 4.
 *
 * @example
 * zodSchemaIssue(z3.object({}), '`input` of tool `search`')
 * // => 'Expected `input` of tool `search` to be a zod 4 schema, got a zod 3 schema: troupe needs zod 4 …'
 */
export function zodSchemaIssue(value: unknown, what: string): string | undefined {
  if (typeof value === 'object' && value !== null && '_zod' in value) return undefined;
  if (typeof value === 'object' && value !== null && '_def' in value) {
    return (
      `Expected ${what} to be a zod 4 schema, got a zod 3 schema: troupe needs zod 4 ` +
      "(npm install zod@^4; on zod 3.25 `import { z } from 'zod/v4'` also works)"
    );
  }
  return `Expected ${what} to be a zod 4 schema, got ${value === null ? 'null' : typeof value}`;
}
