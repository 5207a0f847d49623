// The session lifecycle side by side (README "The session lifecycle, beside Backstage's OAuth2"):
// OUR client (the raw core of a private copy of pkg/, tests/e2e/fixtures/client.html) vs Backstage's
// OAuth2 (@backstage/core-app-api, wired as bench/client/peer.js wires it), both with DEFAULT
// options, in the same run, against the same real stack, in the same headless Chromium. Run it
// with bench/lifecycle-run (installs what is missing first); this file is the driver:
//
//   node bench/lifecycle.mjs [--only offline,logoutUrl,...] [--out FILE.md] [--json FILE.json] [--no-write]
//
// One scenario per row of the README table; each records what each client DID (error names, session
// state, tokens served, window.open calls and popups, /refresh and /logout requests counted at the
// stack's proxy, main-frame navigations, dialogs, how long a call took). Nothing about a client's
// behaviour is asserted: the exit status is 1 only when a scenario could not be run (harness
// failure: the stack, the browser, a setup sign-in, a time bound). The last line printed is
// "N scenarios run, M harness failures".
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEER_HTML, bundlePeerPage } from './lib/peer-page.mjs';
import { startStack } from '../tests/e2e/stack/stack.mjs';
import { launchBrowser, completeIdpLogin } from '../tests/e2e/stack/browser.mjs';
import { startAppServer } from '../tests/e2e/stack/appserver.mjs';
import { startFaultProxy } from '../tests/e2e/stack/faults.mjs';
import { prepareOurs } from './lib/ours-build.mjs';
import { pkgStaleReason } from '../tests/lib/pkg.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(benchDir);
const argv = process.argv.slice(2);
const argValue = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const OUT = path.resolve(argValue('--out', path.join(benchDir, 'lifecycle.md')));
const JSON_OUT = path.resolve(argValue('--json', path.join(benchDir, 'lifecycle.json')));
const WRITE = !argv.includes('--no-write');
const ALL = ['offline', 'wake', 'logoutUrl', 'popupBlocked', 'skew', 'background', 'perCallFlow', 'signOutTabs'];
const ONLY = argValue('--only', null)?.split(',') ?? ALL;
for (const s of ONLY) if (!ALL.includes(s)) throw new Error(`--only: unknown scenario ${s} (${ALL.join(', ')})`);

const EMAIL = 'jane@example.com';
const PROVIDER = { id: 'oidc', title: 'OIDC' };
const SCOPES = ['openid', 'profile', 'email'];
const TTL_S = 3600; // the stack's IdP access-token and Backstage-token lifetime (its defaults)
const MARGIN_S = 180; // both clients' default refresh margin
const SCENARIO_MS = 120_000; // bound of one scenario for one client
const SIDES = ['ours', 'peer'];
const LEFT_S = 90; // offline: seconds left on the session (due: inside the margin)
const CALLS = 50; // skew: calls
const BACK_S = 75 * 60; // skew: simulated time over the calls
const STEP_S = BACK_S / CALLS;
const ELAPSED_S = 58 * 60; // background: time since sign-in, to the client

const t0 = Date.now();
const log = msg => process.stderr.write(`\x1b[1;36m[lifecycle]\x1b[0m +${((Date.now() - t0) / 1000).toFixed(1)}s ${msg}\n`);
const sleep = ms => new Promise(r => setTimeout(r, ms));
const sh = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim(); } catch { return null; } };
const pkgVersion = (dir, name) => { try { return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return null; } };

/** `promise`, or a rejection naming `what` after `ms`. */
function bounded(promise, what, ms = 30_000) {
  let timer;
  const t = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}
async function waitFor(probe, { timeout = 10_000, interval = 25, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    let v; try { v = await probe(); } catch { v = null; }
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(interval);
  }
}

// Context init script (every page of the context, popups included, before the page's scripts):
// window.open counted (window.__lcOpens: the URLs asked for), optionally blocked (returns null, as
// Safari's blocker does); optionally Date.now = real + window.__lcSkewMs (read at each call), the
// clock both clients take every expiry decision from.
function lcInit({ blockOpen, skewMs }) {
  window.__lcOpens = [];
  const realOpen = window.open;
  window.open = function open(...a) {
    window.__lcOpens.push(String(a[0] ?? ''));
    try { window.__lcOpenSeen?.(String(a[0] ?? '')); } catch { /* binding gone */ }
    return blockOpen ? null : realOpen.apply(this, a);
  };
  if (skewMs !== null) {
    const realNow = Date.now;
    window.__lcSkewMs = skewMs;
    Date.now = () => realNow.call(Date) + (Number(window.__lcSkewMs) || 0);
  }
}
const setSkew = (page, ms) => page.evaluate(v => { window.__lcSkewMs = v; }, ms);

async function main() {
  const pkgSrc = path.join(root, 'pkg');
  if (!fs.existsSync(path.join(pkgSrc, 'backstage_wasm_auth.js')) || !fs.existsSync(path.join(pkgSrc, 'backstage_wasm_auth_bg.wasm'))) {
    throw new Error('pkg/ is missing (scripts/build makes it; this run does not build)');
  }
  const machine = {
    date: new Date().toISOString(),
    cpuModel: /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? os.cpus()[0]?.model,
    cores: os.cpus().length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    gitCommit: sh('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
    srcDirty: !!sh('git', ['-C', root, 'status', '--porcelain', '--', 'src', 'js', 'Cargo.toml', 'Cargo.lock']),
    pkgBuiltAt: fs.statSync(path.join(pkgSrc, 'backstage_wasm_auth_bg.wasm')).mtime.toISOString(),
    pkgStale: pkgStaleReason(),
    loadAvgStart: os.loadavg().map(x => +x.toFixed(2)),
    versions: {
      '@backstage/core-app-api (peer)': pkgVersion(benchDir, '@backstage/core-app-api'),
      '@backstage/plugin-auth-backend': pkgVersion(path.join(root, 'tests/e2e/stack'), '@backstage/plugin-auth-backend'),
      'oidc-provider (IdP)': pkgVersion(path.join(root, 'tests/e2e/stack'), 'oidc-provider'),
      'playwright-core': pkgVersion(path.join(root, 'tests/e2e/stack'), 'playwright-core'),
    },
  };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bs-lifecycle-'));
  const ours = prepareOurs({ root, benchDir, pkgSrc, distSrc: path.join(root, 'dist'), tmp });
  const glue = fs.readFileSync(path.join(ours.pkgDir, 'backstage_wasm_auth.js'), 'utf8');
  machine.oursSource = ours.source;
  machine.oursBackgroundRefresh = /refreshAhead|backgroundRefresh/.test(glue);
  log(`ours: private copy of pkg/ (built ${machine.pkgBuiltAt}; background refresh in the glue: ${machine.oursBackgroundRefresh})`);
  const peerBytes = await bundlePeerPage(ours.packageDir);
  const CLIENT_HTML = fs.readFileSync(path.join(root, 'tests/e2e/fixtures/client.html'), 'utf8');
  const app = await startAppServer({ root: ours.packageDir, routes: { '/ours.html': CLIENT_HTML, '/peer.html': PEER_HTML } });
  log(`app ${app.origin} (peer bundle ${peerBytes} B); starting the stack`);

  let stack;
  let browser;
  let auth0ish;
  const results = [];
  const failures = [];
  try {
    stack = await startStack({ appOrigins: [app.origin], accessTokenTtl: TTL_S, backstageTokenTtl: TTL_S });
    log(`stack ready in ${stack.timings?.readyMs ?? '?'} ms`);
    auth0ish = await startFaultProxy({ target: stack.proxyUrl });
    browser = await launchBrowser({ timeoutMs: 30_000 });
    machine.chromium = browser.browser.version();

    // DEFAULT options on both sides (as bench/tabs-race.mjs): where the backend is, which provider,
    // its scopes. The peer's queued sign-in requests are triggered at once (= the user clicks "Log in"
    // in OAuthRequestDialog), as bench/client/peer.js does.
    const options = (side, extra = {}) => (side === 'ours'
      ? { provider: PROVIDER, authBaseUrl: stack.authBase, defaultScopes: SCOPES, ...extra }
      : { backendUrl: stack.backendUrl, providerId: PROVIDER.id, providerTitle: PROVIDER.title, scopes: SCOPES, autoTrigger: true, ...extra });
    machine.oursOptions = { ...options('ours'), authBaseUrl: '<stack.authBase>' };
    machine.peerOptions = { ...options('peer'), backendUrl: '<stack.backendUrl>' };
    const oursBackground = machine.oursBackgroundRefresh;
    const pageFile = side => (side === 'peer' ? 'peer' : 'ours');

    async function newCtx({ blockOpen = false, skewMs = 0 } = {}) {
      const ctx = await browser.newContext();
      ctx.lcOpens = []; // every window.open call in the context's pages (kept across navigations)
      await ctx.exposeFunction('__lcOpenSeen', u => { ctx.lcOpens.push(u); });
      await ctx.addInitScript(lcInit, { blockOpen, skewMs });
      return ctx;
    }
    /** A tab: the page loaded, its main-frame navigations, popups and dialogs recorded. */
    async function openPage(ctx, side) {
      const page = await ctx.newPage();
      page.lcCtx = ctx;
      const rec = { navs: [], popups: [], dialogs: [], errors: [], recording: false, refreshTried: 0, refreshFailed: 0 };
      page.on('pageerror', e => rec.errors.push(e.message));
      page.on('popup', p => rec.popups.push(p));
      page.on('dialog', d => { rec.dialogs.push(`${d.type()}(${JSON.stringify(d.message())})`); d.dismiss().catch(() => {}); });
      page.on('request', r => { if (rec.recording && r.isNavigationRequest() && r.frame() === page.mainFrame()) rec.navs.push(r.url()); });
      // /refresh as the browser sees it (requests the stack never gets while offline are counted here).
      const isRefresh = r => r.method() !== 'OPTIONS' && /\/refresh$/.test(new URL(r.url()).pathname);
      page.on('request', r => { if (isRefresh(r)) rec.refreshTried += 1; });
      page.on('requestfailed', r => { if (isRefresh(r)) rec.refreshFailed += 1; });
      await page.goto(`${app.origin}/${pageFile(side)}.html`);
      await page.waitForFunction(() => window.e2e);
      await page.evaluate(() => window.e2e.ready());
      rec.recording = true;
      return { page, rec };
    }
    const make = (page, name, o) => page.evaluate(([n, x]) => window.e2e.make(n, x), [name, o]);
    const call = (page, name, method, ...args) => bounded(page.evaluate(([n, m, a]) => window.e2e.call(n, m, ...a), [name, method, args]), `${name}.${method}()`);
    const states = (page, name = 'main') => page.evaluate(n => window.e2e.states(n), name).catch(() => null);
    const opens = page => page.lcCtx.lcOpens;
    const peerRequests = (page, side, name = 'main') => (side === 'peer' ? page.evaluate(n => window.e2e.requests(n), name).catch(() => null) : null);
    /** Starts a call and polls until it settles or `ms` passes: {settled, result, wallMs}. */
    async function timedCall(page, name, method, args = [], ms = 8000) {
      const id = `c${Math.random().toString(36).slice(2)}`;
      const t = Date.now();
      await page.evaluate(([i, n, m, a]) => window.e2e.start(i, n, m, ...a), [id, name, method, args]);
      let settled = false;
      let left = false;
      while (Date.now() - t < ms) {
        try { settled = await page.evaluate(i => window.e2e.isSettled(i), id); } catch { settled = false; left = true; break; }
        if (settled) break;
        await sleep(20);
      }
      const wallMs = Date.now() - t;
      const result = settled ? await page.evaluate(i => window.e2e.settle(i), id) : null;
      return { settled, result, wallMs, left };
    }
    const outcome = r => (!r ? 'n/a' : r.left ? 'no result: the page navigated away' : !r.settled ? `pending (not settled in ${r.wallMs} ms)` : r.result.ok
      ? (typeof r.result.value === 'string' ? (r.result.value ? 'token' : 'empty string') : r.result.value?.undefined ? 'resolved' : JSON.stringify(r.result.value)) : r.result.error.name);
    /** Popup sign-in of client `name` as jane (the IdP's login + consent typed): setup step. */
    async function signIn(page, rec, name = 'main') {
      const before = rec.popups.length;
      const r = page.evaluate(n => window.e2e.call(n, 'signIn'), name);
      r.catch(() => {});
      const popup = await waitFor(() => rec.popups[before], { timeout: 15_000, what: 'the sign-in popup' });
      await completeIdpLogin(popup, EMAIL, { timeoutMs: 30_000 });
      const res = await bounded(r, 'signIn()');
      if (!res.ok) throw new Error(`setup sign-in failed: ${JSON.stringify(res.error)}`);
      await waitFor(() => popup.isClosed(), { timeout: 10_000, what: 'the popup to close' });
    }
    const refreshCount = () => stack.count(PROVIDER.id, 'refresh');
    const refreshStatuses = () => stack.requests().filter(r => r.provider === PROVIDER.id && r.route === 'refresh' && r.method !== 'OPTIONS').map(r => r.status ?? 'pending');

    // ------------------------------------------------------------------------------------------
    // Scenarios: each returns { rows: [{ scenario, variant, side, facts, summary }] }.

    const scenarios = {};

    // 1 + 2. /refresh gets no answer (offline), then the network comes back.
    scenarios.offline = async side => {
      const ctx = await newCtx();
      try {
        const { page, rec } = await openPage(ctx, side);
        // Back-dated sign-in: to the client it happens TTL - LEFT_S ago (the page clock runs that
        // much behind while it signs in), so afterwards, at the servers' time, LEFT_S s are left:
        // inside the 180 s margin, due for refresh.
        await setSkew(page, -(TTL_S - LEFT_S) * 1000);
        await make(page, 'main', options(side));
        await signIn(page, rec);
        const popupsAfterSignIn = rec.popups.length;
        const opensAfterSignIn = opens(page).length;
        // Offline first, THEN the clock put right (a client refreshing due sessions by itself gets no chance before).
        await ctx.setOffline(true);
        await setSkew(page, 0);
        stack.resetCounts();
        const tried0 = rec.refreshTried;
        const failed0 = rec.refreshFailed;
        const due = await timedCall(page, 'main', 'getAccessToken', [], 20_000);
        const dueAgain = await timedCall(page, 'main', 'getAccessToken', [], 20_000);
        // Past expiry (still offline): the page clock LEFT_S + 30 s ahead.
        await setSkew(page, (LEFT_S + 30) * 1000);
        const expired = await timedCall(page, 'main', 'getAccessToken', [], 20_000);
        const stAfter1 = await states(page);
        await setSkew(page, 0);
        const facts1 = {
          due_call: outcome(due), due_call_ms: due.wallMs, due_call_message: due.result?.error?.message ?? null,
          second_call_offline: outcome(dueAgain),
          expired_call: outcome(expired), expired_call_message: expired.result?.error?.message ?? null,
          session_state_after: stAfter1?.at(-1) ?? null, states: stAfter1,
          popups_opened: rec.popups.length - popupsAfterSignIn, window_open_calls: opens(page).length - opensAfterSignIn,
          refresh_at_stack_while_offline: refreshCount(),
          refresh_tried_by_the_page_while_offline: rec.refreshTried - tried0, refresh_failed_in_the_browser: rec.refreshFailed - failed0,
          sign_in_requests_pending_after: (await peerRequests(page, side))?.now ?? null,
        };
        // 2. Network back: count /refresh for 2 s before any call, then a call.
        stack.resetCounts();
        await ctx.setOffline(false);
        await sleep(2000);
        const before = refreshCount();
        const next = await timedCall(page, 'main', 'getAccessToken', [], 20_000);
        const during = refreshCount() - before;
        const facts2 = {
          refresh_before_any_call_2s: before, next_call: outcome(next), next_call_ms: next.wallMs,
          refresh_during_next_call: during, refresh_statuses: refreshStatuses(),
          session_state_after: (await states(page))?.at(-1) ?? null,
        };
        return [
          { scenario: 'offline', variant: 'default', side, facts: facts1,
            summary: `call (due, ${LEFT_S} s left): ${facts1.due_call}; again: ${facts1.second_call_offline}; past expiry: ${facts1.expired_call}; `
              + `state ${facts1.session_state_after}; popups ${facts1.popups_opened}; window.open ${facts1.window_open_calls}; `
              + `/refresh tried (failed in the browser) ${facts1.refresh_tried_by_the_page_while_offline}` },
          { scenario: 'online', variant: 'default', side, facts: facts2,
            summary: `/refresh in the 2 s before any call: ${before}; next call ${facts2.next_call} in ${next.wallMs} ms, /refresh during it: ${during}` },
        ];
      } finally { await ctx.close().catch(() => {}); }
    };

    // 3. /logout answering {logoutUrl} (through startFaultProxy.setLogoutUrl, as client.test.mjs).
    const LOGOUT_URLS = [
      { key: 'https', url: 'https://idp.example.com/v2/logout?returnTo=http%3A%2F%2F127.0.0.1' },
      { key: 'javascript', url: 'javascript://localhost/%0aalert(document.domain)' },
    ];
    scenarios.logoutUrl = async side => {
      const rows = [];
      for (const { key, url } of LOGOUT_URLS) {
        const ctx = await newCtx();
        try {
          const { page, rec } = await openPage(ctx, side);
          await make(page, 'main', options(side));
          await signIn(page, rec);
          await make(page, 'via', side === 'ours' ? options(side, { authBaseUrl: auth0ish.authBase }) : options(side, { backendUrl: auth0ish.url }));
          auth0ish.setLogoutUrl(url);
          stack.resetCounts();
          rec.navs.length = 0;
          const out = await timedCall(page, 'via', 'signOut', [], 5000);
          await sleep(1000);
          const cookieGone = !(await ctx.cookies()).some(c => c.name === `${PROVIDER.id}-refresh-token`);
          const facts = {
            logout_url: url, sign_out: outcome(out), sign_out_ms: out.settled ? out.wallMs : null,
            logout_at_stack: stack.count(PROVIDER.id, 'logout'), refresh_cookie_removed: cookieGone,
            navigations: rec.navs.slice(), dialogs: rec.dialogs.slice(), page_url_after: page.url(),
            via_state_after: (await states(page, 'via'))?.at(-1) ?? null,
          };
          rows.push({ scenario: 'logoutUrl', variant: key, side, facts,
            summary: `signOut(): ${facts.sign_out}; main-frame navigation requests: ${runs(facts.navigations).join(', ') || 'none'}; dialogs: ${facts.dialogs.join(', ') || 'none'}; `
              + `/logout ${facts.logout_at_stack}; page after: ${facts.page_url_after}` });
        } finally {
          auth0ish.setLogoutUrl(null);
          await ctx.close().catch(() => {});
        }
      }
      return rows;
    };

    // 4. Popup blocked (window.open returns null), signed out: signIn() and getAccessToken().
    scenarios.popupBlocked = async side => {
      const variants = side === 'ours' ? [['default', {}], ['tuned redirectWhenPopupBlocked: true', { redirectWhenPopupBlocked: true }]] : [['default', {}]];
      const rows = [];
      for (const [variant, extra] of variants) {
        for (const method of ['signIn', 'getAccessToken']) {
          const ctx = await newCtx({ blockOpen: true });
          try {
            const { page, rec } = await openPage(ctx, side);
            await make(page, 'main', options(side, extra));
            stack.resetCounts();
            const here = page.url();
            const out = await timedCall(page, 'main', method, [], 6000);
            const facts = {
              method, call: outcome(out), call_ms: out.settled ? out.wallMs : null, error_message: out.result?.error?.message ?? null,
              window_open_calls: opens(page).length, popups_opened: rec.popups.length,
              navigations: rec.navs.slice(), start_requests: stack.requests().filter(r => r.route === 'start' && r.method === 'GET')
                .map(r => Object.fromEntries(new URLSearchParams(r.query))).map(q => `flow=${q.flow}`),
              sign_in_requests: await peerRequests(page, side),
              state_after: (await states(page))?.at(-1) ?? null,
            };
            // The fallback: the window went to the IdP; complete the login there and see where it lands.
            if (rec.navs.some(u => u.startsWith(stack.idpUrl)) || page.url().startsWith(stack.idpUrl)) {
              await completeIdpLogin(page, EMAIL, { timeoutMs: 30_000 });
              await page.waitForURL(here, { timeout: 15_000 });
              await page.waitForFunction(() => window.e2e);
              await page.evaluate(() => window.e2e.ready());
              await make(page, 'after', options(side, extra));
              const r = await call(page, 'after', 'getAccessToken', undefined, { optional: true });
              facts.back_on = page.url();
              facts.back_signed_in = !!(r.ok && typeof r.value === 'string' && r.value);
            }
            rows.push({ scenario: 'popupBlocked', variant: `${variant}, ${method}()`, side, facts,
              summary: `${method}(): ${facts.call}${facts.sign_in_requests?.triggerErrors?.length ? ` (the dialog's trigger(): ${facts.sign_in_requests.triggerErrors.map(e => e.name).join(', ')})` : ''}; `
                + `window.open ${facts.window_open_calls}; navigation: ${facts.navigations.map(shortPath).join(' → ') || 'none'}`
                + `${facts.back_on ? `; back on ${facts.back_on}, signed in: ${facts.back_signed_in}` : ''}` });
          } finally { await ctx.close().catch(() => {}); }
        }
      }
      return rows;
    };

    // 5. Clock skew: every tab's clock 10 min ahead of / behind the servers', from the start. The
    // sign-in is back-dated by a further BACK_S (in tab 1 only), then 50 calls each move tab 1's
    // clock STEP_S forward, back to the plain skew at the last call: BACK_S of simulated time that
    // crosses the session's due time (57 min after sign-in) once, while the page never runs further
    // ahead of the servers than the skew itself. Then tab 1 reloaded and a new tab opened (the session
    // from storage / from a sibling tab at the skewed clock).
    scenarios.skew = async side => {
      const rows = [];
      for (const skewS of [600, -600]) {
        const ctx = await newCtx({ skewMs: skewS * 1000 });
        try {
          const { page, rec } = await openPage(ctx, side);
          await setSkew(page, (skewS - BACK_S) * 1000);
          await make(page, 'main', options(side));
          await signIn(page, rec);
          stack.resetCounts();
          const popupsBefore = rec.popups.length;
          const t = Date.now();
          const r = await bounded(page.evaluate(async ([n, step]) => {
            const out = [];
            for (let i = 0; i < n; i++) {
              window.__lcSkewMs += step;
              const c = await window.e2e.call('main', 'getAccessToken');
              out.push({ ...c, at: window.__lcSkewMs });
            }
            return out;
          }, [CALLS, STEP_S * 1000]), `${CALLS} calls`, 90_000);
          const callsMs = Date.now() - t;
          const refreshDuringCalls = refreshCount();
          const okCalls = r.filter(x => x.ok && typeof x.value === 'string' && x.value).length;
          const stCalls = (await states(page))?.at(-1) ?? null;
          // Reload tab 1, then a new tab: their first call.
          const fresh = async p => {
            const before = refreshCount();
            await make(p, 'main', options(side));
            const c = await call(p, 'main', 'getAccessToken', undefined, { optional: true });
            return { token: !!(c.ok && typeof c.value === 'string' && c.value), refresh: refreshCount() - before, error: c.ok ? null : c.error.name };
          };
          await page.reload();
          await page.waitForFunction(() => window.e2e);
          await page.evaluate(() => window.e2e.ready());
          const reload = await fresh(page);
          const tab2 = await openPage(ctx, side);
          const newTab = await fresh(tab2.page);
          const facts = {
            skew_s: skewS, calls: CALLS, simulated_minutes: BACK_S / 60, calls_ms: callsMs,
            refresh_during_calls: refreshDuringCalls, refresh_statuses: refreshStatuses(), tokens_served: okCalls,
            errors: [...new Set(r.filter(x => !x.ok).map(x => x.error.name))], distinct_tokens: new Set(r.filter(x => x.ok).map(x => x.value)).size,
            refreshed_at_call: r.map((x, i) => (i && x.ok && r[i - 1].ok && x.value !== r[i - 1].value ? i + 1 : null)).filter(Boolean),
            state_after_calls: stCalls, popups_opened: rec.popups.length - popupsBefore,
            after_reload: reload, new_tab: newTab,
          };
          rows.push({ scenario: 'skew', variant: `clock ${skewS > 0 ? '+' : ''}${skewS / 60} min`, side, facts,
            summary: `${CALLS} calls over ${facts.simulated_minutes} simulated min: /refresh ${refreshDuringCalls} (new token at call ${facts.refreshed_at_call.join(', ') || '-'}), `
              + `tokens served ${okCalls}/${CALLS}, state ${stCalls}, popups ${facts.popups_opened}; `
              + `reloaded tab: token ${reload.token}, /refresh ${reload.refresh}; new tab: token ${newTab.token}, /refresh ${newTab.refresh}` });
        } finally { await ctx.close().catch(() => {}); }
      }
      return rows;
    };

    // 6. Background refresh: Playwright's fake clock (Date, timers, performance) installed at a
    // back-dated time, the sign-in happens there, then clock.runFor() brings the page to the
    // servers' time, firing every timer on the way: to the client 58 min have passed (120 s left).
    // Ours also with backgroundRefresh: false (a control, when the build has the option).
    scenarios.background = async side => {
      const variants = side === 'ours' && oursBackground ? [['default', {}], ['control backgroundRefresh: false', { backgroundRefresh: false }]] : [['default', {}]];
      const rows = [];
      for (const [variant, extra] of variants) rows.push(...await backgroundOnce(side, variant, extra));
      return rows;
    };
    const backgroundOnce = async (side, variant, extra) => {
      const ctx = await newCtx({ skewMs: null });
      try {
        await ctx.clock.install({ time: Date.now() - ELAPSED_S * 1000 });
        const { page, rec } = await openPage(ctx, side);
        await make(page, 'main', options(side, extra));
        await signIn(page, rec);
        stack.resetCounts();
        const tRun = Date.now();
        await bounded(page.clock.runFor(ELAPSED_S * 1000), 'clock.runFor', 60_000);
        const runForMs = Date.now() - tRun;
        await sleep(1500);
        const before = refreshCount();
        const pageSkewS = Math.round((await page.evaluate(() => Date.now()) - Date.now()) / 1000);
        const c = await timedCall(page, 'main', 'getAccessToken', [], 20_000);
        const during = refreshCount() - before;
        const facts = {
          elapsed_to_client_s: ELAPSED_S, left_s: TTL_S - ELAPSED_S, page_clock_minus_server_s_at_call: pageSkewS, run_for_ms: runForMs,
          refresh_before_call: before, call: outcome(c), call_ms: c.wallMs, call_ms_in_page: c.result?.ms ?? null,
          refresh_during_call: during, refresh_statuses: refreshStatuses(), state_after: (await states(page))?.at(-1) ?? null,
        };
        return [{ scenario: 'background', variant, side, facts,
          summary: `/refresh before the call: ${before}; the call: ${facts.call} in ${c.wallMs} ms, /refresh during it: ${during}` }];
      } finally { await ctx.close().catch(() => {}); }
    };

    // 2b. The page shown again after the machine slept: the same fake clock, but the page's time
    // JUMPS to the servers' (clock.setSystemTime: Date moves, no timer fires, as after a sleep), then
    // 2 s with nothing, then a (synthetic) window `focus` event, 2 s, then a call.
    scenarios.wake = async side => {
      const ctx = await newCtx({ skewMs: null });
      try {
        await ctx.clock.install({ time: Date.now() - ELAPSED_S * 1000 });
        const { page, rec } = await openPage(ctx, side);
        await make(page, 'main', options(side));
        await signIn(page, rec);
        stack.resetCounts();
        await page.clock.setSystemTime(Date.now());
        await sleep(2000);
        const beforeFocus = refreshCount();
        await page.evaluate(() => window.dispatchEvent(new Event('focus')));
        await sleep(2000);
        const afterFocus = refreshCount() - beforeFocus;
        const before = refreshCount();
        const c = await timedCall(page, 'main', 'getAccessToken', [], 20_000);
        const during = refreshCount() - before;
        const facts = {
          elapsed_to_client_s: ELAPSED_S, left_s: TTL_S - ELAPSED_S, refresh_after_the_jump_2s: beforeFocus,
          refresh_after_focus_2s: afterFocus, call: outcome(c), call_ms: c.wallMs, refresh_during_call: during,
          refresh_statuses: refreshStatuses(), state_after: (await states(page))?.at(-1) ?? null,
        };
        return [{ scenario: 'wake', variant: 'default', side, facts,
          summary: `/refresh in the 2 s after the jump: ${beforeFocus}, in the 2 s after \`focus\`: ${afterFocus}; the call: ${facts.call} in ${c.wallMs} ms, /refresh during it: ${during}` }];
      } finally { await ctx.close().catch(() => {}); }
    };

    // 7. Per-call flow: getAccessToken(undefined, { flow: 'redirect' }) on a popup client, signed out.
    scenarios.perCallFlow = async side => {
      const ctx = await newCtx();
      try {
        const { page, rec } = await openPage(ctx, side);
        await make(page, 'main', options(side));
        stack.resetCounts();
        const out = await timedCall(page, 'main', 'getAccessToken', [undefined, { flow: 'redirect' }], 6000);
        await sleep(500);
        const starts = stack.requests().filter(r => r.route === 'start' && r.method === 'GET').map(r => Object.fromEntries(new URLSearchParams(r.query)).flow);
        const facts = {
          call: outcome(out), window_open_calls: opens(page).length, popups_opened: rec.popups.length,
          navigations: rec.navs.map(u => { const x = new URL(u); return `${x.origin}${x.pathname}`; }),
          start_flows: starts, page_url_after: page.url(), sign_in_requests: await peerRequests(page, side),
        };
        return [{ scenario: 'perCallFlow', variant: 'default', side, facts,
          summary: `popups ${facts.popups_opened}; /start flow=${starts.join(', ') || 'none'}; main-frame navigation: ${facts.navigations.map(shortPath).join(' → ') || 'none'}` }];
      } finally { await ctx.close().catch(() => {}); }
    };

    // 8. Sign-out in one of 3 tabs (one context: shared cookies, BroadcastChannel, storage events).
    scenarios.signOutTabs = async side => {
      const ctx = await newCtx();
      try {
        const tabs = [await openPage(ctx, side)];
        await make(tabs[0].page, 'main', options(side));
        await signIn(tabs[0].page, tabs[0].rec);
        for (let i = 0; i < 2; i++) {
          const t = await openPage(ctx, side);
          await make(t.page, 'main', options(side));
          const r = await call(t.page, 'main', 'getAccessToken');
          if (!(r.ok && r.value)) throw new Error(`setup: tab ${i + 2} got no token (${JSON.stringify(r.error)})`);
          tabs.push(t);
        }
        stack.resetCounts();
        const out = await call(tabs[0].page, 'main', 'signOut');
        await sleep(1500);
        const per = [];
        for (const t of tabs) {
          const st = await states(t.page);
          const r = await call(t.page, 'main', 'getAccessToken', undefined, { optional: true });
          per.push({ state: st?.at(-1) ?? null, token_served: !!(r.ok && typeof r.value === 'string' && r.value) });
        }
        const facts = {
          sign_out: out.ok ? 'resolved' : out.error.name, logout_at_stack: stack.count(PROVIDER.id, 'logout'),
          tabs: per, tabs_signed_out: per.filter(p => p.state === 'SignedOut' && !p.token_served).length,
          refresh_at_stack_after: refreshCount(), popups: tabs.reduce((n, t) => n + t.rec.popups.length, 0) - 1,
        };
        return [{ scenario: 'signOutTabs', variant: 'default', side, facts,
          summary: `signed out: ${facts.tabs_signed_out} of 3 tabs (states ${per.map(p => p.state).join(', ')}; token still served by ${per.filter(p => p.token_served).length}); /logout ${facts.logout_at_stack}` }];
      } finally { await ctx.close().catch(() => {}); }
    };

    for (const name of ONLY) {
      for (const side of SIDES) {
        log(`${name}: ${side}`);
        try {
          const rows = await bounded(scenarios[name](side), `scenario ${name} (${side})`, SCENARIO_MS);
          for (const r of rows) { results.push(r); log(`  ${r.scenario} ${r.variant} ${side}: ${r.summary}`); }
        } catch (e) {
          failures.push({ scenario: name, side, error: String(e.message ?? e).split('\n')[0] });
          log(`\x1b[31mHARNESS FAILURE\x1b[0m ${name} ${side}: ${e.stack ?? e}`);
        }
      }
    }
  } finally {
    await browser?.close();
    await auth0ish?.close().catch(() => {});
    await stack?.stop();
    await app.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  machine.loadAvgEnd = os.loadavg().map(x => +x.toFixed(2));
  const elapsedS = (Date.now() - t0) / 1000;
  const report = { machine, elapsed_s: Math.round(elapsedS), harness_failures: failures, results };
  if (WRITE) {
    fs.writeFileSync(JSON_OUT, `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(OUT, renderMd(report));
    log(`wrote ${path.relative(root, OUT)} and ${path.relative(root, JSON_OUT)}`);
  }
  process.stdout.write(`${results.length} rows from ${ONLY.length * SIDES.length - failures.length} scenario runs, ${failures.length} harness failures\n`);
  process.exitCode = failures.length ? 1 : 0;
}

/** Consecutive repeats of one URL as `url ×n`. */
const runs = xs => xs.reduce((acc, x) => { const l = acc.at(-1); if (l && l[0] === x) l[1] += 1; else acc.push([x, 1]); return acc; }, [])
  .map(([x, n]) => (n > 1 ? `${x} ×${n}` : x));
/** A URL's path for the summaries, the IdP's per-interaction ids left out. */
const shortPath = u => { try { return new URL(u).pathname.replace(/^\/interaction\/.*/, '/interaction/…'); } catch { return u; } };

const TITLES = {
  offline: '`/refresh` gets no answer (context offline), session due',
  online: 'the network comes back (after the row above)',
  wake: 'the page shown again after the machine slept: signed in 58 min ago (120 s left), the page clock jumps there with no timer run, then `focus`',
  logoutUrl: '`/logout` answers `{ logoutUrl }`',
  popupBlocked: 'the popup is blocked (`window.open` returns `null`), signed out',
  skew: 'every page\'s clock 10 min off the servers\', 50 calls over 75 simulated min, then a reload and a new tab',
  background: 'signed in 58 min ago (1 h token, 120 s left), page visible, then a call',
  perCallFlow: '`getAccessToken(undefined, { flow: \'redirect\' })`, popup client, signed out',
  signOutTabs: '`signOut()` in one of 3 tabs',
};

function renderMd({ machine, elapsed_s: elapsedS, harness_failures: failures, results }) {
  const keys = [];
  for (const r of results) { const k = `${r.scenario}\u0000${r.variant}`; if (!keys.includes(k)) keys.push(k); }
  const cell = (s, k) => results.find(r => `${r.scenario}\u0000${r.variant}` === k && r.side === s)?.summary.replace(/\|/g, '\\|')
    ?? (s === 'peer' && /^(tuned|control)/.test(k.split('\u0000')[1]) ? '(no such option)' : '(not run)');
  const table = ['| scenario | variant | ours (backstage-wasm-auth) | peer (Backstage `OAuth2`) |', '|---|---|---|---|',
    ...keys.map(k => { const [sc, v] = k.split('\u0000'); return `| ${TITLES[sc]} | ${v} | ${cell('ours', k)} | ${cell('peer', k)} |`; })].join('\n');
  const facts = results.map(r => `### ${r.scenario} / ${r.variant} / ${r.side}\n\n\`\`\`json\n${JSON.stringify(r.facts, null, 1)}\n\`\`\``).join('\n\n');
  return `# Session lifecycle, side by side: ours vs Backstage's OAuth2, default options

Generated by \`bench/lifecycle-run\` on ${machine.date} (one run, ${elapsedS} s; ${failures.length} harness failure${failures.length === 1 ? '' : 's'}${failures.length ? `: ${failures.map(f => `${f.scenario}/${f.side}: ${f.error}`).join('; ')}` : ''}).
Each scenario ran for **ours** (the raw core of a private copy of \`pkg/\`, built ${machine.pkgBuiltAt}, in
\`tests/e2e/fixtures/client.html\`; background refresh in that build: ${machine.oursBackgroundRefresh ? 'yes' : '**no**'}) and for the **peer**
(\`OAuth2\` from \`@backstage/core-app-api\` ${machine.versions['@backstage/core-app-api (peer)']}, wired as \`bench/client/peer.js\` wires it,
\`bench/client/peer-page.js\`) in the same run, against the same stack, in the same headless Chromium, each in fresh
browser contexts. Observed facts only; nothing about either client is asserted (the run fails only when a scenario could not be run).

${table}

## Setup (exactly what runs)

- Stack: \`tests/e2e/stack\` \`startStack({ appOrigins: [app], accessTokenTtl: ${TTL_S}, backstageTokenTtl: ${TTL_S} })\`: the real Backstage auth
  backend (plugin-auth-backend ${machine.versions['@backstage/plugin-auth-backend']}) and oidc-provider ${machine.versions['oidc-provider (IdP)']}, both on 127.0.0.1 free ports;
  \`/refresh\`, \`/logout\`, \`/start\` counted at the stack's proxy. A \`startFaultProxy\` in front of it answers \`POST /logout\`
  with \`{ logoutUrl }\` after forwarding it (as \`tests/e2e/client.test.mjs\` "logoutUrl" does).
- Options: ours \`${JSON.stringify(machine.oursOptions)}\` (everything else default: margin ${MARGIN_S} s, \`refreshOnWake\`,
  storage 'session', cross-tab sync); peer \`${JSON.stringify(machine.peerOptions)}\`: \`OAuth2.create\` with a discoveryApi, an
  \`OAuthRequestManager\` whose queued sign-in requests are triggered at once (= the user clicks "Log in" in the app's
  \`OAuthRequestDialog\`; what \`trigger()\` rejects with is recorded: the dialog shows it, the caller's promise stays pending).
- Every context gets an init script: \`window.open\` counted (and, for the popup-blocked rows, replaced by \`() => null\`), and
  \`Date.now = real + window.__lcSkewMs\` (both clients take every expiry decision from \`Date.now\`).
- **offline / online**: the sign-in is back-dated (page clock ${TTL_S - LEFT_S} s behind while it signs in, as \`bench/tabs-race.mjs\` does), so at
  the servers' time ${LEFT_S} s are left: due (inside the margin), not expired. \`context.setOffline(true)\`, then the clock put right, then
  \`getAccessToken()\` twice; then the clock ${LEFT_S + 30} s ahead (30 s past expiry) and a third call. Then the clock right again,
  \`setOffline(false)\`, 2 s of waiting with no call (\`/refresh\` counted), then one call (its wall time and the \`/refresh\` during it).
- **wake**: as **background**, but the page's clock JUMPS ${ELAPSED_S / 60} min to the servers' time (\`page.clock.setSystemTime\`: Date moves,
  no timer fires, as when a laptop wakes from sleep); 2 s with nothing (\`/refresh\` counted), a synthetic \`window\` \`focus\` event
  (as \`tests/e2e/client.test.mjs\` "network loss" dispatches it), 2 s, then one call.
- **logoutUrl**: a popup sign-in on the stack, then a second client of the same provider on the fault proxy calls \`signOut()\`; the proxy
  answers \`{ logoutUrl }\`. Recorded for 5 s: main-frame navigation requests, dialogs (\`alert\`), the page URL.
- **popupBlocked**: signed out, \`signIn()\` or \`getAccessToken()\`, bounded 6 s. Ours also with \`redirectWhenPopupBlocked: true\` (tuned row):
  when the window went to the IdP, the login is completed and a new client on the page it came back to asks for a token (\`optional\`).
- **skew**: the init script's skew set to ±600 s for the whole context (popups included). Tab 1's clock is put a further ${BACK_S / 60} min back
  while it signs in; then ${CALLS} calls, the clock moved ${STEP_S} s forward before each, so the last one runs at the plain skew: ${BACK_S / 60} simulated
  minutes that cross the session's due time (${(TTL_S - MARGIN_S) / 60} min after sign-in) once; a client whose expiry arithmetic ignores the skew
  refreshes once (the new token from call ${Math.ceil(((TTL_S - MARGIN_S) / STEP_S))} or ${Math.ceil(((TTL_S - MARGIN_S) / STEP_S)) + 1} on). Then tab 1 is reloaded and a new tab opened in the same context, and each
  asks once (\`optional\`): the session from storage or from a sibling tab, at the skewed clock.
- **background**: \`context.clock.install({ time: now - ${ELAPSED_S} s })\` (Playwright's fake Date, timers and performance clock), the popup
  sign-in at that time, then \`page.clock.runFor(${ELAPSED_S} s)\` (every timer due on the way fires): the page is back at the servers' time and,
  to the client, the sign-in was ${ELAPSED_S / 60} min ago (${TTL_S - ELAPSED_S} s left, inside the ${MARGIN_S} s margin). 1.5 s of real time, \`/refresh\` counted,
  then one call (wall time, \`/refresh\` during it). The peer has no background refresh. Ours also with \`backgroundRefresh: false\` (a control
  row, when the build has the option).
- **perCallFlow**: signed out, \`getAccessToken(undefined, { flow: 'redirect' })\` on a client of the default (popup) flow; 6 s bound. The peer's
  \`getAccessToken\` passes its options on to \`getSession\`/\`createSession\`, which reads \`instantPopup\` only.
- **signOutTabs**: tab 1 signs in by popup; tabs 2 and 3 (same context) load the page and get a token; \`signOut()\` in tab 1; 1.5 s later
  each tab's last \`sessionState$\` value and \`getAccessToken(undefined, { optional: true })\` (a token served = not signed out there).

## Machine

- ${machine.cpuModel}, ${machine.cores} cores; ${machine.os}; Node ${machine.node}; Chromium ${machine.chromium ?? '?'} (playwright-core ${machine.versions['playwright-core']})
- git ${machine.gitCommit}${machine.srcDirty ? ' (src/ or js/ had uncommitted changes by others working in the same checkout; ours is pkg/ as built)' : ''}${machine.pkgStale ? `; ${machine.pkgStale} (by file times: others edit src/ while this runs; ours is pkg/ as built, not rebuilt)` : ''}
- load average (1 min) at start ${machine.loadAvgStart.join(' ')}, at end ${machine.loadAvgEnd.join(' ')} (shared machine: times are indicative)

## Facts per scenario and client (\`bench/lifecycle.json\` has the same)

${facts}
`;
}

main().catch(e => {
  log(`error: ${e.stack ?? e}`);
  process.stdout.write('harness failure\n');
  process.exit(1);
});
