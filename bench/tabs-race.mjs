// Issue 8, the multi-tab race side by side: OUR client vs Backstage's OAuth2 (@backstage/core-app-api),
// with refresh-token ROTATION on at the local IdP. Run it with bench/tabs-race-run (installs what is
// missing first); this file is the driver:
//
//   node bench/tabs-race.mjs [--reps N] [--control-reps N] [--tabs N] [--out FILE] [--no-write]
//
// Per repetition and side, in a FRESH browser context (own cookie jar, own IdP session):
//   1. one tab, the client constructed, popup sign-in as jane@example.com (IdP login + consent typed);
//   2. wait until the IdP access token (TTL 4 s) has expired;
//   3. stack.resetCounts(); open 20 more tabs at once in the same context (so they share the
//      backend's `oidc-refresh-token` cookie), each loading the page and constructing the client;
//   4. getAccessToken() in all 21 tabs at once;
//   5. each tab ends SignedIn (the call resolved to a token and sessionState$ last said SignedIn) or
//      signed out: the call rejected, or did not resolve within HANG_MS, or (peer) the tab queued a
//      sign-in request in its OAuthRequestManager (the login dialog an app shows), or opened a popup;
//   6. /refresh requests the backend saw (stack.count('oidc', 'refresh')) and their statuses
//      (stack.requests()).
// Ours must end with 0 signed out and exactly 1 /refresh in every repetition (asserted: exit 1
// otherwise). The peer's numbers are measurements, never asserted. Writes bench/tabs-race.md.
// The last line printed is "N passed, M failed".
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { startStack } from '../tests/e2e/stack/stack.mjs';
import { launchBrowser, completeIdpLogin } from '../tests/e2e/stack/browser.mjs';
import { startAppServer } from '../tests/e2e/stack/appserver.mjs';
import { ensurePkg, CLIENT_HTML, sleep } from '../tests/e2e/fixtures/app.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(benchDir);
const argv = process.argv.slice(2);
const argValue = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const REPS = Number(argValue('--reps', 3));
const NEW_TABS = Number(argValue('--tabs', 20));
const CONTROL_REPS = Number(argValue('--control-reps', 1)); // the control row (see VARIANTS); 0 = none
const OUT = path.resolve(argValue('--out', path.join(benchDir, 'tabs-race.md')));
const WRITE = !argv.includes('--no-write');

const TTL = 4; // IdP access-token lifetime (s)
const HANG_MS = 20_000; // a tab whose getAccessToken() has not resolved by then counts as signed out
const EMAIL = 'jane@example.com';
const PROVIDER = { id: 'oidc', title: 'OIDC' };
const SCOPES = ['openid', 'profile', 'email'];
const SIDES = ['ours', 'peer'];
// 'peer-nolocks' is a control: the peer with `navigator.locks` hidden from the page, so its
// DefaultAuthConnector takes its no-Web-Locks branch (plain concurrent fetches). It shows that the
// race is real at this stack and that the signed-out detection sees it. Measured, never asserted.
const VARIANTS = [...SIDES, 'peer-nolocks'];
const sideOf = key => (key === 'ours' ? 'ours' : 'peer');

const t0 = Date.now();
const log = msg => process.stderr.write(`\x1b[1;36m[tabs-race]\x1b[0m +${((Date.now() - t0) / 1000).toFixed(1)}s ${msg}\n`);
const checks = [];
function check(name, ok, detail = '') {
  checks.push({ name, ok: !!ok, detail });
  if (!ok) log(`\x1b[31mFAIL\x1b[0m ${name} ${detail}`);
}
const sh = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim(); } catch { return null; } };
const pkgVersion = (dir, name) => { try { return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return null; } };

/** Bundles client/tabs-peer.js (OAuth2 + OAuthRequestManager) into `dir` as tabs-peer.js. */
async function bundlePeer(dir) {
  const outfile = path.join(dir, 'tabs-peer.js');
  await esbuild.build({
    bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'error',
    external: ['react', 'react-dom', 'react-router-dom', 'react/jsx-runtime'],
    entryPoints: [path.join(benchDir, 'client', 'tabs-peer.js')], outfile,
  });
  const out = fs.readFileSync(outfile, 'utf8');
  const bare = /(?:^|[;}\s])import\s*(?:[\w{}\s,*]+from\s*)?["']([^./"'][^"']*)["']/.exec(out);
  if (bare) throw new Error(`tabs-peer.js still imports the bare module "${bare[1]}"`);
  return fs.statSync(outfile).size;
}

const PEER_HTML = `<!doctype html><meta charset="utf-8"><title>tabs-race peer</title>
<script type="module" src="/tabs-peer.js"></script><h1>peer: OAuth2 (@backstage/core-app-api)</h1>`;

const stats = xs => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2, max: s.at(-1) };
};

async function main() {
  const machine = {
    cpuModel: /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    gitCommit: sh('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
    loadAvgStart: os.loadavg().map(x => +x.toFixed(2)),
    date: new Date().toISOString(),
    versions: {
      '@backstage/core-app-api (peer)': pkgVersion(benchDir, '@backstage/core-app-api'),
      esbuild: pkgVersion(benchDir, 'esbuild'),
      '@backstage/plugin-auth-backend': pkgVersion(path.join(root, 'tests/e2e/stack'), '@backstage/plugin-auth-backend'),
      '@backstage/plugin-auth-backend-module-oidc-provider': pkgVersion(path.join(root, 'tests/e2e/stack'), '@backstage/plugin-auth-backend-module-oidc-provider'),
      'oidc-provider (IdP)': pkgVersion(path.join(root, 'tests/e2e/stack'), 'oidc-provider'),
      'playwright-core': pkgVersion(path.join(root, 'tests/e2e/stack'), 'playwright-core'),
    },
  };
  log(`${REPS} repetitions x ours, peer (+ ${CONTROL_REPS} x peer-nolocks), 1 + ${NEW_TABS} tabs each; load average ${machine.loadAvgStart.join(' ')} on ${machine.cores} cores`);

  // OUR client: tests/e2e/fixtures/client.html + a private copy of pkg/ (ensurePkg builds pkg/ with
  // scripts/build when it is missing or older than src/). The peer's bundle goes next to it.
  const appRoot = ensurePkg({ log: s => log(s) });
  const peerBytes = await bundlePeer(appRoot);
  const routes = { '/ours.html': CLIENT_HTML, '/peer.html': PEER_HTML, '/back.html': CLIENT_HTML };
  const app = await startAppServer({ root: appRoot, routes });
  log(`app ${app.origin} (peer bundle ${peerBytes} B); starting the stack (rotateRefreshToken, accessTokenTtl ${TTL} s)`);
  let stack;
  let browser;
  const runs = [];
  try {
    stack = await startStack({ appOrigins: [app.origin], rotateRefreshToken: true, accessTokenTtl: TTL });
    log(`stack ready in ${stack.timings?.readyMs ?? '?'} ms`);
    browser = await launchBrowser({ timeoutMs: 60_000 });
    machine.chromium = browser.browser.version();

    const options = side => (side === 'ours'
      ? { provider: PROVIDER, authBaseUrl: stack.authBase, storage: 'session', defaultScopes: SCOPES, refreshMarginSeconds: 0 }
      : { backendUrl: stack.backendUrl, providerId: PROVIDER.id, providerTitle: PROVIDER.title, scopes: SCOPES, autoTrigger: false });
    machine.oursOptions = { ...options('ours'), authBaseUrl: '<stack.authBase>' };
    machine.peerOptions = { ...options('peer'), backendUrl: '<stack.backendUrl>' };

    async function openTab(ctx, side, popups, { autoTrigger = false } = {}) {
      const page = await ctx.newPage();
      page.on('pageerror', e => log(`pageerror (${side}): ${e.message}`));
      page.on('popup', p => { popups.push(p); });
      await page.goto(`${app.origin}/${side}.html`);
      await page.waitForFunction(() => window.e2e);
      await page.evaluate(() => window.e2e.ready());
      await page.evaluate(([o]) => window.e2e.make('main', o), [{ ...options(side), ...(side === 'peer' ? { autoTrigger } : {}) }]);
      return page;
    }

    async function signIn(side, page) {
      const result = page.evaluate(() => window.e2e.call('main', 'signIn'));
      result.catch(() => {});
      const popup = await page.waitForEvent('popup', { timeout: 30_000 });
      const { steps } = await completeIdpLogin(popup, EMAIL, { timeoutMs: 30_000 });
      const r = await result;
      const token = await page.evaluate(() => window.e2e.call('main', 'getAccessToken'));
      return { ok: r.ok && token.ok && typeof token.value === 'string' && token.value.length > 0, steps, error: r.error ?? token.error };
    }

    async function race(key, rep) {
      const side = sideOf(key);
      const ctx = await browser.newContext();
      if (key === 'peer-nolocks') {
        await ctx.addInitScript(() => { Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined }); });
      }
      const popups = [];
      try {
        const first = await openTab(ctx, side, popups, { autoTrigger: true });
        const si = await signIn(side, first);
        check(`${key} rep ${rep}: popup sign-in as ${EMAIL} (setup)`, si.ok, JSON.stringify(si.error ?? null));
        if (!si.ok) return null;
        const signedInAt = Date.now();
        // From now on a sign-in request the peer queues stays queued (the login dialog stays up).
        if (side === 'peer') await first.evaluate(() => window.e2e.setAutoTrigger('main', false));
        await sleep(Math.max(0, signedInAt + TTL * 1000 + 500 - Date.now()));
        popups.length = 0;
        stack.resetCounts();
        const tOpen = Date.now();
        const tabs = await Promise.all(Array.from({ length: NEW_TABS }, () => openTab(ctx, side, popups)));
        const openMs = Date.now() - tOpen;
        const all = [first, ...tabs];
        const tRace = Date.now();
        await Promise.all(all.map(p => p.evaluate(() => window.e2e.start('race', 'main', 'getAccessToken'))));
        // Until every tab has resolved/rejected, or queued a sign-in request (peer), or HANG_MS.
        const status = p => p.evaluate(async s => ({
          settled: await window.e2e.isSettled('race'),
          queued: s === 'peer' ? window.e2e.requests('main').now : 0,
        }), side);
        let st;
        for (;;) {
          st = await Promise.all(all.map(status));
          if (st.every(x => x.settled || x.queued > 0) || Date.now() - tRace > HANG_MS) break;
          await sleep(50);
        }
        const raceMs = Date.now() - tRace;
        // Let requests still in flight at the backend answer before reading their statuses.
        const deadline = Date.now() + 5000;
        while (stack.requests().some(r => r.status === null) && Date.now() < deadline) await sleep(50);
        await sleep(200);
        const tabsOut = [];
        for (let i = 0; i < all.length; i++) {
          const p = all[i];
          const result = st[i].settled ? await p.evaluate(() => window.e2e.settle('race')) : null;
          const states = await p.evaluate(() => window.e2e.states('main'));
          const queued = side === 'peer' ? await p.evaluate(() => window.e2e.requests('main')) : null;
          const ok = !!result?.ok && typeof result.value === 'string' && result.value.length > 0 && states.at(-1) === 'SignedIn';
          tabsOut.push({
            tab: i === 0 ? 'first' : `new ${i}`, ok, settled: st[i].settled, queued: queued?.now ?? 0,
            lastState: states.at(-1) ?? null, token: result?.ok ? result.value : null,
            error: result && !result.ok ? `${result.error.name}: ${result.error.message}` : null,
            why: ok ? null : !st[i].settled ? (st[i].queued ? 'sign-in request queued (login dialog)' : `no answer within ${HANG_MS} ms`)
              : !result.ok ? `rejected (${result.error.name}: ${result.error.message})` : `resolved ${JSON.stringify(result.value).slice(0, 40)}, state ${states.at(-1)}`,
          });
        }
        const reqs = stack.requests().filter(r => r.provider === PROVIDER.id && r.route === 'refresh' && r.method !== 'OPTIONS');
        const statusCounts = {};
        for (const r of reqs) statusCounts[r.status ?? 'pending'] = (statusCounts[r.status ?? 'pending'] ?? 0) + 1;
        const run = {
          side: key, rep, tabs: all.length, openMs, raceMs,
          signedOut: tabsOut.filter(t => !t.ok).length,
          signedOutNew: tabsOut.slice(1).filter(t => !t.ok).length,
          refresh: stack.count(PROVIDER.id, 'refresh'),
          refresh401: reqs.filter(r => r.status === 401).length,
          refreshStatuses: statusCounts,
          popups: popups.length,
          queuedTabs: tabsOut.filter(t => t.queued > 0).length,
          distinctTokens: new Set(tabsOut.filter(t => t.token).map(t => t.token)).size,
          starts: stack.count(PROVIDER.id, 'start'),
          failures: [...new Set(tabsOut.filter(t => !t.ok).map(t => t.why))],
          idpLogin: si.steps,
        };
        log(`${key} rep ${rep}: ${run.tabs} tabs (opened in ${openMs} ms), ${run.signedOut} signed out, ${run.refresh} /refresh `
          + `${JSON.stringify(statusCounts)}, ${run.distinctTokens} distinct token(s), all settled in ${raceMs} ms`
          + (run.failures.length ? `; signed out because: ${run.failures.join(' | ')}` : ''));
        return run;
      } finally {
        await ctx.close().catch(() => {});
      }
    }

    for (let rep = 1; rep <= Math.max(REPS, CONTROL_REPS); rep++) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + rep - 1) % VARIANTS.length])
        .filter(k => rep <= (k === 'peer-nolocks' ? CONTROL_REPS : REPS));
      for (const side of order) {
        let run;
        try {
          run = await race(side, rep);
        } catch (e) {
          check(`${side} rep ${rep}: ran`, false, e.message.split('\n')[0]);
        }
        if (!run) continue;
        runs.push(run);
        if (side === 'ours') {
          check(`ours rep ${rep}: 0 of ${run.tabs} tabs signed out`, run.signedOut === 0, `${run.signedOut}: ${run.failures.join(' | ')}`);
          check(`ours rep ${rep}: exactly 1 /refresh at the backend`, run.refresh === 1, `${run.refresh} ${JSON.stringify(run.refreshStatuses)}`);
          check(`ours rep ${rep}: every tab has the same new token`, run.distinctTokens === 1, `${run.distinctTokens}`);
        }
      }
    }
  } finally {
    await browser?.close();
    await stack?.stop();
    await app.close();
    fs.rmSync(appRoot, { recursive: true, force: true });
  }

  machine.loadAvgEnd = os.loadavg().map(x => +x.toFixed(2));
  const elapsedS = (Date.now() - t0) / 1000;
  const summary = {};
  for (const side of VARIANTS) {
    const rs = runs.filter(r => r.side === side);
    if (!rs.length) continue;
    summary[side] = {
      reps: rs.length, tabs: rs[0].tabs,
      signedOut: stats(rs.map(r => r.signedOut)), refresh: stats(rs.map(r => r.refresh)),
      refresh401: stats(rs.map(r => r.refresh401)), raceMs: stats(rs.map(r => r.raceMs)),
    };
  }
  const fmt = s => (s ? `${s.min} / ${s.median} / ${s.max}` : 'n/a');
  const label = { ours: 'ours (backstage-wasm-auth)', peer: 'peer (OAuth2, core-app-api)', 'peer-nolocks': 'control: peer, navigator.locks hidden' };
  const header = '| client | reps | tabs | signed-out tabs | /refresh requests | /refresh → 401 | all tabs settled (ms) |';
  const rows = VARIANTS.filter(s => summary[s]).map(s => `| ${label[s]} | ${summary[s].reps} | ${summary[s].tabs} | ${fmt(summary[s].signedOut)} | ${fmt(summary[s].refresh)} | ${fmt(summary[s].refresh401)} | ${fmt(summary[s].raceMs)} |`);
  const table = [header, '|---|---|---|---|---|---|---|', ...rows].join('\n');
  process.stdout.write(`\nmin / median / max over the repetitions (fresh context + fresh sign-in each):\n${table}\n`);
  const passed = checks.filter(c => c.ok).length;
  const failed = checks.length - passed;

  if (WRITE) {
    const perRun = ['| client | rep | tabs | signed out | /refresh | statuses | distinct tokens | tabs with a sign-in request queued | popups | opened in (ms) | settled in (ms) | why signed out |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...runs.map(r => `| ${r.side} | ${r.rep} | ${r.tabs} | ${r.signedOut} | ${r.refresh} | ${Object.entries(r.refreshStatuses).map(([k, v]) => `${v}×${k}`).join(', ') || '-'} | ${r.distinctTokens} | ${r.queuedTabs} | ${r.popups} | ${r.openMs} | ${r.raceMs} | ${r.failures.join('; ') || '-'} |`)].join('\n');
    const md = `# Multi-tab refresh race: ours vs Backstage's OAuth2 (issue 8)

Generated by \`bench/tabs-race-run\` on ${machine.date} (${elapsedS.toFixed(0)} s, ${passed} passed, ${failed} failed).
Refresh-token rotation ON at the IdP; a signed-in user whose access token has expired opens
${NEW_TABS} tabs at once in the same browser context; all ${NEW_TABS + 1} tabs call \`getAccessToken()\`.

min / median / max over ${REPS} repetitions per client (${CONTROL_REPS} for the control), each in a fresh browser context with a
fresh popup sign-in:

${table}

Ours is asserted (every repetition: 0 signed out, exactly 1 \`/refresh\`, one token for every tab);
the peer's figures (and the control's) are measurements only. The control row is the same peer with
\`navigator.locks\` hidden from its pages (see Setup): what the race does to it without the cross-tab
lock, and a check that this harness does see signed-out tabs and 401s when they happen.

## Per repetition

${perRun}

## Setup (exactly what runs)

- Stack: \`tests/e2e/stack\` \`startStack({ appOrigins: [app], rotateRefreshToken: true, accessTokenTtl: ${TTL} })\`: the real
  Backstage auth backend (plugin-auth-backend ${machine.versions['@backstage/plugin-auth-backend']}, oidc module
  ${machine.versions['@backstage/plugin-auth-backend-module-oidc-provider']}) and oidc-provider ${machine.versions['oidc-provider (IdP)']} as the IdP,
  which issues a new refresh token on every refresh (the backend re-sets its \`oidc-refresh-token\` cookie); a
  reused one fails (\`invalid_grant\` 'refresh token already used') and revokes the whole grant. Requests are counted at the stack's proxy (\`stack.count('oidc', 'refresh')\` after
  \`stack.resetCounts()\`; statuses from \`stack.requests()\`).
- Browser: headless Chromium ${machine.chromium ?? ''} (Debian, /usr/bin/chromium) driven by playwright-core
  ${machine.versions['playwright-core']}; one \`browser.newContext()\` per repetition, so the tabs share cookies
  (the backend's refresh cookie), \`BroadcastChannel\` and Web Locks, and nothing survives between repetitions.
- Per repetition: tab 1 loads the page, constructs the client, \`signIn()\` by popup as ${EMAIL} (the IdP's login and
  consent pages typed by \`completeIdpLogin\`); wait until ${TTL} s + 0.5 s after sign-in (the IdP access token has
  expired); \`resetCounts()\`; ${NEW_TABS} new tabs opened at once (\`Promise.all\`: page load, client constructed);
  then \`getAccessToken()\` started in all ${NEW_TABS + 1} tabs at once; wait until every tab has settled or queued
  a sign-in request (at most ${HANG_MS / 1000} s).
- A tab counts as **signed out** when its \`getAccessToken()\` rejected, or did not resolve within ${HANG_MS / 1000} s,
  or resolved to an empty token, or its \`sessionState$\` did not end \`SignedIn\`, or (peer) its
  \`OAuthRequestManager\` queued a sign-in request (what an app shows as the login dialog; the call then waits for
  the user, so it never resolves by itself), or it opened a popup.
- **Ours**: \`pkg/\` from \`scripts/build\` (release), page \`tests/e2e/fixtures/client.html\`,
  \`new AuthClient(${JSON.stringify(machine.oursOptions)})\` (crossTabSync default = on).
- **Peer**: \`OAuth2\` from \`@backstage/core-app-api\` ${machine.versions['@backstage/core-app-api (peer)']}, bundled by esbuild
  ${machine.versions.esbuild} from \`bench/client/tabs-peer.js\`: \`OAuth2.create({ configApi, discoveryApi, oauthRequestApi:
  new OAuthRequestManager(), provider: { id: 'oidc', title: 'OIDC', icon: () => null }, environment: 'development',
  defaultScopes: ['openid', 'profile', 'email'] })\`, plain \`getAccessToken()\`. Tab 1's sign-in request is
  triggered (= the user clicks "Log in"); the new tabs' requests stay queued. Note: core-app-api 1.20.7's
  \`DefaultAuthConnector.refreshSession\` runs each tab's \`/refresh\` fetch inside a Web Lock
  (\`navigator.locks.request('backstage-auth-refresh:<url>')\`), so the tabs' refreshes are serialized, not concurrent:
  each one carries the cookie the previous one rotated (so no 401 here). Its \`/refresh\` count follows from
  \`RefreshingAuthSessionManager.getSession\`: a new tab has no session, refreshes, then re-enters \`getSession\`, where
  the new session's ${TTL} s access token is inside OAuth2's refresh margin (\`sessionShouldRefresh\`: less than 3 min
  left), so it refreshes again: 2 per new tab + 1 for tab 1 (its expired session) = ${2 * NEW_TABS + 1}; with an access
  token living longer than 3 min it would be one per tab. Each tab ends with its own access token (distinct tokens).
- **Control** (\`peer-nolocks\`): the same peer page, with
  \`Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined })\` as a context init script, so
  \`DefaultAuthConnector.refreshSession\` takes its branch for browsers without Web Locks: every tab fetches
  \`/refresh\` at once with the same cookie. The first answer rotates the refresh token; the others present the
  consumed one, get 401, and oidc-provider revokes the grant; those tabs' \`RefreshingAuthSessionManager\` then
  drops its session and queues a sign-in request (signed out).
- Ours, for comparison: every tab's refresh also waits for a Web Lock shared by the tabs, but the first holder's new
  session is announced over \`BroadcastChannel\` before the lock is released, and each later holder re-checks its
  session under the lock, finds it fresh and asks the backend nothing (\`src/manager.rs\`, \`shared_refresh\`); each
  tab keeps its copy in its own \`sessionStorage\`.

## Machine

- CPU: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}
- Node ${machine.node}; git ${machine.gitCommit}
- load average at start ${machine.loadAvgStart.join(' ')}, at end ${machine.loadAvgEnd.join(' ')} (shared machine)

## Checks

${checks.map(c => `- ${c.ok ? 'PASS' : 'FAIL'} ${c.name}${c.ok ? '' : ` (${c.detail})`}`).join('\n')}
`;
    fs.writeFileSync(OUT, md);
    log(`wrote ${path.relative(root, OUT)}`);
  }
  log(`done in ${elapsedS.toFixed(1)} s`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = failed ? 1 : 0;
}

main().catch(e => {
  log(`error: ${e.stack ?? e}`);
  process.stdout.write(`${checks.filter(c => c.ok).length} passed, ${checks.filter(c => !c.ok).length + 1} failed\n`);
  process.exit(1);
});
