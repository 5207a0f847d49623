// End-to-end in Firefox for the flows that differ across browsers (client-firefox.test.mjs has the
// popup flow): the redirect flow (the whole window leaves for the IdP and comes back), a failed
// redirect sign-in (the backend sends the window to app.baseUrl?error=), extra scopes (a second
// popup, which needs a user gesture in Firefox) and a tampered stored session. OUR client (pkg/)
// in headless Debian firefox-esr (selenium-webdriver + geckodriver) against the real stack.
// One Firefox for the whole file (it takes 5-15 s to start on 2 busy cores). The tests run in
// order and share that browser's cookies (app, backend and IdP are all on 127.0.0.1); each one
// says what it expects of the state the previous ones left, and sets up what it needs itself
// (a click sign-in that completes the IdP when a popup opens, a sign-out, an IdP sign-out).
// Run: tests/e2e/run tests/e2e/flows-firefox.test.mjs
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchFirefox, completeIdpLoginWd, firefoxMissing } from './stack/firefox.mjs';
import { withStack, startClientApp, waitFor, startQuery, STORAGE_KEY } from './fixtures/app.mjs';
import { ok, failedByBackend, wireOf, startRequestsOf } from './fixtures/checks.mjs';
import { loadInFirefox, openAppInFirefox } from './fixtures/firefox-app.mjs';

const T = { timeout: 120_000 };
const JANE = 'jane@example.com';
const STRANGER = 'stranger@example.com';
const WAIT = 30_000; // bounded waits: generous for a loaded 2-core machine
const missing = firefoxMissing();

let app;
let stack;
let ff;
withStack({ startApp: startClientApp, launch: launchFirefox, skip: !!missing, name: 'flows-firefox.test.mjs' },
  env => ({ app, stack, browser: ff } = env));

// ---------------------------------------------------------------------------------------------
// Helpers

const oidc = (extra = {}) => ({ provider: { id: 'oidc', title: 'OIDC' }, authBaseUrl: stack.authBase, ...extra });

/** Only the main window left, the app loaded at `path` with an empty sessionStorage. */
async function withFirefox(fn, { path = '/' } = {}) {
  await openAppInFirefox(ff, app.origin, path);
  return fn();
}

const load = url => loadInFirefox(ff, url, { timeout: WAIT });

const js = (body, ...args) => ff.driver.executeScript(body, ...args);
const make = (name, options) => js('return window.e2e.make(arguments[0], arguments[1])', name, options);
const call = (name, method, ...args) =>
  js('return window.e2e.call(arguments[0], arguments[1], ...arguments[2])', name, method, args);
const states = (name = 'main') => js('return window.e2e.states(arguments[0])', name);
const storage = () => js('return window.e2e.storage()');
const settle = id => js('return window.e2e.settle(arguments[0])', id);
const windows = async () => (await ff.driver.getAllWindowHandles()).length;
const currentUrl = async () => new URL(await ff.driver.getCurrentUrl());

const wire = provider => wireOf(stack, provider);
const startRequests = provider => startRequestsOf(stack, provider);

/** Waits (bounded) until the main window's URL satisfies `pred`; returns it. */
async function waitForUrl(pred, what) {
  await ff.main();
  return waitFor(async () => { const u = await currentUrl(); return pred(u) && u; }, { timeout: WAIT, interval: 50, what });
}

/**
 * Calls `method` on client `name` from a click on a button added to the page: a real user
 * gesture, so Firefox's popup blocker lets the client's window.open through (executeScript is
 * no gesture). The call is not awaited: its result is settle(id).
 */
async function clickToCall(id, name, method, ...args) {
  await js(`
    const [id, name, method, args] = arguments;
    let b = document.getElementById('e2e-gesture');
    if (!b) {
      b = document.createElement('button');
      b.id = 'e2e-gesture';
      b.type = 'button';
      b.textContent = 'call';
      document.body.appendChild(b);
    }
    b.onclick = () => { window.e2e.start(id, name, method, ...args); };
    return true;`, id, name, method, args);
  await ff.driver.findElement(ff.By.id('e2e-gesture')).click();
}

/**
 * Clicks #signin (client 'main' signs in). With a refresh cookie the client signs in silently;
 * otherwise a popup opens and the IdP is completed in it as `email`. Returns { popup, steps, result }.
 */
async function signInByClick(email) {
  await ff.driver.findElement(ff.By.id('signin')).click();
  const popup = await waitFor(async () => {
    const fresh = (await ff.driver.getAllWindowHandles()).filter(h => h !== ff.mainHandle);
    if (fresh.length) return fresh[0];
    return (await js('return window.e2e.isSettled("click")')) ? 'none' : null;
  }, { timeout: WAIT, interval: 50, what: 'a popup or a silent sign-in' });
  if (popup === 'none') return { popup: false, steps: [], result: await settle('click') };
  const { steps } = await completeIdpLoginWd(ff, popup, email, { timeoutMs: WAIT });
  return { popup: true, steps, result: await settle('click') };
}

/** Ends the IdP session (oidc-provider's end_session page, "Yes, sign me out"): the next sign-in shows the login form. */
async function endIdpSession() {
  await ff.main();
  await ff.driver.get(`${stack.idpUrl}/session/end`);
  await ff.driver.wait(ff.until.elementLocated(ff.By.css('button[name=logout][value=yes]')), WAIT);
  await ff.driver.findElement(ff.By.css('button[name=logout][value=yes]')).click();
  await waitFor(async () => (await js('return document.title')) === 'Sign-out Success',
    { timeout: WAIT, interval: 50, what: 'the IdP sign-out page' });
}

/**
 * The redirect flow's trip: client `name` calls signIn() (not awaited: the window leaves), the
 * main window reaches the IdP, its pages are completed as `email`, and the window leaves the IdP.
 * Returns the IdP steps.
 */
async function redirectSignIn(name, email) {
  await js('return window.e2e.start("redirect", arguments[0], "signIn")', name);
  await waitForUrl(u => u.origin === stack.idpUrl, 'the window at the IdP');
  const { steps, closed } = await completeIdpLoginWd(ff, ff.mainHandle, email, { idpOrigin: stack.idpUrl, timeoutMs: WAIT });
  assert.equal(closed, false, 'the main window is still there');
  return steps;
}

// ---------------------------------------------------------------------------------------------

describe('client flows in Firefox: redirect, failed redirect, extra scopes, tampered storage (real backend + IdP)',
  { skip: missing ?? false }, () => {
    test('redirect flow: the window goes to the IdP and back to redirectUrl; a new client gets the session from /refresh, no second navigation', T, async () => {
      // First test, fresh profile: no IdP session, no refresh cookie.
      await withFirefox(async () => {
        const back = `${app.origin}/back.html?from=redirect`;
        const options = oidc({ flow: 'redirect', redirectUrl: back });
        await make('main', options);
        assert.deepEqual(await states(), ['SignedOut']);
        stack.resetCounts();
        const steps = await redirectSignIn('main', JANE);
        assert.deepEqual(steps, ['login', 'consent']);
        await waitForUrl(u => u.href === back, 'the window back on redirectUrl');
        await load(null);
        assert.equal(await windows(), 1, 'no popup');
        const [start] = startRequests('oidc');
        const q = startQuery(start);
        assert.equal(q.flow, 'redirect');
        assert.equal(q.redirectUrl, back);
        assert.equal(q.origin, app.origin);
        assert.equal(q.env, 'development');
        assert.deepEqual(wire('oidc'), ['GET refresh 401', 'GET start 302', 'GET handler/frame 302']);

        // The page that came back: a new client signs in from the refresh cookie, in place.
        stack.resetCounts();
        await js('window.__e2eSamePage = true');
        await make('main', options);
        assert.deepEqual(await states(), ['SignedOut']);
        const id = ok(await call('main', 'getBackstageIdentity'));
        assert.equal(id.identity.userEntityRef, 'user:default/jane');
        assert.deepEqual([...id.identity.ownershipEntityRefs].sort(), ['group:default/team-a', 'user:default/jane']);
        assert.equal(ok(await call('main', 'getProfile')).email, JANE);
        assert.deepEqual(await states(), ['SignedOut', 'SignedIn']);
        assert.deepEqual(wire('oidc'), ['GET refresh 200']);
        assert.equal((await currentUrl()).href, back, 'no second navigation');
        assert.equal(await js('return window.__e2eSamePage === true'), true, 'the same document');
        assert.equal(JSON.parse((await storage())[STORAGE_KEY('oidc')]).session.backstage.identity.userEntityRef,
          'user:default/jane');
      });
    });

    test('extra scope: a new popup (from a click) asks for the union of scopes, consent only; cached afterwards', T, async () => {
      // The redirect test left jane's IdP session and refresh cookie: the click signs in silently.
      await withFirefox(async () => {
        await make('main', oidc());
        stack.resetCounts();
        const signIn = await signInByClick(JANE);
        ok(signIn.result);
        assert.deepEqual(await states(), ['SignedOut', 'SignedIn']);
        const before = ok(await call('main', 'getAccessToken'));
        const scopesBefore = JSON.parse((await storage())[STORAGE_KEY('oidc')]).session.provider.scopes;
        assert.ok(!scopesBefore.includes('groups'), `groups not granted yet: ${scopesBefore}`);

        stack.resetCounts();
        await clickToCall('scope', 'main', 'getAccessToken', ['groups']);
        const popup = await ff.waitForNewWindow({ timeoutMs: WAIT });
        const { steps } = await completeIdpLoginWd(ff, popup, JANE, { timeoutMs: WAIT });
        assert.deepEqual(steps, ['consent'], 'IdP session reused, only the new scope needs consent');
        const token = ok(await settle('scope'));
        assert.notEqual(token, before);
        await waitFor(async () => !(await ff.isOpen(popup)), { timeout: WAIT, what: 'the popup to close' });
        assert.equal(await windows(), 1);
        const [start] = startRequests('oidc');
        assert.equal(startQuery(start).scope, 'email groups openid profile');
        assert.equal(startQuery(start).flow, 'popup');
        assert.deepEqual(wire('oidc'), ['GET start 302', 'GET handler/frame 200']);
        const stored = JSON.parse((await storage())[STORAGE_KEY('oidc')]);
        assert.deepEqual([...stored.session.provider.scopes].sort(), ['email', 'groups', 'openid', 'profile']);
        assert.equal(stored.session.provider.accessToken, token);
        assert.deepEqual((await states()).at(-1), 'SignedIn');

        // Both the wider and the default scope are now served from the cache.
        stack.resetCounts();
        assert.equal(ok(await call('main', 'getAccessToken', ['groups', 'openid'])), token);
        assert.equal(ok(await call('main', 'getAccessToken')), token);
        assert.deepEqual(wire('oidc'), []);
        assert.equal(await windows(), 1);
      });
    });

    test('tampered sessionStorage: discarded (never trusted), SignedOut; then a silent sign-in from the cookie (one /refresh)', T, async () => {
      await withFirefox(async () => {
        await make('main', oidc());
        ok((await signInByClick(JANE)).result);
        const key = STORAGE_KEY('oidc');
        assert.equal(JSON.parse((await storage())[key]).session.backstage.identity.userEntityRef, 'user:default/jane');
        // Claim to be someone else: the record no longer matches its own Backstage token.
        await js(`
          const k = arguments[0];
          const rec = JSON.parse(sessionStorage.getItem(k));
          rec.session.backstage.identity.userEntityRef = 'user:default/admin';
          rec.session.backstage.identity.ownershipEntityRefs = ['group:default/admins'];
          sessionStorage.setItem(k, JSON.stringify(rec));`, key);
        stack.resetCounts();
        await ff.driver.navigate().refresh();
        await load(null);
        await make('main', oidc());
        assert.deepEqual(await states(), ['SignedOut'], 'the tampered record is not trusted');
        assert.equal((await storage())[key], undefined, 'and it is deleted');
        assert.deepEqual(wire('oidc'), [], 'nothing asked of the backend yet');
        const identity = ok(await call('main', 'getBackstageIdentity'));
        assert.equal(identity.identity.userEntityRef, 'user:default/jane');
        assert.ok(!identity.identity.ownershipEntityRefs.includes('group:default/admins'));
        assert.deepEqual(await states(), ['SignedOut', 'SignedIn']);
        assert.deepEqual(wire('oidc'), ['GET refresh 200']);
        assert.equal(await windows(), 1, 'no popup for the silent sign-in');
        assert.equal(JSON.parse((await storage())[key]).session.backstage.identity.userEntityRef, 'user:default/jane');

        // Garbage is discarded the same way.
        await js('sessionStorage.setItem(arguments[0], \'{"version":1,"not":"a session"\')', key);
        stack.resetCounts();
        await ff.driver.navigate().refresh();
        await load(null);
        await make('main', oidc());
        assert.deepEqual(await states(), ['SignedOut']);
        assert.equal(ok(await call('main', 'getProfile')).email, JANE);
        assert.deepEqual(await states(), ['SignedOut', 'SignedIn']);
        assert.deepEqual(wire('oidc'), ['GET refresh 200']);
        assert.equal(await windows(), 1);
      });
    });

    test('redirect flow, failed sign-in (stranger): back on app.baseUrl?error=, the next signIn() rejects once with the message, no second /start', T, async () => {
      const options = oidc({ flow: 'redirect', redirectUrl: `${app.origin}/back.html` });
      await withFirefox(async () => {
        // Jane is signed in at the backend (cookie) and at the IdP: sign out of both.
        await make('main', options);
        ok(await call('main', 'getAccessToken', undefined, { optional: true }));
        ok(await call('main', 'signOut'));
        const r = await js('return window.e2e.plainFetch(arguments[0])', `${stack.authBase}/oidc/refresh?env=development`);
        assert.equal(r.status, 401, 'the refresh cookie is gone');
      });
      await endIdpSession();

      await withFirefox(async () => {
        await make('main', options);
        stack.resetCounts();
        const steps = await redirectSignIn('main', STRANGER);
        assert.deepEqual(steps, ['login', 'consent']);
        // The backend sends failures to app.baseUrl (not redirectUrl) with only the message.
        const at = await waitForUrl(u => u.origin === app.origin && u.searchParams.has('error'), 'the window on app.baseUrl?error=');
        await load(null);
        assert.equal(at.pathname, '/');
        const backendMessage = at.searchParams.get('error');
        assert.match(backendMessage, /unable to resolve user identity/);
        assert.deepEqual(wire('oidc'), ['GET refresh 401', 'GET start 302', 'GET handler/frame 302']);
        assert.equal(await windows(), 1);

        stack.resetCounts();
        await make('main', options);
        const e = failedByBackend(await call('main', 'signIn'), 'Error');
        assert.equal(e.message, backendMessage);
        assert.deepEqual(await states(), ['SignedOut']);
        assert.deepEqual(wire('oidc'), ['GET refresh 401'], 'no second trip to /start');
        const now = await currentUrl();
        assert.equal(now.origin + now.pathname, `${app.origin}/`, 'no navigation');
        assert.equal(await windows(), 1);
        assert.equal((await storage())[STORAGE_KEY('oidc')], undefined);

        // Told once: the marker is gone, so another client (or a reload of the same URL) has no error.
        await make('again', options);
        assert.equal(await js('return window.e2e.clientOf("again").takeRedirectError() === undefined'), true);
        await ff.driver.navigate().refresh();
        await load(null);
        assert.equal((await currentUrl()).searchParams.get('error'), backendMessage, 'the same ?error= URL');
        await make('main', options);
        assert.equal(await js('return window.e2e.clientOf("main").takeRedirectError() === undefined'), true);
        assert.equal(startRequests('oidc').length, 0);

        // And only once: the next signIn() leaves for the IdP again (the IdP remembers the
        // stranger, so the trip may not stop on an IdP page) and comes back with the error.
        stack.resetCounts();
        await js('return window.e2e.start("again", "main", "signIn")');
        // (A request is logged when it arrives: wait for its answer, status null until then.)
        await waitFor(() => startRequests('oidc')[0]?.status, { timeout: WAIT, what: 'a new trip to /start, answered' });
        assert.equal(startRequests('oidc').length, 1);
        assert.deepEqual(wire('oidc').slice(0, 2), ['GET refresh 401', 'GET start 302']);
        await waitFor(() => wire('oidc').includes('GET handler/frame 302'), { timeout: WAIT, what: 'the trip back from the IdP' });
        await waitForUrl(u => u.origin === app.origin && u.searchParams.has('error'), 'the window back on ?error=');
      });
    });

    test("Firefox's own popup blocker + redirectWhenPopupBlocked: the window goes to the IdP by redirect and comes back to the exact URL (path, query, hash), signed in", T, async () => {
      // Firefox blocks window.open without a user gesture by itself (Chromium's test stubs it).
      await endIdpSession();
      await openAppInFirefox(ff, app.origin, '/');
      const options = oidc({ redirectWhenPopupBlocked: true });
      const deep = `${app.origin}/back.html?autostart=${encodeURIComponent(JSON.stringify(options))}&tab=2#section-3`;
      stack.resetCounts();
      await ff.driver.get(deep);
      await waitForUrl(u => u.origin === stack.idpUrl, 'the window at the IdP');
      assert.equal(await windows(), 1, 'no popup');
      const { steps } = await completeIdpLoginWd(ff, ff.mainHandle, JANE, { idpOrigin: stack.idpUrl, timeoutMs: WAIT });
      assert.deepEqual(steps, ['login', 'consent']);
      await waitForUrl(u => u.href === deep, 'the window back on the exact URL');
      await load(null);
      // The same page signs in on load again, now from the refresh cookie.
      ok(await settle('auto'));
      assert.deepEqual(await states('auto'), ['SignedOut', 'SignedIn']);
      const [start] = startRequests('oidc');
      assert.equal(startQuery(start).flow, 'redirect');
      assert.equal(startQuery(start).redirectUrl, deep);
      assert.equal((await currentUrl()).href, deep);
    });
  });
