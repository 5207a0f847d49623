import type {
  AuthRequestOptions,
  BackstageIdentityApi,
  BackstageIdentityResponse,
  OAuthApi,
  OpenIdConnectApi,
  ProfileInfo,
  ProfileInfoApi,
  SessionApi,
  SessionState,
} from '@backstage/core-plugin-api';
import {
  loadWasmCore,
  type AuthClientOptions,
  type CoreAuthClient,
  type CoreObservable,
  type SessionLifecycle,
} from './core.js';
import { deferredObservable } from './observable.js';

/**
 * The Observable type Backstage's `SessionApi.sessionState$()` returns (`@backstage/types`).
 *
 * @public
 */
export type SessionStateObservable = ReturnType<SessionApi['sessionState$']>;

/**
 * The auth provider a {@link WasmAuthApi} signs in with.
 *
 * @public
 */
export interface WasmAuthProviderInfo {
  /** The provider id in the auth backend, e.g. `oidc`, `github`, `guest`. */
  id: string;
  /** Shown to the user, e.g. in the popup window's name. Default: the id. */
  title?: string;
  /** Not used by the client; accepted so Backstage `AuthProviderInfo` objects can be passed. */
  icon?: unknown;
}

/**
 * Backstage's `AuthRequestOptions`, plus this call's sign-in flow when one is needed (`popup` or
 * `redirect`, for providers configured with either): e.g. a redirect from the sign-in page and a
 * popup elsewhere, for the same provider (Backstage PR #15841).
 *
 * @public
 */
export type WasmAuthRequestOptions = AuthRequestOptions & { flow?: 'popup' | 'redirect' };

/**
 * Options of {@link WasmAuthApi.create}: the WASM core's `AuthClientOptions`
 * (docs/client-api.md), with `provider` also accepting Backstage's `AuthProviderInfo`.
 *
 * @public
 */
export interface WasmAuthApiOptions extends Omit<AuthClientOptions, 'provider'> {
  /** The backend provider to sign in with. */
  provider: WasmAuthProviderInfo;
}

/**
 * The full API a {@link WasmAuthApi} implements.
 *
 * @public
 */
export type WasmAuthApiType = OAuthApi &
  OpenIdConnectApi &
  ProfileInfoApi &
  BackstageIdentityApi &
  SessionApi & {
    /**
     * The session's lifecycle ({@link SessionLifecycle}): when it expires, whether its last
     * refresh failed and why, and why it ended. The current value on subscribe, then each change.
     */
    lifecycle$(): SessionLifecycleObservable;
  };

/**
 * The Observable {@link WasmAuthApi.lifecycle$} returns (same shape as `sessionState$()`'s).
 *
 * @public
 */
export type SessionLifecycleObservable = CoreObservable<SessionLifecycle>;

function coreOptions(options: WasmAuthApiOptions): AuthClientOptions {
  const { provider, ...rest } = options;
  const out: Record<string, unknown> = {};
  // Backstage's AuthProviderInfo carries more (an icon): pass id and title. Anything else
  // (missing, not an object) goes to the core as is, which rejects the first call with a
  // ConfigError naming `provider`; creating the API never throws.
  if (provider !== null && typeof provider === 'object') {
    out.provider =
      provider.title === undefined ? { id: provider.id } : { id: provider.id, title: provider.title };
  } else if (provider !== undefined) {
    out.provider = provider;
  }
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) out[key] = value;
  }
  return out as unknown as AuthClientOptions;
}

/**
 * A Backstage auth API (`OAuthApi & OpenIdConnectApi & ProfileInfoApi & BackstageIdentityApi &
 * SessionApi`) backed by the Rust/WebAssembly `AuthClient`.
 *
 * Every call is delegated to the WASM core: popup, refresh, storage, scopes and session state all
 * live there. This class only loads the core on first use (once, shared by all instances), maps
 * `undefined` tokens to `''` as Backstage's `Promise<string>` signatures require, and gives
 * `sessionState$()` an Observable that can be subscribed to before the core has loaded.
 *
 * @public
 */
export class WasmAuthApi implements WasmAuthApiType {
  /**
   * Creates the API. Nothing is loaded or validated until the first call; invalid options then
   * reject that call (and every later one) with the core's `ConfigError`.
   */
  static create(options: WasmAuthApiOptions): WasmAuthApi {
    return new WasmAuthApi(options);
  }

  #options: AuthClientOptions;
  #clientPromise: Promise<CoreAuthClient> | undefined;
  // The hot path's fields are plain properties (TS-private), not #private: a bundler that
  // down-levels class fields turns #fields into WeakMap lookups.
  /** The loaded client: once set, calls go to it synchronously. */
  private client: CoreAuthClient | undefined;
  /** The client's last promise for a `getAccessToken()` without scopes, and its `?? ''` mapping. */
  private lastToken: Promise<string | undefined> | undefined;
  private lastTokenMapped: Promise<string> | undefined;

  private constructor(options: WasmAuthApiOptions) {
    this.#options = coreOptions(options);
  }

  /** The provider id this API signs in with. */
  get providerId(): string {
    return (this.#options.provider as { id?: string } | undefined)?.id ?? '';
  }

  /**
   * Resolves to the WASM `AuthClient`, loading the core the first time (the PKCE build when the
   * options say `flow: 'pkce'`). Exposed for advanced use (e.g. calling `free()` in tests); apps
   * do not need it.
   */
  getClient(): Promise<CoreAuthClient> {
    if (this.client) return Promise.resolve(this.client);
    if (!this.#clientPromise) {
      this.#clientPromise = loadWasmCore(this.#options).then(core => {
        const client = new core.AuthClient(this.#options);
        // Backstage's SignInPage shows a failed redirect sign-in's ?error= itself and does not
        // sign in again on its own: the user's next click must leave for the IdP again, not be
        // answered with the same error by the core (which keeps it for apps without that page).
        client.takeRedirectError();
        this.client = client;
        return client;
      });
      this.#clientPromise.catch(() => {
        this.#clientPromise = undefined;
      });
    }
    return this.#clientPromise;
  }

  /**
   * {@inheritDoc @backstage/core-plugin-api#OAuthApi.getAccessToken}
   *
   * @remarks
   * Once the core has loaded, the call goes straight to the client: a cached session's token
   * comes back as the same already-resolved promise every time (no wasm call, no extra promise).
   */
  getAccessToken(scope?: string | string[], options?: WasmAuthRequestOptions): Promise<string> {
    const client = this.client;
    if (client === undefined) {
      return this.getClient().then(() => this.getAccessToken(scope, options));
    }
    let token: Promise<string | undefined>;
    try {
      token = client.getAccessToken(scope, options);
    } catch (error) {
      return Promise.reject(error);
    }
    // Backstage's signature is Promise<string>: '' where the core has no token (signed-in guest).
    // The client's fast path hands out one promise per session: map it once, reuse the mapping.
    if (token === this.lastToken) return this.lastTokenMapped!;
    const mapped = token.then(value => value ?? '');
    if (scope === undefined) {
      this.lastToken = token;
      this.lastTokenMapped = mapped;
    }
    return mapped;
  }

  /** {@inheritDoc @backstage/core-plugin-api#OpenIdConnectApi.getIdToken} */
  async getIdToken(options?: WasmAuthRequestOptions): Promise<string> {
    const client = this.client ?? (await this.getClient());
    return (await client.getIdToken(options)) ?? '';
  }

  /** {@inheritDoc @backstage/core-plugin-api#ProfileInfoApi.getProfile} */
  async getProfile(options?: WasmAuthRequestOptions): Promise<ProfileInfo | undefined> {
    const client = this.client ?? (await this.getClient());
    return client.getProfile(options);
  }

  /** {@inheritDoc @backstage/core-plugin-api#BackstageIdentityApi.getBackstageIdentity} */
  async getBackstageIdentity(
    options?: WasmAuthRequestOptions,
  ): Promise<BackstageIdentityResponse | undefined> {
    const client = this.client ?? (await this.getClient());
    return client.getBackstageIdentity(options);
  }

  /** {@inheritDoc @backstage/core-plugin-api#SessionApi.signIn} */
  async signIn(): Promise<void> {
    const client = this.client ?? (await this.getClient());
    await client.signIn();
  }

  /** {@inheritDoc @backstage/core-plugin-api#SessionApi.signOut} */
  async signOut(): Promise<void> {
    const client = this.client ?? (await this.getClient());
    await client.signOut();
  }

  /**
   * {@inheritDoc @backstage/core-plugin-api#SessionApi.sessionState$}
   *
   * @remarks
   * Emits the current state to each new subscriber, then only on change (the core's behaviour).
   * Subscribing starts loading the core if it has not loaded yet.
   */
  sessionState$(): SessionStateObservable {
    const source: CoreObservable<SessionState> = this.client
      ? this.client.sessionState$()
      : deferredObservable(() => this.getClient().then(client => client.sessionState$()));
    return source as unknown as SessionStateObservable;
  }

  /**
   * The session's lifecycle: when it expires, whether its last refresh failed (`network` or
   * `refused`) and why it ended (`signOut`, `otherTab`, `expired`). Current value on subscribe,
   * then each change. Subscribing starts loading the core if it has not loaded yet.
   */
  lifecycle$(): SessionLifecycleObservable {
    return this.client
      ? this.client.lifecycle$()
      : deferredObservable(() => this.getClient().then(client => client.lifecycle$()));
  }
}
