import React, { useEffect, useState } from 'react';
import {
  PageBlueprint,
  createFrontendModule,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { SignInPage } from '@backstage/core-components';
import { createWasmSignInProvider, wasmOidcAuthApiRef } from 'backstage-wasm-auth';

const provider = createWasmSignInProvider({
  apiRef: wasmOidcAuthApiRef,
  title: 'E2E IdP',
  message: 'Sign in with the e2e OpenID Connect provider',
});

/** The sign-in page, configured with the WASM provider. */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: {
        loader: async () => props => <SignInPage {...props} provider={provider} />,
      },
    }),
  ],
});

function WhoAmI() {
  const identityApi = useApi(identityApiRef);
  const wasmAuth = useApi(wasmOidcAuthApiRef);
  const fetchApi = useApi(fetchApiRef);
  const discoveryApi = useApi(discoveryApiRef);
  const [state, setState] = useState({});
  const [sessionStates, setSessionStates] = useState([]);

  useEffect(() => {
    const sub = wasmAuth.sessionState$().subscribe(s => setSessionStates(prev => [...prev, s]));
    return () => sub.unsubscribe();
  }, [wasmAuth]);

  useEffect(() => {
    (async () => {
      const identity = await identityApi.getBackstageIdentity();
      const profile = await identityApi.getProfileInfo();
      const { token } = await identityApi.getCredentials();
      const accessToken = await wasmAuth.getAccessToken();
      const idToken = await wasmAuth.getIdToken();
      const catalog = await discoveryApi.getBaseUrl('catalog');
      // The Backstage token, attached by the app's FetchApi (from identityApi.getCredentials()).
      const res = await fetchApi.fetch(`${catalog}/entities/by-name/user/default/jane`);
      // Interop: Observable libraries find the observable under Symbol.observable/'@@observable'.
      const state$ = wasmAuth.sessionState$();
      const key = typeof Symbol.observable === 'symbol' ? Symbol.observable : '@@observable';
      const interop = typeof state$[key] === 'function' && state$[key]() === state$;
      const entity = res.ok ? await res.json() : undefined;
      setState({
        userEntityRef: identity.userEntityRef,
        ownership: identity.ownershipEntityRefs.join(','),
        email: profile.email,
        displayName: profile.displayName,
        tokenParts: token ? token.split('.').length : 0,
        accessToken: accessToken ? 'yes' : 'no',
        idToken: idToken ? 'yes' : 'no',
        catalogStatus: res.status,
        catalogEntity: entity ? `${entity.kind}:${entity.metadata.name}` : '',
        observableInterop: interop ? 'yes' : 'no',
        // 'discovered' only if the CLI really listed the alpha entry point for discovery.
        wasmAuthModule:
          window.__wasmAuthModuleSource === 'discovered' &&
          !(window['__@backstage/discovered__']?.modules ?? []).some(
            m => m.name === 'backstage-wasm-auth' && m.export === './alpha' && m.default?.$$type === '@backstage/FrontendModule',
          )
            ? 'discovery on, but backstage-wasm-auth/alpha not discovered'
            : window.__wasmAuthModuleSource,
      });
    })().catch(e => setState({ error: `${e.name}: ${e.message}` }));
  }, [identityApi, wasmAuth, fetchApi, discoveryApi]);

  return (
    <div style={{ padding: 24 }}>
      <h2>Signed in</h2>
      <dl id="whoami">
        {Object.entries(state).map(([k, v]) => (
          <React.Fragment key={k}>
            <dt>{k}</dt>
            <dd data-testid={k}>{String(v)}</dd>
          </React.Fragment>
        ))}
        <dt>sessionStates</dt>
        <dd data-testid="sessionStates">{sessionStates.join(',')}</dd>
      </dl>
      <button data-testid="signout" onClick={() => identityApi.signOut()}>
        Sign out
      </button>
      {/* Unsaved work: the session UI's in-place sign-in must leave it as it is. */}
      <form onSubmit={e => e.preventDefault()} style={{ marginTop: 16 }}>
        <label>
          Draft <input data-testid="draft" name="draft" />
        </label>
      </form>
    </div>
  );
}

/** A page at / that shows who is signed in and calls the catalog backend with the token. */
export const whoAmIPlugin = createFrontendPlugin({
  pluginId: 'whoami',
  extensions: [
    PageBlueprint.make({
      params: { path: '/', loader: async () => <WhoAmI /> },
    }),
  ],
});
