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
import { completeIdpLogin, launchBrowser, signInPopup } from '../e2e/stack/browser.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'tests/demo/out');
const PORTS = [3000, 3001, 7007, 7010, 7017];
const READY_TIMEOUT_MS = Number(process.env.DEMO_READY_TIMEOUT_MS ?? 15 * 60_000); // may include a build

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
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 960 } });
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
    assert.equal(await page.locator('li.provider').count(), 6);
    for (const key of ['oidc', 'oidc-fullscreen', 'oidc-redirect', 'spectrocloud', 'guest', 'oauth2proxy']) {
      assert.equal(await page.getAttribute(providerRow(key), 'data-state'), 'SignedOut', key);
    }
    // The iframe is on the other origin and got the light theme from ThemeHost.
    const frame = page.frameLocator('#theme-frame');
    await frame.locator('#status').filter({ hasText: 'backstage-light' }).waitFor({ timeout: 15_000 });
    assert.match(await text('#hdr-wasm'), /KB/);
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
    await page.waitForTimeout(1200); // let the countdown tick and the log settle
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
    assert.match(await text('#hdr-signed'), /^4 of 6/);
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
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 960 } });
    const p2 = await ctx.newPage();
    await p2.goto(`${demo.app}/?theme=light`);
    await p2.waitForSelector('html[data-ready="true"]');
    await signInPopup(p2, () => p2.click(`${providerRow('spectrocloud')} [data-action="sign-in"]`), 'stranger@example.com');
    await p2.waitForSelector('#session .alert', { timeout: 15_000 });
    const alert = await p2.locator('#session .alert').innerText();
    assert.match(alert, /AuthResponseError/);
    assert.match(alert, /unable to resolve user identity/);
    assert.equal(await p2.getAttribute(providerRow('spectrocloud'), 'data-state'), 'SignedOut');
    const errorEvents = await p2.evaluate(() => window.demo.events.filter(e => e.kind === 'error').map(e => e.text));
    assert.ok(errorEvents.some(t => /AuthResponseError/.test(t)), errorEvents.join('\n'));
    await fullShot(p2, '06-stranger-error');
    await ctx.close();
  });

  test('the redirect flow leaves for the IdP and comes back signed in', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 960 } });
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

  test('narrow screens get a compact layout', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
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
