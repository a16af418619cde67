import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS dependency loaded on first call instead of at import: `import 'troupe'` pays only
 * for what a program uses (the SQLite driver, the Postgres client). Loading stays synchronous,
 * so constructors such as `sqliteLog()` keep their signatures.
 *
 * @example
 * const pg = lazyRequire<typeof import('pg')>('pg');
 * new (pg().Pool)({ connectionString });
 * // => pg is read from disk at this first call
 */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(id) as T;
    return loaded;
  };
}
