// Page adapter for bench/tabs-race.mjs, the PEER side: Backstage's own OAuth2 from
// @backstage/core-app-api (bench/package.json), wired as bench/client/peer.js wires it (a discoveryApi
// for the auth backend, an OAuthRequestManager, a ConfigApi stub), bundled with esbuild into the
// page. It exposes the same `window.e2e` subset as tests/e2e/fixtures/client.html (our client's
// test page), so the driver runs the same steps on both sides:
//   e2e.ready()                        true (the bundle is loaded)
//   e2e.make(name, cfg)                OAuth2.create(...); its sessionState$ and authRequest$ recorded
//                                      cfg: {backendUrl, providerId, providerTitle, scopes, autoTrigger}
//   e2e.setAutoTrigger(name, bool)     trigger queued sign-in requests (= the user clicks "Log in" in
//                                      OAuthRequestDialog) or leave them queued (= the dialog stays up)
//   e2e.call(name, method, ...args)    -> {ok: true, value} | {ok: false, error: {name, message}}
//   e2e.start(id, name, method, ...)   the same, not awaited; e2e.isSettled(id), e2e.settle(id)
//   e2e.states(name)                   every SessionState sessionState$ emitted
//   e2e.requests(name)                 {max, now, triggered}: sign-in requests the tab queued (the
//                                      login dialog an app would show: the user is signed out there)
import { makePeerClient } from './peer-client.js';

const clients = {};
const states = {};
const queued = {};
const pending = {};

function errorOf(e) {
  if (e instanceof Error) return { name: e.name, message: e.message, status: e.status ?? null, isError: true };
  return { name: 'NotAnError', message: String(e), status: null, isError: false };
}

const e2e = {
  ready: () => true,
  make(name, cfg) {
    const q = { max: 0, now: 0, triggered: 0, autoTrigger: !!cfg.autoTrigger, seen: new WeakSet() };
    queued[name] = q;
    const client = makePeerClient(cfg, requests => {
      q.now = requests.length;
      q.max = Math.max(q.max, requests.length);
      if (!q.autoTrigger) return;
      for (const r of requests) {
        if (!q.seen.has(r)) { q.seen.add(r); q.triggered += 1; r.trigger().catch(() => {}); }
      }
    });
    clients[name] = client;
    states[name] = [];
    client.sessionState$().subscribe(s => { states[name].push(s); });
    return true;
  },
  setAutoTrigger(name, on) { queued[name].autoTrigger = !!on; return true; },
  async call(name, method, ...args) {
    const t0 = performance.now();
    try {
      const value = await clients[name][method](...args);
      return { ok: true, value: value === undefined ? { undefined: true } : value, ms: performance.now() - t0 };
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
  isSettled: id => pending[id].done,
  settle: id => pending[id].p,
  states: name => states[name].slice(),
  requests: name => ({ max: queued[name].max, now: queued[name].now, triggered: queued[name].triggered }),
};
window.e2e = e2e;
