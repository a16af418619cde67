/** Shares the event loop between many pieces of background work, a slice at a time. */
export interface Pacer {
  /** Runs `job` in a later slice, after the jobs already waiting. */
  schedule(job: () => void): void;
  /** Whether the current slice is used up: a job should stop and schedule its rest. */
  overdue(): boolean;
}

/**
 * A pacer that runs waiting jobs for at most `sliceMs` of each turn of the event loop, then
 * yields (`setImmediate`) so that I/O — a `/healthz` probe, a run's commits — gets its turn
 * whatever the number of jobs. Per-job yielding alone would not do: 500 jobs each yielding
 * after 2 ms still hold the loop for a second before anything else runs.
 *
 * @example
 * const pacer = createPacer(4);
 * pacer.schedule(function step() { while (more() && !pacer.overdue()) work(); if (more()) pacer.schedule(step); });
 * // => the work runs in ≤ 4 ms slices, other callbacks in between
 * @param sliceMs the longest stretch of jobs between two yields
 */
export function createPacer(sliceMs: number): Pacer {
  let queue: (() => void)[] = [];
  let head = 0;
  let scheduled = false;
  let deadline = Number.POSITIVE_INFINITY;

  function run(): void {
    scheduled = false;
    deadline = performance.now() + sliceMs;
    try {
      while (head < queue.length && performance.now() < deadline) {
        const job = queue[head] as () => void;
        head += 1;
        job();
      }
    } finally {
      deadline = Number.POSITIVE_INFINITY;
      queue = queue.slice(head);
      head = 0;
      if (queue.length > 0) wake();
    }
  }

  function wake(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(run);
  }

  return {
    schedule(job) {
      queue.push(job);
      wake();
    },
    overdue: () => performance.now() >= deadline,
  };
}

let shared: Pacer | undefined;

/** The process's one pacer for dashboard stream replays: every dashboard shares the one event loop. */
export function replayPacer(): Pacer {
  shared ??= createPacer(2);
  return shared;
}
