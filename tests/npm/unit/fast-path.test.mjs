// The hot path's JS half (js/glue/fast-path.js, appended by scripts/build to the auth glues) on a
// stand-in AuthClientCore that records its calls: the contract with the Rust side is
// `new AuthClientCore(options, onCache)`, onCache(token, until) called synchronously in the
// constructor and on every session change; until (epoch ms) bounds what may be answered without
// the core, 0 = nothing. Run by tests/npm/run a (node --test).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const STUB = `
export const calls = [];
export let onCacheOf;
export class AuthClientCore {
  constructor(options, onCache) {
    calls.push(['new', options]);
    onCacheOf = onCache;
    onCache(options.initialToken, options.initialUntil ?? 0);   // synchronously, before super() returns
    this.__wbg_ptr = 1;
    return this;
  }
  getAccessToken(scope, options) {
    calls.push(['getAccessToken', scope, options]);
    if (this.__wbg_ptr === 0) throw new Error('null pointer passed to rust');
    return Promise.resolve('from-core');
  }
  free() { calls.push(['free']); this.__wbg_ptr = 0; }
}
`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fast-path-'));
const file = path.join(dir, 'glue.mjs');
fs.writeFileSync(file, `${STUB}\n${fs.readFileSync(path.join(root, 'js/glue/fast-path.js'), 'utf8')}`);
const glue = await import(pathToFileURL(file).href);
fs.rmSync(dir, { recursive: true, force: true });
const { AuthClient, AuthClientCore, calls } = glue;
const coreCalls = () => calls.filter(c => c[0] === 'getAccessToken').length;

test('AuthClient extends AuthClientCore and passes the options through', () => {
  const c = new AuthClient({ provider: { id: 'x' } });
  assert.ok(c instanceof AuthClientCore);
  assert.deepEqual(calls.at(-1), ['new', { provider: { id: 'x' } }]);
});

test('a fresh cached session: the same resolved promise, no core call', async () => {
  const c = new AuthClient({ initialToken: 'tok', initialUntil: Date.now() + 60_000 });
  const n = coreCalls();
  const p1 = c.getAccessToken();
  const p2 = c.getAccessToken(undefined, { optional: true });
  assert.equal(p1, p2);
  assert.equal(await p1, 'tok');
  assert.equal(coreCalls(), n);
});

test('until = 0, an expired until, or a scope argument: the core answers', async () => {
  const c = new AuthClient({ initialToken: 'tok', initialUntil: 0 });
  let n = coreCalls();
  assert.equal(await c.getAccessToken(), 'from-core');
  assert.equal(coreCalls(), n + 1);
  glue.onCacheOf('tok', Date.now() - 1);
  n = coreCalls();
  assert.equal(await c.getAccessToken(), 'from-core');
  glue.onCacheOf('tok', Date.now() + 60_000);
  assert.equal(await c.getAccessToken('openid'), 'from-core');
  assert.equal(await c.getAccessToken([]), 'from-core');
  assert.equal(coreCalls(), n + 3);
  assert.deepEqual(calls.at(-1), ['getAccessToken', [], undefined]);
});

test('a session change replaces the cached promise; an undefined token (guest) is served too', async () => {
  const c = new AuthClient({ initialToken: 'a', initialUntil: Date.now() + 60_000 });
  const first = c.getAccessToken();
  glue.onCacheOf(undefined, Date.now() + 60_000);
  const n = coreCalls();
  const second = c.getAccessToken();
  assert.notEqual(first, second);
  assert.equal(await second, undefined);
  assert.equal(coreCalls(), n);
  glue.onCacheOf(undefined, 0);
  assert.equal(await c.getAccessToken(), 'from-core');
});

test('the page clock decides (Date.now read per call)', async () => {
  const realNow = Date.now;
  try {
    const c = new AuthClient({ initialToken: 't', initialUntil: realNow() + 1000 });
    const n = coreCalls();
    await c.getAccessToken();
    assert.equal(coreCalls(), n);
    Date.now = () => realNow() + 2000;
    assert.equal(await c.getAccessToken(), 'from-core');
    assert.equal(coreCalls(), n + 1);
  } finally {
    Date.now = realNow;
  }
});

test('free() ends the fast path: a freed client goes to the core (which refuses)', () => {
  const c = new AuthClient({ initialToken: 't', initialUntil: Date.now() + 60_000 });
  c.free();
  assert.deepEqual(calls.at(-1), ['free']);
  assert.throws(() => c.getAccessToken(), /null pointer/);
  if (Symbol.dispose) assert.equal(AuthClient.prototype[Symbol.dispose], AuthClient.prototype.free);
});
