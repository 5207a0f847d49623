/**
 * The JS contract of the WASM core (`pkg/backstage_wasm_auth.js`, see docs/client-api.md) and
 * its lazy loader. Nothing here makes an auth decision: it only loads the module and types it.
 *
 * @packageDocumentation
 */

/** Session state as emitted by the core: the same strings as Backstage's `SessionState`. */
export type CoreSessionState = 'SignedIn' | 'SignedOut';

/**
 * Options of the core's `AuthClient` constructor (docs/client-api.md). The wrapper passes them
 * through unchanged; the core validates them and throws a `ConfigError` on bad values.
 *
 * @public
 */
export interface AuthClientOptions {
  /** Backend provider: `id` is the provider id in the auth backend (`oidc`, `guest`, ...). */
  provider: { id: string; title?: string };
  /** Auth backend base URL, e.g. `http://127.0.0.1:7007/api/auth`. */
  authBaseUrl?: string;
  /** Called (once per request) instead of `authBaseUrl`, e.g. Backstage discovery. */
  getAuthBaseUrl?: () => string | Promise<string>;
  /** `env` sent on every request. Default `development`. */
  environment?: string;
  /** Scopes always requested. Default `[]`. */
  defaultScopes?: string[];
  /** Where the session is kept between page loads. Default `session` (sessionStorage). */
  storage?: 'session' | 'local' | 'memory';
  /** Popup size; `fullscreen` uses `window.screen`. Default 450 x 730. */
  popup?: { width?: number; height?: number; fullscreen?: boolean };
  /** Refresh when a token expires within this many seconds. Default 180. */
  refreshMarginSeconds?: number;
  /** Give up on an unanswered popup after this many seconds. Default 300. */
  popupTimeoutSeconds?: number;
  /** Timeout of `/refresh` and `/logout` requests. Default 30. */
  requestTimeoutSeconds?: number;
  /** `popup` (OAuth providers), `redirect` (no popup), `proxy` (guest, ALB, oauth2-proxy, ...). */
  flow?: 'popup' | 'redirect' | 'proxy';
  /** Redirect flow: where the backend sends the browser back to. Default: the current URL. */
  redirectUrl?: string;
}

/** Options accepted by each token/identity getter. */
export interface CoreAuthRequestOptions {
  optional?: boolean;
  instantPopup?: boolean;
}

/** A TC39/zen-observable style subscription. */
export interface CoreSubscription {
  unsubscribe(): void;
  readonly closed: boolean;
}

/** An observer object. */
export interface CoreObserver<T> {
  next?(value: T): void;
  error?(error: Error): void;
  complete?(): void;
}

/** The core's Observable (also reachable under `Symbol.observable` / `'@@observable'`). */
export interface CoreObservable<T> {
  subscribe(observer: CoreObserver<T>): CoreSubscription;
  subscribe(
    onNext?: (value: T) => void,
    onError?: (error: Error) => void,
    onComplete?: () => void,
  ): CoreSubscription;
}

/** Profile as returned by the core. */
export interface CoreProfileInfo {
  email?: string;
  displayName?: string;
  picture?: string;
}

/** Backstage identity as returned by the core. */
export interface CoreBackstageIdentityResponse {
  id: string;
  token: string;
  expiresAt?: Date;
  identity: { type: 'user'; userEntityRef: string; ownershipEntityRefs: string[] };
}

/** An instance of the core's `AuthClient`. */
export interface CoreAuthClient {
  signIn(): Promise<void>;
  signOut(): Promise<void>;
  getAccessToken(
    scope?: string | string[],
    options?: CoreAuthRequestOptions,
  ): Promise<string | undefined>;
  getIdToken(options?: CoreAuthRequestOptions): Promise<string | undefined>;
  getProfile(options?: CoreAuthRequestOptions): Promise<CoreProfileInfo | undefined>;
  getBackstageIdentity(
    options?: CoreAuthRequestOptions,
  ): Promise<CoreBackstageIdentityResponse | undefined>;
  sessionState$(): CoreObservable<CoreSessionState>;
  free(): void;
}

/** The part of the generated module the wrapper uses. */
export interface CoreModule {
  default(init?: { module_or_path: BufferSource | WebAssembly.Module }): Promise<unknown>;
  AuthClient: new (options: AuthClientOptions) => CoreAuthClient;
}

let loading: Promise<CoreModule> | undefined;

function decodeBase64(base64: string): Uint8Array {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array })
    .fromBase64;
  if (typeof fromBase64 === 'function') return fromBase64(base64);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Loads and instantiates the WASM core once, on first call; later calls share the same promise.
 *
 * Both the generated glue and the WASM bytes are reached through dynamic `import()`, so every
 * bundler (webpack 5, rspack, Vite, esbuild, Rollup) splits them into one lazy chunk without any
 * configuration. The bytes are inlined as base64 (`dist/wasm-bytes.js`, written by `npm run
 * build`) instead of being fetched from a URL: see docs/backstage-app.md for why.
 *
 * A failed load (e.g. a network error fetching the chunk) is not cached: the next call retries.
 *
 * @public
 */
export function loadWasmCore(): Promise<CoreModule> {
  if (!loading) {
    loading = (async () => {
      const [glue, bytes] = await Promise.all([
        // @ts-ignore -- generated by scripts/build (wasm-bindgen --target web); typed by CoreModule
        import('../pkg/backstage_wasm_auth.js'),
        import('./wasm-bytes.js'),
      ]);
      const core = glue as unknown as CoreModule;
      await core.default({ module_or_path: decodeBase64(bytes.default) as BufferSource });
      return core;
    })();
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}
