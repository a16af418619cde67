import { createRequire } from 'node:module';
import type * as Rx from 'rxjs';

// rxjs's entry loads all of its ~220 files, most of an `import 'troupe'`'s time; troupe uses a
// few dozen of them, read here one file each. Under Node, `import 'rxjs'` resolves to these same
// CommonJS files, so these are the very functions and classes (`instanceof Observable` holds) a
// program's own `rxjs` import returns; those a plain run never calls are read on first call.
// test/unit/rx.test.ts proves each is rxjs's own or behaves as it.
const load = createRequire(import.meta.url);

function part<K extends keyof typeof Rx>(file: string, name: K): (typeof Rx)[K] {
  return (load(`rxjs/internal/${file}`) as Pick<typeof Rx, K>)[name];
}

/**
 * An rxjs function read on its first call: those a run never calls (the stream operators a user
 * composes, triggers, dispatch) cost nothing until used.
 */
function later<K extends keyof typeof Rx>(file: string, name: K): (typeof Rx)[K] {
  let loaded: ((...args: unknown[]) => unknown) | undefined;
  const call = (...args: unknown[]): unknown => {
    loaded ??= part(file, name) as unknown as (...args: unknown[]) => unknown;
    return loaded(...args);
  };
  return call as unknown as (typeof Rx)[K];
}

/** rxjs `Observable`. */
export const Observable = part('Observable', 'Observable');
/** rxjs `Observable`. */
export type Observable<T> = Rx.Observable<T>;
/** rxjs `Subject`. */
export const Subject = part('Subject', 'Subject');
/** rxjs `Subject`. */
export type Subject<T> = Rx.Subject<T>;
/** rxjs `EMPTY`. */
export const EMPTY = part('observable/empty', 'EMPTY');
/** rxjs `defer`. */
export const defer = part('observable/defer', 'defer');
/** rxjs `from`. */
export const from = part('observable/from', 'from');
/** rxjs `range`. */
export const range = later('observable/range', 'range');
/** rxjs `timer`. */
export const timer = later('observable/timer', 'timer');
/** rxjs `merge`. */
export const merge = later('observable/merge', 'merge');
/** rxjs `throwError`. */
export const throwError = later('observable/throwError', 'throwError');
/** rxjs `asyncScheduler`. */
export const asyncScheduler = part('scheduler/async', 'asyncScheduler');
/** rxjs `firstValueFrom`. */
export const firstValueFrom = part('firstValueFrom', 'firstValueFrom');
/** rxjs `lastValueFrom`. */
export const lastValueFrom = later('lastValueFrom', 'lastValueFrom');
/** rxjs `catchError`. */
export const catchError = later('operators/catchError', 'catchError');
/** rxjs `distinctUntilChanged`. */
export const distinctUntilChanged = later('operators/distinctUntilChanged', 'distinctUntilChanged');
/** rxjs `exhaustMap`. */
export const exhaustMap = later('operators/exhaustMap', 'exhaustMap');
/** rxjs `filter`. */
export const filter = part('operators/filter', 'filter');
/** rxjs `map`. */
export const map = later('operators/map', 'map');
/** rxjs `mergeMap`. */
export const mergeMap = later('operators/mergeMap', 'mergeMap');
/** rxjs `reduce`. */
export const reduce = later('operators/reduce', 'reduce');
/** rxjs `retry`. */
export const retry = later('operators/retry', 'retry');
/** rxjs `switchMap`. */
export const switchMap = part('operators/switchMap', 'switchMap');
/** rxjs `takeWhile`. */
export const takeWhile = part('operators/takeWhile', 'takeWhile');
/** rxjs `toArray`. */
export const toArray = later('operators/toArray', 'toArray');
