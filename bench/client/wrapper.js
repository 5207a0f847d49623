// Bench adapter for OUR client THROUGH THE NPM WRAPPER: `WasmAuthApi` (dist/WasmAuthApi.js, what a
// Backstage app's API ref resolves to) on the same core as `ours.js`, created with the same
// options. Its loader fetches /pkg/backstage_wasm_auth_bg.wasm (new URL('../pkg/…', import.meta.url)
// from this bundle). Measures the path apps call: WasmAuthApi.getAccessToken() → the client.
import { WasmAuthApi } from 'backstage-wasm-auth/WasmAuthApi';

export const name = 'wrapper';

export async function create(cfg) {
  const t = [performance.now()];
  const api = WasmAuthApi.create({
    provider: { id: cfg.providerId, title: cfg.providerTitle },
    getAuthBaseUrl: async () => `${cfg.backendUrl}/api/auth`,
    environment: 'development',
    defaultScopes: cfg.scopes,
  });
  // The wrapper loads the core on first use; an app's first call pays for it, so does this page.
  await api.getClient();
  t.push(performance.now());
  return {
    name,
    client: api,
    breakdown: { initMs: t[1] - t[0], constructMs: 0 },
    getToken: () => api.getAccessToken(),
    signIn: () => api.signIn(),
    signOut: () => api.signOut(),
    identity: () => api.getBackstageIdentity({ optional: true }),
    // Not measured through the wrapper (same core and memory as `ours`).
    wasmMemoryBytes: () => 0,
  };
}
