// Reference only: oidc-client-ts UserManager (a generic OIDC SPA client, not Backstage-aware).
// Used for the size comparison and the cached token read (getUser() from sessionStorage). The
// user is a synthetic one put in its store with storeUser(): the read path does not care where the
// token came from, and UserManager cannot speak Backstage's /refresh protocol anyway.
import { UserManager, User, WebStorageStateStore } from 'oidc-client-ts';

export const name = 'oidcts';

export async function create(cfg) {
  const t = [performance.now()];
  const um = new UserManager({
    authority: cfg.idpUrl,
    client_id: 'spa',
    redirect_uri: `${location.origin}/callback`,
    scope: cfg.scopes.join(' '),
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
  t.push(performance.now());
  await um.storeUser(new User({
    access_token: `synthetic-access-token-${Math.random().toString(36).slice(2)}`,
    token_type: 'Bearer',
    scope: cfg.scopes.join(' '),
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    profile: { sub: 'jane@example.com', iss: cfg.idpUrl, aud: 'spa', exp: 0, iat: 0 },
  }));
  const getToken = async () => (await um.getUser())?.access_token;
  return {
    name,
    client: um,
    breakdown: { initMs: 0, constructMs: t[1] - t[0] },
    getToken,
    signIn: async () => { throw new Error('not benchmarked'); },
    signOut: async () => { throw new Error('not benchmarked'); },
    identity: async () => undefined,
    wasmMemoryBytes: () => 0,
  };
}
