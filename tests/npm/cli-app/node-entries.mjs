// Plain Node ESM (no bundler, no Jest): every entry of the installed package imports by name,
// through its `exports`, next to the peers a Backstage app has (React 18, MUI v4, Backstage).
// Run from tests/npm/cli-app by tests/npm/run j (after the packed tarball was extracted there).
import assert from 'node:assert/strict';

const started = performance.now();
const entries = {
  'backstage-wasm-auth': [
    'WasmAuthApi',
    'createWasmAuthApiFactory',
    'createWasmAuthApiRef',
    'createWasmSignInProvider',
    'loadWasmCore',
    'readWasmAuthConfig',
    'wasmCoreSource',
    'wasmOidcAuthApiRef',
  ],
  'backstage-wasm-auth/alpha': [
    'createWasmAuthApiExtension',
    'createWasmAuthModule',
    'default',
    'wasmAuthModule',
    'wasmOidcAuthApiExtension',
  ],
  'backstage-wasm-auth/theme': [
    'DEFAULT_FONT_FAMILY',
    'ThemedIframe',
    'defaultBridgeTheme',
    'defaultPalettes',
    'isBackstageMuiTheme',
    'isBridgeColor',
    'isBridgeFontFamily',
    'loadThemeCore',
    'toBridgeTheme',
    'useBridgeTheme',
  ],
  'backstage-wasm-auth/theme-frame': ['allowedOriginsOf', 'startThemeFrame', 'themeFrame'],
  'backstage-wasm-auth/ui': [
    'DEFAULT_IDLE_ACTIVITY_EVENTS',
    'DEFAULT_IDLE_SYNC_INTERVAL_MS',
    'DEFAULT_PROMPT_BEFORE_IDLE_SECONDS',
    'DEFAULT_WARN_BEFORE_SECONDS',
    'IdleSignOutPolicy',
    'WasmAuthSessionNotice',
    'WasmAuthUiConfigError',
    'formatTimeLeft',
    'nextNoticeChangeAt',
    'sessionNoticeView',
  ],
  'backstage-wasm-auth/ui/alpha': [
    'createWasmAuthSessionNoticeExtension',
    'createWasmAuthSessionNoticeModule',
    'default',
    'wasmAuthSessionNoticeModule',
  ],
};
const mods = {};
for (const [name, keys] of Object.entries(entries)) {
  let mod;
  try {
    mod = await import(name);
  } catch (error) {
    throw new Error(`plain Node cannot import '${name}': ${error.message}`, { cause: error });
  }
  assert.deepEqual(Object.keys(mod).sort(), keys, name);
  mods[name] = mod;
}

const theme = mods['backstage-wasm-auth/theme'];
assert.equal(theme.ThemedIframe.$$typeof, Symbol.for('react.forward_ref'));
assert.equal(theme.ThemedIframe.displayName, 'ThemedIframe');
// The palette mapping on real MUI v4 themes, built by the app's own @material-ui/core in Node.
const mui = await import('@material-ui/core');
assert.equal(theme.isBackstageMuiTheme(mui.createTheme()), false, 'plain MUI theme: not Backstage');
const custom = mui.createTheme({
  palette: { type: 'dark', primary: { main: '#123456' }, navigation: { background: '#222222' } },
});
assert.ok(theme.isBackstageMuiTheme(custom));
const bridged = theme.toBridgeTheme(custom, { id: 'custom' });
assert.equal(bridged.variant, 'dark');
assert.equal(bridged.palette.primary, '#123456');
assert.equal(bridged.palette.navigation, '#222222');
assert.equal(mods['backstage-wasm-auth/theme-frame'].themeFrame, undefined, 'no side effect in Node');
assert.equal(mods['backstage-wasm-auth/alpha'].default.$$type, '@backstage/FrontendModule');
assert.equal(mods['backstage-wasm-auth/ui/alpha'].default.$$type, '@backstage/FrontendModule');
assert.equal(typeof mods['backstage-wasm-auth/ui'].WasmAuthSessionNotice, 'function');

console.log(
  `[node-entries] Node ${process.version}: ${Object.keys(entries).join(', ')} imported in plain ` +
    `ESM in ${(performance.now() - started).toFixed(0)} ms`,
);
