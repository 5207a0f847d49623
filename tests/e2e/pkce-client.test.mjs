// The client's `flow: 'pkce'` against the REAL oidc-provider IdP of the e2e stack (public client
// `spa`, PKCE required), in headless Chromium, without any Backstage backend in the loop:
// sign-in through the popup and www/pkce-callback.html, refresh (rotating refresh tokens, short
// access token TTL), one refresh for concurrent callers, silent refresh after a reload, a forged
// `state`, a tampered ID token, a revoked refresh token, sign-out revocation.
// Run: tests/e2e/run tests/e2e/pkce-client.test.mjs   (builds pkg/ with scripts/build if stale)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, waitForPopup, completeIdpLogin } from './stack/browser.mjs';
import { withStack, startPkceApp, sleep, waitFor, idpRequests, tokenRequests } from './fixtures/app.mjs';

const T = { timeout: 60_000 };
/** IdP access + ID token lifetime (s): short, so that tests see tokens expire. */
const TTL = 6;

// The test app: fixtures/client.html, `window.e2e` for page.evaluate (plain JSON results only);
// `e2e.ready(options)` with PKCE options loads our client's PKCE build
// (/pkg/backstage_wasm_auth_pkce.js, the module an app loads for flow 'pkce').
let app, stack, browser;
withStack({ startApp: startPkceApp, stack: { accessTokenTtl: TTL, rotateRefreshToken: true }, launch: launchBrowser },
  env => ({ app, stack, browser } = env));

const STORAGE_KEY = 'backstage-wasm-auth:idp:development';

/** The suite's options; a key given as `undefined` in `extra` is left out (its default applies). */
function options(extra = {}) {
  const all = {
    provider: { id: 'idp', title: 'IdP' },
    pkce: { issuer: stack.idpUrl, clientId: 'spa', redirectUri: `${app.origin}/pkce-callback.html` },
    refreshMarginSeconds: 2,
    // The refresh tests meet the session at its due time (a tab hidden or asleep then); a
    // visible page would renew it in the background first (its own test below).
    backgroundRefresh: false,
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

/** A fresh browser context (own cookies, storage, IdP session) with the app and client 'c'. */
async function appPage(extra) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  // Every request to the IdP from any page of the context (the popup too), with its status.
  const idp = idpRequests(ctx, stack.idpUrl);
  await page.goto(`${app.origin}/`);
  await page.evaluate(([o]) => e2e.ready(o), [options(extra)]);
  await page.evaluate(([o]) => e2e.make('c', o), [options(extra)]);
  const tokenCalls = grant => tokenRequests(idp, grant);
  return { ctx, page, idp, tokenCalls };
}

/** signIn() in the page; drives the IdP's login + consent pages in the popup. */
async function signIn(page, email = 'jane@example.com') {
  const popup = await waitForPopup(page, () => page.evaluate(() => e2e.start('in', 'c', 'signIn')));
  const { steps } = await completeIdpLogin(popup, email);
  const result = untimed(await page.evaluate(() => e2e.settle('in')));
  return { result, steps, popup };
}

/** A harness result without its `ms` (the timing the client suite asserts on). */
const untimed = ({ ms, ...result }) => result;

/** Client 'c''s `method(...args)` in the page: {ok: true, value} | {ok: false, error}. */
const call = (page, method, ...args) =>
  page.evaluate(([m, a]) => e2e.call('c', m, ...a), [method, args]).then(untimed);

function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

function stored(page) {
  return page.evaluate(() => e2e.storage()).then(s => (s['backstage-wasm-auth:idp:development']
    ? JSON.parse(s['backstage-wasm-auth:idp:development']) : null));
}

describe('flow pkce against oidc-provider', () => {
  test('sign-in: popup, callback page, code + verifier exchange, ID token checked, session stored', T, async () => {
    const { ctx, page, idp, tokenCalls } = await appPage();
    try {
      const { result, steps, popup } = await signIn(page);
      assert.deepEqual(result, { ok: true, value: { undefined: true } }, JSON.stringify(result));
      assert.deepEqual(steps, ['login', 'consent']);
      // The client closed the popup once it had the answer.
      if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 10_000 }).catch(() => {});
      assert.equal(popup.isClosed(), true);

      // The authorization request: S256 challenge, state, nonce, openid scope, our redirect URI.
      const auth = new URL(idp.find(r => new URL(r.url).pathname === '/auth').url);
      assert.equal(auth.searchParams.get('client_id'), 'spa');
      assert.equal(auth.searchParams.get('response_type'), 'code');
      assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
      assert.match(auth.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
      assert.ok(auth.searchParams.get('state') && auth.searchParams.get('nonce'));
      assert.equal(auth.searchParams.get('scope'), 'email openid profile');
      assert.equal(auth.searchParams.get('redirect_uri'), `${app.origin}/pkce-callback.html`);
      // One discovery, one code exchange (with the verifier, no secret).
      assert.equal(idp.filter(r => r.url.endsWith('/.well-known/openid-configuration')).length, 1);
      const [exchange] = tokenCalls('authorization_code');
      assert.equal(exchange.status, 200);
      const form = new URLSearchParams(exchange.body);
      assert.match(form.get('code_verifier'), /^[A-Za-z0-9_-]{43}$/);
      assert.equal(form.get('client_id'), 'spa');
      assert.equal(form.get('client_secret'), null);

      const access = await call(page, 'getAccessToken');
      assert.ok(access.ok && typeof access.value === 'string' && access.value.length > 10, JSON.stringify(access));
      const id = await call(page, 'getIdToken');
      const c = claims(id.value);
      assert.equal(c.iss, stack.idpUrl);
      assert.equal(c.aud, 'spa');
      assert.equal(c.sub, 'jane@example.com');
      assert.equal(c.nonce, auth.searchParams.get('nonce'));
      const profile = await call(page, 'getProfile');
      assert.equal(profile.value.email, 'jane@example.com');
      assert.equal(profile.value.displayName, 'Jane Doe');
      const identity = await call(page, 'getBackstageIdentity');
      assert.deepEqual(identity, { ok: true, value: { undefined: true } });
      assert.deepEqual(await page.evaluate(() => e2e.states('c')), ['SignedOut', 'SignedIn']);

      // Stored: schema 1, the refresh token inside the provider session, no Backstage part.
      const record = await stored(page);
      assert.equal(record.version, 1);
      assert.ok(record.session.provider.refreshToken);
      assert.equal(record.session.backstage, undefined);
      // The callback page took the code out of the popup's history; nothing left in the app's URL.
      assert.equal(new URL(page.url()).search, '');
    } finally { await ctx.close(); }
  });

  test('background refresh (default on): the refresh grant renews the session before it is due, with no call', T, async () => {
    const { ctx, page, tokenCalls } = await appPage({ backgroundRefresh: undefined, refreshMarginSeconds: undefined });
    try {
      assert.equal((await signIn(page)).result.ok, true);
      const record = await stored(page);
      const before = tokenCalls('refresh_token').length;
      // 6 s tokens, default margin: due at half their life (3 s), renewed a quarter before.
      // (A request is recorded when sent, its status when answered: wait for the answer.)
      await waitFor(() => tokenCalls('refresh_token')[before]?.status, { timeout: 8_000, what: 'a background refresh grant, answered' });
      const renewed = tokenCalls('refresh_token')[before];
      assert.equal(renewed.status, 200);
      assert.equal(new URLSearchParams(renewed.body).get('refresh_token'), record.session.provider.refreshToken);
      await waitFor(async () => (await stored(page)).session.provider.accessToken !== record.session.provider.accessToken,
        { what: 'the renewed session stored' });
      const now = (await call(page, 'getAccessToken')).value;
      assert.equal(now, (await stored(page)).session.provider.accessToken, 'served from the renewed session');
      assert.deepEqual(await page.evaluate(() => e2e.states('c')), ['SignedOut', 'SignedIn']);
    } finally { await ctx.close(); }
  });

  test('refresh: rotating refresh token, one request for concurrent callers, silent after a reload', T, async () => {
    const { ctx, page, idp, tokenCalls } = await appPage();
    try {
      assert.equal((await signIn(page)).result.ok, true);
      const first = (await call(page, 'getAccessToken')).value;
      const record1 = await stored(page);
      const rt1 = record1.session.provider.refreshToken;
      // Refreshes so far: none, unless a slow sign-in left `first` less than the margin, so that
      // it already came from a refresh. The burst below is measured from here.
      const refreshesBefore = tokenCalls('refresh_token').length;
      // TTL 6 s, margin 2 s: stale 4 s after the session that served `first` arrived.
      await sleep(Math.max(0, record1.session.provider.expiresAt - 2000 + 300 - Date.now()));
      const burst = await page.evaluate(() => e2e.burst('c', 5));
      const distinct = [...new Set(burst.map(r => (r.ok ? r.value : JSON.stringify(r.error))))];
      assert.equal(distinct.length, 1, JSON.stringify(distinct));
      assert.notEqual(distinct[0], first);
      const refreshes = tokenCalls('refresh_token').slice(refreshesBefore);
      assert.equal(refreshes.length, 1, JSON.stringify(refreshes));
      assert.equal(refreshes[0].status, 200);
      assert.equal(new URLSearchParams(refreshes[0].body).get('refresh_token'), rt1);
      const rt2 = (await stored(page)).session.provider.refreshToken;
      assert.notEqual(rt2, rt1, 'the IdP rotates refresh tokens: the new one is stored');
      // The refreshed ID token is checked too and the profile kept.
      const profile = await call(page, 'getProfile');
      assert.equal(profile.value.email, 'jane@example.com');
      assert.deepEqual(await page.evaluate(() => e2e.states('c')), ['SignedOut', 'SignedIn']);
      // Discovery stayed cached.
      assert.equal(idp.filter(r => r.url.endsWith('/.well-known/openid-configuration')).length, 1);

      // Reload once the access token has expired: the stored session is dropped as expired, but
      // its refresh token still signs in without a popup.
      await sleep(TTL * 1000 + 500);
      await page.reload();
      await page.evaluate(([o]) => e2e.ready(o), [options()]);
      await page.evaluate(([o]) => e2e.make('c', o), [options()]);
      let popups = 0;
      page.on('popup', () => { popups += 1; });
      const again = await call(page, 'getAccessToken');
      assert.equal(again.ok, true, JSON.stringify(again));
      assert.equal(typeof again.value, 'string');
      assert.equal(popups, 0);
      assert.equal(tokenCalls('refresh_token').at(-1).status, 200);
      assert.equal(new URLSearchParams(tokenCalls('refresh_token').at(-1).body).get('refresh_token'), rt2);
    } finally { await ctx.close(); }
  });

  test('a callback with another state is rejected (an Error named InvalidState), no session', T, async () => {
    const { ctx, page, tokenCalls } = await appPage();
    try {
      // The IdP sends back another state than ours (an injected or stale authorization response):
      // the authorization request is rewritten on its way out of the popup.
      await ctx.route(u => u.origin === stack.idpUrl && u.pathname === '/auth', async route => {
        const u = new URL(route.request().url());
        u.searchParams.set('state', 'forged-state');
        await route.continue({ url: u.href });
      });
      const { result } = await signIn(page);
      assert.equal(result.ok, false);
      assert.equal(result.error.name, 'InvalidState');
      assert.equal(result.error.backendName, 'InvalidState');
      // The code was never exchanged.
      assert.equal(tokenCalls('authorization_code').length, 0);
      assert.deepEqual(await page.evaluate(() => e2e.states('c')), ['SignedOut']);
      assert.equal(await stored(page), null);
    } finally { await ctx.close(); }
  });

  for (const [what, tamper] of [
    ['another nonce', c => { c.nonce = 'replayed'; }],
    ['another audience', c => { c.aud = 'other-client'; }],
    ['another issuer', c => { c.iss = 'http://evil.example'; }],
    ['expired', c => { c.exp = Math.floor(Date.now() / 1000) - 3600; }],
  ]) {
    test(`a tampered ID token (${what}) is rejected (InvalidResponseError), no session`, T, async () => {
      const { ctx, page } = await appPage();
      try {
        await ctx.route(`${stack.idpUrl}/token`, async route => {
          const response = await route.fetch();
          const body = await response.json();
          if (body.id_token) {
            const [h, p, s] = body.id_token.split('.');
            const c = JSON.parse(Buffer.from(p, 'base64url').toString());
            tamper(c);
            body.id_token = `${h}.${Buffer.from(JSON.stringify(c)).toString('base64url')}.${s}`;
          }
          await route.fulfill({ response, json: body });
        });
        const { result } = await signIn(page);
        assert.equal(result.ok, false, JSON.stringify(result));
        assert.equal(result.error.name, 'InvalidResponseError', JSON.stringify(result));
        assert.match(result.error.message, /ID token/);
        assert.deepEqual(await page.evaluate(() => e2e.states('c')), ['SignedOut']);
        assert.equal(await stored(page), null);
      } finally { await ctx.close(); }
    });
  }

  test('a revoked refresh token: the refresh fails with invalid_grant and the session ends SignedOut', T, async () => {
    const { ctx, page, tokenCalls } = await appPage();
    try {
      assert.equal((await signIn(page)).result.ok, true);
      const rt = (await stored(page)).session.provider.refreshToken;
      const revoked = await fetch(`${stack.idpUrl}/token/revocation`, { method: 'POST',
        body: new URLSearchParams({ token: rt, token_type_hint: 'refresh_token', client_id: 'spa' }) });
      assert.equal(revoked.status, 200);
      // Until the access token expires the session is served as is; after that, the refresh decides.
      await sleep(TTL * 1000 + 500);
      const r = await call(page, 'getAccessToken', undefined, { optional: true });
      assert.deepEqual(r, { ok: true, value: { undefined: true } });
      const [refresh] = tokenCalls('refresh_token');
      assert.equal(refresh.status, 400);
      assert.deepEqual(await page.evaluate(() => e2e.states('c')), ['SignedOut', 'SignedIn', 'SignedOut']);
      assert.equal(await stored(page), null);
      // A non-optional call now needs a new sign-in: the popup opens (closed here by the "user").
      const [popup] = await Promise.all([page.waitForEvent('popup'),
        page.evaluate(() => e2e.start('again', 'c', 'getAccessToken'))]);
      await popup.close();
      const again = await page.evaluate(() => e2e.settle('again'));
      assert.equal(again.error.name, 'PopupClosedError');
    } finally { await ctx.close(); }
  });

  test('signOut revokes the refresh token at the IdP and ends SignedOut', T, async () => {
    const { ctx, page, idp } = await appPage();
    try {
      assert.equal((await signIn(page)).result.ok, true);
      const rt = (await stored(page)).session.provider.refreshToken;
      const out = await call(page, 'signOut');
      assert.deepEqual(out, { ok: true, value: { undefined: true } });
      const revocation = idp.find(r => new URL(r.url).pathname === '/token/revocation');
      assert.ok(revocation, JSON.stringify(idp.map(r => r.url)));
      assert.equal(new URLSearchParams(revocation.body).get('token'), rt);
      assert.equal(await stored(page), null);
      assert.deepEqual(await page.evaluate(() => e2e.states('c')), ['SignedOut', 'SignedIn', 'SignedOut']);
      const use = await fetch(`${stack.idpUrl}/token`, { method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rt, client_id: 'spa' }) });
      assert.equal(use.status, 400);
      assert.equal((await use.json()).error, 'invalid_grant');
      // Without postLogoutRedirectUri the IdP's own session stays: signing in again needs no login.
      const again = await signIn(page);
      assert.equal(again.result.ok, true, JSON.stringify(again.result));
      assert.ok(!again.steps.includes('login'), JSON.stringify(again.steps));
    } finally { await ctx.close(); }
  });

  test('signOut with postLogoutRedirectUri: RP-initiated logout ends the IdP session and comes back', T, async () => {
    const back = `${app.origin}/`; // registered at the IdP as the client's post_logout_redirect_uri
    const pkce = { issuer: stack.idpUrl, clientId: 'spa', redirectUri: `${app.origin}/pkce-callback.html`,
      postLogoutRedirectUri: back };
    const { ctx, page, idp } = await appPage({ pkce });
    try {
      assert.equal((await signIn(page)).result.ok, true);
      const idToken = (await call(page, 'getIdToken')).value;
      const rt = (await stored(page)).session.provider.refreshToken;
      await page.evaluate(() => e2e.start('out', 'c', 'signOut'));
      // The provider's end_session_endpoint asks whether to sign out (oidc-provider's page).
      await page.waitForURL(u => u.href.startsWith(stack.idpUrl), { timeout: 10_000 });
      const end = new URL(idp.find(r => new URL(r.url).pathname === '/session/end').url);
      assert.equal(end.searchParams.get('id_token_hint'), idToken);
      assert.equal(end.searchParams.get('post_logout_redirect_uri'), back);
      assert.equal(end.searchParams.get('client_id'), 'spa');
      // Revoked before the page left.
      const revocation = idp.find(r => new URL(r.url).pathname === '/token/revocation');
      assert.equal(new URLSearchParams(revocation.body).get('token'), rt);
      await page.click('button[name=logout][value=yes]');
      await page.waitForURL(back, { timeout: 10_000 });
      // Back in the app: no session here, and none at the IdP: signing in asks for the login again.
      await page.evaluate(([o]) => e2e.ready(o), [options({ pkce })]);
      await page.evaluate(([o]) => e2e.make('c', o), [options({ pkce })]);
      assert.equal(await stored(page), null);
      const again = await signIn(page);
      assert.equal(again.result.ok, true, JSON.stringify(again.result));
      assert.equal(again.steps[0], 'login', JSON.stringify(again.steps));
    } finally { await ctx.close(); }
  });

  test('bad options are ConfigErrors; a redirect URI on another origin is refused before any popup', T, async () => {
    const { ctx, page } = await appPage();
    try {
      const made = await page.evaluate(([o]) => { try { e2e.make('x', o); return null; } catch (e) { return e.name; } },
        [options({ pkce: { issuer: 'http://idp.example', clientId: 'spa', redirectUri: `${app.origin}/cb` } })]);
      assert.equal(made, 'ConfigError');
      await page.evaluate(([o]) => e2e.make('other', o),
        [options({ pkce: { issuer: stack.idpUrl, clientId: 'spa', redirectUri: 'http://localhost:1/pkce-callback.html' } })]);
      const r = await page.evaluate(() => e2e.call('other', 'signIn'));
      assert.equal(r.error.name, 'ConfigError');
      assert.match(r.error.message, /origin/);
    } finally { await ctx.close(); }
  });
});
