// Smoke + screenshot test of the demo (scripts/demo + www/): starts the demo the way a developer
// does (non-interactively), drives headless Chromium through it, and saves screenshots to
// tests/demo/out/*.png.
//
//   tests/demo/run                 (or: node --test tests/demo/screenshot.mjs)
//   Env: DEMO_NO_BUILD=1 (use pkg/ as it is), DEMO_SETUP=1 (also run scripts/setup first),
//        CHROMIUM_PATH (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from '../e2e/stack/node_modules/playwright-core/index.mjs';
import { completeIdpLogin, launchBrowser, signInPopup } from '../e2e/stack/browser.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../lib/chromium.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'tests/demo/out');
const PORTS = [3000, 3001, 7007, 7010, 7017];
const READY_TIMEOUT_MS = Number(process.env.DEMO_READY_TIMEOUT_MS ?? 15 * 60_000); // may include a build
// Every context asks for reduced motion: www/demo.css then turns its transitions and animations
// off (prefers-reduced-motion), so computed styles read after an action are the final ones and
// the screenshots show end states, never a frame halfway through a 0.15-0.2 s fade.
const STILL = Object.freeze({ reducedMotion: 'reduce' });

let demo; // { child, app, frame, backend, readyMs, output() }
let browser;
let page;
const timings = {};

function portOpen(port) {
  return new Promise(resolve => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

function startDemo() {
  const args = ['--no-setup'];
  if (process.env.DEMO_SETUP) args.pop();
  const t0 = Date.now();
  // Its own process group, so that stopping it is exactly a Ctrl-C in its terminal.
  const child = spawn(path.join(ROOT, 'scripts/demo'), args, {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', DEMO_EXIT_WITH_PID: String(process.pid) },
  });
  // If this process ends early (a failed test, a timeout), the demo must not outlive it.
  const killGroup = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ } };
  process.once('exit', killGroup);
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { killGroup(); process.exit(1); });
  let out = '';
  child.stdout.on('data', d => { out += d; });
  child.stderr.on('data', d => { out += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scripts/demo not ready after ${READY_TIMEOUT_MS} ms:\n${out}`)), READY_TIMEOUT_MS);
    const onData = () => {
      const m = out.match(/^DEMO READY app=(\S+) frame=(\S+) backend=(\S+) ms=(\d+)$/m);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ child, app: m[1], frame: m[2], backend: m[3], readyMs: Number(m[4]), wallMs: Date.now() - t0, output: () => out });
    };
    child.stdout.on('data', onData);
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`scripts/demo exited (${code}) before it was ready:\n${out}`)); });
  });
}

async function stopDemo(signal = 'SIGINT', timeoutMs = 20_000) {
  if (!demo || demo.child.exitCode !== null) return demo?.child.exitCode;
  const exited = new Promise(r => demo.child.once('exit', (code, sig) => r(code ?? sig)));
  try { process.kill(-demo.child.pid, signal); } catch { /* already gone */ }
  const t = setTimeout(() => { try { process.kill(-demo.child.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
  const code = await exited;
  clearTimeout(t);
  return code;
}

/**
 * A full-page screenshot. Chromium only paints the cross-origin iframe (its own process) when it
 * is inside the viewport, so the viewport grows to the whole page for the shot.
 */
async function fullShot(p, name) {
  const file = path.join(OUT, `${name}.png`);
  const vp = p.viewportSize();
  await p.evaluate(() => window.scrollTo(0, 0));
  const height = await p.evaluate(() => document.documentElement.scrollHeight);
  await p.setViewportSize({ width: vp.width, height: Math.max(vp.height, height) });
  await p.waitForTimeout(300);
  await p.screenshot({ path: file, fullPage: true });
  await p.setViewportSize(vp);
  return file;
}
const shot = name => fullShot(page, name);

const providerRow = key => `li.provider[data-provider="${key}"]`;
async function waitSignedIn(key, timeout = 20_000) {
  await page.waitForSelector(`${providerRow(key)}[data-state="SignedIn"]`, { timeout });
  // The details (profile, identity, tokens) are read after the state change.
  await page.waitForSelector('#session [data-field="userEntityRef"]', { timeout });
}
const text = sel => page.locator(sel).first().innerText();

describe('demo', { timeout: READY_TIMEOUT_MS + 180_000 }, () => {
  before(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    for (const f of fs.readdirSync(OUT)) if (f.endsWith('.png')) fs.rmSync(path.join(OUT, f));
    for (const p of PORTS) assert.equal(await portOpen(p), false, `port ${p} is already in use: stop the running demo first`);
    demo = await startDemo();
    timings.readyMs = demo.readyMs;
    browser = await launchBrowser({ timeoutMs: 20_000 });
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 960 }, ...STILL });
    page = await ctx.newPage();
    page.on('pageerror', e => console.error('[page error]', e));
    // (Profile pictures point at an unreachable host: those failures are expected.)
    page.on('console', m => { if (m.type() === 'error' && !/ERR_NAME_NOT_RESOLVED/.test(m.text())) console.error('[console]', m.text()); });
  });

  after(async () => {
    await browser?.close();
    const code = await stopDemo();
    console.log(`# scripts/demo ready in ${timings.readyMs} ms; exit after Ctrl-C: ${code}; timings ${JSON.stringify(timings)}`);
  });

  test('the page loads the WASM package and the theme iframe', async () => {
    const t0 = Date.now();
    await page.goto(`${demo.app}/?theme=light`);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 20_000 });
    timings.pageReadyMs = Date.now() - t0;
    assert.equal(await page.locator('li.provider').count(), 7);
    for (const key of ['oidc', 'oidc-fullscreen', 'oidc-redirect', 'spectrocloud', 'guest', 'oauth2proxy', 'pkce']) {
      assert.equal(await page.getAttribute(providerRow(key), 'data-state'), 'SignedOut', key);
    }
    // The iframe is on the other origin and got the light theme from ThemeHost.
    const frame = page.frameLocator('#theme-frame');
    await frame.locator('#status').filter({ hasText: 'backstage-light' }).waitFor({ timeout: 15_000 });
    assert.match(await text('#hdr-wasm'), /KB/);
    assert.match(await text(providerRow('pkce')), /OIDC · PKCE[\s\S]*no Backstage backend/);
    await page.click(providerRow('pkce'));
    assert.match(await text('#session-title'), /OIDC · PKCE \(no Backstage backend\)/);
    await page.click(providerRow('oidc'));
    assert.match(await text('#tabs-note'), /second tab: sign-in, refresh and sign-out follow across tabs/);
    // The PKCE card's redirect URI is served at the app origin, with its inline script allowed by hash.
    const cb = await fetch(`${demo.app}/pkce-callback.html`);
    assert.equal(cb.status, 200);
    assert.match(cb.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*'/);
    await shot('01-signed-out');
  });

  test('jane signs in through the OIDC popup', async () => {
    const t0 = Date.now();
    const { steps } = await signInPopup(page, () => page.click(`${providerRow('oidc')} [data-action="sign-in"]`), 'jane@example.com');
    await waitSignedIn('oidc');
    timings.oidcPopupSignInMs = Date.now() - t0;
    assert.deepEqual(steps, ['login', 'consent']);
    assert.equal(await text('#session [data-field="userEntityRef"]'), 'user:default/jane');
    const chips = await page.locator('#session [data-field="ownership"] .chip').allInnerTexts();
    assert.deepEqual(chips.map(s => s.trim()).sort(), ['group:default/team-a', 'user:default/jane']);
    assert.equal(await text('#session [data-field="email"]'), 'jane@example.com');
    assert.equal(await text('#session [data-field="displayName"]'), 'Jane Doe');
    // The Backstage token counts down, and its decoded claims name jane.
    const countdown = await text('#session .expiry-text strong');
    assert.match(countdown, /^\d+:\d\d$/);
    await page.click('#session [data-token="ID token"] summary');
    assert.match(await text('#session [data-token="ID token"] .claims'), /jane@example\.com/);
    await page.click('#session [data-token="Backstage token"] summary');
    assert.match(await text('#session [data-token="Backstage token"] .claims'), /user:default\/jane/);
    // A cached getAccessToken() makes no request.
    await page.click('#session [data-action="refresh"]');
    await page.waitForFunction(() => window.demo.events.some(e => /getAccessToken\(\)/.test(e.text) && e.kind !== 'error'));
    const ev = await page.evaluate(() => window.demo.events.filter(e => /getAccessToken\(\)/.test(e.text)).at(-1));
    assert.match(ev.text, /cached session, no request/);
    // The countdown ticks once a second (setInterval): wait for the next tick, bounded, then assert.
    await page.waitForFunction(before => document.querySelector('#session .expiry-text strong')?.innerText !== before,
      countdown, { timeout: 10_000 }).catch(() => {});
    assert.notEqual(await text('#session .expiry-text strong'), countdown, 'the expiry counts down');
    await shot('02-jane-oidc-popup');
  });

  test('an extra scope goes through one popup for the union of scopes', async () => {
    const t0 = Date.now();
    await page.fill('#extra-scope', 'offline_access');
    await signInPopup(page, () => page.click('#session [data-action="extra-scope"]'), 'jane@example.com');
    await page.waitForFunction(() => window.demo.events.some(e => /^granted offline_access/.test(e.text)), null, { timeout: 15_000 });
    timings.extraScopeMs = Date.now() - t0;
    // The /start of that popup asked for the union: the default scopes plus the new one.
    const starts = await (await fetch(`${demo.backend}/__stack/requests`)).json();
    const start = starts.filter(r => r.route === 'start' && r.provider === 'oidc').at(-1);
    assert.ok(start, 'a second /start');
    assert.deepEqual(new URLSearchParams(start.query).get('scope').split(' ').sort(), ['email', 'offline_access', 'openid', 'profile']);
    assert.equal(await text('#session [data-field="userEntityRef"]'), 'user:default/jane');
  });

  test('guest signs in (proxy flow, no popup)', async () => {
    const t0 = Date.now();
    await page.click(`${providerRow('guest')} [data-action="sign-in"]`);
    await waitSignedIn('guest');
    timings.guestSignInMs = Date.now() - t0;
    await page.waitForFunction(() => document.querySelector('#session [data-field="userEntityRef"]')?.textContent === 'user:development/guest');
    assert.equal(await page.getAttribute(providerRow('oidc'), 'data-state'), 'SignedIn', 'jane is still signed in');
    // The other two OIDC cards (same provider id) got jane's session through crossTabSync.
    for (const key of ['oidc-fullscreen', 'oidc-redirect']) {
      assert.equal(await page.getAttribute(providerRow(key), 'data-state'), 'SignedIn', key);
    }
    assert.equal(await page.getAttribute(providerRow('spectrocloud'), 'data-state'), 'SignedOut');
    assert.match(await text('#hdr-signed'), /^4 of 7/);
    await shot('03-guest');
  });

  test('the theme toggle drives the host page and the cross-origin iframe', async () => {
    const frameBg = () => page.frameLocator('#theme-frame').locator('body').evaluate(b => getComputedStyle(b).backgroundColor);
    assert.equal(await frameBg(), 'rgb(248, 248, 248)');
    const t0 = Date.now();
    await page.click('#theme-toggle');
    await page.waitForSelector('html[data-theme="dark"]');
    await page.frameLocator('#theme-frame').locator('#status').filter({ hasText: 'backstage-dark' }).waitFor({ timeout: 5000 });
    timings.themeSwitchMs = Date.now() - t0;
    assert.equal(await frameBg(), 'rgb(51, 51, 51)');
    // The host body fades its background over 0.2 s (demo.css): wait for the transition to end,
    // bounded, then assert the final colour.
    await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(51, 51, 51)', null, { timeout: 3000 }).catch(() => {});
    const bodyBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bodyBg, 'rgb(51, 51, 51)');
    const stats = await page.evaluate(() => ({ sent: window.demo.themeHost.sentCount, ignored: window.demo.themeHost.ignoredCount }));
    assert.ok(stats.sent >= 2, `ThemeHost sent ${stats.sent} posts`);
    // Back to jane's session for the dark screenshot, with the ID token claims open.
    await page.click(providerRow('oidc'));
    await page.waitForFunction(() => document.querySelector('#session [data-field="userEntityRef"]')?.textContent === 'user:default/jane');
    await page.waitForTimeout(600);
    await shot('04-dark-theme');
    await page.locator('#theme').screenshot({ path: path.join(OUT, '05-theme-bridge-dark.png') });
  });

  test('a user without a catalog entity gets the backend\'s error, by name', async () => {
    // A fresh browser context: no IdP session, no cookies.
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 960 }, ...STILL });
    const p2 = await ctx.newPage();
    await p2.goto(`${demo.app}/?theme=light`);
    await p2.waitForSelector('html[data-ready="true"]');
    await signInPopup(p2, () => p2.click(`${providerRow('spectrocloud')} [data-action="sign-in"]`), 'stranger@example.com');
    await p2.waitForSelector('#session .alert', { timeout: 15_000 });
    const alert = await p2.locator('#session .alert').innerText();
    assert.match(alert, /^\w*Error from the auth backend/);
    assert.match(alert, /unable to resolve user identity/);
    assert.equal(await p2.getAttribute(providerRow('spectrocloud'), 'data-state'), 'SignedOut');
    const errorEvents = await p2.evaluate(() => window.demo.events.filter(e => e.kind === 'error').map(e => e.text));
    assert.ok(errorEvents.some(t => /Error \(from the auth backend\)/.test(t)), errorEvents.join('\n'));
    await fullShot(p2, '06-stranger-error');
    await ctx.close();
  });

  test('the redirect flow leaves for the IdP and comes back signed in', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 960 }, ...STILL });
    const p4 = await ctx.newPage();
    await p4.goto(`${demo.app}/?theme=light`);
    await p4.waitForSelector('html[data-ready="true"]');
    const t0 = Date.now();
    await p4.click(`${providerRow('oidc-redirect')} [data-action="sign-in"]`);
    await p4.waitForURL(u => u.origin === new URL(demo.backend).origin.replace('7007', '7010'), { waitUntil: 'commit' });
    const { steps } = await completeIdpLogin(p4, 'john@example.com');
    assert.deepEqual(steps, ['login', 'consent']);
    await p4.waitForSelector(`${providerRow('oidc-redirect')}[data-state="SignedIn"]`);
    await p4.waitForFunction(() => document.querySelector('#session [data-field="userEntityRef"]')?.textContent === 'user:default/john');
    timings.redirectSignInMs = Date.now() - t0;
    assert.equal(new URL(p4.url()).origin, demo.app);
    await ctx.close();
  });

  test('a failed redirect sign-in comes back with the backend\'s error on the redirect card', async () => {
    // A fresh context: no IdP session, no cookies. stranger@example.com has no catalog user.
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 960 }, ...STILL });
    const p5 = await ctx.newPage();
    await p5.goto(`${demo.app}/?theme=light`);
    await p5.waitForSelector('html[data-ready="true"]');
    await p5.click(`${providerRow('oidc-redirect')} [data-action="sign-in"]`);
    await p5.waitForURL(u => u.origin === new URL(demo.backend).origin.replace('7007', '7010'), { waitUntil: 'commit' });
    await completeIdpLogin(p5, 'stranger@example.com');
    // The backend sends the window to app.baseUrl?error=…; the redirect card's client claims it.
    await p5.waitForSelector('html[data-ready="true"]');
    await p5.waitForSelector(`#session .alert`, { timeout: 15_000 });
    assert.equal(await p5.getAttribute('li.provider.selected', 'data-provider'), 'oidc-redirect', 'the redirect card is shown');
    const alert = await p5.locator('#session .alert').innerText();
    assert.match(alert, /^\w*Error from the auth backend/);
    assert.match(alert, /unable to resolve user identity/);
    assert.equal(await p5.getAttribute(providerRow('oidc-redirect'), 'data-state'), 'SignedOut');
    assert.equal(new URL(p5.url()).searchParams.has('error'), false, 'the demo cleans ?error= from the URL');
    const errorEvents = await p5.evaluate(() => window.demo.events.filter(e => e.kind === 'error').map(e => e.text));
    assert.ok(errorEvents.some(t => /redirect sign-in failed/.test(t) && /Error \(from the auth backend\)/.test(t)), errorEvents.join('\n'));
    await fullShot(p5, '10-redirect-error');
    // Told once: a reload shows no error and stays signed out without leaving the page.
    await p5.reload();
    await p5.waitForSelector('html[data-ready="true"]');
    assert.equal(await p5.locator('#session .alert').count(), 0);
    assert.equal(new URL(p5.url()).origin, demo.app);
    await ctx.close();
  });

  // flow 'pkce': its own browser context (no IdP session yet), two tabs of the demo.
  let pkceCtx;
  let tabA;
  const pkceRequests = [];
  const pkceRow = `${providerRow('pkce')}`;
  const idTokenClaims = p => p.evaluate(async () => {
    const t = await window.demo.cards.get('pkce').client.getIdToken({ optional: true });
    return t ? JSON.parse(atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) : null;
  });

  test('jane signs in via the PKCE card: popup, IdP login, no Backstage backend', async () => {
    pkceCtx = await browser.newContext({ viewport: { width: 1440, height: 960 }, ...STILL });
    const seen = new Map();
    pkceCtx.on('request', r => {
      const u = new URL(r.url());
      if (r.method() === 'OPTIONS' || (u.port !== '7010' && u.port !== '7007')) return;
      const e = { method: r.method(), port: u.port, path: u.pathname };
      if (u.pathname === '/token') e.grant = new URLSearchParams(r.postData() ?? '').get('grant_type');
      seen.set(r, e);
      pkceRequests.push(e);
    });
    pkceCtx.on('response', r => { const e = seen.get(r.request()); if (e) e.status = r.status(); });
    tabA = await pkceCtx.newPage();
    tabA.on('pageerror', e => console.error('[tab A page error]', e));
    tabA.on('console', m => { if (m.type() === 'error' && !/ERR_NAME_NOT_RESOLVED/.test(m.text())) console.error('[tab A console]', m.text()); });
    await tabA.goto(`${demo.app}/?theme=light`);
    await tabA.waitForSelector('html[data-ready="true"]');
    assert.equal(await tabA.getAttribute(pkceRow, 'data-state'), 'SignedOut');
    const t0 = Date.now();
    const { steps, popup } = await signInPopup(tabA, () => tabA.click(`${pkceRow} [data-action="sign-in"]`), 'jane@example.com');
    assert.deepEqual(steps, ['login', 'consent']);
    await tabA.waitForSelector(`${pkceRow}[data-state="SignedIn"]`, { timeout: 15_000 });
    await tabA.waitForSelector('#session [data-field="sub"]', { timeout: 15_000 });
    timings.pkceSignInMs = Date.now() - t0;
    // The popup ended on /pkce-callback.html of the app origin and was closed by the client.
    if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 10_000 }).catch(() => {});
    assert.equal(popup.isClosed(), true, 'the client closed the popup');

    // The card: SignedIn, the ID token's sub, the profile's email (the IdP puts it in userinfo, not
    // in the ID token: the client asks userinfo for it), no Backstage identity.
    assert.equal((await tabA.locator('#session [data-field="sub"]').innerText()).trim(), 'jane@example.com');
    assert.equal((await tabA.locator('#session [data-field="email"]').innerText()).trim(), 'jane@example.com');
    assert.equal((await tabA.locator('#session [data-field="displayName"]').innerText()).trim(), 'Jane Doe');
    assert.equal((await tabA.locator('#session [data-field="aud"]').innerText()).trim(), 'spa');
    assert.equal((await tabA.locator('#session [data-field="iss"]').innerText()).trim(), 'http://127.0.0.1:7010');
    assert.match(await tabA.locator('#session [data-field="noIdentity"]').innerText(), /No Backstage identity in PKCE mode/);
    assert.equal(await tabA.locator('#session [data-token="Backstage token"]').count(), 0);
    assert.match(await tabA.locator(pkceRow).innerText(), /jane@example\.com/);
    const claims = await idTokenClaims(tabA);
    assert.equal(claims.sub, 'jane@example.com');
    assert.equal(claims.aud, 'spa');
    await tabA.click('#session [data-token="ID token"] summary');
    const shown = await tabA.locator('#session [data-token="ID token"] .claims').innerText();
    assert.match(shown, /sub\s+jane@example\.com/);
    // Straight to the IdP: discovery, /auth, the code exchange at /token; nothing to Backstage's /api/auth.
    assert.ok(pkceRequests.some(r => r.port === '7010' && r.path === '/.well-known/openid-configuration'), JSON.stringify(pkceRequests));
    assert.ok(pkceRequests.some(r => r.port === '7010' && r.method === 'POST' && r.path === '/token'), JSON.stringify(pkceRequests));
    assert.deepEqual(pkceRequests.filter(r => r.port === '7007' && r.path.startsWith('/api/auth/')), []);
    // Refresh now: a valid access token is served from the session, no request.
    const tokensBefore = pkceRequests.filter(r => r.path === '/token').length;
    await tabA.click('#session [data-action="refresh"]');
    await tabA.waitForFunction(() => window.demo.events.some(e => /getAccessToken\(\)/.test(e.text) && e.src === 'OIDC · PKCE'));
    const ev = await tabA.evaluate(() => window.demo.events.filter(e => /getAccessToken\(\)/.test(e.text)).at(-1));
    assert.match(ev.text, /cached session, no request/);
    assert.equal(pkceRequests.filter(r => r.path === '/token').length, tokensBefore);
    await tabA.waitForTimeout(600);
    await fullShot(tabA, '08-pkce-signed-in');
  });

  test('a second tab: the PKCE session is there, sign-out and sign-in follow across tabs', async () => {
    assert.ok(tabA, 'the PKCE sign-in step ran');
    const tabB = await pkceCtx.newPage();
    tabB.on('pageerror', e => console.error('[tab B page error]', e));
    let popupsInB = 0;
    tabB.on('popup', () => { popupsInB++; });
    const t0 = Date.now();
    await tabB.goto(`${demo.app}/?theme=light`);
    await tabB.waitForSelector('html[data-ready="true"]');
    // The session (localStorage) is there at once: no popup, no token request, the same sub.
    await tabB.waitForSelector(`${pkceRow}[data-state="SignedIn"]`, { timeout: 10_000 });
    await tabB.click(pkceRow);
    await tabB.waitForSelector('#session [data-field="sub"]');
    timings.pkceSecondTabMs = Date.now() - t0;
    assert.equal((await tabB.locator('#session [data-field="sub"]').innerText()).trim(), 'jane@example.com');
    assert.deepEqual(await idTokenClaims(tabB), await idTokenClaims(tabA), 'the same ID token in both tabs');
    // The Backstage cards keep their per-tab (sessionStorage) state: signed out in a new tab.
    assert.equal(await tabB.getAttribute(providerRow('oidc'), 'data-state'), 'SignedOut');

    // Sign-out in B → A is signed out (BroadcastChannel), and the refresh token is revoked.
    const t1 = Date.now();
    await tabB.click(`#session [data-action="sign-out"]`);
    await tabB.waitForSelector(`${pkceRow}[data-state="SignedOut"]`);
    await tabA.waitForSelector(`${pkceRow}[data-state="SignedOut"]`, { timeout: 10_000 });
    timings.pkceCrossTabSignOutMs = Date.now() - t1;
    await tabA.waitForFunction(() => window.demo.events.some(e => e.src === 'OIDC · PKCE' && /SignedOut/.test(e.text)));
    const revoked = () => pkceRequests.some(r => r.port === '7010' && r.method === 'POST' && /revo/.test(r.path));
    for (const deadline = Date.now() + 15_000; !revoked() && Date.now() < deadline;) await tabB.waitForTimeout(100);
    assert.ok(revoked(), `the refresh token is revoked at the IdP: ${JSON.stringify(pkceRequests)}`);

    // Sign-in in A (the IdP session exists: no login page; the revocation ended the grant, so the
    // IdP may ask for consent again) → B follows, without a popup in B.
    const t2 = Date.now();
    const { steps } = await signInPopup(tabA, () => tabA.click(`${pkceRow} [data-action="sign-in"]`), 'jane@example.com');
    assert.ok(!steps.includes('login'), `no IdP login the second time: ${steps}`);
    await tabA.waitForSelector(`${pkceRow}[data-state="SignedIn"]`, { timeout: 15_000 });
    await tabB.waitForSelector(`${pkceRow}[data-state="SignedIn"]`, { timeout: 10_000 });
    await tabB.waitForSelector('#session [data-field="sub"]');
    timings.pkceCrossTabSignInMs = Date.now() - t2;
    assert.equal(popupsInB, 0, 'no popup in the second tab');
    assert.equal((await tabB.locator('#session [data-field="sub"]').innerText()).trim(), 'jane@example.com');
    assert.deepEqual(await idTokenClaims(tabB), await idTokenClaims(tabA), 'B got A\'s new session');
    await tabB.click('#session [data-token="ID token"] summary');
    await tabB.waitForTimeout(600);
    await fullShot(tabB, '09-pkce-second-tab');
    const failed = pkceRequests.filter(r => r.status >= 400);
    if (failed.length) console.log(`# IdP/backend requests that failed in the PKCE context: ${JSON.stringify(failed)}`);
    await pkceCtx.close();
  });

  // The "Session lifecycle" area (www/lifecycle.js): issue 14's four sections, driven by their
  // buttons in one fresh context, with 20 s IdP tokens so that refreshes come within seconds.
  let lc; // { ctx, page, popups }
  const lcRow = (key, cell) => lc.page.locator(`#lc-table tr[data-lc-client="${key}"] [data-lc="${cell}"]`).innerText();
  const lcWait = (key, cell, re, timeout = 20_000) => lc.page.waitForFunction(([k, c, src]) =>
    new RegExp(src).test(document.querySelector(`#lc-table tr[data-lc-client="${k}"] [data-lc="${c}"]`)?.textContent ?? ''),
    [key, cell, re.source], { timeout });
  const refreshCount = async () => (await (await fetch(`${demo.backend}/__stack/counts`)).json()).counts['oidc/refresh'] ?? 0;

  test('lifecycle 1: a /refresh without an answer keeps the session, past its expiry; a wake-up refreshes it', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 960 }, ...STILL });
    const p = await ctx.newPage();
    lc = { ctx, page: p, popups: 0 };
    p.on('pageerror', e => console.error('[lifecycle page error]', e));
    await p.goto(`${demo.app}/?theme=light#lifecycle`);
    await p.waitForSelector('html[data-ready="true"]');
    assert.match(await p.locator('.nav-item[href="#lifecycle"]').innerText(), /Session lifecycle/);
    for (const n of [1, 2, 3, 4]) assert.match(await p.locator(`[data-lc-step="${n}"] .lc-num`).innerText(), new RegExp(`^${n}$`));
    assert.equal(await lcRow('oidc', 'ended'), 'initial');
    // Set-up: 20 s IdP tokens, signed in through the popup.
    const { steps } = await signInPopup(p, () => p.click('[data-lc-action="short-session"]'), 'jane@example.com');
    assert.deepEqual(steps, ['login', 'consent']);
    p.on('popup', () => { lc.popups++; });
    await p.waitForSelector(`${providerRow('oidc')}[data-state="SignedIn"]`);
    assert.equal(await lcRow('oidc', 'status'), 'signedIn');
    assert.match(await lcRow('oidc', 'expires'), /^in 0:(1\d|20)$/, 'a 20 s session');
    assert.match(await lcRow('oidc', 'next'), /^in 0:0\d$/, 'the background refresh is seconds away');

    // The backend stops answering: the background refresh fails as `network`, the session stays.
    await p.click('[data-lc-action="backend-down"]');
    await lcWait('oidc', 'failure', /^network · AuthConnectionError$/);
    assert.equal(await lcRow('oidc', 'status'), 'signedIn');
    assert.match(await lcRow('oidc', 'next'), /none after a failure/);
    assert.equal(await p.getAttribute('#session-notice', 'data-kind'), 'info');
    assert.match(await p.locator('#session-notice').innerText(), /Cannot reach the OIDC auth backend\. Your session is kept/);
    assert.equal(await p.locator('#session-notice [data-action="sign-in-again"]').count(), 0, 'nothing to do for the user');
    // Past its expiry, still kept: no sign-out, no popup.
    await lcWait('oidc', 'expires', /^expired 0:(0[2-9]|[1-5]\d) ago · kept$/, 30_000);
    assert.equal(await lcRow('oidc', 'status'), 'signedIn');
    assert.equal(await p.getAttribute(providerRow('oidc'), 'data-state'), 'SignedIn');
    assert.equal(lc.popups, 0);
    await fullShot(p, '11-lifecycle-1-network');

    // The backend answers again; a wake-up (focus) refreshes the session by itself: one /refresh.
    await p.click('[data-lc-action="backend-down"]');
    const before = await refreshCount();
    await p.click('[data-lc-action="wake"]');
    await lcWait('oidc', 'failure', /^— \(last: network at /, 10_000);
    assert.match(await lcRow('oidc', 'expires'), /^in 0:\d\d$/);
    assert.notEqual(await lcRow('oidc', 'renewed'), '—');
    assert.ok(await refreshCount() > before, 'the wake-up went to /refresh');
    assert.equal(await p.locator('#session-notice').isHidden(), true);
    assert.equal(lc.popups, 0);
  });

  test('lifecycle 2: a refused refresh shows a notice with a countdown; "Sign in again" signs in in place', async () => {
    assert.ok(lc, 'lifecycle 1 ran');
    const p = lc.page;
    await p.fill('#lc-draft', 'a draft that survives');
    await p.evaluate(() => { window.__notReloaded = true; });
    const url = p.url();
    await p.click('[data-lc-action="clear-cookie"]');
    await p.waitForSelector('#session-notice[data-kind="warn"]', { timeout: 20_000 });
    assert.match(await p.locator('#session-notice').innerText(),
      /^Your OIDC session ends in \d+:\d\d — it could not be renewed \(AuthenticationError\)\. Sign in again to keep working/);
    assert.equal(await lcRow('oidc', 'failure'), 'refused · AuthenticationError');
    assert.equal(await lcRow('oidc', 'status'), 'signedIn', 'served until it expires');
    // Seen in the dark theme.
    await p.click('#theme-toggle');
    await p.waitForSelector('html[data-theme="dark"]');
    await fullShot(p, '12-lifecycle-2-refused');
    await p.click('#theme-toggle');
    await p.waitForSelector('html[data-theme="light"]');
    // Sign in again: a popup (the IdP session is still there), the same page.
    await signInPopup(p, () => p.click('#session-notice [data-action="sign-in-again"]'), 'jane@example.com');
    lc.popups--; // that one was asked for
    await p.waitForSelector('#session-notice', { state: 'hidden', timeout: 15_000 });
    await lcWait('oidc', 'failure', /^— \(last: refused at /, 10_000);
    assert.equal(await lcRow('oidc', 'status'), 'signedIn');
    assert.equal(await p.inputValue('#lc-draft'), 'a draft that survives');
    assert.equal(await p.evaluate(() => window.__notReloaded), true, 'no reload');
    assert.equal(p.url(), url, 'no navigation');
    assert.match(await p.locator('[data-lc-result="2"]').innerText(), /Signed in again in the popup/);

    // Refused again and left alone: served until expiresAt, then ended there by the clients
    // themselves, no call needed. The three OIDC clients of this page are "tabs" of one provider:
    // whichever's timer fires first ends it as `expired` (with the backend's error) and tells the
    // others, which say `expired` too: never "signed out in another tab" for an expiry.
    await p.click('[data-lc-action="clear-cookie"]');
    await lcWait('oidc', 'failure', /^refused · AuthenticationError$/);
    await lcWait('oidc', 'status', /^signedOut$/, 40_000);
    const ended = await p.locator('#lc-table [data-lc="ended"]').allInnerTexts();
    assert.ok(ended.includes('expired · AuthenticationError'), `one client ended it as expired: ${JSON.stringify(ended)}`);
    assert.ok(!ended.includes('otherTab'), `the others say expired, not otherTab: ${JSON.stringify(ended)}`);
    assert.ok(['error', 'info'].includes(await p.getAttribute('#session-notice', 'data-kind')), 'a notice says it ended');
    assert.equal(lc.popups, 0, 'no popup at expiry');
    await signInPopup(p, () => p.click('#session-notice [data-action="sign-in-again"]'), 'jane@example.com');
    lc.popups--;
    await p.waitForSelector('#session-notice', { state: 'hidden', timeout: 15_000 });
    await lcWait('oidc', 'status', /^signedIn$/, 10_000);
    assert.equal(await p.evaluate(() => window.__notReloaded), true, 'no reload');
  });

  test('lifecycle 3: per call redirect and a blocked popup both come back to the exact URL', async () => {
    assert.ok(lc, 'lifecycle 1 ran');
    const p = lc.page;
    // Sign out first: the lifecycle says why it ended.
    await p.click(`${providerRow('oidc')} [data-action="sign-out"]`);
    await lcWait('oidc', 'ended', /^signOut$/, 10_000);
    const deep = `${demo.app}/?theme=light&from=deep-link#lifecycle-3`;
    await p.goto(deep);
    await p.waitForSelector('html[data-ready="true"]');
    const startsBefore = (await (await fetch(`${demo.backend}/__stack/requests`)).json()).filter(r => r.route === 'start').length;
    await p.click('[data-lc-action="redirect"]');
    await p.waitForURL(u => u.port === '7010', { waitUntil: 'commit' });
    await completeIdpLogin(p, 'jane@example.com');
    await p.waitForURL(deep, { timeout: 15_000 });
    await p.waitForSelector('html[data-ready="true"]');
    await p.waitForSelector(`${providerRow('oidc')}[data-state="SignedIn"]`, { timeout: 15_000 });
    assert.equal(p.url(), deep, 'back on the exact URL, hash included');
    assert.equal(await p.locator('[data-lc="url"]').innerText(), '/?theme=light&from=deep-link#lifecycle-3');
    assert.equal(await p.locator('[data-lc="back-url"]').innerText(), deep, 'the page tells where it came back to');
    assert.equal(lc.popups, 0, 'no popup: the call asked for the redirect');
    const start = (await (await fetch(`${demo.backend}/__stack/requests`)).json()).filter(r => r.route === 'start').slice(startsBefore).at(-1);
    assert.equal(new URLSearchParams(start.query).get('flow'), 'redirect');
    assert.equal(new URLSearchParams(start.query).get('redirectUrl'), deep);
    await lcWait('oidc', 'status', /^signedIn$/);
    await fullShot(p, '13-lifecycle-3-redirect');

    // A real popup blocker: Chromium without Playwright's --disable-popup-blocking blocks the
    // popup of a sign-in without a click; redirectWhenPopupBlocked leaves for the redirect.
    const blocking = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS],
      ignoreDefaultArgs: ['--disable-popup-blocking'] });
    try {
      const b = await (await blocking.newContext({ viewport: { width: 1440, height: 960 }, ...STILL })).newPage();
      let popups = 0;
      b.on('popup', () => { popups++; });
      const deep2 = `${demo.app}/?theme=light&from=blocked#lifecycle-3`;
      await b.goto(deep2);
      await b.waitForSelector('html[data-ready="true"]');
      await b.click('[data-lc-action="on-load"]');
      await b.waitForURL(u => u.port === '7010', { waitUntil: 'commit', timeout: 15_000 });
      await completeIdpLogin(b, 'john@example.com');
      await b.waitForURL(deep2, { timeout: 15_000 });
      await b.waitForSelector(`${providerRow('oidc')}[data-state="SignedIn"]`, { timeout: 15_000 });
      await b.waitForSelector('#session [data-field="userEntityRef"]');
      assert.equal(await b.locator('#session [data-field="userEntityRef"]').innerText(), 'user:default/john');
      assert.equal(b.url(), deep2);
      assert.equal(popups, 0, 'the popup was blocked, not opened');
      const s2 = (await (await fetch(`${demo.backend}/__stack/requests`)).json()).filter(r => r.route === 'start').at(-1);
      assert.equal(new URLSearchParams(s2.query).get('flow'), 'redirect');
      assert.equal(new URLSearchParams(s2.query).get('redirectUrl'), deep2);
    } finally {
      await blocking.close();
    }
  });

  test('lifecycle 4: PKCE sign-out with postLogoutRedirectUri ends the IdP session too', async () => {
    assert.ok(lc, 'lifecycle 1 ran');
    const p = lc.page;
    assert.equal(await p.locator('[data-lc-action="rp-logout"]').isDisabled(), true, 'needs a PKCE session');
    await signInPopup(p, () => p.click(`${providerRow('pkce')} [data-action="sign-in"]`), 'jane@example.com');
    lc.popups--;
    await p.waitForSelector(`${providerRow('pkce')}[data-state="SignedIn"]`, { timeout: 15_000 });
    await p.click('[data-lc-action="rp-logout"]');
    await p.waitForURL(u => u.port === '7010' && u.pathname === '/session/end', { timeout: 10_000 });
    const end = new URL(p.url());
    assert.equal(end.searchParams.get('post_logout_redirect_uri'), `${demo.app}/`);
    assert.equal(end.searchParams.get('client_id'), 'spa');
    assert.ok(end.searchParams.get('id_token_hint'), 'id_token_hint');
    // oidc-provider asks whether to sign out of the IdP.
    await p.click('button[name=logout][value=yes]');
    await p.waitForURL(`${demo.app}/`, { timeout: 10_000 });
    await p.waitForSelector('html[data-ready="true"]');
    assert.match(await p.locator('[data-lc-result="4"]').innerText(), /Back from the IdP's end_session_endpoint/);
    assert.equal(await p.getAttribute(providerRow('pkce'), 'data-state'), 'SignedOut');
    assert.equal(await lcRow('pkce', 'status'), 'signedOut');
    await fullShot(p, '14-lifecycle-4-sign-out');
    // The IdP's own session ended: signing in again asks for the password.
    const { steps } = await signInPopup(p, () => p.click(`${providerRow('pkce')} [data-action="sign-in"]`), 'jane@example.com');
    assert.equal(steps[0], 'login', JSON.stringify(steps));
    await p.waitForSelector(`${providerRow('pkce')}[data-state="SignedIn"]`, { timeout: 15_000 });
    await p.click('[data-lc-action="ttl-reset"]');
    await p.waitForSelector('[data-lc="ttl"]');
    assert.equal(await p.locator('[data-lc="ttl"]').innerText(), '3600 s');
    await lc.ctx.close();
  });

  test('narrow screens get a compact layout', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, ...STILL });
    const p3 = await ctx.newPage();
    await p3.goto(`${demo.app}/?theme=light`);
    await p3.waitForSelector('html[data-ready="true"]');
    const overflow = await p3.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
    await p3.screenshot({ path: path.join(OUT, '07-narrow.png') });
    await ctx.close();
  });

  test('Ctrl-C stops the demo and frees every port', async () => {
    await browser.close();
    const t0 = Date.now();
    const code = await stopDemo('SIGINT');
    timings.stopMs = Date.now() - t0;
    assert.equal(code, 130, demo.output().split('\n').slice(-15).join('\n'));
    assert.match(demo.output(), /\[demo\] stopped\./);
    for (const p of PORTS) assert.equal(await portOpen(p), false, `port ${p} still open after Ctrl-C`);
  });
});
