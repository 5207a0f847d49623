// Bench adapter for OUR client: the wasm-bindgen `--target web` core from scripts/build
// (pkg/backstage_wasm_auth.js, the Backstage-flow module the npm wrapper loads by default).
// Bundled with esbuild --bundle --minify by bench/lib/pages.mjs (the glue is minified the way an
// app's bundler would); the .wasm is fetched next to the bundle (instantiateStreaming).
import init, { AuthClient } from '../../pkg/backstage_wasm_auth.js';

export const name = 'ours';

export async function create(cfg) {
  const t = [performance.now()];
  const wasm = await init();
  t.push(performance.now());
  const client = new AuthClient({
    provider: { id: cfg.providerId, title: cfg.providerTitle },
    getAuthBaseUrl: async () => `${cfg.backendUrl}/api/auth`,
    environment: 'development',
    defaultScopes: cfg.scopes,
    // Every other option at its default (storage 'session', crossTabSync on, margins), as the peer.
  });
  t.push(performance.now());
  return {
    name,
    client,
    breakdown: { initMs: t[1] - t[0], constructMs: t[2] - t[1] },
    getToken: () => client.getAccessToken(),
    signIn: () => client.signIn(),
    signOut: () => client.signOut(),
    identity: () => client.getBackstageIdentity({ optional: true }),
    wasmMemoryBytes: () => wasm.memory.buffer.byteLength,
  };
}
