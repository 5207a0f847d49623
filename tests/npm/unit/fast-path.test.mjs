// The hot path's JS half (js/glue/fast-path.js, appended by scripts/build to the auth glues) on a
// stand-in AuthClientCore that records its calls: the contract with the Rust side is
// `new AuthClientCore(options, onCache)`, onCache(token, until, renewAt, lifecycle) called
// synchronously in the constructor and on every change; until (epoch ms) bounds what may be
// answered without the core, 0 = nothing; at renewAt the JS half calls refreshAhead() (0 = never);
// lifecycle is what lifecycle$() emits. Run by tests/npm/run a (node --test).
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
    // synchronously, before super() returns
    onCache(options.initialToken, options.initialUntil ?? 0, options.initialRenewAt ?? 0,
      options.initialLifecycle ?? { status: 'signedOut', reason: 'initial' });
    this.__wbg_ptr = 1;
    return this;
  }
  getAccessToken(scope, options) {
    calls.push(['getAccessToken', scope, options]);
    if (this.__wbg_ptr === 0) throw new Error('null pointer passed to rust');
    return Promise.resolve('from-core');
  }
  refreshAhead() { calls.push(['refreshAhead']); }
  refreshIfDue(atExpiry) { calls.push(['refreshIfDue', atExpiry]); }
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

const sleep = ms => new Promise(r => setTimeout(r, ms));
const aheadCalls = () => calls.filter(c => c[0] === 'refreshAhead').length;

test('lifecycle$(): the current lifecycle on subscribe, then each change; unsubscribe stops it', () => {
  const c = new AuthClient({ initialLifecycle: { status: 'signedOut', reason: 'initial' } });
  const seen = [];
  const sub = c.lifecycle$().subscribe(l => seen.push(l.status));
  const viaObserver = [];
  c.lifecycle$().subscribe({ next(l) { viaObserver.push(l.reason ?? l.status); } });
  glue.onCacheOf('t', Date.now() + 60_000, 0, { status: 'signedIn', expiresAt: Date.now() + 60_000 });
  sub.unsubscribe();
  assert.equal(sub.closed, true);
  glue.onCacheOf(undefined, 0, 0, { status: 'signedOut', reason: 'signOut' });
  assert.deepEqual(seen, ['signedOut', 'signedIn']);
  assert.deepEqual(viaObserver, ['initial', 'signedIn', 'signOut']);
  const observable = c.lifecycle$();
  const key = Symbol.observable ?? '@@observable';
  assert.equal(observable[key](), observable);
});

test('lifecycle$(): an observer that throws does not keep the others from hearing', () => {
  const c = new AuthClient({});
  const seen = [];
  // The error is rethrown from a timer (reported as uncaught, not swallowed): catch that timer.
  const realSetTimeout = globalThis.setTimeout;
  const deferred = [];
  globalThis.setTimeout = fn => { deferred.push(fn); return 0; };
  try {
    c.lifecycle$().subscribe(l => { if (l.status === 'signedIn') throw new Error('observer bug'); });
    c.lifecycle$().subscribe(l => seen.push(l.status));
    glue.onCacheOf('t', 0, 0, { status: 'signedIn' });
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assert.deepEqual(seen, ['signedOut', 'signedIn']);
  assert.equal(deferred.length, 1);
  assert.throws(deferred[0], /observer bug/);
});

test('background refresh: refreshAhead() at renewAt, once; a new session moves the timer; 0 and free() stop it', async () => {
  const c = new AuthClient({ initialRenewAt: Date.now() + 30 });
  let n = aheadCalls();
  await sleep(80);
  assert.equal(aheadCalls(), n + 1, 'at renewAt');
  await sleep(50);
  assert.equal(aheadCalls(), n + 1, 'once');
  // A change before the timer fires replaces it.
  n = aheadCalls();
  glue.onCacheOf('t', 0, Date.now() + 40, { status: 'signedIn' });
  glue.onCacheOf('t', 0, Date.now() + 400, { status: 'signedIn' });
  await sleep(100);
  assert.equal(aheadCalls(), n, 'the earlier timer is gone');
  glue.onCacheOf('t', 0, 0, { status: 'signedIn' });
  await sleep(450);
  assert.equal(aheadCalls(), n, 'renewAt 0: no timer');
  glue.onCacheOf('t', 0, Date.now() + 30, { status: 'signedIn' });
  c.free();
  await sleep(80);
  assert.equal(aheadCalls(), n, 'freed: no timer');
});

test('a session whose refresh was refused: the core is asked again at its expiry (refreshIfDue), not before', async () => {
  const c = new AuthClient({});
  const dueCalls = () => calls.filter(x => x[0] === 'refreshIfDue').length;
  const n = dueCalls();
  glue.onCacheOf('t', 0, 0, { status: 'signedIn', expiresAt: Date.now() + 60,
    refreshFailed: { reason: 'refused', error: new Error('no') } });
  await sleep(20);
  assert.equal(dueCalls(), n, 'not before the expiry');
  await sleep(80);
  assert.equal(dueCalls(), n + 1, 'at the expiry');
  assert.equal(calls.filter(x => x[0] === 'refreshIfDue').at(-1)[1], true, 'as the expiry, not a wake-up (refreshOnWake: false still ends it)');
  // No answer (network) is retried by calls and wake-ups, not at expiry; a new session clears it.
  glue.onCacheOf('t', 0, 0, { status: 'signedIn', expiresAt: Date.now() + 30,
    refreshFailed: { reason: 'network', error: new Error('offline') } });
  glue.onCacheOf('t', 0, 0, { status: 'signedIn', expiresAt: Date.now() + 30,
    refreshFailed: { reason: 'refused', error: new Error('no') } });
  glue.onCacheOf('t', 0, 0, { status: 'signedIn', expiresAt: Date.now() + 30 });
  await sleep(80);
  assert.equal(dueCalls(), n + 1);
  c.free();
});
