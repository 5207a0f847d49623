// The "Session lifecycle" area of the playground (issue 14, sections 1-4): a live panel of every
// client's lifecycle$(), an in-page notice with "Sign in again", and per section the controls a
// visitor needs to see the behaviour on this machine. The conditions are real (a backend that does
// not answer, a refresh cookie that is gone, short-lived IdP tokens, the IdP's own logout page):
// the demo server's /__demo/* routes (tests/demo/server.mjs) and a service worker that fails the
// page's backend requests as a network error (lifecycle-sw.js) make them; the clients are untouched.

/** "Make the backend unreachable": a service worker of this page (lifecycle-sw.js) fails its
 *  requests to the backend as a network error while on. Registered on the first use only. */
const backend = { down: false };

const SHORT_TTL = 20;
const RP_LOGOUT_KEY = 'wasm-auth-demo:rp-logout';
const ON_LOAD_KEY = 'wasm-auth-demo:sign-in-on-load';
const LEFT_FROM_KEY = 'wasm-auth-demo:left-from'; // the URL a section 3 redirect sign-in left from

let ctx; // from demo.js: { cards, h, icon, log, logError, remember, loadDetails, selectCard, fmtDuration, fmtTime, ... }
const lc = new Map(); // card key -> { current, renewedAt, lastFailure }
const steps = { 0: '', 1: '', 2: '', 3: '', 4: '' }; // the last result line of each section (0: set-up)
let dismissed = ''; // the notice the visitor closed (its text key)
let ttl = null;     // the IdP token lifetime this page set (null: the stack's own)

const $ = sel => document.querySelector(sel);

export function setupLifecycle(context) {
  ctx = context;
  for (const card of ctx.cards.values()) {
    if (typeof card.client.lifecycle$ !== 'function') continue;
    const entry = { current: undefined, renewedAt: 0, lastFailure: null };
    lc.set(card.def.key, entry);
    card.client.lifecycle$().subscribe(value => onLifecycle(card, entry, value));
  }
  const back = Number(sessionStorage.getItem(RP_LOGOUT_KEY));
  sessionStorage.removeItem(RP_LOGOUT_KEY);
  if (back && Date.now() - back < 10 * 60_000) {
    steps[4] = ['Back from the IdP\'s ', ctx.h('code', 'end_session_endpoint'),
      ': the IdP\'s own session has ended too, so the next PKCE sign-in asks for the password again.'];
    ctx.log('ok', 'lifecycle', 'back from the IdP after an RP-initiated logout (pkce.postLogoutRedirectUri)');
  }
  const from = sessionStorage.getItem(LEFT_FROM_KEY);
  if (from && !sessionStorage.getItem(ON_LOAD_KEY)) {
    sessionStorage.removeItem(LEFT_FROM_KEY);
    steps[3] = location.href === from
      ? ['Back from the IdP on the exact URL the sign-in left from: ', ctx.h('code', { dataset: { lc: 'back-url' } }, from)]
      : ['Back from the IdP, but on ', ctx.h('code', location.href), ' instead of ', ctx.h('code', from)];
  }
  // A worker left on by an earlier visit starts off (its state is not kept): say so explicitly.
  navigator.serviceWorker?.controller?.postMessage({ type: 'backend-down', down: false });
  render();
  setInterval(tick, 1000);
}

/** Boot step: "Sign in on load" was asked for (section 3): sign in without a user gesture. */
export async function signInOnLoad() {
  if (!sessionStorage.getItem(ON_LOAD_KEY)) return;
  sessionStorage.removeItem(ON_LOAD_KEY);
  const card = ctx.cards.get('oidc');
  // redirectWhenPopupBlocked: the browser blocks this gesture-less popup, the client then leaves
  // for the redirect flow and comes back to this URL.
  const client = new ctx.wasm.AuthClient({ ...ctx.clientOptions(card.def), storage: 'memory', redirectWhenPopupBlocked: true });
  ctx.remember('oidc', true);
  ctx.log('info', 'lifecycle', ['sign-in on load, without a click: ', ctx.h('code', 'getBackstageIdentity()'), ' with redirectWhenPopupBlocked']);
  try {
    await client.getBackstageIdentity();
    steps[3] = 'The browser allowed the popup this time (no blocker): signed in through it.';
    await ctx.loadDetails(card);
  } catch (err) {
    steps[3] = ['Sign-in on load failed: ', err?.name ?? 'Error', ' — ', err?.message ?? String(err)];
    ctx.logError('lifecycle', 'sign-in on load', err);
  }
  render();
}

function onLifecycle(card, entry, value) {
  const prev = entry.current;
  entry.current = value;
  if (value?.status === 'signedIn' && prev?.status === 'signedIn' && value.expiresAt !== prev.expiresAt) entry.renewedAt = Date.now();
  if (value?.status !== 'signedIn') entry.renewedAt = 0;
  if (value?.refreshFailed) entry.lastFailure = { ...value.refreshFailed, at: Date.now() };
  if (value?.status === 'signedIn' && !value.refreshFailed && prev?.refreshFailed) {
    ctx.log('ok', card.def.title, ['lifecycle$ → signed in, the failed refresh is behind it (', prev.refreshFailed.reason, ')']);
  } else if (value?.refreshFailed && value.refreshFailed !== prev?.refreshFailed) {
    ctx.log('error', card.def.title, ['lifecycle$ → refresh failed: ', ctx.h('b', value.refreshFailed.reason), ' (',
      value.refreshFailed.error?.name ?? 'Error', '), session kept until it expires']);
  } else if (value?.status === 'signedOut' && prev && prev.status !== 'signedOut') {
    ctx.log('state-out', card.def.title, ['lifecycle$ → signed out: ', ctx.h('b', value.reason)]);
  }
  render();
}

// ------------------------------------------------------------------------------------------
// Actions

async function post(path, body) {
  const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(json.error ?? `HTTP ${r.status}`);
  return json;
}

async function act(step, label, fn) {
  const t0 = performance.now();
  try {
    await fn();
  } catch (err) {
    steps[step] = [`${label} failed: `, ctx.h('b', err?.name ?? 'Error'), ' — ', err?.message ?? String(err)];
    ctx.logError('lifecycle', label, err, performance.now() - t0);
  }
  render();
  ctx.refreshCounts();
}

async function setTtl(seconds) {
  await post('/__demo/token-ttl', { seconds });
  ttl = seconds;
  ctx.log('info', 'lifecycle', ['IdP tokens issued from now on live ', ctx.h('b', `${seconds} s`)]);
}

/** A session whose tokens live SHORT_TTL s: sign out, then in again through the popup. */
async function startShortSession() {
  const card = ctx.cards.get('oidc');
  ctx.selectCard('oidc');
  await act(0, 'short session', async () => {
    await setTtl(SHORT_TTL);
    if (card.state === 'SignedIn') await card.client.signOut();
    // Still in the click's activation (a few ms later): the popup is allowed.
    await card.client.getBackstageIdentity({ instantPopup: true });
    ctx.remember('oidc', true);
    ctx.log('ok', 'OIDC', `signed in with ${SHORT_TTL} s IdP tokens: background refresh every ~${Math.round(SHORT_TTL * 3 / 8)} s`);
    await ctx.loadDetails(card);
  });
}

async function backendWorker() {
  const reg = await navigator.serviceWorker.register('/lifecycle-sw.js', { scope: '/' });
  if (!navigator.serviceWorker.controller) {
    // clients.claim() in the worker's activate makes it this page's controller.
    await new Promise(resolve => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
  }
  await reg.update().catch(() => {});
  return navigator.serviceWorker.controller;
}

async function toggleBackend() {
  await act(1, 'switching the backend', async () => {
    const worker = await backendWorker();
    const down = !backend.down;
    const answer = new Promise(resolve => {
      const on = e => { if (e.data?.type === 'backend-down') { navigator.serviceWorker.removeEventListener('message', on); resolve(e.data.down); } };
      navigator.serviceWorker.addEventListener('message', on);
    });
    worker.postMessage({ type: 'backend-down', down, origin: ctx.backendOrigin });
    backend.down = await answer;
    steps[1] = backend.down
      ? 'The backend is unreachable from this page: the next /refresh gets no answer (AuthConnectionError). Watch the OIDC rows: refresh failed, network, session kept.'
      : 'The backend answers again. The client notices on the next wake-up (online, a tab switch, focus) or call.';
    ctx.log(backend.down ? 'error' : 'info', 'lifecycle', backend.down
      ? ['backend unreachable: requests to ', ctx.h('code', ctx.backendOrigin), ' fail as a network error']
      : 'backend reachable again');
  });
}

function wakeUp() {
  // What the browser sends when the window is focused again after sleep or a tab switch.
  window.dispatchEvent(new Event('focus'));
  steps[1] = 'focus dispatched: a due session (or one whose refresh failed) is refreshed now, by the client itself.';
  ctx.log('info', 'lifecycle', ['window ', ctx.h('code', 'focus'), ' event (refreshOnWake)']);
  render();
  setTimeout(() => ctx.refreshCounts(), 600);
}

async function clearCookie() {
  await act(2, 'clearing the refresh cookie', async () => {
    await post('/__demo/clear-refresh-cookie', { provider: 'oidc' });
    steps[2] = 'The backend\'s oidc refresh cookie is gone: the next background refresh is refused, and the notice at the top says when the session ends.';
    ctx.log('info', 'lifecycle', ['the backend\'s ', ctx.h('code', 'oidc-refresh-token'), ' cookie was cleared']);
  });
}

/** The notice's button: in place, in a popup (after a refused refresh the core opens one). */
async function signInAgain(card) {
  const t0 = performance.now();
  const isPkce = card.def.flow === 'pkce';
  ctx.log('info', card.def.title, ['Sign in again: ', ctx.h('code', isPkce
    ? 'getAccessToken(undefined, { instantPopup: true })' : "getBackstageIdentity({ instantPopup: true, flow: 'popup' })")]);
  try {
    if (isPkce) await card.client.getAccessToken(undefined, { instantPopup: true });
    else await card.client.getBackstageIdentity({ instantPopup: true, flow: 'popup' });
    ctx.remember(card.def.key, true);
    dismissed = '';
    steps[2] = 'Signed in again in the popup: the same page, its inputs and its URL (no reload, no navigation).';
    ctx.log('ok', card.def.title, 'signed in again in place (popup)', performance.now() - t0);
    await ctx.loadDetails(card);
  } catch (err) {
    ctx.logError(card.def.title, 'Sign in again', err, performance.now() - t0);
  }
  render();
}

async function signInByRedirect() {
  const card = ctx.cards.get('oidc');
  ctx.remember('oidc', true);
  sessionStorage.setItem('wasm-auth-demo:redirect-started', String(Date.now()));
  sessionStorage.setItem(LEFT_FROM_KEY, location.href);
  ctx.log('info', 'OIDC', ['per call flow: ', ctx.h('code', "getAccessToken(undefined, { flow: 'redirect' })"), ' on the popup client']);
  steps[3] = 'Leaving for the IdP in this window…';
  render();
  // Resolves only if no sign-in was needed; else the page leaves and comes back to this URL.
  await act(3, 'sign-in by redirect', () => card.client.getAccessToken(undefined, { flow: 'redirect' }));
}

function signInOnLoadNext() {
  sessionStorage.setItem(ON_LOAD_KEY, '1');
  sessionStorage.setItem(LEFT_FROM_KEY, location.href);
  location.reload();
}

async function rpLogout() {
  const card = ctx.cards.get('pkce');
  await act(4, 'sign-out at the IdP', async () => {
    // A client like the PKCE card's (same provider, same localStorage session) that also ends
    // the IdP's session: RP-initiated logout, back to this origin's / (registered at the IdP).
    const client = new ctx.wasmPkce.AuthClient({ ...ctx.clientOptions(card.def),
      pkce: { ...ctx.clientOptions(card.def).pkce, postLogoutRedirectUri: `${location.origin}/` } });
    sessionStorage.setItem(RP_LOGOUT_KEY, String(Date.now()));
    steps[4] = 'Signed out here; the IdP\'s end_session_endpoint is next…';
    ctx.log('info', 'OIDC · PKCE', ['signOut() with ', ctx.h('code', 'pkce.postLogoutRedirectUri'), ' → the IdP\'s end_session_endpoint']);
    render();
    await client.signOut(); // never resolves when the page leaves
  });
}

// ------------------------------------------------------------------------------------------
// Rendering

const left = at => (at - Date.now()) / 1000;
function expiresText(v) {
  if (v?.status !== 'signedIn') return '—';
  if (!v.expiresAt) return 'never';
  const s = left(v.expiresAt);
  if (s > 0) return `in ${ctx.fmtDuration(s)}`;
  // No answer keeps it (renewed when the backend answers again); refused: the client ends it at
  // its expiry (a moment after, this row says `signedOut`).
  return `expired ${ctx.fmtDuration(-s)} ago${v.refreshFailed?.reason === 'refused' ? '' : ' · kept'}`;
}
function nextRefreshText(card, v) {
  if (v?.status !== 'signedIn') return '—';
  if (v.refreshFailed) return 'none after a failure: a call or a wake-up retries';
  if (document.hidden) return 'paused while the page is hidden';
  // The JS half's timer (pkg/'s AuthClient keeps it in __cache.renewAt; 0 = none).
  const at = card.client.__cache?.renewAt ?? 0;
  if (!(at > 0)) return 'none';
  const s = left(at);
  return s > 0 ? `in ${ctx.fmtDuration(s)}` : 'due now (one client refreshes for all)';
}
function failureText(entry) {
  const f = entry.current?.refreshFailed ?? null;
  if (!f) return entry.lastFailure ? `— (last: ${entry.lastFailure.reason} at ${ctx.fmtTime(entry.lastFailure.at)})` : '—';
  return `${f.reason} · ${f.error?.name ?? 'Error'}`;
}
function endedText(v) {
  if (v?.status !== 'signedOut') return '—';
  return v.error ? `${v.reason} · ${v.error.name ?? 'Error'}` : v.reason;
}

/** The one notice per backend provider (the three OIDC cards share one session). */
function noticeFor() {
  const seen = new Set();
  for (const card of ctx.cards.values()) {
    if (seen.has(card.def.providerId)) continue;
    seen.add(card.def.providerId);
    const v = lc.get(card.def.key)?.current;
    if (!v) continue;
    const f = v.status === 'signedIn' ? v.refreshFailed : null;
    if (f?.reason === 'refused') return { card, kind: 'warn', key: `${card.def.key}:refused:${v.expiresAt}`, v };
    if (f?.reason === 'network') return { card, kind: 'info', key: `${card.def.key}:network:${v.expiresAt}`, v };
    if (v.status === 'signedOut' && (v.reason === 'expired' || v.reason === 'otherTab')) {
      return { card, kind: v.reason === 'expired' ? 'error' : 'info', key: `${card.def.key}:${v.reason}`, v };
    }
  }
  return null;
}

function noticeText(n) {
  const { card, v } = n;
  const name = card.def.title;
  if (v.status === 'signedIn' && v.refreshFailed?.reason === 'refused') {
    const s = v.expiresAt ? left(v.expiresAt) : Infinity;
    return [ctx.h('strong', s > 0 ? `Your ${name} session ends in ` : `Your ${name} session has run out`),
      s > 0 && s !== Infinity ? ctx.h('strong.mono', { dataset: { noticeCountdown: String(v.expiresAt) } }, ctx.fmtDuration(s)) : null,
      ' — it could not be renewed (', v.refreshFailed.error?.name ?? 'Error', '). Sign in again to keep working: this page stays as it is.'];
  }
  if (v.status === 'signedIn') {
    return [ctx.h('strong', `Cannot reach the ${name} auth backend.`),
      ' Your session is kept and renewed by itself when the connection is back (', v.refreshFailed.error?.name ?? 'Error', ').'];
  }
  if (v.reason === 'expired') {
    return [ctx.h('strong', `Your ${name} session has expired.`), ' It could not be renewed',
      v.error ? ` (${v.error.name ?? 'Error'})` : '', '. Sign in again: this page stays as it is.'];
  }
  return [ctx.h('strong', `You were signed out of ${name} in another tab.`), ' Sign in again here if you want to keep working.'];
}

function renderNotice() {
  const box = $('#session-notice');
  if (!box) return;
  const n = noticeFor();
  if (!n || n.key === dismissed) { box.hidden = true; box.replaceChildren(); return; }
  box.hidden = false;
  box.className = `session-notice ${n.kind}`;
  box.dataset.kind = n.kind;
  box.dataset.client = n.card.def.key;
  const canSignIn = !(n.v.status === 'signedIn' && n.v.refreshFailed?.reason === 'network');
  box.replaceChildren(...[
    ctx.icon(n.kind === 'info' ? 'info' : 'timer'),
    ctx.h('div.notice-text', { role: 'status' }, noticeText(n)),
    canSignIn ? ctx.h('button.btn.btn-primary.btn-small', { type: 'button', dataset: { action: 'sign-in-again' },
      on: { click: () => signInAgain(n.card) } }, 'Sign in again') : null,
    ctx.h('button.icon-btn', { type: 'button', title: 'Dismiss', 'aria-label': 'Dismiss', on: { click: () => { dismissed = n.key; renderNotice(); } } },
      ctx.icon('close', 'icon sm'))].filter(Boolean));
}

function panel() {
  const rows = [...ctx.cards.values()].filter(c => lc.has(c.def.key)).map(card => {
    const entry = lc.get(card.def.key);
    const v = entry.current;
    const status = v?.status === 'signedIn' ? (v.refreshFailed ? 'signedIn · warn' : 'signedIn') : v?.status ?? '…';
    const cls = v?.status !== 'signedIn' ? 'out' : v.refreshFailed ? (v.refreshFailed.reason === 'refused' ? 'warn' : 'busy') : 'in';
    return ctx.h('tr', { dataset: { lcClient: card.def.key } },
      ctx.h('td', ctx.h('span.lc-name', card.def.title)),
      ctx.h('td', ctx.h(`span.status.${cls}`, { dataset: { lc: 'status' } }, v?.status ?? '…')),
      ctx.h('td.mono', { dataset: { lc: 'expires' } }, expiresText(v)),
      ctx.h('td', { dataset: { lc: 'next' } }, nextRefreshText(card, v)),
      ctx.h('td', { dataset: { lc: 'renewed' } }, entry.renewedAt ? ctx.fmtTime(entry.renewedAt) : '—'),
      ctx.h('td', { dataset: { lc: 'failure' }, class: v?.refreshFailed ? `lc-fail ${v.refreshFailed.reason}` : '' }, failureText(entry)),
      ctx.h('td', { dataset: { lc: 'ended' } }, endedText(v)),
      ctx.h('td.lc-hidden', status));
  });
  return ctx.h('div.lc-table-wrap', ctx.h('table.lc-table#lc-table',
    ctx.h('thead', ctx.h('tr', ['Client', 'Status', 'Expires', 'Next background refresh', 'Last renewal', 'Refresh failed', 'Why it ended']
      .map(t => ctx.h('th', t)))),
    ctx.h('tbody', rows)));
}

function step(n, title, body, actions) {
  return ctx.h('div.lc-step', { dataset: { lcStep: String(n) }, id: `lifecycle-${n}` },
    ctx.h('h3.lc-step-title', ctx.h('span.lc-num', String(n)), title),
    ctx.h('p.lc-step-body', body),
    ctx.h('div.lc-actions', actions),
    ctx.h('p.lc-result', { dataset: { lcResult: String(n) }, hidden: !steps[n] }, steps[n] || ''));
}

function btn(action, label, onClick, { primary = false, disabled = false, pressed, code = false } = {}) {
  return ctx.h(`button.btn.btn-small.${primary ? 'btn-primary' : 'btn-outlined'}${code ? '.btn-code' : ''}`, { type: 'button', disabled,
    'aria-pressed': pressed === undefined ? undefined : String(pressed), dataset: { lcAction: action }, on: { click: onClick } }, label);
}

export function render() {
  const el = $('#lifecycle-body');
  if (!el || !ctx) return;
  renderNotice();
  const oidc = ctx.cards.get('oidc');
  const pkce = ctx.cards.get('pkce');
  const oidcIn = oidc?.state === 'SignedIn';
  const code = s => ctx.h('code', s);
  const draft = $('#lc-draft')?.value ?? '';
  el.replaceChildren(
    ctx.h('div.lc-setup',
      ctx.h('span', 'Set-up: tokens of the IdP that live ', ctx.h('b', `${SHORT_TTL} s`), ', so that refreshes and expiry come within seconds (background refresh ~',
        String(Math.round(SHORT_TTL * 3 / 8)), ' s after each renewal). ', ttl ? ['Now: ', ctx.h('b', { dataset: { lc: 'ttl' } }, `${ttl} s`), ' for new tokens.'] : null),
      ctx.h('span.lc-actions',
        btn('short-session', `Start a ${SHORT_TTL} s OIDC session`, startShortSession, { primary: true }),
        btn('ttl-reset', 'Back to 1 h tokens', () => act(0, 'token lifetime', () => setTtl(3600)))),
      steps[0] ? ctx.h('p.lc-result', steps[0]) : null),
    panel(),
    ctx.h('div.lc-steps',
      step(1, 'No surprise sign-outs, no waiting after sleep',
        ['A ', code('/refresh'), ' without an answer keeps the session (', code('AuthConnectionError'), ', ', code("refreshFailed.reason: 'network'"),
          '), also past its expiry: no sign-out, no popup. When the network is back or the page is shown again (',
          code('online'), ', ', code('visibilitychange'), ', ', code('focus'), ', ', code('pageshow'), ') the client refreshes by itself (',
          code('refreshOnWake'), '). A visible page refreshes before the margin (', code('backgroundRefresh'),
          ': "Next background refresh"); expiry is counted on this browser\'s clock from the token\'s lifetime (clock skew).'],
        [btn('backend-down', backend.down ? 'Backend reachable again' : 'Make the backend unreachable', toggleBackend, { pressed: backend.down, primary: !backend.down }),
          btn('wake', 'Wake up (focus)', wakeUp),
          btn('call', 'getAccessToken()', () => act(1, 'getAccessToken()', async () => {
            const t0 = performance.now();
            await oidc.client.getAccessToken();
            steps[1] = `getAccessToken() answered in ${Math.round(performance.now() - t0)} ms.`;
          }), { disabled: !oidcIn, code: true })]),
      step(2, 'Session expiry you can see, and recover from in place',
        ['Clearing the backend\'s refresh cookie (as when it expires or is revoked) makes the next background refresh refused (',
          code("refreshFailed.reason: 'refused'"), '): the notice at the top counts down to ', code('expiresAt'), ', and "Sign in again" calls ',
          code("getBackstageIdentity({ instantPopup: true, flow: 'popup' })"), ': a popup, in place. Left alone, it is served until then and ends there by itself as ',
          code('expired'), ' (no popup); signed out here or in another tab: ', code('signOut'), ' / ', code('otherTab'), '.'],
        [btn('clear-cookie', 'Clear the refresh cookie', clearCookie, { disabled: !oidcIn, primary: true }),
          btn('optional-call', 'getAccessToken(…, { optional: true })', () => act(2, 'getAccessToken({ optional: true })', async () => {
            const token = await oidc.client.getAccessToken(undefined, { optional: true });
            steps[2] = token ? 'getAccessToken({ optional: true }) served the session.'
              : 'getAccessToken({ optional: true }) → undefined: the session is over (no popup for an optional call).';
          }), { disabled: !oidcIn, code: true }),
          ctx.h('input.input#lc-draft', { 'aria-label': 'A draft that survives the sign-in', placeholder: 'type here: it stays', value: draft })]),
      step(3, 'Popup blocked → redirect; deep links survive',
        ['Per call: ', code("getAccessToken(undefined, { flow: 'redirect' })"), ' on the popup client goes to the IdP in this window and comes back to this exact URL (',
          ctx.h('code.lc-url', { dataset: { lc: 'url' } }, location.pathname + location.search + location.hash), '). With ',
          code('redirectWhenPopupBlocked: true'), ' a sign-in whose popup the browser blocks (Safari/iOS, no click) leaves for the redirect instead of a ',
          code('PopupRejectedError'), '. Sign out of OIDC first.'],
        [btn('redirect', 'Sign in by redirect (this call)', signInByRedirect, { disabled: oidcIn, primary: true }),
          btn('on-load', 'Reload, sign in without a click', signInOnLoadNext, { disabled: oidcIn })]),
      step(4, 'Sign-out that reaches the IdP',
        ['Backstage flows: ', code('signOut()'), ' posts ', code('/logout'), ' and follows a ', code('logoutUrl'),
          ' in its answer (Auth0\'s provider; https, or http on localhost); this backend\'s OIDC provider sends none. PKCE: with ',
          code('pkce.postLogoutRedirectUri'), ' the page goes to the IdP\'s ', code('end_session_endpoint'),
          ' (RP-initiated logout) and comes back here: the IdP\'s session ends too. Sign in with the PKCE card first.'],
        [btn('rp-logout', 'Sign out of PKCE at the IdP', rpLogout, { disabled: pkce?.state !== 'SignedIn', primary: true })])));
}

/** Once a second: the countdowns (a full render would reset focus in the draft input). */
function tick() {
  for (const card of ctx.cards.values()) {
    const entry = lc.get(card.def.key);
    const row = entry && document.querySelector(`#lc-table tr[data-lc-client="${card.def.key}"]`);
    if (!row) continue;
    row.querySelector('[data-lc="expires"]').textContent = expiresText(entry.current);
    row.querySelector('[data-lc="next"]').textContent = nextRefreshText(card, entry.current);
  }
  const cd = document.querySelector('[data-notice-countdown]');
  if (cd) {
    const s = left(Number(cd.dataset.noticeCountdown));
    if (s > 0) cd.textContent = ctx.fmtDuration(s); else renderNotice();
  }
}
