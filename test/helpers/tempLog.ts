import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UnsequencedEvent } from '../../src/events/types.js';

/** A fresh directory under the OS temp dir; `remove()` deletes it and everything in it. */
export function tempDir(prefix = 'troupe-log-'): { dir: string; file: (name?: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file: (name = 'events.db') => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

let nextId = 0;

/** A valid event of `runId` (`run.started` unless `payload` says otherwise). */
export function draftEvent(runId: string, payload: Record<string, unknown> = {}): UnsequencedEvent {
  nextId += 1;
  return {
    type: 'run.started',
    goal: `goal of ${runId}`,
    id: `e${nextId}`,
    runId,
    ts: 1_700_000_000_000 + nextId,
    correlationId: runId,
    causationId: null,
    ...payload,
  } as UnsequencedEvent;
}

/** `count` valid `task.completed` events of `runId`. */
export function completions(runId: string, count: number, from = 0): UnsequencedEvent[] {
  return Array.from({ length: count }, (_, i) =>
    draftEvent(runId, { type: 'task.completed', taskId: `t${from + i}`, output: { i: from + i }, durationMs: 1 }),
  );
}
