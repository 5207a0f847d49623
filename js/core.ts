/**
 * The JS contract of the WASM core (`pkg/backstage_wasm_auth.js`, see docs/client-api.md) and
 * its lazy loader. Nothing here makes an auth decision: it only loads the module and types it.
 *
 * @packageDocumentation
 */
import { instantiateWasm, once, type WasmCoreSource } from './wasm-loader.js';

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
  /**
   * `popup` (OAuth providers), `redirect` (no popup), `proxy` (guest, ALB, oauth2-proxy, ...),
   * `pkce` (straight to an OpenID Connect provider, no Backstage backend; see `pkce`).
   */
  flow?: 'popup' | 'redirect' | 'proxy' | 'pkce';
  /** Redirect flow: where the backend sends the browser back to. Default: the current URL. */
  redirectUrl?: string;
  /** Share the session with the other tabs of this origin. Default `true`. */
  crossTabSync?: boolean;
  /** `flow: 'pkce'`: the OpenID Connect provider (public client, PKCE S256). See docs/pkce.md. */
  pkce?: {
    issuer: string;
    clientId: string;
    redirectUri: string;
    scopes?: string[];
    /**
     * Announce the refresh token to the other tabs with the session (so that any tab can
     * refresh). Default `false`: it stays in the tab that obtained it. See docs/pkce.md.
     */
    shareRefreshToken?: boolean;
  };
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
  /** Redirect flow: the backend's error when this tab just came back from a failed sign-in, once. */
  takeRedirectError(): Error | undefined;
  free(): void;
}

/** The part of the generated module the wrapper uses. */
export interface CoreModule {
  default(init?: { module_or_path: BufferSource | WebAssembly.Module | URL | Request }): Promise<unknown>;
  AuthClient: new (options: AuthClientOptions) => CoreAuthClient;
}

export type { WasmCoreSource } from './wasm-loader.js';

let source: WasmCoreSource | undefined;

/**
 * How the last loaded core was instantiated (`undefined` before one has loaded): `'url'` in
 * browsers (the `.wasm` file the bundler emitted), `'inline'` in Node and test runners (Jest),
 * where the `node` / `require` export conditions provide an inlined copy.
 *
 * @public
 */
export function wasmCoreSource(): WasmCoreSource | undefined {
  return source;
}

function loaded({ module, source: how }: { module: CoreModule; source: WasmCoreSource }): CoreModule {
  source = how;
  return module;
}

// Each module has its own literal import() and new URL(…, import.meta.url): what bundlers
// recognise. `#wasm-bytes*` are package.json `imports`: the base64 copy only for Node and Jest.
const loadBackstageCore = once(() =>
  instantiateWasm(
    // @ts-ignore -- generated by scripts/build (wasm-bindgen --target web); typed by CoreModule
    import('../pkg/backstage_wasm_auth.js') as Promise<CoreModule>,
    () => new URL('../pkg/backstage_wasm_auth_bg.wasm', import.meta.url),
    // @ts-ignore -- package.json imports: dist/wasm-bytes.js (node, require) or nothing
    () => import('#wasm-bytes'),
  ).then(loaded),
);

const loadPkceCore = once(() =>
  instantiateWasm(
    // @ts-ignore -- generated by scripts/build (wasm-bindgen --target web); typed by CoreModule
    import('../pkg/backstage_wasm_auth_pkce.js') as Promise<CoreModule>,
    () => new URL('../pkg/backstage_wasm_auth_pkce_bg.wasm', import.meta.url),
    // @ts-ignore -- package.json imports: dist/wasm-bytes-pkce.js (node, require) or nothing
    () => import('#wasm-bytes-pkce'),
  ).then(loaded),
);

/**
 * Loads and instantiates the WASM core once, on first call; later calls share the same promise.
 * A failed load is not cached: the next call retries.
 *
 * The core for the Backstage flows (`pkg/backstage_wasm_auth.js`: popup, redirect, proxy) unless
 * the options select the PKCE mode (`flow: 'pkce'`, or a `pkce` block without a `flow`): then its
 * superset with the direct OAuth2 + PKCE mode
 * (`pkg/backstage_wasm_auth_pkce.js`), a separate download that apps without `flow: 'pkce'`
 * never fetch.
 *
 * 1. `import()` of the wasm-bindgen glue: bundlers put it in a lazy chunk.
 * 2. `WebAssembly.instantiateStreaming` of `new URL('../pkg/…_bg.wasm', import.meta.url)`:
 *    webpack 5, rspack and Vite (build and dev server) all turn that literal into an emitted
 *    asset with a hashed URL, with no configuration.
 * 3. Only if that fetch fails and the package's `node` or `require` export condition applies
 *    (Node, Jest: they cannot fetch `file:` URLs): the same bytes inlined as base64
 *    (`dist/wasm-bytes*.js`). Browser bundles never contain that copy.
 *
 * @public
 */
export function loadWasmCore(options?: { flow?: string; pkce?: unknown }): Promise<CoreModule> {
  return needsPkce(options) ? loadPkceCore() : loadBackstageCore();
}

/** `flow: 'pkce'`, or no `flow` with a `pkce` block (which the core reads as `flow: 'pkce'`). */
function needsPkce(options?: { flow?: string; pkce?: unknown }): boolean {
  return options?.flow === 'pkce' || (options?.flow == null && options?.pkce != null);
}
