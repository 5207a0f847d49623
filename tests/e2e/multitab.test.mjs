// Multi-tab session sync (issue 8, part 1): real tabs of one browser context against the real
// stack with refresh-token ROTATION on, so that parallel /refresh calls with the same refresh
// token would make the losers fail. Ours: one /refresh for all tabs, nobody signed out.
// Run: tests/e2e/run tests/e2e/multitab.test.mjs
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, completeIdpLogin } from './stack/browser.mjs';
import { withStack, startClientApp, sleep, waitFor } from './fixtures/app.mjs';

const T = { timeout: 120_000 };
const TTL = 4; // IdP access-token lifetime (s) in this suite
let app, stack, browser;
withStack({ startApp: startClientApp, stack: { rotateRefreshToken: true, accessTokenTtl: TTL }, launch: launchBrowser },
  env => ({ app, stack, browser } = env));

// The tabs race at expiry (tabs hidden or asleep then): no background refresh, which would renew
// the session before it expires while they are visible (its own test: 'background refresh').
const options = (extra = {}) => ({ provider: { id: 'oidc', title: 'OIDC' }, authBaseUrl: stack.authBase,
  refreshMarginSeconds: 0, backgroundRefresh: false, ...extra });
const make = (page, name = 'main', opts = options()) => page.evaluate(([n, o]) => window.e2e.make(n, o), [name, opts]);
const call = (page, method, ...args) => page.evaluate(([m, a]) => window.e2e.call('main', m, ...a), [method, args]);
const states = page => page.evaluate(() => window.e2e.states('main'));

async function openTab(ctx, opts = options()) {
  const page = await ctx.newPage();
  page.on('pageerror', e => console.log(`# pageerror: ${e.message}`));
  await page.goto(`${app.origin}/`);
  await page.waitForFunction(() => window.e2e);
  await page.evaluate(() => window.e2e.ready());
  await make(page, 'main', opts);
  return page;
}

async function signInByPopup(page, email) {
  const result = call(page, 'signIn');
  const popup = await page.waitForEvent('popup', { timeout: 15_000 });
  await completeIdpLogin(popup, email);
  const r = await result;
  assert.equal(r.ok, true, JSON.stringify(r.error));
}

const refreshes = () => stack.count('oidc', 'refresh');
/** When each /refresh since the last reset reached the backend (not CORS preflights). */
const refreshTimes = () => stack.requests()
  .filter(r => r.provider === 'oidc' && r.route === 'refresh' && r.method !== 'OPTIONS')
  .map(r => r.t);
/** ms between one time and the next. */
const gapsOf = times => times.slice(1).map((t, i) => t - times[i]);

describe('multi-tab session sync in Chromium (rotation on)', () => {
  test('sign-in in A signs B in without a popup; 3 tabs at expiry make ONE /refresh; sign-out in B signs A and C out', T, async () => {
    const ctx = await browser.newContext();
    try {
      const [a, b, c] = [await openTab(ctx), await openTab(ctx), await openTab(ctx)];
      let popupsInB = 0;
      b.on('popup', () => { popupsInB += 1; });
      stack.resetCounts();
      await signInByPopup(a, 'jane@example.com');
      const signedInAt = Date.now();
      await waitFor(async () => (await states(b)).at(-1) === 'SignedIn', { what: 'B signed in' });
      await waitFor(async () => (await states(c)).at(-1) === 'SignedIn', { what: 'C signed in' });
      const tokenA = (await call(a, 'getAccessToken')).value;
      assert.equal((await call(b, 'getAccessToken')).value, tokenA, 'B got A\'s session');
      assert.equal(popupsInB, 0);
      const identity = (await call(c, 'getBackstageIdentity')).value;
      assert.equal(identity.identity.userEntityRef, 'user:default/jane');
      assert.equal(refreshes(), 1, 'only A\'s probe before its popup');

      await sleep(Math.max(0, signedInAt + TTL * 1000 + 500 - Date.now()));
      stack.resetCounts();
      const results = await Promise.all([a, b, c].map(p => call(p, 'getAccessToken')));
      for (const r of results) assert.equal(r.ok, true, JSON.stringify(r.error));
      assert.equal(new Set(results.map(r => r.value)).size, 1, 'every tab has the same new token');
      assert.notEqual(results[0].value, tokenA);
      assert.equal(refreshes(), 1, 'one /refresh for three tabs');

      stack.resetCounts();
      assert.equal((await call(b, 'signOut')).ok, true);
      await waitFor(async () => (await states(a)).at(-1) === 'SignedOut', { what: 'A signed out' });
      await waitFor(async () => (await states(c)).at(-1) === 'SignedOut', { what: 'C signed out' });
      assert.equal(stack.count('oidc', 'logout'), 1);
      const optional = await call(a, 'getAccessToken', undefined, { optional: true });
      assert.equal(optional.ok, true);
      assert.deepEqual(optional.value, { undefined: true }, 'A has no session left');
    } finally {
      await ctx.close();
    }
  });

  // BroadcastChannel is scoped to the origin, so a forger is a script of this origin, which could
  // read storage and call the backend itself: validation guards against malformed, foreign and
  // stale messages (and tokens that are not Backstage's), not against XSS.
  test('forged channel messages are ignored', T, async () => {
    const ctx = await browser.newContext();
    try {
      const a = await openTab(ctx);
      await signInByPopup(a, 'jane@example.com');
      const before = (await call(a, 'getBackstageIdentity')).value;
      const other = await ctx.newPage();
      await other.goto(`${app.origin}/`);
      // A bystander channel in A, opened after the client's: BroadcastChannel delivers each
      // message to a page's channels in creation order, so once it has all four, the client's
      // channel has been handed all four too (a fixed sleep alone may end before they arrive on
      // a busy machine, and then the assertions below prove nothing).
      await a.evaluate(() => {
        window.probeSeen = 0;
        window.probe = new BroadcastChannel('backstage-wasm-auth:oidc:development');
        window.probe.onmessage = () => { window.probeSeen += 1; };
      });
      await other.evaluate(() => {
        const ch = new BroadcastChannel('backstage-wasm-auth:oidc:development');
        const base = { protocol: 'backstage-wasm-auth/session', version: 1, provider: 'oidc', environment: 'development', sender: 'evil' };
        ch.postMessage('{not json');
        ch.postMessage(JSON.stringify({ ...base, type: 'signedIn', session: { profile: {}, backstage: {
          token: 'x.eyJzdWIiOiJ1c2VyOmRlZmF1bHQvYWRtaW4ifQ.y',
          identity: { type: 'user', userEntityRef: 'user:default/admin', ownershipEntityRefs: [] } } } }));
        ch.postMessage(JSON.stringify({ ...base, provider: 'github', type: 'signedOut' }));
        ch.postMessage({ type: 'signedOut' });
        ch.close();
      });
      await waitFor(() => a.evaluate(() => window.probeSeen >= 4), { what: 'the forged messages delivered to A' });
      await sleep(300); // and handled (the client may validate asynchronously)
      assert.deepEqual(await states(a), ['SignedOut', 'SignedIn']);
      assert.deepEqual((await call(a, 'getBackstageIdentity')).value, before);
    } finally {
      await ctx.close();
    }
  });

  test('background refresh (default options): 3 visible tabs renew the session before it is due, ONE /refresh per renewal, no call waits', T, async () => {
    const ctx = await browser.newContext();
    try {
      const defaults = { provider: { id: 'oidc', title: 'OIDC' }, authBaseUrl: stack.authBase };
      const tabs = [await openTab(ctx, defaults), await openTab(ctx, defaults), await openTab(ctx, defaults)];
      await signInByPopup(tabs[0], 'jane@example.com');
      for (const tab of tabs) await waitFor(async () => (await states(tab)).at(-1) === 'SignedIn', { what: 'signed in' });
      stack.resetCounts();
      // 8 s of calls in every tab: 4 s tokens are due at half their life (2 s) and renewed in
      // the background a quarter before (1.5 s after each arrival) by whichever tab comes first.
      const calls = (await Promise.all(tabs.map(tab => tab.evaluate(() => window.e2e.steadyCalls('main', 8_000)))))
        .flat().map(c => c.cached);
      const times = refreshTimes();
      console.log(`# ours, 3 visible tabs, 8 s: ${times.length} /refresh, ${calls.filter(c => !c).length} of ${calls.length} calls past the cache`);
      assert.ok(times.length >= 3, `renewed in the background: ${times.length} /refresh`);
      const gaps = gapsOf(times);
      assert.ok(gaps.every(g => g >= 1_000), `one /refresh per renewal, not one per tab: gaps ${gaps.join(', ')} ms`);
      assert.equal(calls.filter(c => !c).length, 0, 'every call answered from the cache');
      for (const tab of tabs) assert.deepEqual(await states(tab), ['SignedOut', 'SignedIn']);
    } finally {
      await ctx.close();
    }
  });

  test('20 tabs opened at once with an expired token: 0 signed out, one /refresh per token', T, async () => {
    const ctx = await browser.newContext();
    try {
      const first = await openTab(ctx);
      await signInByPopup(first, 'jane@example.com');
      await sleep(TTL * 1000 + 500);
      stack.resetCounts();
      const tabs = await Promise.all(Array.from({ length: 20 }, () => openTab(ctx)));
      const beforeCalls = refreshes();
      const results = await Promise.all([first, ...tabs].map(p => call(p, 'getAccessToken')));
      const failures = results.filter(r => !r.ok);
      assert.deepEqual(failures, [], 'no tab failed');
      const signedOut = (await Promise.all(tabs.map(states))).filter(s => s.at(-1) !== 'SignedIn').length;
      const times = refreshTimes();
      const gaps = gapsOf(times);
      console.log(`# ours: 21 tabs, ${times.length} /refresh (${beforeCalls} while the tabs opened; gaps ${gaps.join(', ') || 'none'} ms), ${signedOut} signed out`);
      assert.equal(signedOut, 0);
      // One /refresh per token: on a loaded machine opening 20 tabs can outlast the refreshed
      // 4 s token (a wake-up in the first tab may refresh before the calls), and then a second
      // one is due. Two tabs refreshing the same token come within the lock's grace (300 ms)
      // plus one request; a second token is due a whole lifetime (less rounding) after the first.
      assert.ok(times.length >= 1, 'the expired session was refreshed');
      assert.ok(gaps.every(g => g >= TTL * 1000 / 2), `no two /refresh for one token: gaps ${gaps.join(', ')} ms`);
      assert.ok(new Set(results.map(r => r.value)).size <= times.length, 'every tab got a refreshed token');
    } finally {
      await ctx.close();
    }
  });
});
