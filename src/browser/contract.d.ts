export type SessionState = 'SignedIn' | 'SignedOut';
/**
 * Options of `new AuthClient(options)` (docs/client-api.md). The core validates them and throws
 * a `ConfigError` naming the option on a bad value; unknown options are refused. Defaults: the
 * named constants in src/config/defaults.rs (a native test checks the numbers here against them).
 */
export interface AuthClientOptions {
  /** Backend provider: `id` is the provider id in the auth backend (`oidc`, `guest`, ...). */
  provider: { id: string; title?: string };
  /** Auth backend base URL, e.g. `http://127.0.0.1:7007/api/auth`. */
  authBaseUrl?: string;
  /**
   * Called instead of `authBaseUrl`, e.g. Backstage discovery: at the first request, and its
   * first good answer is kept for the client's life (a rejection or a bad URL is asked again).
   */
  getAuthBaseUrl?: () => string | Promise<string>;
  /** `env` sent on every request. Default `development`. */
  environment?: string;
  /** Scopes always requested. Default `[]`. */
  defaultScopes?: string[];
  /** Where the session is kept between page loads. Default `session` (sessionStorage). */
  storage?: 'session' | 'local' | 'memory';
  /** Popup size; `fullscreen` uses `window.screen`. Default 450 x 730. */
  popup?: { width?: number; height?: number; fullscreen?: boolean };
  /** Refresh when a token expires within this many seconds (never before half its lifetime). Default 180. */
  refreshMarginSeconds?: number;
  /** Give up on an unanswered popup after this many seconds. Default 300. */
  popupTimeoutSeconds?: number;
  /**
   * Timeout of each request to the backend or provider, in seconds; also how long a call waits
   * for the network to come back when the browser is offline. Default 30.
   */
  requestTimeoutSeconds?: number;
  /**
   * `popup` (OAuth providers), `redirect` (no popup), `proxy` (guest, ALB, oauth2-proxy, ...),
   * `pkce` (straight to an OpenID Connect provider, no Backstage backend; see `pkce`).
   * Default `popup` (`pkce` when a `pkce` block is given).
   */
  flow?: 'popup' | 'redirect' | 'proxy' | 'pkce';
  /** Redirect flow: where the backend sends the browser back to. Default: the current URL. */
  redirectUrl?: string;
  /**
   * Popup flow: when the browser blocks the popup (Safari/iOS, strict blockers), leave for the
   * redirect flow instead of rejecting with `PopupRejectedError` (the page comes back to
   * `redirectUrl`, by default the exact current URL). Default `false`.
   */
  redirectWhenPopupBlocked?: boolean;
  /** Share the session with the other tabs of this origin. Default `true`. */
  crossTabSync?: boolean;
  /**
   * When the network is back (`online`) or the page is shown again (`visibilitychange`, `focus`,
   * `pageshow`), refresh the session if it is due, so that the next call does not wait for it
   * (one request for all tabs; never a popup). Default `true`. Not a wake-up, so not turned off
   * by this: a session whose refresh was refused is asked for once more at its expiry, so that it
   * ends then (`lifecycle$()`: `expired`), not at the next call.
   */
  refreshOnWake?: boolean;
  /**
   * While the page is visible, refresh the session shortly before it enters its refresh margin
   * (a quarter of the time until then, at most 60 s before), so that callers never wait on a
   * refresh in steady state. No timer while the page is hidden; one request for all tabs.
   * Default `true`.
   */
  backgroundRefresh?: boolean;
  /** `flow: 'pkce'`: the OpenID Connect provider (public client, PKCE S256). See docs/pkce.md. */
  pkce?: {
    issuer: string;
    clientId: string;
    redirectUri: string;
    /** Default `['openid', 'profile', 'email']`; `openid` is always added. */
    scopes?: string[];
    /**
     * Announce the refresh token to the other tabs with the session (so that any tab can
     * refresh). Default `false`: it stays in the tab that obtained it. See docs/pkce.md.
     */
    shareRefreshToken?: boolean;
    /**
     * RP-initiated logout: after `signOut()` the page goes to the provider's
     * `end_session_endpoint` (with `id_token_hint`), which ends the provider's own session and
     * sends the browser back here (register it at the provider). Unset: sign-out revokes the
     * refresh token and leaves the provider's session alone. See docs/pkce.md.
     */
    postLogoutRedirectUri?: string;
  };
}
export interface AuthRequestOptions {
  optional?: boolean;
  /**
   * Straight to the popup when a sign-in is needed (keeps the user's click). Also after the
   * backend refused to refresh the session (`lifecycle$()`: `refreshFailed.reason === 'refused'`):
   * then it signs in again instead of serving the session that is about to end.
   */
  instantPopup?: boolean;
  /** This call's sign-in, if one is needed: `popup` or `redirect` (popup and redirect clients). */
  flow?: 'popup' | 'redirect';
}
export interface ProfileInfo { email?: string; displayName?: string; picture?: string }
export interface BackstageUserIdentity { type: 'user'; userEntityRef: string; ownershipEntityRefs: string[] }
export interface BackstageIdentityResponse { id: string; token: string; expiresAt?: Date; identity: BackstageUserIdentity }
export interface Subscription { unsubscribe(): void; readonly closed: boolean }
export interface SessionStateObserver { next?(value: SessionState): void; error?(error: Error): void; complete?(): void }
export interface SessionStateObservable {
  subscribe(observer: SessionStateObserver): Subscription;
  subscribe(onNext?: (value: SessionState) => void, onError?: (error: Error) => void, onComplete?: () => void): Subscription;
}
/**
 * One step of the session's life, from `lifecycle$()`: the current one on subscribe, then each
 * change. Beside `sessionState$()` (which stays Backstage's two states), it says when the session
 * expires and why it ended, so that an app can warn before and explain after.
 */
export type SessionLifecycle =
  | {
      status: 'signedIn';
      /** When the session's first token expires (epoch ms, this browser's clock); absent: never. */
      expiresAt?: number;
      /**
       * The last refresh failed; the session is still served until `expiresAt`. `network`: no
       * answer (retried when the network is back, on wake, and by the next call); `refused`: the
       * backend or provider said no: the session ends at `expiresAt` unless the user signs in again.
       */
      refreshFailed?: { reason: 'network' | 'refused'; error: Error };
    }
  | {
      status: 'signedOut';
      /**
       * `initial`: not signed in (yet); `signOut`: this tab signed out; `otherTab`: another tab
       * signed out; `expired`: the session ran out and could not be refreshed, here (`error` says
       * why) or in another tab (no `error`).
       */
      reason: 'initial' | 'signOut' | 'otherTab' | 'expired';
      error?: Error;
    };
export interface SessionLifecycleObserver { next?(value: SessionLifecycle): void; error?(error: Error): void; complete?(): void }
export interface SessionLifecycleObservable {
  subscribe(observer: SessionLifecycleObserver): Subscription;
  subscribe(onNext?: (value: SessionLifecycle) => void, onError?: (error: Error) => void, onComplete?: () => void): Subscription;
}
