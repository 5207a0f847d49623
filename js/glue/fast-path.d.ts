
// ---- appended by scripts/build from js/glue/fast-path.d.ts -----------------------------------

/**
 * The client apps use: `AuthClientCore` plus the JS half of the hot path (a `getAccessToken()`
 * without scopes on a fresh cached session is answered without entering the wasm).
 */
export class AuthClient extends AuthClientCore {
    /** Throws a `ConfigError` for unusable options. */
    constructor(options: AuthClientOptions);
    /** The session's lifecycle: the current `SessionLifecycle` on subscribe, then each change. */
    lifecycle$(): SessionLifecycleObservable;
}
