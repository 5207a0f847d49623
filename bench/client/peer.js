// Bench adapter for the PEER: Backstage's own OAuth2 from @backstage/core-app-api (pinned in
// bench/package.json), wired like a Backstage app wires it: a discoveryApi for the auth backend and
// an OAuthRequestManager. Bundled with esbuild --bundle --minify (React is not reached).
//
// An app shows OAuthRequestDialog for pending auth requests and the user clicks "Log in", which
// calls request.trigger() (opens the popup). Here every pending request is triggered at once.
import { OAuth2, OAuthRequestManager } from '@backstage/core-app-api';

export const name = 'peer';

export async function create(cfg) {
  const t = [performance.now()];
  const discoveryApi = { getBaseUrl: async pluginId => `${cfg.backendUrl}/api/${pluginId}` };
  const oauthRequestApi = new OAuthRequestManager();
  const triggered = new WeakSet();
  oauthRequestApi.authRequest$().subscribe(requests => {
    for (const r of requests) {
      if (!triggered.has(r)) { triggered.add(r); r.trigger().catch(() => {}); }
    }
  });
  // An app passes its ConfigApi; only getOptionalBoolean('enableExperimentalRedirectFlow') is read.
  const configApi = { getOptionalBoolean: () => undefined };
  const client = OAuth2.create({
    configApi,
    discoveryApi,
    oauthRequestApi,
    provider: { id: cfg.providerId, title: cfg.providerTitle, icon: () => null },
    environment: 'development',
    defaultScopes: cfg.scopes,
  });
  t.push(performance.now());
  return {
    name,
    client,
    breakdown: { initMs: 0, constructMs: t[1] - t[0] },
    getToken: () => client.getAccessToken(),
    signIn: () => client.signIn(),
    signOut: () => client.signOut(),
    identity: () => client.getBackstageIdentity({ optional: true }),
    wasmMemoryBytes: () => 0,
  };
}
