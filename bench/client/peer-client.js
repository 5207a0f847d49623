// The peer as a Backstage app wires it, shared by both peer pages (peer.js, peer-page.js):
// Backstage's OAuth2 from @backstage/core-app-api with a discoveryApi for the auth backend and an
// OAuthRequestManager, whose pending sign-in requests (the app's OAuthRequestDialog) go to
// `onRequests`.
import { OAuth2, OAuthRequestManager } from '@backstage/core-app-api';

export function makePeerClient(cfg, onRequests) {
  const discoveryApi = { getBaseUrl: async pluginId => `${cfg.backendUrl}/api/${pluginId}` };
  const oauthRequestApi = new OAuthRequestManager();
  oauthRequestApi.authRequest$().subscribe(onRequests);
  // An app passes its ConfigApi; only getOptionalBoolean('enableExperimentalRedirectFlow') is read.
  const configApi = { getOptionalBoolean: () => undefined };
  return OAuth2.create({
    configApi,
    discoveryApi,
    oauthRequestApi,
    provider: { id: cfg.providerId, title: cfg.providerTitle, icon: () => null },
    environment: 'development',
    defaultScopes: cfg.scopes,
  });
}
