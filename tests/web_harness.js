// Test harness for tests/web.rs, running inside the wasm-bindgen-test page.
// It stands in for the network (fetch) and the popup window (window.open) so that each
// browser-facing behaviour of the client can be driven and observed.

const realFetch = window.fetch.bind(window);
const realOpen = window.open.bind(window);

function b64url(obj) {
  return btoa(JSON.stringify(obj)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fakeJwt(sub, ent, expSeconds) {
  return `${b64url({ alg: 'ES256' })}.${b64url({ sub, ent, aud: 'backstage', exp: expSeconds })}.c2ln`;
}

export function authResponse(accessToken, ttlSeconds, scope) {
  const ref = 'user:default/jane';
  const ent = [ref, 'group:default/team-a'];
  return {
    providerInfo: { accessToken, idToken: 'id-' + accessToken, scope: scope || 'openid email', expiresInSeconds: ttlSeconds },
    profile: { email: 'jane@example.com', displayName: 'Jane Doe' },
    backstageIdentity: {
      token: fakeJwt(ref, ent, Math.floor(Date.now() / 1000) + 3600),
      expiresInSeconds: 3600,
      identity: { type: 'user', userEntityRef: ref, ownershipEntityRefs: ent },
    },
  };
}

// fetch: every request is recorded; `answer(request)` returns {status, body} (body: object or
// string), optionally after a delay, so that a refresh can be held in flight.
export const net = { requests: [], answer: null, delayMs: 0 };

export function installFetch(answer, delayMs) {
  net.requests = [];
  net.answer = answer;
  net.delayMs = delayMs || 0;
  window.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    net.requests.push({
      method: request.method,
      url: request.url,
      xrw: request.headers.get('X-Requested-With'),
      credentials: request.credentials,
    });
    if (net.delayMs) await new Promise(r => setTimeout(r, net.delayMs));
    const { status, body } = net.answer(request);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { 'Content-Type': 'application/json' } });
  };
}

export function restoreFetch() {
  window.fetch = realFetch;
}

export function requestCount(pathPart) {
  return net.requests.filter(r => r.url.includes(pathPart)).length;
}

export function lastRequest() {
  return net.requests[net.requests.length - 1];
}

// window.open: opens a page of this test server instead of the backend (same origin as this
// page, so the test can post messages FROM the popup), or pretends to be blocked.
// (Not about:blank: Firefox loads that synchronously inside window.open, spinning the event
// loop under the caller, which no real backend URL does.)
export const popups = { opened: [], blocked: false };
// This very file: a same-origin document every test server serves with 200.
const STAND_IN = new URL(import.meta.url).href;

export function installOpen(blocked) {
  popups.opened = [];
  popups.blocked = !!blocked;
  window.open = (url, name, features) => {
    if (popups.blocked) return null;
    const w = realOpen(STAND_IN, '_blank', features);
    popups.opened.push({ url, name, features, window: w });
    return w;
  };
}

export function restoreOpen() {
  window.open = realOpen;
}

export function lastPopup() {
  return popups.opened[popups.opened.length - 1];
}

// Posts `data` to this page from inside the popup's own realm, so that event.source is the popup.
export function postFromPopup(data) {
  const w = lastPopup().window;
  new w.Function('d', 'opener.postMessage(d, "*")')(data);
}

// Posts `data` from a same-origin iframe: right origin, wrong source.
export function postFromIframe(data) {
  const frame = document.createElement('iframe');
  document.body.appendChild(frame);
  new frame.contentWindow.Function('d', 'parent.postMessage(d, "*")')(data);
  setTimeout(() => frame.remove(), 500);
}

export function closePopup() {
  lastPopup().window.close();
}

export function popupClosed() {
  return lastPopup().window.closed;
}

export function popupCount() {
  return popups.opened.length;
}

// Waits for a popup opened after this call.
export function waitForPopup(timeoutMs) {
  const before = popups.opened.length;
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      const p = popups.opened[popups.opened.length - 1];
      let ready = false;
      try { ready = popups.opened.length > before && p.window.location.href === STAND_IN && p.window.document.readyState === 'complete'; } catch (_) {}
      if (ready) return resolve();
      if (Date.now() - start > timeoutMs) return reject(new Error('no popup'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

export function sleep(ms) {
  return new Promise(r => setTimeout(r, ms));
}

// console.warn counter (the storage fallback must warn once).
export const warnings = { count: 0 };
const realWarn = console.warn.bind(console);
export function countWarnings() {
  warnings.count = 0;
  console.warn = (...args) => { warnings.count += 1; realWarn(...args); };
}

export function restoreWarn() {
  console.warn = realWarn;
}

export function warningCount() {
  return warnings.count;
}

// Storage that throws on write (quota) or on any access (blocked site data).
const realSetItem = Storage.prototype.setItem;
export function breakStorageWrites() {
  Storage.prototype.setItem = function () {
    throw new DOMException('quota', 'QuotaExceededError');
  };
}

export function restoreStorage() {
  Storage.prototype.setItem = realSetItem;
}

// Observable recorder.
export function record(observable) {
  const seen = [];
  const sub = observable.subscribe({ next: v => seen.push(v) });
  return { seen, sub };
}

export function symbolObservableIsSelf(observable) {
  const viaString = observable['@@observable']() === observable;
  const viaSymbol = typeof Symbol.observable === 'symbol' ? observable[Symbol.observable]() === observable : true;
  return viaString && viaSymbol;
}

// Posts on a BroadcastChannel as another tab would (forged or not).
export function broadcast(name, data) {
  const channel = new BroadcastChannel(name);
  channel.postMessage(data);
  channel.close();
}

// Web Locks held by the page's origin (names), for the presence locks of the session handoff.
export async function heldLocks() {
  const snapshot = await navigator.locks.query();
  return snapshot.held.map(l => l.name);
}

// Records the `type` of every message on a channel (the test's own listener, like another tab).
export function listen(name) {
  const types = [];
  const channel = new BroadcastChannel(name);
  channel.onmessage = e => {
    try { types.push(JSON.parse(e.data).type); } catch (_) { types.push('?'); }
  };
  return { types, close: () => channel.close() };
}
