// End-to-end in Firefox: OUR client (pkg/) in headless Debian firefox-esr (selenium-webdriver +
// geckodriver) against the real stack. Firefox matters for the popup: it spins a nested event
// loop inside window.open, and its popup blocker is on (a click is needed; executeScript is no
// gesture). One Firefox for the whole file (it takes 5-15 s to start on 2 busy cores): the tests
// run in order and each builds on the browser state the previous ones left (said in each test).
// Run: tests/e2e/run tests/e2e/client-firefox.test.mjs
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchFirefox, completeIdpLoginWd, firefoxMissing } from './stack/firefox.mjs';
import { withStack, startClientApp, sleepPastExpiry, startQuery, waitFor, STORAGE_KEY } from './fixtures/app.mjs';
import { ok, failed, wireOf } from './fixtures/checks.mjs';
import { loadInFirefox, openAppInFirefox } from './fixtures/firefox-app.mjs';

const T = { timeout: 90_000 };
const JANE = 'jane@example.com';
const missing = firefoxMissing();

let app;
let stack;
let ff;
withStack({ startApp: startClientApp, launch: launchFirefox, skip: !!missing, name: 'client-firefox.test.mjs' },
  env => ({ app, stack, browser: ff } = env));

// ---------------------------------------------------------------------------------------------

const oidc = (extra = {}) => ({ provider: { id: 'oidc', title: 'OIDC' }, authBaseUrl: stack.authBase, ...extra });

/** The app (re)loaded at `path` in the main window, with an empty sessionStorage. */
async function withFirefox(fn, { path = '/' } = {}) {
  await openAppInFirefox(ff, app.origin, path);
  return fn(ff);
}

const load = loadInFirefox;

const js = (ff, body, ...args) => ff.driver.executeScript(body, ...args);
const make = (ff, name, options) => js(ff, 'return window.e2e.make(arguments[0], arguments[1])', name, options);
const call = (ff, name, method, ...args) =>
  js(ff, 'return window.e2e.call(arguments[0], arguments[1], ...arguments[2])', name, method, args);
const states = (ff, name = 'main') => js(ff, 'return window.e2e.states(arguments[0])', name);
const storage = ff => js(ff, 'return window.e2e.storage()');
const settle = (ff, id) => js(ff, 'return window.e2e.settle(arguments[0])', id);

const wire = provider => wireOf(stack, provider);

/** Clicks #signin (a real user gesture: client 'main' signs in) and completes the IdP in the popup. */
async function clickSignIn(ff, email) {
  await ff.driver.findElement(ff.By.id('signin')).click();
  const popup = await ff.waitForNewWindow();
  const r = await completeIdpLoginWd(ff, popup, email);
  return { ...r, popup, result: await settle(ff, 'click') };
}

// ---------------------------------------------------------------------------------------------

describe('client e2e in Firefox (real backend + IdP)', { skip: missing ?? false }, () => {
  test("no user gesture: Firefox's own popup blocker -> PopupRejectedError, no window", T, async () => {
    // Fresh browser: no cookies, no IdP session.
    stack.resetCounts();
    const auto = encodeURIComponent(JSON.stringify(oidc()));
    await withFirefox(async ff => {
      failed(await settle(ff, 'auto'), 'PopupRejectedError');
      assert.equal((await ff.driver.getAllWindowHandles()).length, 1, 'no window opened');
      assert.deepEqual(wire('oidc'), ['GET refresh 401']);
      assert.deepEqual(await states(ff, 'auto'), ['SignedOut']);
    }, { path: `/?autostart=${auto}` });
  });

  test('popup closed by the user (on the IdP login page) -> PopupClosedError', T, async () => {
    stack.resetCounts();
    await withFirefox(async ff => {
      await make(ff, 'main', oidc());
      await ff.driver.findElement(ff.By.id('signin')).click();
      const popup = await ff.waitForNewWindow();
      await ff.driver.switchTo().window(popup);
      await ff.driver.wait(ff.until.elementLocated(ff.By.css('input[name=login]')), 10_000);
      await ff.driver.close();
      // From the moment the window is gone (WebDriver's close returns then; on a busy machine
      // the close itself can take a while, and that is not the client's lag).
      const closedAt = Date.now();
      await ff.main();
      const r = await settle(ff, 'click');
      assert.equal(failed(r, 'PopupClosedError').message, 'Login failed, popup was closed');
      assert.ok(Date.now() - closedAt < 3000);
      assert.deepEqual(await states(ff), ['SignedOut']);
      assert.deepEqual(wire('oidc'), ['GET refresh 401', 'GET start 302']);
    });
  });

  test('popup sign-in through the IdP after a click: SignedIn + identity; reload keeps it; sign-out', T, async () => {
    // No IdP session yet (the previous popup was closed on the login page): login + consent.
    stack.resetCounts();
    await withFirefox(async ff => {
      await make(ff, 'main', oidc());
      assert.deepEqual(await states(ff), ['SignedOut']);
      const { steps, closed, result, popup } = await clickSignIn(ff, JANE);
      assert.deepEqual(steps, ['login', 'consent']);
      assert.equal(closed, true, 'the popup is gone');
      ok(result);
      assert.deepEqual(await states(ff), ['SignedOut', 'SignedIn']);
      const id = ok(await call(ff, 'main', 'getBackstageIdentity'));
      assert.equal(id.identity.userEntityRef, 'user:default/jane');
      assert.deepEqual([...id.identity.ownershipEntityRefs].sort(), ['group:default/team-a', 'user:default/jane']);
      assert.match(id.token, /^eyJ/);
      const profile = ok(await call(ff, 'main', 'getProfile'));
      assert.equal(profile.email, JANE);
      assert.equal(profile.displayName, 'Jane Doe');
      const token = ok(await call(ff, 'main', 'getAccessToken'));
      assert.equal(typeof token, 'string');
      assert.deepEqual(wire('oidc'), ['GET refresh 401', 'GET start 302', 'GET handler/frame 200']);
      const q = startQuery(stack.requests().find(r => r.route === 'start'));
      assert.equal(q.origin, app.origin);
      assert.equal(q.flow, 'popup');
      assert.equal((await ff.driver.getAllWindowHandles()).length, 1);
      assert.ok(!(await ff.isOpen(popup)));

      // Reload: served from sessionStorage, nothing on the wire, no popup.
      stack.resetCounts();
      await ff.driver.navigate().refresh();
      await load(ff, null);
      await make(ff, 'main', oidc());
      assert.deepEqual(await states(ff), ['SignedIn']);
      assert.equal(ok(await call(ff, 'main', 'getAccessToken')), token);
      assert.deepEqual(wire('oidc'), []);
      assert.equal((await ff.driver.getAllWindowHandles()).length, 1);

      // Sign-out.
      ok(await call(ff, 'main', 'signOut'));
      assert.deepEqual(await states(ff), ['SignedIn', 'SignedOut']);
      assert.deepEqual(wire('oidc'), ['POST logout 200']);
      assert.equal((await storage(ff))[STORAGE_KEY('oidc')], undefined);
      const r = await js(ff, 'return window.e2e.plainFetch(arguments[0])', `${stack.authBase}/oidc/refresh?env=development`);
      assert.equal(r.status, 401, 'the refresh cookie is gone');
    });
  });

  test('refresh after expiry: 20 concurrent getAccessToken() -> one /refresh, one new token', T, async () => {
    await stack.setAccessTokenTtl(4);
    try {
      await withFirefox(async ff => {
        await make(ff, 'main', oidc({ refreshMarginSeconds: 1, backgroundRefresh: false }));
        // Signed out at the backend (which revoked the refresh token and with it the IdP grant),
        // but the IdP session remains: consent only, no login form.
        const { result, steps } = await clickSignIn(ff, JANE);
        ok(result);
        assert.deepEqual(steps, ['consent']);
        const first = ok(await call(ff, 'main', 'getAccessToken'));
        // Past the real expiry of the session that served `first` (WebDriver round trips on a busy
        // machine may eat the 3 s before the margin, and then `first` came from a refresh).
        await sleepPastExpiry((await storage(ff))[STORAGE_KEY('oidc')]);
        stack.resetCounts();
        const results = await js(ff, 'return window.e2e.burst(arguments[0], 20)', 'main');
        for (const r of results) assert.equal(r.ok, true, JSON.stringify(r));
        const tokens = new Set(results.map(r => r.value));
        assert.equal(tokens.size, 1);
        assert.notEqual([...tokens][0], first);
        assert.deepEqual(wire('oidc'), ['GET refresh 200']);
        assert.deepEqual(await states(ff), ['SignedOut', 'SignedIn']);
      });
    } finally {
      await stack.setAccessTokenTtl();
    }
  });

  test('guest (flow proxy) and oauth2Proxy sign in without any popup', T, async () => {
    stack.resetCounts();
    await withFirefox(async ff => {
      await make(ff, 'guest', { provider: { id: 'guest' }, flow: 'proxy', authBaseUrl: stack.authBase });
      ok(await call(ff, 'guest', 'signIn'));
      assert.equal(ok(await call(ff, 'guest', 'getBackstageIdentity')).identity.userEntityRef, 'user:development/guest');
      await make(ff, 'proxy', { provider: { id: 'oauth2Proxy' }, flow: 'proxy', authBaseUrl: stack.authBase });
      assert.equal(ok(await call(ff, 'proxy', 'getBackstageIdentity')).identity.userEntityRef, 'user:default/jane');
      assert.deepEqual(wire('guest'), ['GET refresh 200']);
      assert.deepEqual(wire('oauth2Proxy'), ['GET refresh 200']);
      assert.equal((await ff.driver.getAllWindowHandles()).length, 1);
    });
  });

  test('background refresh (default on) and lifecycle$ in Firefox: renewed before the margin, no call past the cache; a refused renewal is told before any call', T, async () => {
    // 8 s tokens, default margin: renewed in the background 3 s after each arrival.
    await stack.setAccessTokenTtl(8);
    try {
      await withFirefox(async ff => {
        // Jane's refresh cookie is left from the refresh test above: signed in from it, no popup.
        await make(ff, 'main', oidc());
        ok(await call(ff, 'main', 'signIn'));
        stack.resetCounts();
        const calls = (await js(ff, 'return window.e2e.steadyCalls("main", 8000)')).map(c => c.cached);
        assert.equal(calls.filter(c => !c).length, 0, 'every call answered from the cache');
        assert.ok(stack.count('oidc', 'refresh') >= 2, `renewed in the background: ${stack.count('oidc', 'refresh')} /refresh`);
        const life = (await js(ff, 'return window.e2e.lifecycles("main")')).at(-1);
        assert.equal(life.status, 'signedIn');
        assert.ok(life.expiresAt > life.at, 'an expiry ahead');
        // The refresh cookie gone: the next background renewal is refused and lifecycle$ says so.
        await ff.driver.manage().deleteAllCookies();
        await js(ff, 'return window.e2e.plainFetch(arguments[0], "POST")', `${stack.authBase}/oidc/logout?env=development`);
        await waitFor(async () => (await js(ff, 'return window.e2e.lifecycles("main")')).at(-1).refreshFailed,
          { timeout: 10_000, what: 'the refused renewal' });
        const warned = (await js(ff, 'return window.e2e.lifecycles("main")')).at(-1);
        assert.equal(warned.refreshFailed.reason, 'refused');
        assert.deepEqual(await states(ff), ['SignedOut', 'SignedIn'], 'still served until it expires');
      });
    } finally {
      await stack.setAccessTokenTtl();
    }
  });
});
