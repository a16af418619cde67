import { z } from 'zod';

/** What composition needs to know of one value's schema: its kind and whether it may be missing. */
export interface FieldInfo {
  /** zod's type name after unwrapping optional, default, nullable and friends (`string`, `object`, …). */
  kind: string;
  optional: boolean;
}

const wrappers = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);
/** Kinds whose values cannot be judged by kind alone: the step's schema checks them at run time. */
const opaque = new Set(['unknown', 'any', 'union', 'pipe', 'transform', 'custom', 'lazy', 'intersection']);

/**
 * The kind of a schema, unwrapped, and whether it accepts `undefined`.
 *
 * @example
 * fieldInfo(z.string().optional())
 * // => { kind: 'string', optional: true }
 */
export function fieldInfo(schema: z.ZodType): FieldInfo {
  const optional = schema.safeParse(undefined).success;
  let inner: z.ZodType = schema;
  for (let depth = 0; depth < 8 && wrappers.has(inner.def.type); depth++) {
    const next = (inner.def as { innerType?: z.ZodType }).innerType;
    if (next === undefined) break;
    inner = next;
  }
  return { kind: inner.def.type, optional };
}

/**
 * The fields of an object schema (zod 4 exposes them as `shape`), or `undefined` for any
 * other schema.
 *
 * @example
 * fieldsOf(z.object({ url: z.string() }))
 * // => Map { 'url' => { kind: 'string', optional: false } }
 */
export function fieldsOf(schema: z.ZodType | undefined): Map<string, FieldInfo> | undefined {
  if (!(schema instanceof z.ZodObject)) return undefined;
  const fields = new Map<string, FieldInfo>();
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    fields.set(key, fieldInfo(field));
  }
  return fields;
}

/**
 * Why a value of schema `from` cannot feed an input of schema `to`, or `undefined` when it
 * can as far as kinds tell (unions, transforms and `unknown` are left to the run-time check).
 *
 * @example
 * mismatch({ kind: 'number', optional: false }, { kind: 'string', optional: false })
 * // => 'is a number but a string is expected'
 */
export function mismatch(from: FieldInfo, to: FieldInfo): string | undefined {
  if (from.optional && !to.optional) return `may be missing but is required`;
  if (opaque.has(from.kind) || opaque.has(to.kind) || from.kind === to.kind) return undefined;
  if (to.kind === 'string' && (from.kind === 'enum' || from.kind === 'literal')) return undefined;
  return `is ${article(from.kind)} but ${article(to.kind)} is expected`;
}

function article(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}
