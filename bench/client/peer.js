// Bench adapter for the PEER: Backstage's own OAuth2 from @backstage/core-app-api (pinned in
// bench/package.json), wired like a Backstage app wires it: a discoveryApi for the auth backend and
// an OAuthRequestManager. Bundled with esbuild --bundle --minify (React is not reached).
//
// An app shows OAuthRequestDialog for pending auth requests and the user clicks "Log in", which
// calls request.trigger() (opens the popup). Here every pending request is triggered at once.
import { makePeerClient } from './peer-client.js';

export const name = 'peer';

export async function create(cfg) {
  const t = [performance.now()];
  const triggered = new WeakSet();
  const client = makePeerClient(cfg, requests => {
    for (const r of requests) {
      if (!triggered.has(r)) { triggered.add(r); r.trigger().catch(() => {}); }
    }
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
