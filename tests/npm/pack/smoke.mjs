// Runs in a fresh folder where the packed tarball was installed: imports the package the way an
// app would (by name, through `exports`) in plain Node, without a browser or a bundler.
import assert from 'node:assert/strict';
import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const started = performance.now();
const main = await import('backstage-wasm-auth');
const alpha = await import('backstage-wasm-auth/alpha');

assert.deepEqual(Object.keys(main).sort(), [
  'WasmAuthApi',
  'createWasmAuthApiFactory',
  'createWasmAuthApiRef',
  'createWasmSignInProvider',
  'loadWasmCore',
  'readWasmAuthConfig',
  'wasmCoreSource',
  'wasmOidcAuthApiRef',
]);
assert.deepEqual(Object.keys(alpha).sort(), [
  'createWasmAuthApiExtension',
  'createWasmAuthModule',
  'default',
  'wasmAuthModule',
  'wasmOidcAuthApiExtension',
]);

// refs
assert.equal(main.wasmOidcAuthApiRef.id, 'plugin.wasm-auth.oidc');
assert.equal(main.createWasmAuthApiRef('github').id, 'plugin.wasm-auth.github');
assert.throws(() => main.createWasmAuthApiRef('Bad Id!'), /API id/i);

// SignInPage entry
const entry = main.createWasmSignInProvider({ apiRef: main.wasmOidcAuthApiRef, title: 'My IdP' });
assert.deepEqual(
  { ...entry, apiRef: entry.apiRef.id },
  { id: 'plugin-wasm-auth-oidc-provider', title: 'My IdP', message: 'Sign in using My IdP', apiRef: 'plugin.wasm-auth.oidc' },
);

// config reading and merging
const config = new ConfigReader({
  auth: { environment: 'production' },
  wasmAuth: {
    providers: {
      oidc: { defaultScopes: ['openid', 'email'], storage: 'local', flow: 'redirect', refreshMarginSeconds: 60, crossTabSync: false, popup: { width: 500, fullscreen: false } },
      other: { environment: 'staging' },
      bad: { storage: 'cookie' },
    },
  },
});
assert.deepEqual(main.readWasmAuthConfig(config, 'oidc'), {
  environment: 'production',
  defaultScopes: ['openid', 'email'],
  storage: 'local',
  flow: 'redirect',
  crossTabSync: false,
  refreshMarginSeconds: 60,
  popup: { width: 500, fullscreen: false },
});
assert.deepEqual(main.readWasmAuthConfig(config, 'other'), { environment: 'staging' });
assert.deepEqual(main.readWasmAuthConfig(new ConfigReader({}), 'oidc'), {});
assert.throws(() => main.readWasmAuthConfig(config, 'bad'), /storage: 'cookie'/);

// legacy factory
const factory = main.createWasmAuthApiFactory({ apiRef: main.wasmOidcAuthApiRef, provider: { id: 'oidc', title: 'IdP' } });
assert.equal(factory.api, main.wasmOidcAuthApiRef);
assert.deepEqual(Object.keys(factory.deps).sort(), ['configApi', 'discoveryApi']);
assert.equal(factory.deps.configApi.id, 'core.config');
assert.equal(factory.deps.discoveryApi.id, 'core.discovery');
const asked = [];
const api = factory.factory({
  configApi: config,
  discoveryApi: { getBaseUrl: async id => (asked.push(id), 'http://127.0.0.1:9/api/auth') },
});
assert.ok(api instanceof main.WasmAuthApi);
assert.equal(api.providerId, 'oidc');
for (const m of ['getAccessToken', 'getIdToken', 'getProfile', 'getBackstageIdentity', 'signIn', 'signOut', 'sessionState$']) {
  assert.equal(typeof api[m], 'function', m);
}
// sessionState$() is usable before the core has loaded, and is an interop Observable
const state$ = api.sessionState$();
const key = typeof Symbol.observable === 'symbol' ? Symbol.observable : '@@observable';
assert.equal(state$[key](), state$);
assert.equal(typeof state$.subscribe, 'function');

// new frontend system
assert.equal(alpha.default, alpha.wasmAuthModule);
assert.equal(alpha.default.$$type, '@backstage/FrontendModule');
assert.equal(alpha.default.pluginId, 'app');
assert.equal(alpha.wasmOidcAuthApiExtension.$$type, '@backstage/ExtensionDefinition');
assert.equal(alpha.wasmOidcAuthApiExtension.kind, 'api');
assert.equal(alpha.wasmOidcAuthApiExtension.name, 'wasm-auth-oidc');
const ext = alpha.createWasmAuthApiExtension({ apiRef: main.createWasmAuthApiRef('guest'), provider: { id: 'guest' }, flow: 'proxy' });
assert.equal(ext.name, 'wasm-auth-guest');

// theme bridge: the iframe half imports in Node without side effects (no document, no script
// tag: nothing started). The React half needs React and MUI v4, which this consumer does not
// install; it is imported in plain Node (and under Jest) by tests/npm/run j, in tests/npm/cli-app.
const frame = await import('backstage-wasm-auth/theme-frame');
assert.deepEqual(Object.keys(frame).sort(), ['allowedOriginsOf', 'startThemeFrame', 'themeFrame']);
assert.equal(frame.themeFrame, undefined);
const tag = { getAttribute: n => (n === 'data-allowed-origins' ? 'https://a.example, https://b.example:8443  http://c.test' : null) };
assert.deepEqual(frame.allowedOriginsOf(tag), ['https://a.example', 'https://b.example:8443', 'http://c.test']);
assert.equal(frame.allowedOriginsOf({ getAttribute: () => null }), undefined);
// Neither the main entry nor the iframe entry reaches React or MUI through its static imports.
const pkgRoot = createRequire(import.meta.url).resolve('backstage-wasm-auth/package.json').replace(/package\.json$/, '');
const staticImports = (file, seen = new Set()) => {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = fs.readFileSync(file, 'utf8');
  for (const [, spec] of src.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/gm)) {
    if (spec.startsWith('.')) staticImports(new URL(spec, `file://${file}`).pathname, seen);
    else seen.add(spec);
  }
  return seen;
};
for (const entry of ['dist/index.js', 'dist/theme/frame.js']) {
  const reached = [...staticImports(`${pkgRoot}${entry}`)].filter(s => !s.startsWith('/'));
  assert.ok(!reached.some(s => /^(react|react-dom|@material-ui\/|@mui\/)/.test(s)), `${entry} reaches ${reached}`);
}
const themeImports = [...staticImports(`${pkgRoot}dist/theme/index.js`)].filter(s => !s.startsWith('/'));
assert.deepEqual(themeImports.sort(), ['@backstage/core-plugin-api', '@material-ui/core', 'react']);

// The inlined fallbacks hold exactly the shipped modules (a stale dist/ would not), and only the
// `node` / `require` conditions reach them: any other resolver (browser bundlers) gets an empty module.
const pkgDir = createRequire(import.meta.url).resolve('backstage-wasm-auth/package.json').replace(/package\.json$/, '');
const manifest = JSON.parse(fs.readFileSync(`${pkgDir}package.json`, 'utf8'));
for (const [mod, inline] of [['', 'wasm-bytes'], ['_pkce', 'wasm-bytes-pkce'], ['_theme', 'wasm-bytes-theme']]) {
  const bytes = (await import(`${pkgDir}dist/${inline}.js`)).default;
  assert.ok(Buffer.from(bytes, 'base64').equals(fs.readFileSync(`${pkgDir}pkg/backstage_wasm_auth${mod}_bg.wasm`)),
    `dist/${inline}.js differs from pkg/backstage_wasm_auth${mod}_bg.wasm: rebuild with npm run build`);
  assert.deepEqual(manifest.imports[`#${inline}`],
    { node: `./dist/${inline}.js`, require: `./dist/${inline}.js`, default: './dist/no-wasm-bytes.js' });
}
assert.equal((await import(`${pkgDir}dist/no-wasm-bytes.js`)).default, undefined);

// the WASM core itself: in Node the .wasm URL is a file: URL, so the inlined fallback bytes are used
const t0 = performance.now();
const core = await main.loadWasmCore();
const loadMs = performance.now() - t0;
assert.equal(await main.loadWasmCore(), core, 'the core loads once');
assert.equal(main.wasmCoreSource(), 'inline', 'Node cannot fetch the file: URL, so the inlined bytes are used');
assert.equal(typeof core.AuthClient, 'function');
const client = await api.getClient();
assert.equal(typeof client.getAccessToken, 'function');
assert.equal(await api.getClient(), client, 'one AuthClient per API instance');
assert.equal(asked.length, 0, 'discovery is asked lazily, per request, not at construction');
// flow: 'pkce' loads the PKCE build, a module of its own; the Backstage core stays without it.
const pkce = await main.loadWasmCore({ flow: 'pkce' });
assert.notEqual(pkce, core);
assert.equal(await main.loadWasmCore({ flow: 'pkce' }), pkce);
assert.equal(await main.loadWasmCore({ pkce: { issuer: 'https://idp.example' } }), pkce, 'a pkce block alone means flow pkce');
assert.equal(await main.loadWasmCore({ flow: 'popup' }), core);
assert.equal(typeof pkce.AuthClient, 'function');
assert.notEqual(pkce.AuthClient, core.AuthClient);

console.log(
  `[smoke] Node ${process.version}: imports, refs, config, factory, alpha module, WASM core ` +
    `(instantiated in ${loadMs.toFixed(1)} ms) OK in ${(performance.now() - started).toFixed(0)} ms`,
);
