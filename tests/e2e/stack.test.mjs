// Smoke tests of the e2e stack itself, WITHOUT the project's client: plain fetch and plain page JS
// against the real Backstage backend + oidc-provider IdP. Run: tests/e2e/run
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startStack } from './stack/stack.mjs';
import { launchBrowser, signInPopup, completeIdpLogin } from './stack/browser.mjs';
import { startAppServer } from './stack/appserver.mjs';

const XRW = { 'X-Requested-With': 'XMLHttpRequest' };
const T = { timeout: 45_000 };

// A plain page on the app origin: opens the /start popup the way Backstage's client does and
// collects every message from the popup that comes from the auth backend's origin.
const APP_HTML = `<!doctype html><meta charset="utf-8"><title>e2e app</title>
<script>
window.signIn = (authBase, provider, scope = 'openid profile email') => new Promise(resolve => {
  const authOrigin = new URL(authBase).origin;
  const q = 'scope=' + encodeURIComponent(scope) + '&origin=' + encodeURIComponent(location.origin)
    + '&flow=popup&env=development';
  const popup = window.open(authBase + '/' + provider + '/start?' + q, provider + ' Login',
    'menubar=no,location=no,resizable=no,scrollbars=no,status=no,width=450,height=730');
  const msgs = [];
  const onMsg = e => {
    if (e.source !== popup || e.origin !== authOrigin) return;
    msgs.push({ origin: e.origin, data: e.data });
    if (e.data && e.data.type === 'authorization_response') { done(false); }
  };
  const timer = setInterval(() => { if (popup.closed) done(true); }, 100);
  function done(closed) { clearInterval(timer); removeEventListener('message', onMsg); resolve({ msgs, closed }); }
  addEventListener('message', onMsg);
});
window.call = async (url, method = 'GET') => {
  const res = await fetch(url, { method, credentials: 'include', headers: { 'X-Requested-With': 'XMLHttpRequest' } });
  const text = await res.text();
  let body; try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body };
};
</script><h1>e2e app</h1>`;

let app;
let stack;
let browser;

before(async () => {
  app = await startAppServer({ routes: { '/': APP_HTML, '/after-redirect.html': APP_HTML, '/pkce-callback.html': APP_HTML } });
  stack = await startStack({ appOrigins: [app.origin, 'http://localhost:3001'] });
  browser = await launchBrowser();
  console.log(`# stack ready in ${stack.timings.readyMs} ms (IdP ${stack.timings.idpReadyMs} ms, backend up ${stack.timings.backendUpMs} ms)`);
}, { timeout: 120_000 });

after(async () => {
  await browser?.close();
  await stack?.stop();
  await app?.close();
});

async function appPage() {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${app.origin}/`);
  return { ctx, page };
}

async function popupSignIn(page, provider, email) {
  const result = page.evaluate(([base, id]) => window.signIn(base, id), [stack.authBase, provider]);
  result.catch(() => {}); // awaited below; avoid an unhandled rejection if the login fails first
  const { steps } = await signInPopup(page, () => Promise.resolve(), email);
  return { ...(await result), steps };
}

describe('e2e stack (no client)', () => {
  test('guest /refresh returns a Backstage identity (plain fetch)', T, async () => {
    const res = await fetch(`${stack.authBase}/guest/refresh?env=development`, { headers: { ...XRW, Origin: app.origin } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), app.origin);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    const body = await res.json();
    assert.equal(body.backstageIdentity.identity.userEntityRef, 'user:development/guest');
    assert.match(body.backstageIdentity.token, /^eyJ/);
    assert.equal(typeof body.backstageIdentity.expiresInSeconds, 'number');
    assert.equal(stack.count('guest', 'refresh'), 1);
    // Guest has no /logout (404). NB: the guest /refresh does NOT check X-Requested-With
    // (observed: 200 without it); the OAuth providers do (401).
    assert.equal((await fetch(`${stack.authBase}/oidc/refresh?env=development`)).status, 401);
    assert.equal((await fetch(`${stack.authBase}/guest/logout?env=development`, { method: 'POST', headers: XRW })).status, 404);
  });

  test('oidc popup sign-in as jane, then /refresh and /logout with the cookie', T, async () => {
    stack.resetCounts();
    const { ctx, page } = await appPage();
    try {
      const { msgs, closed, steps } = await popupSignIn(page, 'oidc', 'jane@example.com');
      assert.equal(closed, false);
      assert.deepEqual(steps, ['login', 'consent']);
      assert.equal(msgs.length, 2, JSON.stringify(msgs));
      const authOrigin = new URL(stack.authBase).origin;
      assert.deepEqual(msgs[0], { origin: authOrigin, data: { type: 'config_info', targetOrigin: app.origin } });
      assert.equal(msgs[1].origin, authOrigin);
      assert.equal(msgs[1].data.type, 'authorization_response');
      const r = msgs[1].data.response;
      assert.ok(r, JSON.stringify(msgs[1].data));
      assert.equal(r.backstageIdentity.identity.userEntityRef, 'user:default/jane');
      assert.deepEqual(r.backstageIdentity.identity.ownershipEntityRefs.sort(), ['group:default/team-a', 'user:default/jane']);
      assert.equal(r.profile.email, 'jane@example.com');
      assert.equal(r.profile.displayName, 'Jane Doe');
      assert.ok(r.profile.picture);
      assert.ok(r.providerInfo.accessToken);
      assert.match(r.providerInfo.idToken, /^eyJ/);
      assert.equal(r.providerInfo.scope, 'openid profile email');
      assert.equal(typeof r.providerInfo.expiresInSeconds, 'number');

      const cookies = await ctx.cookies();
      const byName = Object.fromEntries(cookies.map(c => [c.name, c]));
      assert.equal(byName['oidc-refresh-token']?.path, '/api/auth/oidc');
      assert.equal(byName['oidc-refresh-token']?.httpOnly, true);
      assert.equal(byName['oidc-refresh-token']?.sameSite, 'Lax');

      const refreshed = await page.evaluate(base => window.call(`${base}/oidc/refresh?env=development`), stack.authBase);
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      assert.equal(refreshed.body.backstageIdentity.identity.userEntityRef, 'user:default/jane');
      assert.ok(refreshed.body.providerInfo.accessToken);
      assert.notEqual(refreshed.body.providerInfo.accessToken, r.providerInfo.accessToken);

      assert.equal(stack.count('oidc', 'start'), 1);
      assert.equal(stack.count('oidc', 'handler/frame'), 1);
      assert.equal(stack.count('oidc', 'refresh'), 1);
      assert.equal(stack.preflights()['oidc/refresh'], 1); // X-Requested-With is not CORS-safelisted

      const out = await page.evaluate(base => window.call(`${base}/oidc/logout?env=development`, 'POST'), stack.authBase);
      assert.equal(out.status, 200);
      assert.equal(stack.count('oidc', 'logout'), 1);
      const after = await page.evaluate(base => window.call(`${base}/oidc/refresh?env=development`), stack.authBase);
      assert.equal(after.status, 401);
      assert.equal(after.body.error.name, 'AuthenticationError');
      assert.match(after.body.error.message, /Missing session cookie/);
    } finally { await ctx.close(); }
  });

  test('stranger@example.com (no catalog user) gets an error response in the popup', T, async () => {
    const { ctx, page } = await appPage();
    try {
      const { msgs } = await popupSignIn(page, 'oidc', 'stranger@example.com');
      const last = msgs.at(-1).data;
      assert.equal(last.type, 'authorization_response');
      assert.equal(last.response, undefined);
      assert.equal(last.error.name, 'Error');
      assert.match(last.error.message, /Failed to sign-in, unable to resolve user identity/);
    } finally { await ctx.close(); }
  });

  test('spectrocloud (the same OIDC under a second id) signs in john', T, async () => {
    stack.resetCounts();
    const { ctx, page } = await appPage();
    try {
      const { msgs } = await popupSignIn(page, 'spectrocloud', 'john@example.com');
      const r = msgs.at(-1).data.response;
      assert.ok(r, JSON.stringify(msgs));
      assert.equal(r.backstageIdentity.identity.userEntityRef, 'user:default/john');
      const cookies = await ctx.cookies();
      assert.ok(cookies.some(c => c.name === 'spectrocloud-refresh-token' && c.path === '/api/auth/spectrocloud'));
      const refreshed = await page.evaluate(base => window.call(`${base}/spectrocloud/refresh?env=development`), stack.authBase);
      assert.equal(refreshed.status, 200);
      assert.equal(refreshed.body.backstageIdentity.identity.userEntityRef, 'user:default/john');
      // The oidc provider's cookie is separate: not signed in there.
      const oidc = await page.evaluate(base => window.call(`${base}/oidc/refresh?env=development`), stack.authBase);
      assert.equal(oidc.status, 401);
      assert.equal(stack.count('spectrocloud', 'start'), 1);
      assert.equal(stack.count('spectrocloud', 'refresh'), 1);
    } finally { await ctx.close(); }
  });

  test('redirect flow returns to redirectUrl and /refresh then works', T, async () => {
    const { ctx, page } = await appPage();
    try {
      const redirectUrl = `${app.origin}/after-redirect.html`;
      const start = `${stack.authBase}/oidc/start?scope=${encodeURIComponent('openid profile email')}`
        + `&origin=${encodeURIComponent(app.origin)}&flow=redirect&redirectUrl=${encodeURIComponent(redirectUrl)}&env=development`;
      await page.goto(start);
      const { steps } = await completeIdpLogin(page, 'jane@example.com');
      assert.deepEqual(steps, ['login', 'consent']);
      await page.waitForURL(redirectUrl);
      const r = await page.evaluate(base => window.call(`${base}/oidc/refresh?env=development`), stack.authBase);
      assert.equal(r.status, 200);
      assert.equal(r.body.backstageIdentity.identity.userEntityRef, 'user:default/jane');
    } finally { await ctx.close(); }
  });

  test('oauth2Proxy provider: sign-in through /refresh with the injected headers', T, async () => {
    const { ctx, page } = await appPage();
    try {
      const call = () => page.evaluate(base => window.call(`${base}/oauth2Proxy/refresh?env=development`), stack.authBase);
      stack.setProxyUser('jane');
      let r = await call();
      assert.equal(r.status, 200);
      assert.equal(r.body.backstageIdentity.identity.userEntityRef, 'user:default/jane');
      assert.equal(r.body.profile.email, 'jane@example.com');
      assert.match(r.body.providerInfo.accessToken, /^eyJ/);
      stack.setProxyUser('john@example.com');
      r = await call();
      assert.equal(r.body.backstageIdentity.identity.userEntityRef, 'user:default/john');
      stack.setProxyUser('stranger');
      r = await call();
      assert.equal(r.status, 500);
      assert.match(r.body.error.message, /unable to resolve user identity/);
      stack.setProxyUser(null);
      r = await call();
      assert.notEqual(r.status, 200);
    } finally {
      stack.setProxyUser('jane');
      await ctx.close();
    }
  });

  test('IdP failure mode makes /refresh fail, and recovers', T, async () => {
    const { ctx, page } = await appPage();
    try {
      await popupSignIn(page, 'oidc', 'john@example.com');
      await stack.setIdpMode({ failStatus: 500 });
      const bad = await page.evaluate(base => window.call(`${base}/oidc/refresh?env=development`), stack.authBase);
      assert.notEqual(bad.status, 200);
      assert.ok(bad.body.error?.name, JSON.stringify(bad.body));
      await stack.setIdpMode({});
      const good = await page.evaluate(base => window.call(`${base}/oidc/refresh?env=development`), stack.authBase);
      assert.equal(good.status, 200);
    } finally {
      await stack.setIdpMode({});
      await ctx.close();
    }
  });

  test('IdP public client `spa`: authorization code + PKCE and refresh, straight from the page (CORS)', T, async () => {
    const { ctx, page } = await appPage();
    try {
      const verifier = crypto.randomBytes(32).toString('base64url');
      const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
      const redirectUri = `${app.origin}/pkce-callback.html`;
      const q = new URLSearchParams({ client_id: 'spa', response_type: 'code', scope: 'openid profile email',
        redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256', state: 's1' });
      await page.goto(`${stack.idpUrl}/auth?${q}`);
      await completeIdpLogin(page, 'jane@example.com');
      await page.waitForURL(u => u.href.startsWith(redirectUri));
      const cb = new URL(page.url());
      assert.equal(cb.searchParams.get('state'), 's1');
      const code = cb.searchParams.get('code');
      assert.ok(code, page.url());
      const token = (idp, body) => page.evaluate(async ([u, b]) => {
        const r = await fetch(u + '/token', { method: 'POST', body: new URLSearchParams(b) });
        return { status: r.status, body: await r.json() };
      }, [idp, body]);
      const t1 = await token(stack.idpUrl, { grant_type: 'authorization_code', code, redirect_uri: redirectUri,
        client_id: 'spa', code_verifier: verifier });
      assert.equal(t1.status, 200, JSON.stringify(t1.body));
      assert.ok(t1.body.access_token && t1.body.id_token && t1.body.refresh_token);
      const t2 = await token(stack.idpUrl, { grant_type: 'refresh_token', refresh_token: t1.body.refresh_token, client_id: 'spa' });
      assert.equal(t2.status, 200, JSON.stringify(t2.body));
      assert.notEqual(t2.body.access_token, t1.body.access_token);
      // PKCE is required for `spa`: an authorization request without code_challenge is refused.
      q.delete('code_challenge'); q.delete('code_challenge_method'); q.set('state', 's2');
      await page.goto(`${stack.idpUrl}/auth?${q}`);
      await page.waitForURL(u => u.href.startsWith(redirectUri) && u.searchParams.get('state') === 's2');
      assert.equal(new URL(page.url()).searchParams.get('error'), 'invalid_request');
    } finally { await ctx.close(); }
  });

  test('control endpoints: GET /__stack/counts and POST /__stack/reset', T, async () => {
    await fetch(`${stack.authBase}/guest/refresh?env=development`, { headers: XRW });
    let c = await (await fetch(`${stack.proxyUrl}/__stack/counts`)).json();
    assert.ok(c.counts['guest/refresh'] >= 1);
    assert.equal((await fetch(`${stack.proxyUrl}/__stack/reset`, { method: 'POST' })).status, 200);
    c = await (await fetch(`${stack.proxyUrl}/__stack/counts`)).json();
    assert.deepEqual(c.counts, {});
    assert.deepEqual(stack.counts(), {});
  });
});
