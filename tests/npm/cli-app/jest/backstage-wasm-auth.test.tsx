/**
 * What a Backstage app or plugin developer writes when their code uses backstage-wasm-auth: a
 * Jest test run by `backstage-cli package test` (jsdom, SWC transform to CommonJS, the package
 * transformed from node_modules as Backstage's config does). Run by tests/npm/run j against the
 * packed tarball extracted into node_modules.
 */
import type { ReactNode } from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { ConfigReader } from '@backstage/config';
import {
  appThemeApiRef,
  configApiRef,
  discoveryApiRef,
  identityApiRef,
  type AppTheme,
  type AppThemeApi,
  type IdentityApi,
} from '@backstage/core-plugin-api';
import {
  WasmAuthApi,
  createWasmAuthApiFactory,
  createWasmAuthApiRef,
  createWasmSignInProvider,
  wasmCoreSource,
  wasmOidcAuthApiRef,
} from 'backstage-wasm-auth';
import wasmAuthModule, {
  createWasmAuthApiExtension,
  createWasmAuthModule,
  wasmOidcAuthApiExtension,
} from 'backstage-wasm-auth/alpha';
import { ThemedIframe, defaultPalettes, useBridgeTheme } from 'backstage-wasm-auth/theme';
import { WasmAuthSessionNotice } from 'backstage-wasm-auth/ui';

const AUTH_BASE = 'http://backstage.test:7007/api/auth';

function createApi(config: object = {}): WasmAuthApi {
  const factory = createWasmAuthApiFactory({
    apiRef: wasmOidcAuthApiRef,
    provider: { id: 'oidc', title: 'My IdP' },
  });
  return factory.factory({
    configApi: new ConfigReader(config),
    discoveryApi: { getBaseUrl: async (pluginId: string) => `http://backstage.test:7007/api/${pluginId}` },
  });
}

/** What the auth backend answers to /refresh without a session cookie. */
function noSessionFetch() {
  return jest.fn(async (_input: RequestInfo | URL, _init?: RequestInit) =>
    new Response(
      JSON.stringify({
        error: { name: 'AuthenticationError', message: 'Refresh failed; caused by InputError: Missing session cookie' },
      }),
      { status: 401, headers: { 'content-type': 'application/json' } },
    ),
  );
}

function urlOf(input: RequestInfo | URL): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

describe('backstage-wasm-auth (main entry)', () => {
  it('exports the API refs', () => {
    expect(wasmOidcAuthApiRef.id).toBe('plugin.wasm-auth.oidc');
    expect(createWasmAuthApiRef('github').id).toBe('plugin.wasm-auth.github');
    expect(() => createWasmAuthApiRef('Bad Id!')).toThrow(/API id/i);
    expect(createWasmSignInProvider({ apiRef: wasmOidcAuthApiRef, title: 'My IdP' })).toEqual({
      id: 'plugin-wasm-auth-oidc-provider',
      title: 'My IdP',
      message: 'Sign in using My IdP',
      apiRef: wasmOidcAuthApiRef,
    });
  });

  it('gives the legacy createApiFactory the config and discovery deps', () => {
    const factory = createWasmAuthApiFactory({
      apiRef: wasmOidcAuthApiRef,
      provider: { id: 'oidc' },
    });
    expect(factory.api).toBe(wasmOidcAuthApiRef);
    expect(factory.deps).toEqual({ configApi: configApiRef, discoveryApi: discoveryApiRef });
    expect(factory.deps.configApi.id).toBe('core.config');
    expect(factory.deps.discoveryApi.id).toBe('core.discovery');
    const api = createApi();
    expect(api).toBeInstanceOf(WasmAuthApi);
    expect(api.providerId).toBe('oidc');
  });
});

describe('backstage-wasm-auth/alpha (new frontend system)', () => {
  it('defines the app module and its ApiBlueprint extension', () => {
    expect(wasmAuthModule).toMatchObject({ $$type: '@backstage/FrontendModule', pluginId: 'app' });
    expect(wasmOidcAuthApiExtension).toMatchObject({
      $$type: '@backstage/ExtensionDefinition',
      kind: 'api',
      name: 'wasm-auth-oidc',
    });
    const guest = createWasmAuthApiExtension({
      apiRef: createWasmAuthApiRef('guest'),
      provider: { id: 'guest' },
      flow: 'proxy',
    });
    expect(guest.name).toBe('wasm-auth-guest');
    expect(createWasmAuthModule([guest])).toMatchObject({
      $$type: '@backstage/FrontendModule',
      pluginId: 'app',
    });
  });
});

const realFetch = global.fetch;
afterEach(() => {
  global.fetch = realFetch;
  jest.restoreAllMocks();
});

describe('WasmAuthApi in jsdom', () => {

  it('loads the WASM core from the inlined bytes and reports a signed-out session', async () => {
    const fetchMock = noSessionFetch();
    global.fetch = fetchMock as unknown as typeof fetch;
    const api = createApi({ auth: { environment: 'production' } });

    // Backstage's Promise<string> signatures: '' (not undefined) when nobody is signed in.
    await expect(api.getAccessToken(undefined, { optional: true })).resolves.toBe('');
    await expect(api.getIdToken({ optional: true })).resolves.toBe('');
    await expect(api.getBackstageIdentity({ optional: true })).resolves.toBeUndefined();
    await expect(api.getProfile({ optional: true })).resolves.toBeUndefined();
    // jsdom cannot fetch the .wasm's file: URL, so the base64 fallback was instantiated.
    expect(wasmCoreSource()).toBe('inline');

    // The optional calls asked the backend (through discovery) for an existing session only.
    expect(fetchMock).toHaveBeenCalled();
    for (const [input] of fetchMock.mock.calls) {
      expect(urlOf(input)).toBe(`${AUTH_BASE}/oidc/refresh?optional&env=production`);
    }

    const states: string[] = [];
    const sub = api.sessionState$().subscribe(state => states.push(state));
    await waitFor(() => expect(states).toEqual(['SignedOut']));
    sub.unsubscribe();
  });

  it('rejects with typed errors instead of crashing', async () => {
    global.fetch = noSessionFetch() as unknown as typeof fetch;
    // A blocked popup (jsdom has no window.open either).
    const open = jest.spyOn(window, 'open').mockReturnValue(null);
    await expect(createApi().getAccessToken('openid')).rejects.toMatchObject({
      name: 'PopupRejectedError',
    });
    expect(open).toHaveBeenCalledTimes(1);

    // Options are validated by the core on first use: a ConfigError, not a crash at creation.
    const badOptions = WasmAuthApi.create({
      provider: { id: 'oidc' },
      authBaseUrl: AUTH_BASE,
      storage: 'cookie' as 'session',
    });
    const error = await badOptions.getIdToken({ optional: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ConfigError' });

    // Without a provider: no synchronous TypeError at creation, a ConfigError naming it.
    const noProvider = WasmAuthApi.create({ authBaseUrl: AUTH_BASE } as unknown as Parameters<
      typeof WasmAuthApi.create
    >[0]);
    const missing = await noProvider.getIdToken({ optional: true }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'ConfigError' });
    expect((missing as Error).message).toMatch(/provider/);
    // An option of the wrong type names the option, not serde's type words.
    const badProvider = WasmAuthApi.create({
      provider: {} as { id: string },
      authBaseUrl: AUTH_BASE,
    });
    const typed = await badProvider.getIdToken({ optional: true }).catch((e: unknown) => e);
    expect((typed as Error).message).toMatch(/provider\.id must be a string/);
  });

  it("leaves a failed redirect sign-in's ?error= to Backstage's SignInPage", async () => {
    global.fetch = noSessionFetch() as unknown as typeof fetch;
    // Back from a failed redirect sign-in: the marker the core wrote before it left, and the
    // backend's ?error= on the app URL.
    const marker = 'backstage-wasm-auth/redirect/oidc/development';
    sessionStorage.setItem(marker, `v1:${Date.now()}`);
    window.history.replaceState(null, '', '/?error=Failed%20to%20sign-in');
    try {
      const api = createApi({ wasmAuth: { providers: { oidc: { flow: 'redirect' } } } });
      await expect(api.getBackstageIdentity({ optional: true })).resolves.toBeUndefined();
      // The core claimed the error (marker consumed), and the wrapper took it at once, so a
      // click on "Sign in" leaves for the IdP instead of repeating the error.
      expect(sessionStorage.getItem(marker)).toBeNull();
      expect((await api.getClient()).takeRedirectError()).toBeUndefined();
    } finally {
      window.history.replaceState(null, '', '/');
      sessionStorage.clear();
    }
  });
});

describe('backstage-wasm-auth/theme', () => {
  const passthrough = ({ children }: { children: ReactNode }) => <>{children}</>;
  const themes: AppTheme[] = [
    { id: 'light', title: 'Light', variant: 'light', Provider: passthrough },
    { id: 'dark', title: 'Dark', variant: 'dark', Provider: passthrough },
  ];
  const appThemeApi: AppThemeApi = {
    getInstalledThemes: () => themes,
    getActiveThemeId: () => 'dark',
    setActiveThemeId: () => {},
    activeThemeId$: () => {
      const observable = {
        subscribe: (observer: unknown) => {
          const next = typeof observer === 'function' ? observer : (observer as any)?.next;
          next?.('dark');
          return { unsubscribe: () => {}, closed: false };
        },
        ['@@observable']: () => observable,
      };
      return observable as unknown as ReturnType<AppThemeApi['activeThemeId$']>;
    },
  };

  function ThemeJson() {
    return <pre data-testid="bridge-theme">{JSON.stringify(useBridgeTheme())}</pre>;
  }

  it('renders <ThemedIframe> and posts the app theme to its exact origin', async () => {
    const errors = jest.spyOn(console, 'error');
    render(
      <TestApiProvider apis={[[appThemeApiRef, appThemeApi]]}>
        <ThemeJson />
        <ThemedIframe src="https://docs.example.com/embedded" title="Docs" style={{ border: 0 }} />
      </TestApiProvider>,
    );

    const iframe = screen.getByTitle('Docs') as HTMLIFrameElement;
    expect(iframe.tagName).toBe('IFRAME');
    expect(iframe.getAttribute('src')).toBe('https://docs.example.com/embedded');
    expect(iframe.style.borderWidth || iframe.style.border).toMatch(/^0/);

    // No MUI v4 theme provider above: Backstage's built-in palette of the active theme's variant.
    const theme = JSON.parse(screen.getByTestId('bridge-theme').textContent!);
    expect(theme).toMatchObject({ id: 'dark', variant: 'dark', palette: defaultPalettes.dark });

    // The WASM ThemeHost attaches once the core has loaded and posts to the frame's origin only.
    const post = jest.spyOn(iframe.contentWindow!, 'postMessage');
    await waitFor(() => expect(post).toHaveBeenCalled());
    expect(post).toHaveBeenCalledWith(
      { protocol: 'backstage-theme', version: 1, type: 'theme', payload: theme },
      'https://docs.example.com',
    );
    expect(errors).not.toHaveBeenCalled();
  });
});

describe('backstage-wasm-auth/ui (legacy component)', () => {
  const identityApi = { signOut: jest.fn(async () => {}) } as unknown as IdentityApi;

  it('renders nothing for a page that never had a session, on the real core', async () => {
    global.fetch = noSessionFetch() as unknown as typeof fetch;
    const api = createApi();
    const seen: string[] = [];
    const sub = api.lifecycle$().subscribe(v => seen.push(v.status === 'signedOut' ? `signedOut:${v.reason}` : v.status));
    const { container } = render(
      <TestApiProvider apis={[[wasmOidcAuthApiRef, api], [identityApiRef, identityApi], [configApiRef, new ConfigReader({})]]}>
        <WasmAuthSessionNotice apiRef={wasmOidcAuthApiRef} idleSignOut={{ idleTimeoutMinutes: 30 }} />
      </TestApiProvider>,
    );
    await expect(api.getBackstageIdentity({ optional: true })).resolves.toBeUndefined();
    await waitFor(() => expect(seen).toContain('signedOut:initial'));
    expect(container.innerHTML).toBe('');
    expect(document.querySelector('[role="dialog"]')).toBeNull();
    expect(identityApi.signOut).not.toHaveBeenCalled();
    sub.unsubscribe();
  });

  it('refuses invalid options with a ConfigError naming the option (props, then app config)', () => {
    const api = createApi();
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    const renderWith = (props: object, config: object = {}) =>
      render(
        <TestApiProvider apis={[[wasmOidcAuthApiRef, api], [identityApiRef, identityApi], [configApiRef, new ConfigReader(config)]]}>
          <WasmAuthSessionNotice apiRef={wasmOidcAuthApiRef} {...props} />
        </TestApiProvider>,
      );
    expect(() => renderWith({ idleSignOut: { idleTimeoutMinutes: 1, promptBeforeIdleSeconds: 60 } })).toThrow(
      expect.objectContaining({ name: 'ConfigError', option: 'promptBeforeIdleSeconds' }),
    );
    expect(() => renderWith({ warnBeforeSeconds: -1 })).toThrow(expect.objectContaining({ name: 'ConfigError', option: 'warnBeforeSeconds' }));
    expect(() => renderWith({}, { wasmAuth: { sessionNotice: { idleSignOut: { enabled: true } } } })).toThrow(
      expect.objectContaining({ option: 'wasmAuth.sessionNotice.idleSignOut.idleTimeoutMinutes' }),
    );
    // Config wins over props: a valid timeout in config replaces an invalid one in code.
    expect(() =>
      renderWith({ idleSignOut: { idleTimeoutMinutes: 0 } }, { wasmAuth: { sessionNotice: { idleSignOut: { idleTimeoutMinutes: 5 } } } }),
    ).not.toThrow();
    errors.mockRestore();
  });
});
