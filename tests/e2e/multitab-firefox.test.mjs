// Multi-tab session sync in Firefox (BroadcastChannel + Web Locks exist there too): three real
// tabs of one headless firefox-esr against the real stack, refresh-token rotation on.
// Run: tests/e2e/run tests/e2e/multitab-firefox.test.mjs
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchFirefox, completeIdpLoginWd, firefoxMissing } from './stack/firefox.mjs';
import { withStack, startClientApp, sleep, waitFor } from './fixtures/app.mjs';

const TTL = 4;
const missing = firefoxMissing();
let app, stack, ff;
withStack({ startApp: startClientApp, stack: { rotateRefreshToken: true, accessTokenTtl: TTL }, launch: launchFirefox, skip: !!missing },
  env => ({ app, stack, browser: ff } = env));

// The tabs race at expiry (tabs hidden or asleep then): no background refresh, which would renew
// the session before it expires while they are visible (multitab.test.mjs tests that).
const options = () => ({ provider: { id: 'oidc', title: 'OIDC' }, authBaseUrl: stack.authBase,
  refreshMarginSeconds: 0, backgroundRefresh: false });
const js = (body, ...args) => ff.driver.executeScript(body, ...args);

async function inTab(handle, fn) {
  await ff.driver.switchTo().window(handle);
  return fn();
}

async function loadApp() {
  await ff.driver.get(`${app.origin}/`);
  await waitFor(() => js('return !!window.e2e'), { what: 'the app page' });
  await js('return window.e2e.ready()');
  await js('return window.e2e.make("main", arguments[0])', options());
}

const states = () => js('return window.e2e.states("main")');
const lastState = async handle => inTab(handle, async () => (await states()).at(-1));

describe('multi-tab session sync in Firefox (rotation on)', { skip: missing ?? false }, () => {
  test('A signs B and C in; 3 tabs at expiry make ONE /refresh; sign-out in B signs A and C out', { timeout: 120_000 }, async () => {
    const a = ff.mainHandle;
    await inTab(a, loadApp);
    const tabs = [];
    for (let i = 0; i < 2; i++) {
      await ff.driver.switchTo().newWindow('tab');
      tabs.push(await ff.driver.getWindowHandle());
      await loadApp();
    }
    const [b, c] = tabs;
    stack.resetCounts();
    await inTab(a, () => ff.driver.findElement(ff.By.id('signin')).click());
    const popup = await ff.waitForNewWindow({ known: [a, b, c] });
    await completeIdpLoginWd(ff, popup, 'jane@example.com');
    const signedInAt = Date.now();
    const signIn = await inTab(a, () => js('return window.e2e.settle("click")'));
    assert.equal(signIn.ok, true, JSON.stringify(signIn.error));
    await waitFor(async () => (await lastState(b)) === 'SignedIn', { what: 'B signed in by A' });
    await waitFor(async () => (await lastState(c)) === 'SignedIn', { what: 'C signed in by A' });
    assert.equal(stack.count('oidc', 'refresh'), 1, 'only A probed /refresh before its popup');

    await sleep(Math.max(0, signedInAt + TTL * 1000 + 500 - Date.now()));
    stack.resetCounts();
    for (const [i, h] of [a, b, c].entries()) {
      await inTab(h, () => js('return window.e2e.start(arguments[0], "main", "getAccessToken")', `t${i}`));
    }
    const results = [];
    for (const [i, h] of [a, b, c].entries()) {
      results.push(await inTab(h, () => js('return window.e2e.settle(arguments[0])', `t${i}`)));
    }
    for (const r of results) assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(new Set(results.map(r => r.value)).size, 1, 'every tab has the same new token');
    assert.equal(stack.count('oidc', 'refresh'), 1, 'one /refresh for three tabs');

    stack.resetCounts();
    const out = await inTab(b, () => js('return window.e2e.call("main", "signOut")'));
    assert.equal(out.ok, true, JSON.stringify(out.error));
    await waitFor(async () => (await lastState(a)) === 'SignedOut', { what: 'A signed out' });
    await waitFor(async () => (await lastState(c)) === 'SignedOut', { what: 'C signed out' });
    assert.equal(stack.count('oidc', 'logout'), 1);
  });
});
