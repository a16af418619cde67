import * as rxjs from 'rxjs';
import { describe, expect, it } from 'vitest';
import * as rx from '../../src/util/rx.js';

describe('src/util/rx: the rxjs parts troupe reads file by file', () => {
  it('are the very values `rxjs` exports, so instanceof and schedulers agree with a program’s own rxjs', () => {
    const theirs = new Map(Object.entries(rxjs));
    const ours = Object.entries(rx);
    expect(ours.length).toBeGreaterThan(20);
    for (const [name, value] of ours) expect(value, name).toBe(theirs.get(name));
  });

  it('makes Observables that rxjs operators and isObservable accept', async () => {
    const source = rx.from([1, 2, 3]);
    expect(source).toBeInstanceOf(rxjs.Observable);
    expect(rxjs.isObservable(source)).toBe(true);
    await expect(
      rxjs.lastValueFrom(
        source.pipe(
          rx.map((n) => n * 2),
          rx.toArray(),
        ),
      ),
    ).resolves.toEqual([2, 4, 6]);
  });
});
