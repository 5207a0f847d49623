// ---- appended by scripts/build from js/glue/fast-path.js -------------------------------------

/**
 * The client apps use: the core's `AuthClientCore` plus the JS half of the hot path. The core
 * calls `onCache(token, until)` in its constructor and on every session change: until `until`
 * (epoch ms, `Date.now()` scale) a `getAccessToken()` without a scope argument may be answered
 * with `token` (`undefined` for a signed-in guest) without entering the wasm; `until = 0`: never.
 * Such a call returns the same already-resolved promise every time (no allocation, no wasm call).
 * Anything else goes to the core.
 */
/** The browser's "back online" and "in front of the user again" events (plus `visibilitychange`). */
const WAKE_EVENTS = ['online', 'focus', 'pageshow'];

export class AuthClient extends AuthClientCore {
  /** @param {AuthClientOptions} options */
  constructor(options) {
    // The core calls onCache synchronously inside super(), before `this` exists: a holder.
    const cache = { until: 0, promise: undefined };
    super(options, (token, until) => {
      cache.promise = until > 0 ? Promise.resolve(token) : undefined;
      cache.until = until;
    });
    this.__cache = cache;
    // Wake-ups (`refreshOnWake`): the core decides whether a refresh is due; this only relays.
    const wake = event => {
      if (event.type === 'visibilitychange' && document.hidden) return;
      this.refreshIfDue();
    };
    this.__wake = wake;
    if (typeof window !== 'undefined') {
      for (const type of WAKE_EVENTS) window.addEventListener(type, wake);
      if (typeof document !== 'undefined') document.addEventListener('visibilitychange', wake);
    }
  }

  getAccessToken(scope, options) {
    const cache = this.__cache;
    if (scope === undefined && Date.now() < cache.until) return cache.promise;
    return super.getAccessToken(scope, options);
  }

  free() {
    if (typeof window !== 'undefined') {
      for (const type of WAKE_EVENTS) window.removeEventListener(type, this.__wake);
      if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.__wake);
    }
    this.__cache.until = 0;
    this.__cache.promise = undefined;
    super.free();
  }
}
if (Symbol.dispose) AuthClient.prototype[Symbol.dispose] = AuthClient.prototype.free;
