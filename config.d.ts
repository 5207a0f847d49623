/**
 * App config read by backstage-wasm-auth (frontend). Every value is visible to the frontend: do
 * not put secrets here (the client needs none: secrets stay in the auth backend's config).
 */
export interface Config {
  /** Options of the WebAssembly auth client, per backend auth provider. */
  wasmAuth?: {
    /** Keyed by the provider id in the auth backend (`oidc`, `github`, `guest`, ...). */
    providers?: {
      [providerId: string]: {
        /**
         * The `env` sent to the auth backend. Default: `auth.environment`, else `development`.
         * @visibility frontend
         */
        environment?: string;
        /**
         * Scopes requested on every sign-in, in addition to those asked for by callers.
         * @visibility frontend
         */
        defaultScopes?: string[];
        /**
         * Where the session is kept between page loads: `session` (sessionStorage, default),
         * `local` (localStorage, shared by tabs) or `memory` (lost on reload).
         * @visibility frontend
         */
        storage?: 'session' | 'local' | 'memory';
        /**
         * `popup` (default, OAuth providers), `redirect` (whole-window redirect, for browsers that
         * block popups) or `proxy` (guest, AWS ALB, oauth2-proxy, GCP IAP: no popup).
         * @visibility frontend
         */
        flow?: 'popup' | 'redirect' | 'proxy';
        /**
         * Refresh when a token expires within this many seconds. Default 180.
         * @visibility frontend
         */
        refreshMarginSeconds?: number;
        /**
         * Share the session with the other tabs of this origin (sign-in, refresh, sign-out).
         * Default true.
         * @visibility frontend
         */
        crossTabSync?: boolean;
        /** Popup window size. Default 450 x 730. */
        popup?: {
          /** @visibility frontend */
          width?: number;
          /** @visibility frontend */
          height?: number;
          /**
           * Use the whole screen instead of width and height.
           * @visibility frontend
           */
          fullscreen?: boolean;
        };
      };
    };
    /**
     * `<WasmAuthSessionNotice>` (`backstage-wasm-auth/ui`): overrides its props, as Backstage's
     * `auth.autologout` does for `<AutoLogout>`.
     */
    sessionNotice?: {
      /**
       * Warn this many seconds before a session that could not be renewed runs out. Default 300.
       * @visibility frontend
       */
      warnBeforeSeconds?: number;
      /** Sign out after a time without activity in every tab. Off unless set here or in code. */
      idleSignOut?: {
        /**
         * `false` turns it off also when the code turns it on.
         * @visibility frontend
         */
        enabled?: boolean;
        /**
         * Minutes without activity in any tab of the app before signing out (> 0).
         * @visibility frontend
         */
        idleTimeoutMinutes?: number;
        /**
         * Seconds before that a "Stay signed in" prompt opens. Default 10; 0: no prompt.
         * @visibility frontend
         */
        promptBeforeIdleSeconds?: number;
      };
    };
  };
}
