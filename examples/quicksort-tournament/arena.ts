// Runs one contestant's code in a worker thread with a memory limit and a time limit, on the
// shared test suite, and reports a digest of each output and the comparisons it made.
import { Worker } from 'node:worker_threads';

/** One case of the shared test suite. */
export interface TestCase {
  name: string;
  items: unknown[];
  /** Records are compared by `key` only, so a stable sort keeps their `seq` order. */
  byKey: boolean;
  /** At most this many comparisons (to catch quadratic behaviour), when set. */
  maxComparisons?: number;
}

/** What one case produced. */
export interface CaseOutcome {
  name: string;
  /** A digest of the output, for the majority vote; `error: ...` when the code threw. */
  digest: string;
  comparisons: number;
  withinComparisons: boolean;
}

/** What one contestant did on the whole suite. */
export interface Trial {
  cases: CaseOutcome[];
  ms: number;
}

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const sort = new Function(workerData.source + '\\nreturn sort;')();
const cases = [];
const started = performance.now();
for (const c of workerData.suite) {
  let comparisons = 0;
  const compare = c.byKey
    ? (a, b) => { comparisons++; return a.key - b.key; }
    : (a, b) => { comparisons++; return a - b; };
  let digest;
  try {
    digest = createHash('sha1').update(JSON.stringify(sort(c.items.slice(), compare))).digest('hex').slice(0, 12);
  } catch (err) {
    digest = 'error: ' + (err && err.name ? err.name : String(err));
  }
  cases.push({ name: c.name, digest, comparisons, withinComparisons: c.maxComparisons === undefined || comparisons <= c.maxComparisons });
}
parentPort.postMessage({ cases, ms: performance.now() - started });
`;

/**
 * Runs `source` on `suite` in a fresh worker (at most `memoryMb` of heap), terminating it after
 * `timeMs` of running or when `signal` aborts. Rejects with what stopped it.
 */
export function runInArena(
  source: string,
  suite: readonly TestCase[],
  limits: { timeMs: number; memoryMb: number },
  signal: AbortSignal,
): Promise<Trial> {
  return new Promise<Trial>((resolve, reject) => {
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { source, suite },
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: 16 },
      stderr: true,
      stdout: true,
    });
    const stop = (error: Error) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      reject(error);
    };
    const onAbort = () => stop(new Error(`stopped: ${String(signal.reason)}`));
    let timer: NodeJS.Timeout | undefined;
    // The clock starts when the worker runs, so a slow start on a busy machine is not held against the code.
    worker.once('online', () => {
      timer = setTimeout(() => stop(new Error(`exceeded the ${limits.timeMs} ms time limit`)), limits.timeMs);
    });
    signal.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (trial: Trial) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      resolve(trial);
    });
    worker.once('error', (err) => {
      const code = (err as { code?: string }).code;
      stop(
        new Error(
          code === 'ERR_WORKER_OUT_OF_MEMORY' ? `exceeded the ${limits.memoryMb} MB memory limit` : err.message,
        ),
      );
    });
  });
}
