/**
 * Things waiting for a human (open questions, pending reviews), grouped by run: an item leaves
 * when it is settled, when its task ends some other way, or when its run ends, so a count of
 * waiting items never outlives what it counts.
 *
 * @example
 * const open = new OpenItems();
 * open.add('run-1', 'ask');
 * open.endRun('run-1');
 * open.size
 * // => 0
 */
export class OpenItems {
  private readonly byRun = new Map<string, Set<string>>();
  private count = 0;

  /** How many items are open across all runs. */
  get size(): number {
    return this.count;
  }

  /** Opens `item` of `runId` (once, however often it is added). */
  add(runId: string, item: string): void {
    let items = this.byRun.get(runId);
    if (items === undefined) {
      items = new Set();
      this.byRun.set(runId, items);
    }
    if (!items.has(item)) {
      items.add(item);
      this.count += 1;
    }
  }

  /** Closes `item` of `runId`; returns whether it was open. */
  delete(runId: string, item: string): boolean {
    const items = this.byRun.get(runId);
    if (items?.delete(item) !== true) return false;
    this.count -= 1;
    if (items.size === 0) this.byRun.delete(runId);
    return true;
  }

  /** Closes every item of a run that ended. */
  endRun(runId: string): void {
    const items = this.byRun.get(runId);
    if (items === undefined) return;
    this.count -= items.size;
    this.byRun.delete(runId);
  }
}
