// Type test (tsc --noEmit): the package's published declarations (dist/*.d.ts, reached through
// the package's own `exports` by self-reference) against Backstage's interfaces.
import type {
  ApiFactory,
  ApiRef,
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
import { createApiFactory } from '@backstage/core-plugin-api';
import type { Observable, Subscription } from '@backstage/types';
import type { ExtensionDefinition, FrontendModule } from '@backstage/frontend-plugin-api';
import {
  type WasmAuthRequestOptions,
  WasmAuthApi,
  createWasmAuthApiFactory,
  createWasmAuthApiRef,
  createWasmSignInProvider,
  loadWasmCore,
  wasmCoreSource,
  type WasmCoreSource,
  readWasmAuthConfig,
  wasmOidcAuthApiRef,
  type WasmAuthApiType,
  type SessionLifecycle,
  type SessionLifecycleObservable,
  type WasmSignInProviderConfig,
} from 'backstage-wasm-auth';
import wasmAuthModuleDefault, {
  createWasmAuthApiExtension,
  createWasmAuthModule,
  wasmAuthModule,
  wasmOidcAuthApiExtension,
} from 'backstage-wasm-auth/alpha';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2
  ? true
  : false;
function assertType<T extends true>(_?: T) {}

const api = WasmAuthApi.create({ provider: { id: 'oidc', title: 'IdP' }, authBaseUrl: 'http://x/api/auth' });

// (1) each Backstage interface, and their intersection
const oauth: OAuthApi = api;
const oidc: OpenIdConnectApi = api;
const profile: ProfileInfoApi = api;
const identity: BackstageIdentityApi = api;
const session: SessionApi = api;
const all: OAuthApi & OpenIdConnectApi & ProfileInfoApi & BackstageIdentityApi & SessionApi = api;
const implementsType: WasmAuthApiType = api;
// ...plus lifecycle$() (this package's own: the session's expiry and why it ended)
assertType<
  Equals<
    WasmAuthApiType,
    OAuthApi & OpenIdConnectApi & ProfileInfoApi & BackstageIdentityApi & SessionApi & {
      lifecycle$(): SessionLifecycleObservable;
    }
  >
>();
const lifecycle: SessionLifecycleObservable = api.lifecycle$();
lifecycle.subscribe((value: SessionLifecycle) => {
  if (value.status === 'signedIn') {
    const reason: 'network' | 'refused' | undefined = value.refreshFailed?.reason;
    const expiresAt: number | undefined = value.expiresAt;
    void [reason, expiresAt];
  } else {
    const why: 'initial' | 'signOut' | 'otherTab' | 'expired' = value.reason;
    void why;
  }
});

// (2) exact return types Backstage callers rely on
assertType<Equals<ReturnType<WasmAuthApi['getAccessToken']>, Promise<string>>>();
assertType<Equals<ReturnType<WasmAuthApi['getIdToken']>, Promise<string>>>();
assertType<Equals<ReturnType<WasmAuthApi['getProfile']>, Promise<ProfileInfo | undefined>>>();
assertType<
  Equals<ReturnType<WasmAuthApi['getBackstageIdentity']>, Promise<BackstageIdentityResponse | undefined>>
>();
// Backstage's arguments are taken as they are; ours only add an optional per-call `flow`.
assertType<Equals<Parameters<WasmAuthApi['getAccessToken']>, [scope?: string | string[], options?: WasmAuthRequestOptions]>>();
declare const backstageOptions: AuthRequestOptions;
const widened: WasmAuthRequestOptions = backstageOptions;
void api.getAccessToken(undefined, widened);
void api.getAccessToken(undefined, { flow: 'redirect' });
// @ts-expect-error only popup or redirect may be asked for
void api.getAccessToken(undefined, { flow: 'proxy' });
void api.getAccessToken(['openid', 'email'], { optional: true, instantPopup: false });
void api.getAccessToken('openid');

// (3) sessionState$() against @backstage/types' Observable
const state$: Observable<SessionState> = api.sessionState$();
const self: Observable<SessionState> = state$[Symbol.observable]();
const sub1: Subscription = state$.subscribe({ next: (s: SessionState) => void s, error: (e: Error) => void e });
const sub2: Subscription = state$.subscribe(
  s => {
    const narrowed: 'SignedIn' | 'SignedOut' = s;
    void narrowed;
  },
  e => void e.message,
  () => {},
);
const closed: boolean = sub1.closed;
sub2.unsubscribe();
// @ts-expect-error: closed is read-only
sub1.closed = true;

// (4) refs and factories
const ref: ApiRef<WasmAuthApiType> = createWasmAuthApiRef('github');
const asSignInRef: ApiRef<ProfileInfoApi & BackstageIdentityApi & SessionApi> = wasmOidcAuthApiRef;
const asOAuthRef: ApiRef<OAuthApi & OpenIdConnectApi> = wasmOidcAuthApiRef;
const factory: ApiFactory<WasmAuthApiType, WasmAuthApi, any> = createWasmAuthApiFactory({
  apiRef: ref,
  provider: { id: 'github', title: 'GitHub' },
  defaultScopes: ['read:user'],
  flow: 'popup',
  storage: 'local',
  popup: { fullscreen: true },
  refreshMarginSeconds: 60,
});
const manual = createApiFactory(wasmOidcAuthApiRef, api);
// @ts-expect-error: provider is required
createWasmAuthApiFactory({ apiRef: ref });
// @ts-expect-error: unknown storage
createWasmAuthApiFactory({ apiRef: ref, provider: { id: 'x' }, storage: 'cookie' });
// @ts-expect-error: an OAuth-only ref cannot receive the factory's API
createWasmAuthApiFactory({ apiRef: {} as ApiRef<{ other(): void }>, provider: { id: 'x' } });

// (5) SignInPage provider entry: structurally core-components' SignInProviderConfig
type SignInProviderConfig = {
  id: string;
  title: string;
  message: string;
  apiRef: ApiRef<ProfileInfoApi & BackstageIdentityApi & SessionApi>;
};
const entry: SignInProviderConfig = createWasmSignInProvider({ apiRef: wasmOidcAuthApiRef, title: 'IdP' });
const entry2: WasmSignInProviderConfig = entry;

// (6) new frontend system
const ext: ExtensionDefinition = createWasmAuthApiExtension({ apiRef: ref, provider: { id: 'github' }, name: 'gh' });
const modules: FrontendModule[] = [wasmAuthModule, wasmAuthModuleDefault, createWasmAuthModule([ext, wasmOidcAuthApiExtension])];

// (7) the loader and config reader are typed
const loaded: Promise<{ AuthClient: new (o: { provider: { id: string } }) => unknown }> = loadWasmCore();
const fromConfig: { environment?: string } = readWasmAuthConfig({} as any, 'oidc');
const src: WasmCoreSource | undefined = wasmCoreSource();
assertType<Equals<WasmCoreSource, 'url' | 'inline'>>();

export {
  oauth, oidc, profile, identity, session, all, implementsType, self, closed, asSignInRef, asOAuthRef,
  factory, manual, entry2, modules, loaded, fromConfig, src,
};
