import type { CoreObservable, CoreObserver, CoreSubscription } from './core.js';

/** The key under which interop libraries look up an Observable's self-reference. */
const observableKey: symbol | '@@observable' =
  (typeof Symbol === 'function' && (Symbol as { observable?: symbol }).observable) ||
  '@@observable';

/**
 * Wraps an Observable that only becomes available later (the WASM core loads lazily) into one
 * that can be subscribed to now. Values, errors and completion are forwarded unchanged; the state
 * logic (current value first, then on change) stays in the core.
 *
 * The result has `subscribe(observer | onNext, onError?, onComplete?)` returning
 * `{ unsubscribe(), closed }`, and `[Symbol.observable]()` (plus `'@@observable'`) returning
 * itself, as `@backstage/types`' `Observable` requires.
 *
 * @internal
 */
export function deferredObservable<T>(source: () => Promise<CoreObservable<T>>): CoreObservable<T> {
  const observable = {
    subscribe(
      observerOrNext?: CoreObserver<T> | ((value: T) => void) | null,
      onError?: (error: Error) => void,
      onComplete?: () => void,
    ): CoreSubscription {
      const observer: CoreObserver<T> =
        typeof observerOrNext === 'function' || !observerOrNext
          ? { next: observerOrNext ?? undefined, error: onError, complete: onComplete }
          : observerOrNext;
      let closed = false;
      let inner: CoreSubscription | undefined;
      source().then(
        src => {
          if (closed) return;
          inner = src.subscribe({
            next: value => {
              if (!closed) observer.next?.(value);
            },
            error: error => {
              if (closed) return;
              closed = true;
              observer.error?.(error);
            },
            complete: () => {
              if (closed) return;
              closed = true;
              observer.complete?.();
            },
          });
          if (closed) inner.unsubscribe();
        },
        (error: unknown) => {
          if (closed) return;
          closed = true;
          observer.error?.(error instanceof Error ? error : new Error(String(error)));
        },
      );
      return {
        unsubscribe() {
          if (closed) return;
          closed = true;
          inner?.unsubscribe();
        },
        get closed() {
          return closed;
        },
      };
    },
  } as CoreObservable<T> & Record<PropertyKey, unknown>;
  const self = () => observable;
  observable[observableKey] = self;
  if (observableKey !== '@@observable') observable['@@observable'] = self;
  return observable;
}
