// Builds nothing: serves the Vite build (dist/) of this Backstage app on 127.0.0.1, starts the
// real stack (oidc-provider IdP + Backstage auth/catalog backend, tests/e2e/stack/stack.mjs) and
// drives headless Chromium through: sign-in page → popup → IdP login → signed-in identity shown →
// catalog call with the Backstage token → reload (session restored without a popup) → sign out.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const stackDir = path.join(here, '..', '..', 'e2e', 'stack');
const { startStack } = await import(path.join(stackDir, 'stack.mjs'));
const { launchBrowser, signInPopup } = await import(path.join(stackDir, 'browser.mjs'));
const { startAppServer } = await import(path.join(stackDir, 'appserver.mjs'));

// Usage: node e2e.mjs [dist dir] [--discovery]  (--discovery: the build was made by the Backstage
// CLI with app.packages: all, and the run-time config must enable feature discovery too)
const args = process.argv.slice(2);
const discovery = args.includes('--discovery');
const dist = path.resolve(here, args.find(a => !a.startsWith('--')) ?? 'dist');
assert.ok(fs.existsSync(path.join(dist, 'index.html')), `no build in ${dist}`);
// The lazy chunk holding the inlined fallback bytes (base64 of '\0asm' starts with 'AGFzbQ'),
// whatever the bundler named it.
const jsFiles = dir => fs.readdirSync(dir, { withFileTypes: true }).flatMap(e =>
  e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []);
const wasmChunks = jsFiles(dist).filter(f => fs.readFileSync(f, 'latin1').match(/['"`]AGFzbQ/));
assert.equal(wasmChunks.length, 1, `expected one chunk with the inlined WASM, found ${wasmChunks.length}`);
const wasmChunkPath = '/' + path.relative(dist, wasmChunks[0]).split(path.sep).join('/');
assert.ok(!fs.readFileSync(path.join(dist, 'index.html'), 'utf8').includes(path.basename(wasmChunkPath)),
  'the fallback chunk is not lazy (referenced from index.html)');
const step = (msg, t0) => console.log(`[app-e2e] ${msg}${t0 ? ` (${Date.now() - t0} ms)` : ''}`);

const routes = {};
const app = await startAppServer({ root: dist, routes });
let stack, browser;
const problems = [];
try {
  let t = Date.now();
  stack = await startStack({ appOrigins: [app.origin] });
  step(`stack up: backend ${stack.backendUrl}, IdP ${stack.idpUrl}, app ${app.origin}`, t);
  routes['/app-config.json'] = {
    type: 'application/json',
    body: JSON.stringify({
      app: { title: 'WASM auth test app', baseUrl: app.origin, ...(discovery ? { packages: 'all' } : {}) },
      backend: { baseUrl: stack.backendUrl },
      auth: { environment: 'development' },
      wasmAuth: { providers: { oidc: { defaultScopes: ['openid', 'profile', 'email'], storage: 'session' } } },
    }),
  };

  browser = await launchBrowser();
  const page = await browser.newPage();
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
  const wasmFetches = wasmResponses.filter(r => r.ok);
  assert.equal(wasmFetches.length, 1, `expected one .wasm fetch, saw ${JSON.stringify(wasmResponses)}`);
  assert.equal(wasmFetches[0].type, 'application/wasm');
  assert.ok(!requests.some(u => new URL(u).pathname === wasmChunkPath), `the fallback chunk ${wasmChunkPath} was loaded`);
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

  // 5. Sign out: back to the sign-in page, backend session cleared.
  t = Date.now();
  await page.getByTestId('signout').click();
  await page.getByRole('button', { name: /sign in/i }).waitFor({ timeout: 20_000 });
  assert.equal(stack.count('oidc', 'logout'), 1);
  step('signed out: sign-in page again, /logout called once', t);

  const unexpected = problems.filter(p => !/Failed to load resource: net::ERR_BLOCKED_BY_CLIENT/.test(p));
  if (unexpected.length) console.log(`[app-e2e] browser console (not failing the test):\n  ${unexpected.join('\n  ')}`);
  if (failed.length) console.log(`[app-e2e] HTTP errors seen (expected: the /refresh probes while signed out):\n  ${failed.join('\n  ')}`);
  step(`counts: ${JSON.stringify(stack.counts())}`);
  step('OK');
} catch (e) {
  if (problems.length) console.error(`[app-e2e] browser problems:\n  ${problems.join('\n  ')}`);
  if (stack) console.error(`[app-e2e] backend log tail:\n${stack.logs().backend.split('\n').slice(-30).join('\n')}`);
  throw e;
} finally {
  await browser?.close();
  await stack?.stop();
  await app.close();
}
