// The PEER's test page for the driver-based benches (bench/tabs-race.mjs, bench/lifecycle.mjs):
// Backstage's OAuth2 from @backstage/core-app-api wired as bench/client/peer.js wires it
// (peer-client.js: a discoveryApi, an OAuthRequestManager, a ConfigApi stub; default options),
// bundled into the page by bench/lib/peer-page.mjs. It exposes the same `window.e2e` subset as
// tests/e2e/fixtures/client.html (our client's test page), so a driver runs the same steps on both
// sides, plus what the benches observe of the login dialog an app shows for queued sign-in requests:
//   e2e.ready()                      true (the bundle is loaded)
//   e2e.make(name, cfg)              OAuth2.create(...); its sessionState$ and authRequest$ recorded
//                                    cfg: {backendUrl, providerId, providerTitle, scopes, autoTrigger}
//                                    autoTrigger (default true, as peer.js): each queued sign-in
//                                    request is triggered at once (= the user clicks "Log in");
//                                    false: left queued (= the dialog stays up)
//   e2e.setAutoTrigger(name, bool)   switches that later
//   e2e.call(name, method, ...args)  -> {ok: true, value, ms} | {ok: false, error: {name, message}, ms}
//   e2e.start(id, name, method, ...) the same, not awaited; e2e.isSettled(id), e2e.settle(id)
//   e2e.states(name)                 every SessionState sessionState$ emitted
//   e2e.requests(name)               {max, now, triggered, triggerErrors: [{name, message}]}: sign-in
//                                    requests queued (the user is signed out there) and what
//                                    request.trigger() rejected with (OAuthRequestDialog shows it;
//                                    the caller's promise is neither resolved nor rejected then)
import { makePeerClient } from './peer-client.js';

const clients = {};
const states = {};
const queued = {};
const pending = {};

function errorOf(e) {
  if (e instanceof Error) return { name: e.name, message: e.message, status: e.status ?? null, isError: true };
  return { name: 'NotAnError', message: String(e), status: null, isError: false };
}

function plain(value) {
  if (value === undefined) return { undefined: true };
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Set) return [...value];
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = v === undefined ? null : plain(v);
    return out;
  }
  return value;
}

const e2e = {
  ready: () => true,
  make(name, cfg) {
    const q = { max: 0, now: 0, triggered: 0, triggerErrors: [], autoTrigger: cfg.autoTrigger !== false, seen: new WeakSet() };
    queued[name] = q;
    const client = makePeerClient(cfg, requests => {
      q.now = requests.length;
      q.max = Math.max(q.max, requests.length);
      if (!q.autoTrigger) return;
      for (const r of requests) {
        if (!q.seen.has(r)) {
          q.seen.add(r);
          q.triggered += 1;
          r.trigger().catch(e => { q.triggerErrors.push(errorOf(e)); });
        }
      }
    });
    clients[name] = client;
    states[name] = [];
    client.sessionState$().subscribe(s => { states[name].push(s); });
    return true;
  },
  async call(name, method, ...args) {
    const t0 = performance.now();
    try {
      const value = await clients[name][method](...args);
      return { ok: true, value: plain(value), ms: performance.now() - t0 };
    } catch (e) {
      return { ok: false, error: errorOf(e), ms: performance.now() - t0 };
    }
  },
  start(id, name, method, ...args) {
    const p = e2e.call(name, method, ...args);
    pending[id] = { p, done: false };
    p.then(() => { pending[id].done = true; });
    return true;
  },
  setAutoTrigger(name, on) { queued[name].autoTrigger = !!on; return true; },
  isSettled: id => pending[id].done,
  settle: id => pending[id].p,
  states: name => states[name].slice(),
  requests: name => ({ max: queued[name].max, now: queued[name].now, triggered: queued[name].triggered,
    triggerErrors: queued[name].triggerErrors.slice() }),
};
window.e2e = e2e;
