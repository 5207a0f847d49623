// ---- appended by scripts/build from js/glue/fast-path.js -------------------------------------

/**
 * The client apps use: the core's `AuthClientCore` plus its JS half. The core calls
 * `onCache(token, until, renewAt, lifecycle)` in its constructor and on every change:
 * - until `until` (epoch ms, `Date.now()` scale) a `getAccessToken()` without a scope argument
 *   may be answered with `token` (`undefined` for a signed-in guest) without entering the wasm
 *   (`until = 0`: never); such a call returns the same already-resolved promise every time;
 * - at `renewAt` (0: never) a visible page calls `refreshAhead()` (`backgroundRefresh`);
 * - `lifecycle` is what `lifecycle$()` emits.
 * Anything else goes to the core; every decision stays there.
 */
/** The browser's "back online" and "in front of the user again" events (plus `visibilitychange`). */
const WAKE_EVENTS = ['online', 'focus', 'pageshow'];
/** setTimeout's longest delay (2^31 - 1 ms, ~24.8 days): a later renewAt waits in steps. */
const MAX_TIMER_MS = 2147483647;
const OBSERVABLE = (typeof Symbol === 'function' && Symbol.observable) || '@@observable';
const hidden = () => typeof document !== 'undefined' && document.hidden;

export class AuthClient extends AuthClientCore {
  /** @param {AuthClientOptions} options */
  constructor(options) {
    // The core calls onCache synchronously inside super(), before `this` exists: a holder.
    const cache = { until: 0, promise: undefined, renewAt: 0, timer: undefined, endTimer: undefined,
      client: undefined, lifecycle: undefined, listeners: new Set() };
    super(options, (token, until, renewAt, lifecycle) => {
      cache.promise = until > 0 ? Promise.resolve(token) : undefined;
      cache.until = until;
      cache.renewAt = renewAt;
      cache.lifecycle = lifecycle;
      cache.client?.__schedule();
      // A session whose refresh was refused ends at its expiry: the core asks once more then, so
      // that lifecycle$ and sessionState$ say so when it happens, not at the next call.
      clearTimeout(cache.endTimer);
      if (lifecycle?.refreshFailed?.reason === 'refused' && lifecycle.expiresAt > 0) {
        cache.endTimer = setTimeout(() => cache.client?.refreshIfDue(true),
          Math.min(lifecycle.expiresAt - Date.now() + 1, MAX_TIMER_MS));
      }
      for (const listener of [...cache.listeners]) listener(lifecycle);
    });
    cache.client = this;
    this.__cache = cache;
    // Wake-ups (`refreshOnWake`): the core decides whether a refresh is due; this only relays.
    const wake = event => {
      this.__schedule();
      if (event.type === 'visibilitychange' && hidden()) return;
      this.refreshIfDue();
    };
    this.__wake = wake;
    if (typeof window !== 'undefined') {
      for (const type of WAKE_EVENTS) window.addEventListener(type, wake);
      if (typeof document !== 'undefined') document.addEventListener('visibilitychange', wake);
    }
    this.__schedule();
  }

  /** The background refresh's timer: at renewAt while the page is visible, none while hidden. */
  __schedule() {
    const cache = this.__cache;
    clearTimeout(cache.timer);
    cache.timer = undefined;
    if (!(cache.renewAt > 0) || hidden()) return;
    const wait = cache.renewAt - Date.now();
    cache.timer = wait > MAX_TIMER_MS
      ? setTimeout(() => this.__schedule(), MAX_TIMER_MS)
      : setTimeout(() => this.refreshAhead(), wait);
  }

  getAccessToken(scope, options) {
    const cache = this.__cache;
    if (scope === undefined && Date.now() < cache.until) return cache.promise;
    return super.getAccessToken(scope, options);
  }

  /** The session's lifecycle (`SessionLifecycle`): the current one on subscribe, then each change. */
  lifecycle$() {
    const cache = this.__cache;
    const listeners = cache.listeners;
    const observable = {
      subscribe(observer, onError, onComplete) {
        const next = typeof observer === 'function' ? observer : value => observer?.next?.(value);
        const listener = value => {
          try {
            next?.(value);
          } catch (error) {
            // One observer's error must not keep the others (or the core) from hearing it.
            setTimeout(() => { throw error; });
          }
        };
        listeners.add(listener);
        const subscription = {
          closed: false,
          unsubscribe() {
            subscription.closed = true;
            listeners.delete(listener);
          },
        };
        listener(cache.lifecycle);
        return subscription;
      },
      [OBSERVABLE]() {
        return observable;
      },
    };
    return observable;
  }

  free() {
    if (typeof window !== 'undefined') {
      for (const type of WAKE_EVENTS) window.removeEventListener(type, this.__wake);
      if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.__wake);
    }
    const cache = this.__cache;
    clearTimeout(cache.timer);
    clearTimeout(cache.endTimer);
    cache.renewAt = 0;
    cache.listeners.clear();
    cache.until = 0;
    cache.promise = undefined;
    super.free();
  }
}
if (Symbol.dispose) AuthClient.prototype[Symbol.dispose] = AuthClient.prototype.free;
