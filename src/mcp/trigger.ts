import { ConfigError, TroupeError } from '../errors.js';
import {
  catchError,
  defer,
  distinctUntilChanged,
  EMPTY,
  exhaustMap,
  filter,
  map,
  merge,
  type Observable,
  Subject,
  timer,
} from '../util/rx.js';

/** Where a trigger reads its resource: an MCP toolset, or anything alike. */
export interface ResourceSource {
  readResource(uri: string): Promise<string>;
  onResourceUpdated?(uri: string, listener: () => void): Promise<() => void>;
}

/** Options of `runtime.trigger`. */
export interface TriggerOptions {
  source: ResourceSource;
  /** The URI of the resource to watch. */
  resource: string;
  /** Poll the resource this often, in ms. */
  everyMs?: number;
  /** Read the resource whenever the source reports it changed (MCP resource subscriptions). @default false */
  onChange?: boolean;
  /** The goal to run for new content; return `undefined` to skip it. Identical content never runs twice in a row. */
  goal: (content: string) => string | undefined;
}

/** A running trigger; `Run` is what each started run is (the runtime's `RunHandle`). */
export interface Trigger<Run> {
  /** Every run the trigger starts from the moment of subscribing (the first read happens on a later tick). */
  readonly runs$: Observable<Run>;
  /** Every failure to read the resource (it is read again at the next tick or change). */
  readonly errors$: Observable<TroupeError>;
  /** Stops watching; runs already started go on. */
  stop(): void;
}

/**
 * Watches a resource, by polling or by change notifications, and starts a run for each new
 * content. Used through `runtime.trigger(options)`.
 */
export function startTrigger<Run>(run: (goal: string) => Run, options: TriggerOptions): Trigger<Run> {
  const { source, resource, everyMs, onChange = false, goal } = options;
  if (everyMs === undefined && !onChange) {
    throw new ConfigError(['Expected `everyMs` (a polling interval) or `onChange: true`, got neither']);
  }
  if (everyMs !== undefined && (!Number.isInteger(everyMs) || everyMs < 1)) {
    throw new ConfigError([`Expected \`everyMs\` to be an integer ≥ 1, got \`${everyMs}\``]);
  }
  if (onChange && source.onResourceUpdated === undefined) {
    throw new ConfigError(['Expected a `source` with `onResourceUpdated` for `onChange: true`']);
  }
  const errors = new Subject<TroupeError>();
  const changes = new Subject<void>();
  let unsubscribe: (() => void) | undefined;
  let stopped = false;
  if (onChange) {
    source
      .onResourceUpdated?.(resource, () => changes.next())
      .then(
        (off) => {
          if (stopped) off();
          else unsubscribe = off;
        },
        (err: unknown) => errors.next(err instanceof TroupeError ? err : new TroupeError('MCP_FAILED', String(err))),
      );
  }
  const ticks = merge(everyMs === undefined ? EMPTY : timer(0, everyMs), changes);
  const runs = new Subject<Run>();
  const subscription = ticks
    .pipe(
      exhaustMap(() =>
        defer(() => source.readResource(resource)).pipe(
          catchError((err: unknown) => {
            errors.next(
              err instanceof TroupeError
                ? err
                : new TroupeError('MCP_FAILED', `Could not read \`${resource}\`: ${String(err)}`),
            );
            return EMPTY;
          }),
        ),
      ),
      distinctUntilChanged(),
      map((content) => goal(content)),
      filter((text): text is string => typeof text === 'string' && text.trim() !== ''),
    )
    .subscribe((text) => runs.next(run(text)));
  return {
    runs$: runs.asObservable(),
    errors$: errors.asObservable(),
    stop() {
      stopped = true;
      unsubscribe?.();
      subscription.unsubscribe();
      runs.complete();
      errors.complete();
    },
  };
}
