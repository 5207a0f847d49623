// Builds nothing: serves the Vite build (dist/) of this Backstage app on 127.0.0.1, starts the
// real stack (oidc-provider IdP + Backstage auth/catalog backend, tests/e2e/stack/stack.mjs) and
// drives headless Chromium through: sign-in page → popup → IdP login → signed-in identity shown →
// catalog call with the Backstage token → reload (session restored without a popup) → the theme
// bridge (<ThemedIframe> framing a page from a second origin, app theme switched) → sign out →
// the session UI (backstage-wasm-auth/ui/alpha): a session that cannot be renewed (warning, then
// the dialog, then a popup sign-in in place), and the idle sign-out across two tabs.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const stackDir = path.join(here, '..', '..', 'e2e', 'stack');
const { startStack } = await import(path.join(stackDir, 'stack.mjs'));
const { launchBrowser, signInPopup } = await import(path.join(stackDir, 'browser.mjs'));
const { startAppServer } = await import(path.join(stackDir, 'appserver.mjs'));

// Usage: node e2e.mjs [dist dir] [--discovery]  (--discovery: the build was made by the Backstage
// CLI with app.packages: all, and the run-time config must enable feature discovery too)
/** Chromium's own log (`--enable-logging`), printed where a renderer crashes. */
const chromiumLog = path.join(os.tmpdir(), `npm-app-chromium-${process.pid}.log`);
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
  routes['/app-config.json'] = appConfig();

  // Chromium's own log (stderr, `--enable-logging`), kept to print where a renderer crashes.
  browser = await launchBrowser({ args: ['--enable-logging', `--log-file=${chromiumLog}`] });
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

  // 6. The session UI (backstage-wasm-auth/ui/alpha): the idle sign-out across two tabs, then a
  // session that cannot be renewed. Each in its own browser context (own cookies and storage).
  t = Date.now();
  await idleSignOutAcrossTabs();
  step('idle sign-out: activity in one tab keeps both; the prompt in both, "Stay signed in" in one closes both; none signs both out; a session restored after the idle time is signed out at once', t);
  t = Date.now();
  await signedOutInAnotherTab();
  step('signed out in another tab: the dialog says so, "Sign in again" signs this tab in again in place', t);
  t = Date.now();
  await sessionLifecycleUi();
  step('session UI: refused refresh → warning with the time left → expiry → dialog → popup sign-in in place (input, URL, window kept) → refused again → warning → popup sign-in from it', t);

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
  fs.rmSync(chromiumLog, { force: true });
  await stack?.stop();
  await app.close();
  await frameServer.close();
}

/** The app config the server hands out (the stack picks ports), with `extra` merged into it. */
function appConfig(extra = {}) {
  return {
    type: 'application/json',
    body: JSON.stringify({
      app: { title: 'WASM auth test app', baseUrl: app.origin, ...(discovery ? { packages: 'all' } : {}) },
      backend: { baseUrl: stack.backendUrl },
      auth: { environment: 'development' },
      wasmAuth: { providers: { oidc: { defaultScopes: ['openid', 'profile', 'email'], storage: 'session' } }, ...extra },
      themeTest: { frameUrl: `${frameServer.origin}/frame.html` },
    }),
  };
}

/** A new browser context's page on the app, signed in through the popup; `url` defaults to /. */
async function signedInPage(ctx, url = app.origin) {
  const p = await ctx.newPage();
  p.on('pageerror', e => problems.push(`pageerror: ${e.message}`));
  await p.goto(url);
  const button = p.getByRole('button', { name: /sign in/i });
  await button.waitFor({ timeout: 30_000 });
  const { popup } = await signInPopup(p, () => button.click(), stack.accounts.jane.email);
  if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 10_000 });
  await p.getByTestId('catalogStatus').waitFor({ timeout: 20_000 });
  return p;
}

/** A screenshot kept in tests/npm/app/out/ (git-ignored), to look at. */
async function screenshot(p, name) {
  const outDir = path.join(here, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${name}.png`);
  // Transitions finished: the Snackbar grows in, the dialog fades in.
  await p.screenshot({ path: file, animations: 'disabled' });
  step(`screenshot ${path.relative(here, file)}`);
}

/**
 * A session that cannot be renewed, for real: short IdP tokens, the backend's refresh cookie
 * removed (the backend then refuses /refresh with 401), no fakes. The core's background refresh
 * is refused while the token is still valid → the warning with the time left; the token runs
 * out → the dialog; "Sign in again" → popup → signed in, and the page was never reloaded or
 * navigated: the typed text, the URL and a window variable are still there.
 */
async function sessionLifecycleUi() {
  const TTL = 24; // s: the core refreshes at half of it (12 s), the warning then shows for 12 s
  await stack.setAccessTokenTtl(TTL);
  const ctx = await browser.newContext();
  try {
    const url = `${app.origin}/?draft=1#keep`;
    const p = await signedInPage(ctx, url);
    const signedInAt = Date.now();
    const draft = p.getByTestId('draft');
    await draft.fill('unsaved text, typed before the session ended');
    await p.evaluate(() => { window.__sameDocument = 'set before the session ended'; });
    const refreshCookie = (await ctx.cookies()).find(c => c.name === 'oidc-refresh-token');
    assert.ok(refreshCookie, `the backend's refresh cookie (cookies: ${(await ctx.cookies()).map(c => c.name).join(', ')})`);
    await ctx.clearCookies({ name: 'oidc-refresh-token' });
    const refreshesBefore = stack.count('oidc', 'refresh');
    const startsBefore = stack.count('oidc', 'start');

    // The warning: the refresh was refused while the session is still valid.
    const notice = p.getByTestId('wasm-auth-session-expiring');
    await notice.waitFor({ timeout: TTL * 1000 });
    assert.ok(Date.now() - signedInAt < TTL * 1000, 'the warning came before the expiry');
    assert.equal(await notice.getAttribute('data-reason'), 'refused');
    assert.ok(stack.count('oidc', 'refresh') > refreshesBefore, 'a real /refresh was refused');
    const noticeText = await notice.innerText();
    assert.match(noticeText, /could not be renewed and ends in \d+ s/, noticeText);
    assert.match(noticeText, /Sign in again/i);
    const left1 = Number((await p.getByTestId('wasm-auth-time-left').innerText()).match(/\d+/)[0]);
    await screenshot(p, 'session-expiring-light');
    await p.waitForTimeout(2100);
    const left2 = Number((await p.getByTestId('wasm-auth-time-left').innerText()).match(/\d+/)[0]);
    assert.ok(left2 < left1, `the time left counts down (${left1} s, then ${left2} s)`);
    // Themed from the app's MUI theme (Backstage light: warning.main), not a colour of ours.
    const bg = await notice.evaluate(el => getComputedStyle(el).backgroundColor);
    assert.notEqual(bg, 'rgba(0, 0, 0, 0)');
    step(`warning shown with ${left1} s left, background ${bg}`);


    // The session ends: the dialog says why.
    const dialog = p.getByTestId('wasm-auth-session-ended');
    await dialog.waitFor({ timeout: TTL * 1000 + 15_000 });
    assert.equal(await dialog.getAttribute('data-reason'), 'expired');
    const dialogText = await p.getByRole('dialog').innerText();
    assert.match(dialogText, /Your session has ended/);
    assert.match(dialogText, /stay as they are/);
    await notice.waitFor({ state: 'detached' });
    await screenshot(p, 'session-ended-light');
    assert.equal(stack.count('oidc', 'start'), startsBefore, 'no popup by itself');

    // Sign in again, in place: popup (the IdP session is still there: no login page), no reload.
    const { popup } = await signInPopup(p, () => p.getByRole('button', { name: 'Sign in again' }).click(), stack.accounts.jane.email);
    if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 10_000 });
    await dialog.waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal(stack.count('oidc', 'start'), startsBefore + 1, 'one popup sign-in');
    assert.equal(await draft.inputValue(), 'unsaved text, typed before the session ended', 'the input kept its text');
    assert.equal(p.url(), url, 'same URL (path, query, hash)');
    assert.equal(await p.evaluate(() => window.__sameDocument), 'set before the session ended', 'same document: no reload');
    // Whether the core passed through SignedOut on the way is its business: signed in now.
    assert.match(await p.getByTestId('sessionStates').innerText(), /SignedIn$/);
    assert.ok((await ctx.cookies()).some(c => c.name === 'oidc-refresh-token'), 'a new refresh cookie');
    assert.equal(await p.getByTestId('wasm-auth-session-expiring').count(), 0);

    // Once more without the cookie: the warning again, and "Sign in again" from it while the
    // session is still valid: a popup, a new session (and refresh cookie), the warning gone,
    // never signed out, the page as it was.
    await ctx.clearCookies({ name: 'oidc-refresh-token' });
    await notice.waitFor({ timeout: TTL * 1000 });
    assert.equal(await notice.getAttribute('data-reason'), 'refused');
    {
      const starts = stack.count('oidc', 'start');
      const states = await p.getByTestId('sessionStates').innerText();
      const { popup } = await signInPopup(p, () => notice.getByRole('button', { name: 'Sign in again' }).click(), stack.accounts.jane.email);
      if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 10_000 });
      await notice.waitFor({ state: 'detached', timeout: 20_000 });
      assert.equal(stack.count('oidc', 'start'), starts + 1);
      assert.ok((await ctx.cookies()).some(c => c.name === 'oidc-refresh-token'), 'a new refresh cookie');
      assert.equal(await draft.inputValue(), 'unsaved text, typed before the session ended');
      assert.equal(p.url(), url);
      assert.equal(await p.evaluate(() => window.__sameDocument), 'set before the session ended');
      assert.equal(await p.getByTestId('sessionStates').innerText(), states, 'never signed out');
      step('"Sign in again" from the warning: popup, new session, warning gone, page unchanged');
    }
  } finally {
    await ctx.close();
    await stack.setAccessTokenTtl();
  }
}

/**
 * Two tabs; "Sign out" in A (Backstage's identityApi: A goes to the sign-in page). B, signed out
 * by the core's cross-tab sync, keeps its page and says why; "Sign in again" there signs B in
 * again in a popup, its input and document kept.
 */
async function signedOutInAnotherTab() {
  const ctx = await browser.newContext();
  try {
    const a = await signedInPage(ctx);
    const b = await ctx.newPage();
    await b.goto(app.origin);
    await b.getByTestId('catalogStatus').waitFor({ timeout: 20_000 });
    await b.getByTestId('draft').fill('typed in B');
    await b.evaluate(() => { window.__sameDocument = 'B'; });
    await a.getByTestId('signout').click();
    await a.getByRole('button', { name: /sign in/i }).waitFor({ timeout: 20_000 });
    const dialog = b.getByTestId('wasm-auth-session-ended');
    await dialog.waitFor({ timeout: 10_000 });
    assert.equal(await dialog.getAttribute('data-reason'), 'otherTab');
    assert.match(await b.getByRole('dialog').innerText(), /You signed out in another tab/);
    assert.equal(await a.getByTestId('wasm-auth-session-ended').count(), 0, 'nothing in the tab that signed out');
    await screenshot(b, 'session-other-tab-light');
    const starts = stack.count('oidc', 'start');
    const { popup } = await signInPopup(b, () => b.getByRole('button', { name: 'Sign in again' }).click(), stack.accounts.jane.email);
    if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 10_000 });
    await dialog.waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal(stack.count('oidc', 'start'), starts + 1);
    assert.equal(await b.getByTestId('draft').inputValue(), 'typed in B');
    assert.equal(await b.evaluate(() => window.__sameDocument), 'B');
    assert.match(await b.getByTestId('sessionStates').innerText(), /SignedIn,SignedOut,SignedIn$/);
  } finally {
    await ctx.close();
  }
}

/**
 * Two tabs of one browser, the idle sign-out on (app config, fractions of a minute): activity in
 * tab A only keeps both signed in past the timeout; then without activity both prompt, "Stay
 * signed in" in B closes both prompts; then no activity anywhere signs both out.
 */
async function idleSignOutAcrossTabs() {
  const IDLE_MINUTES = 0.2; // 12 s
  const PROMPT_SECONDS = 5;
  routes['/app-config.json'] = appConfig({
    sessionNotice: { idleSignOut: { idleTimeoutMinutes: IDLE_MINUTES, promptBeforeIdleSeconds: PROMPT_SECONDS } },
  });
  // Dark: the prompt follows the app's theme (Backstage picks dark from prefers-color-scheme).
  const ctx = await browser.newContext({ colorScheme: 'dark' });
  try {
    const a = await signedInPage(ctx);
    const b = await ctx.newPage();
    b.on('pageerror', e => problems.push(`pageerror: ${e.message}`));
    await b.goto(app.origin);
    await b.getByTestId('catalogStatus').waitFor({ timeout: 20_000 }); // B took A's session
    for (const p of [a, b]) await p.evaluate(() => { window.__sameDocument = true; });
    const logoutsBefore = stack.count('oidc', 'logout');
    const prompted = p => p.getByTestId('wasm-auth-idle-prompt').count();

    // Activity in A only, every 2 s for twice the timeout: neither tab prompts nor signs out.
    const until = Date.now() + 2 * IDLE_MINUTES * 60_000;
    for (let i = 0; Date.now() < until; i++) {
      await a.mouse.move(100 + (i % 2) * 50, 200);
      await a.waitForTimeout(2000);
      assert.equal(await prompted(b), 0, 'B has no prompt while A is in use');
    }
    for (const p of [a, b]) {
      assert.equal(await p.getByTestId('catalogStatus').count(), 1, 'still signed in');
      assert.equal(await p.evaluate(() => window.__sameDocument), true);
    }
    assert.equal(stack.count('oidc', 'logout'), logoutsBefore);

    // No activity: both prompt; "Stay signed in" in B closes both.
    const promptA = a.getByTestId('wasm-auth-idle-prompt');
    const promptB = b.getByTestId('wasm-auth-idle-prompt');
    await Promise.all([promptA.waitFor({ timeout: 15_000 }), promptB.waitFor({ timeout: 15_000 })]);
    assert.match(await a.getByTestId('wasm-auth-idle-time-left').innerText(), /^\d s$/);
    await screenshot(a, 'idle-prompt-dark');
    const paper = await a.locator('.MuiDialog-paper').evaluate(el => getComputedStyle(el).backgroundColor);
    assert.notEqual(paper, 'rgb(255, 255, 255)', `the dark theme's paper, not white (${paper})`);
    await b.getByTestId('wasm-auth-stay-signed-in').click();
    await Promise.all([promptA.waitFor({ state: 'detached', timeout: 5000 }), promptB.waitFor({ state: 'detached', timeout: 5000 })]);
    step('"Stay signed in" in B closed the prompt in A too');

    // No activity anywhere: both prompt again, then both go to the sign-in page.
    await Promise.all([promptA.waitFor({ timeout: 15_000 }), promptB.waitFor({ timeout: 15_000 })]);
    // What the prompt says is left (whole seconds, rounded up), read before the clock starts here.
    const leftS = Number((await a.getByTestId('wasm-auth-idle-time-left').innerText()).match(/\d+/)[0]);
    const promptSeenAt = Date.now();
    await Promise.all([a, b].map(p => p.getByRole('button', { name: /sign in/i }).waitFor({ timeout: 20_000 })));
    assert.ok(Date.now() - promptSeenAt > (leftS - 1) * 1000, `signed out when the prompt ran out (${leftS} s left), not before`);
    assert.ok(stack.count('oidc', 'logout') > logoutsBefore, 'the backend session ended (/logout)');
    for (const p of [a, b]) {
      assert.equal(await p.getByTestId('catalogStatus').count(), 0, 'the signed-in page is gone');
      assert.equal(await p.evaluate(() => sessionStorage.length), 0, 'no session left in the tab');
    }

    // Every tab closed while signed in, back after the idle time: the sign-in page restores the
    // session from the refresh cookie, and the stored idle time being over, it is signed out at
    // once (AutoLogout's logoutIfDisconnected).
    const { popup } = await signInPopup(a, () => a.getByRole('button', { name: /sign in/i }).click(), stack.accounts.jane.email);
    if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 10_000 });
    await a.getByTestId('catalogStatus').waitFor({ timeout: 20_000 });
    await a.close();
    await b.close();
    await new Promise(r => setTimeout(r, IDLE_MINUTES * 60_000 + 1000));
    const logouts = stack.count('oidc', 'logout');
    const refreshes = stack.count('oidc', 'refresh');
    let c = await ctx.newPage();
    let crashed = false;
    c.on('crash', () => { crashed = true; });
    await c.goto(app.origin);
    for (const deadline = Date.now() + 20_000; stack.count('oidc', 'logout') === logouts;) {
      assert.ok(Date.now() < deadline, 'the restored session was not signed out');
      await c.waitForTimeout(100);
    }
    assert.ok(stack.count('oidc', 'refresh') > refreshes, 'it was restored first (/refresh)');
    try {
      await c.getByRole('button', { name: /sign in/i }).waitFor({ timeout: 20_000 });
    } catch (error) {
      // Chromium's renderer has crashed here, on the sign-out's navigation, in 2 of ~10 runs
      // (cause not found; the sign-out itself is done: /logout above). Anything else fails.
      if (!crashed) throw error;
      step('Chromium\'s renderer crashed after the sign-out navigation: the sign-in page checked in a new page');
      const logged = fs.existsSync(chromiumLog) ? fs.readFileSync(chromiumLog, 'utf8').split('\n') : [];
      console.log(`# Chromium's log before the crash:\n${logged.filter(l => !l.includes('dbus')).slice(-60).map(l => `#   ${l}`).join('\n')}`);
      c = await ctx.newPage();
      await c.goto(app.origin);
      await c.getByRole('button', { name: /sign in/i }).waitFor({ timeout: 20_000 });
    }
    assert.equal(await c.getByTestId('wasm-auth-idle-prompt').count(), 0, 'no prompt: the time was over');
    assert.ok(!(await ctx.cookies()).some(c => c.name === 'oidc-refresh-token'), 'the backend session ended');
  } finally {
    await ctx.close();
    routes['/app-config.json'] = appConfig();
  }
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
