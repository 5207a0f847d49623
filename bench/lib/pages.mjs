// The benchmark pages: one esbuild bundle per client (same options for all: --bundle --minify, ESM),
// the in-page harness, and HTML routes. `ours` is the raw AuthClient of pkg/ (its default export
// fetches the .wasm next to the bundle); `wrapper` is the npm wrapper's WasmAuthApi on the same
// core (it fetches /pkg/backstage_wasm_auth_bg.wasm, as its loader's URL says). Pages under /iso/ are cross-origin isolated (COOP+COEP),
// where performance.now() has 5 µs resolution instead of 100 µs.
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { ESBUILD_OPTIONS } from './sizes.mjs';

export const CLIENTS = ['ours', 'peer', 'oidcts', 'wrapper'];
export const ISOLATION_HEADERS = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

/**
 * Bundles client/{ours,peer,oidcts,wrapper}.js into `www`: ours against the package copy's pkg/,
 * wrapper against its dist/ (`backstage-wasm-auth/WasmAuthApi`, which reaches the same pkg/).
 */
export async function buildClientBundles({ benchDir, packageDir, www }) {
  const pkgDir = path.join(packageDir, 'pkg');
  fs.mkdirSync(path.join(www, 'pkg'), { recursive: true });
  const pkgPlugin = {
    name: 'package-copy',
    setup(build) {
      build.onResolve({ filter: /pkg\/backstage_wasm_auth\.js$/ }, () => ({ path: path.join(pkgDir, 'backstage_wasm_auth.js') }));
      build.onResolve({ filter: /^backstage-wasm-auth\/WasmAuthApi$/ }, () => ({ path: path.join(packageDir, 'dist', 'WasmAuthApi.js') }));
    },
  };
  for (const c of CLIENTS) {
    await esbuild.build({
      ...ESBUILD_OPTIONS,
      entryPoints: [path.join(benchDir, 'client', `${c}.js`)],
      outfile: path.join(www, `c-${c}.js`),
      plugins: [pkgPlugin],
    });
    const out = fs.readFileSync(path.join(www, `c-${c}.js`), 'utf8');
    const bare = /(?:^|[;}\s])import\s*(?:[\w{}\s,*]+from\s*)?["']([^./"'][^"']*)["']/.exec(out);
    if (bare) throw new Error(`c-${c}.js still imports the bare module "${bare[1]}"`);
    if (/['"`]AGFzbQ/.test(out)) throw new Error(`c-${c}.js carries a base64 copy of a wasm module`);
  }
  fs.copyFileSync(path.join(pkgDir, 'backstage_wasm_auth_bg.wasm'), path.join(www, 'backstage_wasm_auth_bg.wasm'));
  fs.copyFileSync(path.join(pkgDir, 'backstage_wasm_auth_bg.wasm'), path.join(www, 'pkg', 'backstage_wasm_auth_bg.wasm'));
  fs.copyFileSync(path.join(benchDir, 'client', 'harness.js'), path.join(www, 'harness.js'));
  const sizes = Object.fromEntries(CLIENTS.map(c => [c, fs.statSync(path.join(www, `c-${c}.js`)).size]));
  return { sizes };
}

/**
 * One page per client. Query flags: `clock` = Date.now can be moved forward (window.__advanceClock,
 * for the refresh storm; off elsewhere so the hot path reads the native Date.now); `restore` =
 * after the client is ready, time the first getAccessToken() (session on page load).
 */
export function pageHtml(client, cfg) {
  return `<!doctype html><meta charset="utf-8"><title>bench ${client}</title>
<script type="module">
const t0 = performance.now();
const params = new URLSearchParams(location.search);
if (params.has('clock')) {
  const realNow = Date.now;
  let skew = 0;
  Date.now = () => realNow.call(Date) + skew;
  window.__advanceClock = ms => { skew += ms; };
}
const cfg = ${JSON.stringify(cfg)};
window.benchReady = (async () => {
  const m = await import('/c-${client}.js');
  const tImported = performance.now();
  const api = await m.create(cfg);
  const readyMs = performance.now() - t0;
  window.bench = api;
  const out = { readyMs, importMs: tImported - t0, ...api.breakdown, isolated: self.crossOriginIsolated === true };
  if (params.has('restore')) {
    const token = await api.getToken();
    out.restoreMs = performance.now() - t0;
    out.restoreToken = token || null;
  }
  window.harness = await import('/harness.js');
  return out;
})();
window.benchReady.catch(e => { window.benchError = String(e && e.stack || e); });
</script><h1>bench ${client}</h1>`;
}

export function blankHtml() {
  return `<!doctype html><meta charset="utf-8"><title>blank</title><script type="module">
window.harness = await import('/harness.js'); window.benchReady = Promise.resolve({});</script><h1>blank</h1>`;
}

/** Fills `routes` (the app server's live route table) once the stack's URLs are known. */
export function fillRoutes(routes, cfg) {
  for (const c of CLIENTS) {
    const html = pageHtml(c, cfg);
    routes[`/${c}.html`] = html;
    routes[`/iso/${c}.html`] = { body: html, headers: ISOLATION_HEADERS };
  }
  routes['/blank.html'] = blankHtml();
  routes['/iso/blank.html'] = { body: blankHtml(), headers: ISOLATION_HEADERS };
}
