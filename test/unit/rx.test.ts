import * as rxjs from 'rxjs';
import { describe, expect, it } from 'vitest';
import * as rx from '../../src/util/rx.js';

/** What `source` emits, then how it ended. */
async function outcome(source: rxjs.Observable<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  await new Promise<void>((resolve) =>
    source.subscribe({
      next: (v) => seen.push(v),
      error: (e: unknown) => {
        seen.push(`error: ${String(e)}`);
        resolve();
      },
      complete: () => {
        seen.push('complete');
        resolve();
      },
    }),
  );
  return seen;
}

/** The same pipeline built from rxjs's own functions and from src/util/rx.ts's. */
const pipelines: Record<string, (r: typeof rx) => rxjs.Observable<unknown>> = {
  range: (r) => r.range(1, 3),
  timer: (r) => r.timer(0),
  merge: (r) => r.merge(r.from([1, 2]), r.from([3])),
  throwError: (r) => r.throwError(() => 'boom'),
  lastValueFrom: (r) => r.from(r.lastValueFrom(r.from([1, 2, 3]))),
  catchError: (r) => r.throwError(() => 'boom').pipe(r.catchError(() => r.from(['caught']))),
  distinctUntilChanged: (r) => r.from([1, 1, 2, 2, 1]).pipe(r.distinctUntilChanged()),
  exhaustMap: (r) => r.from([1, 2]).pipe(r.exhaustMap((n) => r.from([n, n * 10]))),
  map: (r) => r.from([1, 2]).pipe(r.map((n) => n * 2)),
  mergeMap: (r) => r.from([1, 2]).pipe(r.mergeMap((n) => r.from([n, -n]))),
  reduce: (r) => r.from([1, 2, 3]).pipe(r.reduce((a, n) => a + n, 0)),
  retry: (r) => {
    let tries = 0;
    return r.defer(() => (++tries < 3 ? r.throwError(() => `try ${tries}`) : r.from([tries]))).pipe(r.retry(5));
  },
  toArray: (r) => r.from([1, 2]).pipe(r.toArray()),
};

describe('src/util/rx: the rxjs parts troupe reads file by file', () => {
  it('are, when read at import, the very values `rxjs` exports, so instanceof and schedulers agree with a program’s own rxjs', () => {
    const theirs = new Map(Object.entries(rxjs));
    const eager = Object.entries(rx).filter(([name]) => !(name in pipelines));
    expect(eager.map(([name]) => name).sort()).toEqual(
      [
        'EMPTY',
        'Observable',
        'Subject',
        'asyncScheduler',
        'defer',
        'filter',
        'firstValueFrom',
        'from',
        'switchMap',
        'takeWhile',
      ].sort(),
    );
    for (const [name, value] of eager) expect(value, name).toBe(theirs.get(name));
  });

  it.each(Object.keys(pipelines))('%s, read on its first call, behaves as rxjs’s own', async (name) => {
    const build = pipelines[name] as (r: typeof rx) => rxjs.Observable<unknown>;
    const expected = await outcome(build(rxjs as unknown as typeof rx));
    expect(await outcome(build(rx))).toEqual(expected);
    expect(expected).not.toEqual(['complete']);
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
