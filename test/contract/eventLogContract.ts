import fc from 'fast-check';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { TroupeEvent } from '../../src/events/types.js';
import type { EventLog } from '../../src/log/EventLog.js';
import { completions, draftEvent } from '../helpers/tempLog.js';
import { caseArb, checkStoredFold } from '../support/foldProperty.js';

/** A log opened for one test case. */
export interface OpenedLog {
  log: EventLog;
  /** Opens the same store again after `log.close()` (durable logs only). */
  reopen?: () => EventLog;
}

/** How the contract suite gets fresh logs of one kind. */
export interface LogKind {
  name: string;
  open(): Promise<OpenedLog>;
  /** Generated runs for the fold property (fewer where each costs a database). */
  foldRuns: number;
}

function collect(log: EventLog, count: number, fromSeq?: number): Promise<TroupeEvent[]> {
  return firstValueFrom(log.subscribe(fromSeq).pipe(take(count), toArray()));
}

/**
 * The `EventLog` contract every log keeps: dense seq in append order, atomic appends, reads
 * per run, subscriptions that replay then tail with no gap and no duplicate, summaries, close,
 * and the stored fold equal to the live state.
 */
export function describeEventLogContract(kind: LogKind): void {
  describe(`EventLog contract: ${kind.name}`, () => {
    const open: EventLog[] = [];
    const fresh = async () => {
      const opened = await kind.open();
      open.push(opened.log);
      return opened;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((log) => log.close()));
    });

    it('assigns dense seq in append order across runs and reads a run back from fromSeq', async () => {
      const { log } = await fresh();
      const first = await log.append([draftEvent('r1'), draftEvent('r2')]);
      const second = await log.append(completions('r1', 3));
      expect(first.map((e) => [e.runId, e.seq])).toEqual([
        ['r1', 0],
        ['r2', 1],
      ]);
      expect(second.map((e) => e.seq)).toEqual([2, 3, 4]);
      expect(await log.read('r1')).toEqual([first[0], ...second]);
      expect((await log.read('r1', 3)).map((e) => e.seq)).toEqual([3, 4]);
      expect(await log.read('nobody')).toEqual([]);
      expect(await log.append([])).toEqual([]);
    });

    it('keeps the events of each append together when many appends race', async () => {
      const { log } = await fresh();
      const calls = await Promise.all(
        Array.from({ length: 20 }, (_, i) => log.append([draftEvent(`r${i}`), ...completions(`r${i}`, 4)])),
      );
      for (const stored of calls) {
        const seqs = stored.map((e) => e.seq);
        expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
      }
      const all = calls.flat().map((e) => e.seq);
      expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    });

    it('replays then tails from fromSeq with no gap and no duplicate while appends go on', async () => {
      const { log } = await fresh();
      for (let i = 0; i < 5; i++) await log.append([draftEvent(`r${i}`), ...completions(`r${i}`, 59)]);
      const seen = collect(log, 600, 0);
      const writes: Promise<unknown>[] = [];
      for (let i = 5; i < 10; i++) writes.push(log.append([draftEvent(`r${i}`), ...completions(`r${i}`, 59)]));
      await Promise.all(writes);
      expect((await seen).map((e) => e.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i));
      const late = await collect(log, 3, 597);
      expect(late.map((e) => e.seq)).toEqual([597, 598, 599]);
    });

    it('subscribes from the next append by default, and from a seq beyond the end', async () => {
      const { log } = await fresh();
      await log.append([draftEvent('old')]);
      const next = collect(log, 1);
      const beyond = collect(log, 1, 3);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await log.append([draftEvent('r1'), ...completions('r1', 3)]);
      expect((await next).map((e) => [e.seq, e.runId])).toEqual([[1, 'r1']]);
      expect((await beyond).map((e) => e.seq)).toEqual([3]);
    });

    it('refuses an event its reader would refuse, writing nothing of the batch', async () => {
      const { log } = await fresh();
      const junk = draftEvent('r1', { type: 'task.completed', taskId: 't1', output: Number.NaN, durationMs: 1 });
      await expect(log.append([draftEvent('r1'), junk])).rejects.toMatchObject({ code: 'EVENT_INVALID' });
      expect(await log.read('r1')).toEqual([]);
      expect((await log.append([draftEvent('r1')])).map((e) => e.seq)).toEqual([0]);
    });

    it('summarises every run, oldest first, with its status', async () => {
      const { log } = await fresh();
      await log.append([draftEvent('a', { goal: 'first' }), draftEvent('b', { goal: 'second' })]);
      await log.append([...completions('a', 2), draftEvent('a', { type: 'run.completed', answer: 'ok' })]);
      await log.append([draftEvent('b', { type: 'run.cancelled', reason: 'stop' })]);
      const runs = await log.runs();
      expect(runs.map((r) => [r.runId, r.goal, r.status, r.events])).toEqual([
        ['a', 'first', 'completed', 4],
        ['b', 'second', 'cancelled', 2],
      ]);
      expect(runs[0]?.updatedAt).toBeGreaterThan(runs[0]?.startedAt as number);
    });

    it('flushes pending appends on close, then refuses appends with LOG_CLOSED', async () => {
      const { log, reopen } = await fresh();
      const pending = log.append([draftEvent('r1')]);
      await log.close();
      await expect(pending).resolves.toHaveLength(1);
      await expect(log.append([draftEvent('r1')])).rejects.toMatchObject({ code: 'LOG_CLOSED' });
      if (reopen !== undefined) {
        const again = reopen();
        open.push(again);
        expect(await again.read('r1')).toHaveLength(1);
      }
    });

    it('folds the stored log to the live state at every prefix (property)', async () => {
      await fc.assert(
        fc.asyncProperty(caseArb, async (input) => {
          const { log, reopen } = await kind.open();
          await checkStoredFold(log, 'run-1', input, reopen);
          await log.close();
        }),
        { numRuns: kind.foldRuns },
      );
    });
  });
}
