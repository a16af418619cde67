import { createRequire } from 'node:module';
import type * as Rx from 'rxjs';

// rxjs's entry loads all of its ~220 files, most of an `import 'troupe'`'s time; troupe uses a
// few dozen of them, read here one file each. Under Node, `import 'rxjs'` resolves to these same
// CommonJS files, so these are the very functions and classes (`instanceof Observable` holds) a
// program's own `rxjs` import returns. test/unit/rx.test.ts proves each one is.
const load = createRequire(import.meta.url);

function part<K extends keyof typeof Rx>(file: string, name: K): (typeof Rx)[K] {
  return (load(`rxjs/internal/${file}`) as Pick<typeof Rx, K>)[name];
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
export const range = part('observable/range', 'range');
/** rxjs `timer`. */
export const timer = part('observable/timer', 'timer');
/** rxjs `merge`. */
export const merge = part('observable/merge', 'merge');
/** rxjs `throwError`. */
export const throwError = part('observable/throwError', 'throwError');
/** rxjs `asyncScheduler`. */
export const asyncScheduler = part('scheduler/async', 'asyncScheduler');
/** rxjs `firstValueFrom`. */
export const firstValueFrom = part('firstValueFrom', 'firstValueFrom');
/** rxjs `lastValueFrom`. */
export const lastValueFrom = part('lastValueFrom', 'lastValueFrom');
/** rxjs `catchError`. */
export const catchError = part('operators/catchError', 'catchError');
/** rxjs `distinctUntilChanged`. */
export const distinctUntilChanged = part('operators/distinctUntilChanged', 'distinctUntilChanged');
/** rxjs `exhaustMap`. */
export const exhaustMap = part('operators/exhaustMap', 'exhaustMap');
/** rxjs `filter`. */
export const filter = part('operators/filter', 'filter');
/** rxjs `map`. */
export const map = part('operators/map', 'map');
/** rxjs `mergeMap`. */
export const mergeMap = part('operators/mergeMap', 'mergeMap');
/** rxjs `reduce`. */
export const reduce = part('operators/reduce', 'reduce');
/** rxjs `retry`. */
export const retry = part('operators/retry', 'retry');
/** rxjs `switchMap`. */
export const switchMap = part('operators/switchMap', 'switchMap');
/** rxjs `takeWhile`. */
export const takeWhile = part('operators/takeWhile', 'takeWhile');
/** rxjs `toArray`. */
export const toArray = part('operators/toArray', 'toArray');
