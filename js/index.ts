/**
 * Backstage frontend auth provider whose logic (popup sign-in, refresh, session store, session
 * state) runs in Rust compiled to WebAssembly.
 *
 * New frontend system: see `backstage-wasm-auth/alpha`. Legacy app: {@link createWasmAuthApiFactory}.
 *
 * @packageDocumentation
 */
import {
  configApiRef,
  createApiFactory,
  createApiRef,
  discoveryApiRef,
  type ApiFactory,
  type ApiRef,
  type BackstageIdentityApi,
  type ConfigApi,
  type DiscoveryApi,
  type ProfileInfoApi,
  type SessionApi,
} from '@backstage/core-plugin-api';
import { readWasmAuthConfig } from './readConfig.js';
import {
  WasmAuthApi,
  type WasmAuthApiOptions,
  type WasmAuthApiType,
  type WasmAuthProviderInfo,
} from './WasmAuthApi.js';

export { WasmAuthApi, readWasmAuthConfig };
export type {
  SessionLifecycleObservable,
  SessionStateObservable,
  WasmAuthApiOptions,
  WasmAuthApiType,
  WasmAuthRequestOptions,
  WasmAuthProviderInfo,
} from './WasmAuthApi.js';
export { loadWasmCore, wasmCoreSource } from './core.js';
export type {
  AuthClientOptions,
  CoreAuthClient,
  CoreModule,
  SessionLifecycle,
  WasmCoreSource,
} from './core.js';

/**
 * Creates the API ref for one backend auth provider, with id `plugin.wasm-auth.<providerId>`.
 *
 * Call it once per provider at module level and share the ref: two calls create two refs.
 *
 * @param providerId - the provider id in the auth backend (`oidc`, `github`, `guest`, ...);
 *   lowercase letters, digits and dashes.
 * @public
 */
export function createWasmAuthApiRef(providerId: string): ApiRef<WasmAuthApiType> {
  return createApiRef<WasmAuthApiType>({ id: `plugin.wasm-auth.${providerId}` });
}

/**
 * A ready API ref for the backend's `oidc` provider (`plugin.wasm-auth.oidc`).
 *
 * @public
 */
export const wasmOidcAuthApiRef: ApiRef<WasmAuthApiType> = createWasmAuthApiRef('oidc');

/**
 * Options of {@link createWasmAuthApiFactory}: which ref to provide, which backend provider to
 * sign in with, and code defaults for the core's options (config can override them).
 *
 * @public
 */
export interface WasmAuthApiFactoryOptions extends Partial<Omit<WasmAuthApiOptions, 'provider'>> {
  /** The ref the factory provides, from {@link createWasmAuthApiRef}. */
  apiRef: ApiRef<WasmAuthApiType>;
  /** The backend provider (`{ id: 'oidc', title: 'My IdP' }`); Backstage's `AuthProviderInfo` fits. */
  provider: WasmAuthProviderInfo;
}

/** The dependencies of the factory {@link createWasmAuthApiFactory} returns. @public */
export type WasmAuthApiFactoryDeps = { configApi: ConfigApi; discoveryApi: DiscoveryApi };

/**
 * Creates the API factory (the legacy frontend system's `createApiFactory`, also what
 * `ApiBlueprint` takes) that builds a {@link WasmAuthApi} for one provider.
 *
 * Options are merged, later winning: the core's defaults, `options` given here, then app config
 * `wasmAuth.providers.<provider.id>` (`environment`, `defaultScopes`, `storage`, `popup`, `flow`,
 * `refreshMarginSeconds`). `environment` falls back to `auth.environment`. The auth backend URL
 * comes from `discoveryApi.getBaseUrl('auth')` unless `authBaseUrl` or `getAuthBaseUrl` is given.
 *
 * @example
 * ```ts
 * // packages/app/src/apis.ts
 * export const apis = [
 *   createWasmAuthApiFactory({ apiRef: wasmOidcAuthApiRef, provider: { id: 'oidc', title: 'My IdP' } }),
 * ];
 * ```
 * @public
 */
export function createWasmAuthApiFactory(
  options: WasmAuthApiFactoryOptions,
): ApiFactory<WasmAuthApiType, WasmAuthApi, WasmAuthApiFactoryDeps> {
  const { apiRef, provider, ...defaults } = options;
  return createApiFactory({
    api: apiRef,
    deps: { configApi: configApiRef, discoveryApi: discoveryApiRef },
    factory: ({ configApi, discoveryApi }: WasmAuthApiFactoryDeps) => {
      const fromConfig = readWasmAuthConfig(configApi, provider.id);
      // `fromConfig.environment` already falls back to `auth.environment`.
      const environment = fromConfig.environment ?? defaults.environment;
      const base =
        defaults.authBaseUrl !== undefined || defaults.getAuthBaseUrl !== undefined
          ? {}
          : { getAuthBaseUrl: () => discoveryApi.getBaseUrl('auth') };
      return WasmAuthApi.create({
        ...base,
        ...defaults,
        ...fromConfig,
        ...(environment !== undefined ? { environment } : {}),
        provider,
      });
    },
  });
}

/**
 * A provider entry for Backstage's `SignInPage` (`providers={[...]}` or `provider={...}`),
 * structurally the same as `SignInProviderConfig` from `@backstage/core-components`.
 *
 * @public
 */
export interface WasmSignInProviderConfig {
  /** Unique id of the entry (SignInPage remembers the last used one under it). */
  id: string;
  /** Card title, e.g. "My IdP". */
  title: string;
  /** Card text, e.g. "Sign in using My IdP". */
  message: string;
  /** The ref of the API to sign in with. */
  apiRef: ApiRef<ProfileInfoApi & BackstageIdentityApi & SessionApi>;
}

/**
 * Builds the `SignInPage` provider entry for a WASM auth API.
 *
 * @example
 * ```tsx
 * <SignInPage {...props} provider={createWasmSignInProvider({ apiRef: wasmOidcAuthApiRef, title: 'My IdP' })} />
 * ```
 * @param options - `apiRef` (required); `title` (default: "Sign in"), `message` (default:
 *   "Sign in using {title}"), `id` (default: derived from the ref id).
 * @public
 */
export function createWasmSignInProvider(options: {
  apiRef: ApiRef<WasmAuthApiType>;
  title?: string;
  message?: string;
  id?: string;
}): WasmSignInProviderConfig {
  const title = options.title ?? 'Sign in';
  return {
    id: options.id ?? `${options.apiRef.id.replace(/\./g, '-')}-provider`,
    title,
    message: options.message ?? `Sign in using ${title}`,
    apiRef: options.apiRef,
  };
}
