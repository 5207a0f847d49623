// Session handoff to a NEW tab (issue 8, extension): with the default sessionStorage a new tab
// starts with no session; it asks its siblings (`hello` over the BroadcastChannel, only when
// another tab holds a live session's presence Web Lock) and adopts the answer, with zero
// requests. Against the real stack in headless Chromium: a Backstage flow (0 `/refresh`) and
// `flow: 'pkce'` (0 token-endpoint requests; at expiry, with every tab asking, exactly one refresh).
// PKCE by default keeps the refresh token in the tab that signed in (the others follow its
// refreshes and, alone at expiry, sign out by themselves); with `pkce.shareRefreshToken` it is
// handed over too, and a memory-storage tab refreshes with the rotated one it was announced.
// Run: tests/e2e/run tests/e2e/handoff.test.mjs
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, waitForPopup, completeIdpLogin } from './stack/browser.mjs';
import { withStack, startPkceApp, sleep, waitFor, idpRequests, tokenRequests } from './fixtures/app.mjs';

const T = { timeout: 120_000 };
/** IdP access + ID token lifetime (s). */
const TTL = 10;


let app, stack, browser;
withStack({ startApp: startPkceApp, stack: { accessTokenTtl: TTL, rotateRefreshToken: true }, launch: launchBrowser },
  env => ({ app, stack, browser } = env));

/** A new tab of `ctx` (own, empty sessionStorage) with client 'c'. */
async function openTab(ctx, options) {
  const page = await ctx.newPage();
  page.on('pageerror', e => console.log(`# pageerror: ${e.message}`));
  await page.goto(`${app.origin}/`);
  await page.evaluate(([o]) => e2e.ready(o), [options]);
  await page.evaluate(([o]) => e2e.make('c', o), [options]);
  return page;
}

const call = (page, method, ...args) => page.evaluate(([m, a]) => e2e.call('c', m, ...a), [method, args]);
const states = page => page.evaluate(() => e2e.states('c'));
/** The tab's sessionStorage item `key` (null when absent). */
const stored = (page, key) => page.evaluate(k => e2e.storage()[k] ?? null, key);

async function signIn(page) {
  const popup = await waitForPopup(page, () => page.evaluate(() => e2e.start('in', 'c', 'signIn')));
  await completeIdpLogin(popup, 'jane@example.com');
  const result = await page.evaluate(() => e2e.settle('in'));
  assert.equal(result.ok, true, JSON.stringify(result.error));
}

describe('session handoff to a new tab', () => {
  test('Backstage popup flow: a new tab is SignedIn from its sibling with 0 /refresh', T, async () => {
    const ctx = await browser.newContext();
    try {
      const options = { provider: { id: 'oidc', title: 'OIDC' }, authBaseUrl: stack.authBase, refreshMarginSeconds: 0, backgroundRefresh: false };
      const a = await openTab(ctx, options);
      stack.resetCounts();
      await signIn(a);
      assert.equal(stack.count('oidc', 'refresh'), 1, 'A alone: its probe before the popup');
      const identityA = (await call(a, 'getBackstageIdentity')).value;

      stack.resetCounts();
      const b = await openTab(ctx, options);
      let popupsInB = 0;
      b.on('popup', () => { popupsInB += 1; });
      assert.equal(await stored(b, 'backstage-wasm-auth:oidc:development'), null, 'B starts empty');
      const identityB = await call(b, 'getBackstageIdentity', { optional: true });
      assert.equal(identityB.ok, true, JSON.stringify(identityB.error));
      assert.deepEqual(identityB.value, identityA, 'A\'s identity');
      assert.deepEqual(await states(b), ['SignedOut', 'SignedIn']);
      assert.equal(stack.count('oidc', 'refresh'), 0, 'no /refresh for the new tab');
      assert.equal(popupsInB, 0);
      const tokenB = (await call(b, 'getAccessToken')).value;
      assert.equal(tokenB, (await call(a, 'getAccessToken')).value);
      console.log(`# Backstage handoff: ${stack.count('oidc', 'refresh')} /refresh for the new tab`);

      // Signed out everywhere: a new tab finds no presence lock, asks nobody, probes once.
      assert.equal((await call(a, 'signOut')).ok, true);
      await waitFor(async () => (await states(b)).at(-1) === 'SignedOut', { what: 'B signed out' });
      stack.resetCounts();
      const c = await openTab(ctx, options);
      assert.deepEqual((await call(c, 'getBackstageIdentity', { optional: true })).value, { undefined: true });
      assert.equal(stack.count('oidc', 'refresh'), 1, 'its own probe, answered 401');
    } finally {
      await ctx.close();
    }
  });

  /** A context that records the IdP requests (method, url, body, status). */
  function idpRecorder(ctx) {
    const idp = idpRequests(ctx, stack.idpUrl);
    return () => tokenRequests(idp);
  }
  const grant = r => new URLSearchParams(r.body ?? '').get('grant_type');
  const PKCE_KEY = 'backstage-wasm-auth:idp:development';
  const pkceOptions = (extra = {}, pkce = {}) => ({
    provider: { id: 'idp', title: 'IdP' },
    pkce: { issuer: stack.idpUrl, clientId: 'spa', redirectUri: `${app.origin}/pkce-callback.html`, ...pkce },
    refreshMarginSeconds: 2,
    // At expiry (tabs hidden or asleep then): no background refresh before it.
    backgroundRefresh: false,
    ...extra,
  });
  const record = async tab => JSON.parse(await stored(tab, PKCE_KEY));
  const storedToken = async tab => (await record(tab))?.session.provider.accessToken;

  /** A signs in; B (sessionStorage) and C (memory) are new tabs handed A's session, 0 requests. */
  async function handOff(ctx, tokenCalls, pkce) {
    const a = await openTab(ctx, pkceOptions({}, pkce));
    await signIn(a);
    const tokenA = (await call(a, 'getAccessToken')).value;
    const recordA = await record(a);
    const before = tokenCalls().length;
    const b = await openTab(ctx, pkceOptions({}, pkce));
    const c = await openTab(ctx, pkceOptions({ storage: 'memory' }, pkce));
    for (const [name, tab] of [['B', b], ['C', c]]) {
      let popups = 0;
      tab.on('popup', () => { popups += 1; });
      const r = await call(tab, 'getAccessToken', undefined, { optional: true });
      assert.equal(r.ok, true, JSON.stringify(r.error));
      assert.equal(r.value, tokenA, `${name} got A's access token`);
      assert.deepEqual(await states(tab), ['SignedOut', 'SignedIn'], name);
      assert.equal((await call(tab, 'getProfile')).value.email, 'jane@example.com');
      assert.equal(popups, 0);
    }
    assert.equal(tokenCalls().length - before, 0, 'no token-endpoint request for the new tabs');
    return { a, b, c, tokenA, recordA, before };
  }

  test('flow pkce (default): the handed-over session has no refresh token; the tabs follow A\'s ONE refresh; alone at expiry a tab signs out by itself', T, async () => {
    const ctx = await browser.newContext();
    const tokenCalls = idpRecorder(ctx);
    try {
      const { a, b, c, tokenA, recordA, before } = await handOff(ctx, tokenCalls, {});
      assert.ok(recordA.session.provider.refreshToken, 'A holds its refresh token');
      const recordB = await record(b);
      assert.equal(recordB.session.provider.accessToken, tokenA);
      assert.equal(recordB.session.provider.refreshToken, undefined, 'the refresh token stayed in A');
      console.log(`# PKCE handoff: ${tokenCalls().length - before} token requests for 2 new tabs`);

      // Expiry with every tab asking at once: ONE refresh, by the tab that holds the token; the
      // others are served their still-valid token, then take A's announcement.
      await sleep(Math.max(0, recordA.session.provider.expiresAt - 2000 + 300 - Date.now()));
      const results = await Promise.all([a, b, c].map(p => call(p, 'getAccessToken')));
      for (const r of results) assert.equal(r.ok, true, JSON.stringify(r.error));
      assert.notEqual(results[0].value, tokenA, 'A refreshed');
      const refreshes = tokenCalls().slice(before);
      assert.deepEqual(refreshes.map(r => [grant(r), r.status]), [['refresh_token', 200]], 'exactly one refresh');
      assert.equal(new URLSearchParams(refreshes[0].body).get('refresh_token'), recordA.session.provider.refreshToken);
      const fresh = results[0].value;
      await waitFor(async () => (await storedToken(b)) === fresh, { what: 'B follows A\'s refresh' });
      assert.equal((await call(c, 'getAccessToken')).value, fresh, 'C follows A\'s refresh');
      assert.equal((await record(b)).session.provider.refreshToken, undefined);
      console.log(`# PKCE expiry with 3 tabs, refresh token not shared: ${refreshes.length} refresh`);

      // Next expiry, only C asks (it has no refresh token): no request, served until it expires,
      // then C alone ends SignedOut; A and B, which were not told, stay signed in.
      const expiresAt = (await record(a)).session.provider.expiresAt;
      await sleep(Math.max(0, expiresAt - 2000 + 300 - Date.now()));
      assert.equal((await call(c, 'getAccessToken', undefined, { optional: true })).value, fresh, 'still valid: served');
      await sleep(Math.max(0, expiresAt + 300 - Date.now()));
      assert.deepEqual((await call(c, 'getAccessToken', undefined, { optional: true })).value, { undefined: true }, 'expired: none');
      assert.equal((await states(c)).at(-1), 'SignedOut');
      assert.equal(tokenCalls().slice(before).length, 1, 'C asked the IdP nothing');
      await sleep(300);
      assert.equal((await states(a)).at(-1), 'SignedIn', 'A not signed out by C');
      assert.equal((await states(b)).at(-1), 'SignedIn', 'B not signed out by C');
      const fromA = await call(a, 'getAccessToken');
      assert.equal(fromA.ok, true, JSON.stringify(fromA.error));
      assert.deepEqual(tokenCalls().slice(before).map(r => [grant(r), r.status]),
        [['refresh_token', 200], ['refresh_token', 200]], 'A still refreshes with its token');
    } finally {
      await ctx.close();
    }
  });

  test('flow pkce, shareRefreshToken: a new tab is handed the refresh token; at expiry ONE refresh for all; a memory tab refreshes with the rotated one', T, async () => {
    const ctx = await browser.newContext();
    const tokenCalls = idpRecorder(ctx);
    try {
      const { a, b, c, tokenA, recordA, before } = await handOff(ctx, tokenCalls, { shareRefreshToken: true });
      const recordB = await record(b);
      assert.equal(recordB.session.provider.refreshToken, recordA.session.provider.refreshToken,
        'the handed-over session carries the refresh token');

      // Expiry with every tab asking at once: ONE refresh (rotation on: a second one with the
      // same refresh token would be refused).
      await sleep(Math.max(0, recordA.session.provider.expiresAt - 2000 + 300 - Date.now()));
      const results = await Promise.all([a, b, c].map(p => call(p, 'getAccessToken')));
      for (const r of results) assert.equal(r.ok, true, JSON.stringify(r.error));
      assert.equal(new Set(results.map(r => r.value)).size, 1, 'one new token for all');
      assert.notEqual(results[0].value, tokenA);
      let refreshes = tokenCalls().slice(before);
      assert.deepEqual(refreshes.map(r => [grant(r), r.status]), [['refresh_token', 200]], 'exactly one refresh');
      console.log(`# PKCE expiry with 3 tabs, refresh token shared: ${refreshes.length} refresh`);

      // Next expiry, only the memory-storage tab asks: it refreshes with the rotated refresh
      // token it was handed (announced), not the one it adopted first.
      const record2 = await record(b);
      assert.notEqual(record2.session.provider.refreshToken, recordA.session.provider.refreshToken, 'rotated');
      await sleep(Math.max(0, record2.session.provider.expiresAt - 2000 + 300 - Date.now()));
      const fromC = await call(c, 'getAccessToken');
      assert.equal(fromC.ok, true, JSON.stringify(fromC.error));
      refreshes = tokenCalls().slice(before);
      assert.equal(refreshes.length, 2);
      assert.equal(refreshes[1].status, 200);
      assert.equal(new URLSearchParams(refreshes[1].body).get('refresh_token'), record2.session.provider.refreshToken);
      await waitFor(async () => (await storedToken(a)) === fromC.value && (await storedToken(b)) === fromC.value,
        { what: 'A and B follow C\'s announcement' });
      assert.equal((await call(a, 'getAccessToken')).value, fromC.value);
      assert.equal(tokenCalls().slice(before).length, 2, 'A and B took C\'s refresh');
    } finally {
      await ctx.close();
    }
  });
});
