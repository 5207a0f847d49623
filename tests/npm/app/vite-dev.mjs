// The same app under Vite's DEV server (dependency pre-bundling into node_modules/.vite/deps),
// with no Vite config: the WASM core must load from its .wasm asset URL and answer the sign-in
// page's /refresh probe. (The full sign-in flow is covered on the production builds.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const stackDir = path.join(here, '..', '..', 'e2e', 'stack');
const { startStack } = await import(path.join(stackDir, 'stack.mjs'));
const { launchBrowser } = await import(path.join(stackDir, 'browser.mjs'));
const { createServer } = await import('vite');

fs.rmSync(path.join(here, 'node_modules', '.vite'), { recursive: true, force: true });
let origin;
let stack;
// Test harness only (run-time app config); nothing here concerns the package or WASM.
const appConfig = {
  name: 'app-config.json',
  configureServer(server) {
    server.middlewares.use('/app-config.json', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ app: { title: 'dev', baseUrl: origin }, backend: { baseUrl: stack.backendUrl } }));
    });
  },
};
const server = await createServer({
  root: here, configFile: false, logLevel: 'error', plugins: [appConfig],
  server: { host: '127.0.0.1', port: 0, strictPort: false },
});
let browser;
const t0 = Date.now();
try {
  await server.listen();
  origin = server.resolvedUrls.local[0].replace(/\/$/, '');
  stack = await startStack({ appOrigins: [origin] });
  browser = await launchBrowser({ timeoutMs: 90_000 });
  const page = await browser.newPage();
  const wasm = [];
  page.on('response', r => {
    if (/\.wasm$/.test(new URL(r.url()).pathname)) wasm.push({ path: new URL(r.url()).pathname, status: r.status(), type: r.headers()['content-type'] });
  });
  const requests = [];
  page.on('request', r => requests.push(new URL(r.url()).pathname));
  await page.goto(origin, { waitUntil: 'commit' });
  await page.getByRole('button', { name: /sign in/i }).waitFor({ timeout: 90_000 });
  assert.equal(stack.count('oidc', 'refresh'), 1, 'the core answered the sign-in page (one /refresh probe)');
  assert.equal(wasm.length, 1, JSON.stringify(wasm));
  assert.equal(wasm[0].status, 200);
  assert.equal(wasm[0].type, 'application/wasm');
  assert.ok(!requests.some(p => /wasm-bytes/.test(p)), 'the inlined fallback was loaded');
  console.log(`[vite-dev] dev server: core loaded from ${wasm[0].path}, sign-in page answered (${Date.now() - t0} ms) OK`);
} finally {
  await browser?.close();
  await stack?.stop();
  await server.close();
}
