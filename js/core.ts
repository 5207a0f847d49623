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
  pkce?: { issuer: string; clientId: string; redirectUri: string; scopes?: string[] };
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

/** How the core was instantiated: from the `.wasm` asset URL, or from the inlined fallback bytes. */
export type WasmCoreSource = 'url' | 'inline';

let source: WasmCoreSource | undefined;

/**
 * How the loaded core was instantiated (`undefined` before it has loaded): `'url'` in browsers
 * (the `.wasm` file the bundler emitted), `'inline'` where that could not be fetched (Node, test
 * runners, a host that does not serve the file).
 *
 * @public
 */
export function wasmCoreSource(): WasmCoreSource | undefined {
  return source;
}

/**
 * Loads and instantiates the WASM core once, on first call; later calls share the same promise.
 *
 * 1. `import()` of the wasm-bindgen glue: bundlers put it in a lazy chunk.
 * 2. `WebAssembly.instantiateStreaming` of `new URL('../pkg/backstage_wasm_auth_bg.wasm',
 *    import.meta.url)`: webpack 5, rspack and Vite (build and dev server) all turn that literal
 *    into an emitted asset with a hashed URL, with no configuration.
 * 3. Only if that fetch fails (Node and test runners cannot fetch `file:` URLs; a host may not
 *    serve the file): `import()` of `dist/wasm-bytes.js`, the same bytes as base64, also a lazy
 *    chunk that browsers normally never download.
 *
 * A failed load is not cached: the next call retries.
 *
 * @public
 */
export function loadWasmCore(): Promise<CoreModule> {
  if (!loading) {
    loading = (async () => {
      // @ts-ignore -- generated by scripts/build (wasm-bindgen --target web); typed by CoreModule
      const core = (await import('../pkg/backstage_wasm_auth.js')) as unknown as CoreModule;
      let urlError: unknown;
      try {
        const url = new URL('../pkg/backstage_wasm_auth_bg.wasm', import.meta.url);
        if (url.protocol === 'file:') throw new Error(`cannot fetch ${url.href}`);
        await core.default({ module_or_path: url });
        source = 'url';
        return core;
      } catch (error) {
        urlError = error;
      }
      let bytes: { default: string };
      try {
        bytes = await import('./wasm-bytes.js');
      } catch {
        throw urlError;
      }
      await core.default({ module_or_path: decodeBase64(bytes.default) as BufferSource });
      source = 'inline';
      return core;
    })();
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}
