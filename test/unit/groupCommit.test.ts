import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/log/groupCommit.js';

function recorder(options: { maxBatch?: number; failOn?: number } = {}) {
  const commits: number[][] = [];
  const seen: number[] = [];
  let writer: GroupCommit<number>;
  writer = new GroupCommit<number>({
    commit: (batch) => {
      if (options.failOn !== undefined && batch.includes(options.failOn)) throw new Error('disk full');
      commits.push([...batch]);
    },
    committed: (batch) => {
      for (const n of batch) {
        seen.push(n);
        // A listener that appends: its item must come after the whole batch it reacted to.
        if (n === 1)
          writer.add(
            [100],
            undefined,
            () => {},
            () => {},
          );
      }
    },
    ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
  });
  const add = (items: number[]) =>
    new Promise<readonly number[]>((resolve, reject) => writer.add(items, items, resolve, reject));
  return { commits, seen, add, writer };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('commits every write of one turn of the event loop together, and tells each writer after', async () => {
    const { commits, add } = recorder();
    const writes = [add([1]), add([2, 3]), add([4])];
    expect(commits).toEqual([]);
    expect(await Promise.all(writes)).toEqual([[1], [2, 3], [4]]);
    expect(commits[0]).toEqual([1, 2, 3, 4]);
  });

  it('commits a full batch at once, and listeners see batches in order', async () => {
    const { commits, seen, add, writer } = recorder({ maxBatch: 2 });
    const first = add([1, 2]);
    expect(commits).toEqual([[1, 2]]);
    expect(writer.size).toBe(1);
    await first;
    await turn();
    expect(seen).toEqual([1, 2, 100]);
  });

  it('fails the batch that could not be stored and every write after it', async () => {
    const { add } = recorder({ failOn: 7 });
    await add([1]);
    const before = add([6]);
    const failed = add([7]);
    await expect(before).rejects.toThrow('disk full');
    await expect(failed).rejects.toThrow('disk full');
    await expect(add([8])).rejects.toThrow('disk full');
  });
});
