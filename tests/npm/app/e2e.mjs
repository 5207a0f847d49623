// Builds nothing: serves the Vite build (dist/) of this Backstage app on 127.0.0.1, starts the
// real stack (oidc-provider IdP + Backstage auth/catalog backend, tests/e2e/stack/stack.mjs) and
// drives headless Chromium through: sign-in page → popup → IdP login → signed-in identity shown →
// catalog call with the Backstage token → reload (session restored without a popup) → the theme
// bridge (<ThemedIframe> framing a page from a second origin, app theme switched) → sign out.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const stackDir = path.join(here, '..', '..', 'e2e', 'stack');
const { startStack } = await import(path.join(stackDir, 'stack.mjs'));
const { launchBrowser, signInPopup } = await import(path.join(stackDir, 'browser.mjs'));
const { startAppServer } = await import(path.join(stackDir, 'appserver.mjs'));

// Usage: node e2e.mjs [dist dir] [--discovery]  (--discovery: the build was made by the Backstage
// CLI with app.packages: all, and the run-time config must enable feature discovery too)
const args = process.argv.slice(2);
const discovery = args.includes('--discovery');
const dist = path.resolve(here, args.find(a => !a.startsWith('--')) ?? 'dist');
assert.ok(fs.existsSync(path.join(dist, 'index.html')), `no build in ${dist}`);
// No copy of the WASM in the browser build: the package's inlined bytes (base64 of '\0asm' starts
// with 'AGFzbQ') are reachable only under the `node` / `require` export conditions.
const jsFiles = dir => fs.readdirSync(dir, { withFileTypes: true }).flatMap(e =>
  e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []);
const wasmChunks = jsFiles(dist).filter(f => fs.readFileSync(f, 'latin1').match(/['"`]AGFzbQ/));
assert.deepEqual(wasmChunks.map(f => path.relative(dist, f)), [], 'the browser build carries a base64 copy of the WASM');
// The three modules the package ships, as emitted assets (bundlers rename them: told apart by content).
const installed = path.join(dist, '..', 'node_modules', 'backstage-wasm-auth');
const digest = buf => crypto.createHash('sha256').update(buf).digest('hex');
const moduleByDigest = Object.fromEntries(['core', 'pkce', 'theme'].map(k =>
  [digest(fs.readFileSync(path.join(installed, 'pkg', `backstage_wasm_auth${k === 'core' ? '' : `_${k}`}_bg.wasm`))), k]));
const kindOf = urlPath => moduleByDigest[digest(fs.readFileSync(path.join(dist, decodeURIComponent(urlPath))))] ?? 'unknown';
const wasmAssets = fs.readdirSync(dist, { recursive: true }).map(String).filter(f => f.endsWith('.wasm')).map(f => `${f} (${kindOf(f)})`);
const step = (msg, t0) => console.log(`[app-e2e] ${msg}${t0 ? ` (${Date.now() - t0} ms)` : ''}`);

const routes = {};
const app = await startAppServer({ root: dist, routes });
// Client-side routes of the app (the server has no SPA fallback).
routes['/themed'] = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
// The second origin (cross-site: localhost vs 127.0.0.1) for the themed iframe: a plain page that
// loads backstage-wasm-auth/theme-frame from the installed package, unbundled.
const pkgDir = installed;
const frameRoutes = {};
const frameServer = await startAppServer({ host: 'localhost', root: pkgDir, routes: frameRoutes });
frameRoutes['/frame.html'] = framePage(app.origin);
const { defaultPalettes, DEFAULT_FONT_FAMILY } = await import(path.join(pkgDir, 'dist', 'theme', 'palette.js'));
let stack, browser, page;
const problems = [];
try {
  let t = Date.now();
  stack = await startStack({ appOrigins: [app.origin] });
  step(`stack up: backend ${stack.backendUrl}, IdP ${stack.idpUrl}, app ${app.origin}`, t);
  routes['/app-config.json'] = {
    type: 'application/json',
    body: JSON.stringify({
      app: { title: 'WASM auth test app', baseUrl: app.origin, ...(discovery ? { packages: 'all' } : {}) },
      backend: { baseUrl: stack.backendUrl },
      auth: { environment: 'development' },
      wasmAuth: { providers: { oidc: { defaultScopes: ['openid', 'profile', 'email'], storage: 'session' } } },
      themeTest: { frameUrl: `${frameServer.origin}/frame.html` },
    }),
  };

  browser = await launchBrowser();
  page = await browser.newPage();
  const requests = [];
  page.on('request', r => requests.push(r.url()));
  const wasmResponses = [];
  const failed = [];
  page.on('response', r => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    if (/\.wasm(\?|$)/.test(new URL(r.url()).pathname)) {
      wasmResponses.push({ url: r.url(), ok: r.ok(), type: r.headers()['content-type'] });
    }
  });
  page.on('pageerror', e => problems.push(`pageerror: ${e.message}`));
  page.on('console', m => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });

  // 1. The sign-in page, with our provider's card.
  t = Date.now();
  await page.goto(app.origin);
  const signInButton = page.getByRole('button', { name: /sign in/i });
  await signInButton.waitFor({ timeout: 30_000 });
  await page.getByText('E2E IdP').first().waitFor();
  step('sign-in page shown with the WASM provider', t);
  // The core came from the .wasm asset the bundler emitted (streaming compile), not from the
  // inlined fallback chunk, which a browser never needs.
  // Only the Backstage-flow core: not the PKCE build (no flow: 'pkce' here), not the theme bridge.
  const wasmFetches = wasmResponses.filter(r => r.ok);
  assert.equal(wasmFetches.length, 1, `expected one .wasm fetch, saw ${JSON.stringify(wasmResponses)}`);
  assert.equal(wasmFetches[0].type, 'application/wasm');
  assert.equal(kindOf(new URL(wasmFetches[0].url).pathname), 'core', `the sign-in page fetched ${wasmFetches[0].url}`);
  assert.ok(!requests.some(u => /wasm-bytes/.test(u)), 'the inlined fallback was loaded');
  step(`wasm assets in the build: ${wasmAssets.join(', ')}; fetched: ${new URL(wasmFetches[0].url).pathname}`);
  assert.equal(stack.count('oidc', 'start'), 0);
  assert.equal(stack.count('oidc', 'refresh'), 1, 'the sign-in page probes /refresh once (optional identity)');

  // 2. Popup → IdP login + consent → popup closes → signed in.
  t = Date.now();
  const { popup, steps } = await signInPopup(page, () => signInButton.click(), stack.accounts.jane.email);
  if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 10_000 });
  step(`popup sign-in through the IdP (${steps.join(' + ')})`, t);
  assert.equal(stack.count('oidc', 'start'), 1);

  // 3. Identity shown, and the Backstage token used against the catalog backend.
  t = Date.now();
  const field = async id => page.getByTestId(id).textContent();
  await page.getByTestId('catalogStatus').waitFor({ timeout: 20_000 });
  const shown = {};
  for (const k of ['userEntityRef', 'ownership', 'email', 'displayName', 'tokenParts', 'accessToken', 'idToken', 'catalogStatus', 'catalogEntity', 'observableInterop', 'wasmAuthModule', 'sessionStates']) {
    shown[k] = await field(k);
  }
  step(`signed-in page: ${JSON.stringify(shown)}`, t);
  assert.equal(shown.userEntityRef, 'user:default/jane');
  assert.deepEqual(shown.ownership.split(',').sort(), [...stack.accounts.jane.ownershipEntityRefs].sort());
  assert.equal(shown.email, 'jane@example.com');
  assert.equal(shown.tokenParts, '3', 'the Backstage token is a JWT');
  assert.equal(shown.accessToken, 'yes');
  assert.equal(shown.idToken, 'yes');
  assert.equal(shown.catalogStatus, '200', 'catalog call with the Backstage token');
  assert.equal(shown.catalogEntity, 'User:jane');
  assert.match(shown.sessionStates, /SignedIn$/);
  assert.equal(shown.wasmAuthModule, discovery ? 'discovered' : 'explicit', 'how the frontend module was installed');
  assert.equal(shown.observableInterop, 'yes', 'sessionState$() returns itself under Symbol.observable / @@observable');
  const anonymous = await fetch(`${stack.backendUrl}/api/catalog/entities/by-name/user/default/jane`);
  assert.equal(anonymous.status, 401, 'the catalog refuses calls without a token (so the 200 above used it)');

  // 4. Reload: the session comes back without a popup.
  t = Date.now();
  const startsBefore = stack.count('oidc', 'start');
  let popups = 0;
  page.on('popup', () => popups++);
  await page.reload();
  await page.getByTestId('catalogStatus').waitFor({ timeout: 20_000 });
  assert.equal(await field('userEntityRef'), 'user:default/jane');
  assert.equal(await field('catalogStatus'), '200');
  assert.equal(popups, 0);
  assert.equal(stack.count('oidc', 'start'), startsBefore);
  step('reload: still signed in, no popup', t);

  // 4b. The theme bridge.
  t = Date.now();
  await themeBridge(page, frameServer.origin, requests);
  step('theme bridge: light → dark → custom → light, live prop change, unmount/remount, auto (prefers-color-scheme)', t);
  await page.goto(app.origin);
  await page.getByTestId('catalogStatus').waitFor({ timeout: 20_000 });

  // 5. Sign out: back to the sign-in page, backend session cleared.
  t = Date.now();
  await page.getByTestId('signout').click();
  await page.getByRole('button', { name: /sign in/i }).waitFor({ timeout: 20_000 });
  assert.equal(stack.count('oidc', 'logout'), 1);
  step('signed out: sign-in page again, /logout called once', t);

  const unexpected = problems.filter(p => !/Failed to load resource: net::ERR_BLOCKED_BY_CLIENT/.test(p));
  if (unexpected.length) console.log(`[app-e2e] browser console (not failing the test):\n  ${unexpected.join('\n  ')}`);
  if (failed.length) console.log(`[app-e2e] HTTP errors seen (expected: the /refresh probes while signed out):\n  ${failed.join('\n  ')}`);
  step(`counts: ${JSON.stringify(stack.counts())}`);
  step('OK');
} catch (e) {
  if (problems.length) console.error(`[app-e2e] browser problems:\n  ${problems.join('\n  ')}`);
  if (page) {
    const text = await page.locator('body').innerText().catch(() => '?');
    console.error(`[app-e2e] page ${page.url()} shows:\n${text.slice(0, 1500)}`);
    await page.screenshot({ path: '/tmp/bwa-app-e2e-failure.png' }).catch(() => {});
  }
  if (stack) console.error(`[app-e2e] backend log tail:\n${stack.logs().backend.split('\n').slice(-30).join('\n')}`);
  throw e;
} finally {
  await browser?.close();
  await stack?.stop();
  await app.close();
  await frameServer.close();
}

/** The framed page: styled only by the --bs-* properties, themed by the script entry. */
function framePage(appOrigin) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>framed</title>
<style>
  html, body { margin: 0; background: var(--bs-background, white); color: var(--bs-text-primary, black);
    font-family: var(--bs-font-family, serif); }
  nav { background: var(--bs-navigation, gray); color: #fff; padding: 4px 8px; }
  button { background: var(--bs-primary, gray); color: var(--bs-paper, white); border: 0; }
</style>
<script>window.__frameDocument = Math.random().toString(36).slice(2);</script>
<script type="module" src="/dist/theme/frame.js" data-allowed-origins="${appOrigin}"></script>
</head><body><nav>embedded</nav><main><p>Themed by the host.</p><button>Primary</button></main></body></html>`;
}

/**
 * On /themed (signed in): the iframe (another origin) gets the app's theme as --bs-* custom
 * properties and color-scheme, live, for the built-in light and dark themes (whose palettes must
 * equal the package's built-in fallbacks, read here off the real MUI themes) and a custom theme
 * (its own colours, so they really come from the MUI palette); after unmount and remount the
 * new frame is synced at once; 'auto' follows prefers-color-scheme.
 */
async function themeBridge(page, frameOrigin, requests) {
  await page.goto(`${app.origin}/themed`);
  await page.getByTestId('themed-frame').waitFor({ timeout: 20_000 });
  // Bounded by time, not by a number of tries (each try is slower on a loaded machine).
  const frameOf = async (timeoutMs = 15_000) => {
    for (const deadline = Date.now() + timeoutMs; ;) {
      const f = page.frames().find(fr => fr.url().startsWith(`${frameOrigin}/frame.html`));
      if (f) return f;
      if (Date.now() > deadline) throw new Error(`the themed frame did not load in ${timeoutMs} ms`);
      await new Promise(r => setTimeout(r, 50));
    }
  };
  const read = frame => frame.evaluate(() => {
    const html = document.documentElement;
    const props = {};
    for (let i = 0; i < html.style.length; i++) {
      const name = html.style.item(i);
      if (name.startsWith('--bs-')) props[name] = html.style.getPropertyValue(name).trim();
    }
    return {
      props,
      id: html.dataset.themeId,
      variant: html.dataset.themeVariant,
      colorScheme: getComputedStyle(html).colorScheme,
      bodyBackground: getComputedStyle(document.body).backgroundColor,
      buttonBackground: getComputedStyle(document.querySelector('button')).backgroundColor,
      origin: location.origin,
    };
  });
  const expectedProps = theme => ({
    '--bs-primary': theme.palette.primary, '--bs-background': theme.palette.background,
    '--bs-paper': theme.palette.paper, '--bs-text-primary': theme.palette.textPrimary,
    '--bs-text-secondary': theme.palette.textSecondary, '--bs-divider': theme.palette.divider,
    '--bs-error': theme.palette.error, '--bs-warning': theme.palette.warning,
    '--bs-success': theme.palette.success, '--bs-info': theme.palette.info,
    '--bs-navigation': theme.palette.navigation, '--bs-font-family': theme.fontFamily,
  });
  const rgb = hex => `rgb(${[1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
  // Waits until the frame shows theme `id`, then checks it against what the host computed.
  const expectTheme = async (id, variant, check) => {
    let got;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      got = await read(await frameOf()).catch(() => undefined);
      if (got?.id === id) break;
      await new Promise(r => setTimeout(r, 25));
    }
    assert.equal(got?.id, id, `frame theme: ${JSON.stringify(got)}`);
    const host = JSON.parse(await page.getByTestId('bridgeTheme').textContent());
    assert.equal(host.id, id);
    assert.equal(host.variant, variant);
    assert.equal(got.origin, frameOrigin);
    assert.equal(got.variant, variant);
    assert.equal(got.colorScheme, variant, 'color-scheme of the framed document');
    assert.deepEqual(got.props, expectedProps(host), 'every --bs-* property, as the host computed them');
    assert.equal(got.bodyBackground, rgb(host.palette.background), 'the framed page renders with the theme');
    assert.equal(got.buttonBackground, rgb(host.palette.primary));
    check?.(host, got);
    return got;
  };
  const click = id => page.getByTestId(id).click();
  const builtIn = variant => host => {
    assert.deepEqual(host.palette, defaultPalettes[variant],
      `the real Backstage ${variant} theme maps to the package's built-in ${variant} palette`);
    assert.equal(host.fontFamily, DEFAULT_FONT_FAMILY);
  };

  // Nothing chosen yet: Backstage picks light (Chromium's default prefers-color-scheme).
  await expectTheme('light', 'light', builtIn('light'));
  await click('theme-dark');
  await expectTheme('dark', 'dark', builtIn('dark'));
  await click('theme-wasm-test-purple');
  await expectTheme('wasm-test-purple', 'dark', host => {
    assert.equal(host.palette.primary, '#AB47BC', 'primary from the MUI theme, not a fallback');
    assert.equal(host.palette.navigation, '#2A1033');
    assert.equal(host.palette.background, defaultPalettes.dark.background);
    assert.equal(host.fontFamily, 'Roboto, "Open Sans", sans-serif');
  });
  await click('theme-light');
  await expectTheme('light', 'light', builtIn('light'));

  // Backstage renders each theme's own Provider component, so a theme switch remounts the page
  // (a new iframe and host each time); a change while mounted goes through setTheme instead: the
  // page's `theme` prop override, live, in the same framed document.
  const docMarker = async () => (await frameOf()).evaluate(() => window.__frameDocument);
  const before = await docMarker();
  assert.ok(before, 'the framed page marks its document');
  await click('override-on');
  await expectTheme('override', 'dark', host => {
    assert.equal(host.palette.primary, '#123456');
    assert.equal(host.fontFamily, 'monospace');
  });
  assert.equal(await docMarker(), before, 'a live change (setTheme) does not reload the frame');
  await click('override-off');
  await expectTheme('light', 'light', builtIn('light'));
  assert.equal(await docMarker(), before);

  // Unmount (the host detaches and is freed) and remount: the new frame is synced at once.
  await click('toggle-frame');
  await page.getByTestId('themed-frame').waitFor({ state: 'detached' });
  await click('toggle-frame');
  await page.getByTestId('themed-frame').waitFor();
  await expectTheme('light', 'light', builtIn('light'));
  assert.notEqual(await docMarker(), before, 'a new frame document');
  await click('theme-dark');
  await expectTheme('dark', 'dark', builtIn('dark'));

  // 'auto' (no active theme): follows prefers-color-scheme, live.
  await click('theme-auto');
  await expectTheme('light', 'light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectTheme('dark', 'dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await expectTheme('light', 'light');

  // The framed page loaded the theme bridge's own module unbundled, from the package's files: the
  // .wasm by URL (streaming), never an inlined fallback, and not the auth client's core.
  const frameRequests = requests.filter(u => u.startsWith(`${frameOrigin}/`)).map(u => new URL(u).pathname);
  const frameWasm = frameRequests.filter(p => p.endsWith('.wasm'));
  assert.deepEqual([...new Set(frameWasm)], ['/pkg/backstage_wasm_auth_theme_bg.wasm'], frameRequests.join(' '));
  assert.ok(!frameRequests.some(p => /wasm-bytes/.test(p)), 'the frame loaded an inlined fallback');
}
