// bench/run's driver: OUR WASM client vs Backstage's OAuth2 (@backstage/core-app-api), side by side
// in one headless Chromium against the real e2e stack (tests/e2e/stack). See bench/README.md.
//
//   node bench/bench.mjs [--quick] [--size-detail] [--out DIR] [--pkg DIR]
//
// --quick: small counts, same code paths; checks correctness only (exit 1 on a failure), never speed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack } from '../tests/e2e/stack/stack.mjs';
import { launchBrowser, completeIdpLogin } from '../tests/e2e/stack/browser.mjs';
import { startAppServer } from '../tests/e2e/stack/appserver.mjs';
import { measureSizes } from './lib/sizes.mjs';
import { prepareOurs } from './lib/ours-build.mjs';
import { buildClientBundles, fillRoutes } from './lib/pages.mjs';
import { measureCliAppDelta } from './lib/cli-app.mjs';
import { summarize, buildResults, renderTable, renderMarkdown } from './lib/report.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(benchDir);

// ---------------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const argValue = name => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const outDir = path.resolve(argValue('--out') ?? (quick ? path.join(benchDir, 'out') : benchDir));
const pkgSrc = path.resolve(argValue('--pkg') ?? path.join(root, 'pkg'));
const distSrc = path.resolve(argValue('--dist') ?? path.join(root, 'dist'));
// The names-retained rebuild for size by crate takes a minute under load: not in --quick unless asked.
const sizeDetail = !quick || argv.includes('--size-detail');
// The Backstage CLI builds with and without the package take minutes: full runs, or --cli-app.
const cliApp = (!quick || argv.includes('--cli-app')) && !argv.includes('--no-cli-app');

const P = quick ? {
  coldLoads: 3, firstSignIns: 1, repeatSignIns: 1, restoreLoads: 2, stormNs: [1, 10, 100, 1000], stormReps: 1,
  cachedRuns: 1, cachedBatches: 20, batchSize: 100, concurrentReps: 2, memoryCalls: 5_000, memoryReps: 1,
} : {
  coldLoads: 30, firstSignIns: 3, repeatSignIns: 10, restoreLoads: 20, stormNs: [1, 10, 100, 1000], stormReps: 10,
  cachedRuns: 5, cachedBatches: 1000, batchSize: 100, concurrentReps: 20, memoryCalls: 100_000, memoryReps: 3,
};
const STACK = { accessTokenTtl: 3600, backstageTokenTtl: 3600 };
const EMAIL = 'jane@example.com';
const USER_REF = 'user:default/jane';
const PROVIDER = { id: 'oidc', title: 'OIDC' };
const SCOPES = ['openid', 'profile', 'email'];
const SIDES = ['ours', 'peer'];

const t0 = Date.now();
const log = msg => process.stderr.write(`\x1b[1;35m[bench]\x1b[0m +${((Date.now() - t0) / 1000).toFixed(1)}s ${msg}\n`);

// Correctness checks: the only thing --quick asserts.
const checks = [];
function check(name, ok, detail = '') {
  checks.push({ name, ok: !!ok, detail });
  if (!ok) log(`\x1b[31mFAIL\x1b[0m ${name} ${detail}`);
}

// Samples: raw[metric][client] = [numbers]
const raw = {};
const sample = (metric, client, value) => {
  ((raw[metric] ??= {})[client] ??= []).push(value);
};

// ---------------------------------------------------------------------------------------------
function sh(cmd, args) {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim(); } catch { return null; }
}
function pkgVersion(dir, name) {
  try { return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return null; }
}
function machineInfo() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model;
  const stackDir = path.join(root, 'tests/e2e/stack');
  return {
    cpuModel: model,
    cores: os.cpus().length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    distro: /PRETTY_NAME="?([^"\n]+)/.exec(fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf8') : '')?.[1] ?? null,
    node: process.version,
    rustc: sh('rustc', ['--version']),
    wasmBindgen: sh(`${os.homedir()}/.cargo/bin/wasm-bindgen`, ['--version']) ?? sh('wasm-bindgen', ['--version']),
    gitCommit: sh('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
    gitDirty: (sh('git', ['-C', root, 'status', '--porcelain', '--', 'src', 'Cargo.toml', 'Cargo.lock']) ?? '') !== '',
    peer: {
      '@backstage/core-app-api': pkgVersion(benchDir, '@backstage/core-app-api'),
      'oidc-client-ts': pkgVersion(benchDir, 'oidc-client-ts'),
      esbuild: pkgVersion(benchDir, 'esbuild'),
    },
    stack: {
      '@backstage/plugin-auth-backend': pkgVersion(stackDir, '@backstage/plugin-auth-backend'),
      '@backstage/plugin-auth-backend-module-oidc-provider': pkgVersion(stackDir, '@backstage/plugin-auth-backend-module-oidc-provider'),
      'oidc-provider': pkgVersion(stackDir, 'oidc-provider'),
      'playwright-core': pkgVersion(stackDir, 'playwright-core'),
    },
    loadAvgStart: os.loadavg().map(x => +x.toFixed(2)),
  };
}

// ---------------------------------------------------------------------------------------------
async function main() {
  const machine = machineInfo();
  machine.mode = quick ? 'quick' : 'full';
  machine.date = new Date().toISOString();
  log(`${quick ? 'QUICK' : 'FULL'} run; load average ${machine.loadAvgStart.join(' ')} on ${machine.cores} cores`);

  // A private copy of the package (pkg/ + dist/ + package.json): others may rebuild it while we run.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const www = path.join(tmp, 'www');
  const ours = prepareOurs({ root, benchDir, pkgSrc, distSrc, tmp });
  const { packageDir, pkgDir } = ours;
  machine.oursBuild = ours.source;
  machine.fastPath = /^export class AuthClient extends AuthClientCore/m.test(fs.readFileSync(path.join(pkgDir, 'backstage_wasm_auth.js'), 'utf8'));
  machine.wasmOpt = sh(ours.wasmOpt, ['--version']);
  check('pkg/ from scripts/build instantiates (each module: wasm + glue)', !ours.shippedError, ours.shippedError ?? '');
  if (ours.shippedError) log(`pkg/ does not instantiate; measuring ${ours.source}`);

  log(`sizes (esbuild bundles of each entry${sizeDetail ? ', names-retained rebuild of the core for size by crate, twiggy' : ''})`);
  const sizes = await measureSizes({ root, benchDir, packageDir, tmp, wasmOpt: ours.wasmOpt, detail: sizeDetail });
  for (const k of ['raw', 'gzip', 'brotli']) {
    sample(`size_${k}_bytes`, 'ours', sizes.ours.total[k]);
    sample(`size_${k}_bytes`, 'peer', sizes.peer.oauth2[k]);
    sample(`size_${k}_bytes`, 'oidcts', sizes.oidcts.userManager[k]);
  }
  sample('size_pkce_gzip_bytes', 'ours', sizes.ours.pkce.gzip);
  sample('size_pkce_gzip_bytes', 'oidcts', sizes.oidcts.userManager.gzip);
  sample('theme_frame_gzip_bytes', 'ours', sizes.ours.themeFrame.gzip);
  check('sizes measured', sizes.ours.total.raw > 0 && sizes.peer.oauth2.raw > 0);
  for (const e of Object.values(sizes.ours.entries)) {
    check(`size entry ${e.name}: no base64 copy of a wasm module in the browser bundle`, e.base64Copies.length === 0, e.base64Copies.join(', '));
    // The ui entry loads no wasm of its own (glue null).
    if (e.glue) check(`size entry ${e.name}: ${e.what} loads pkg/${e.glue}.js`, e.glueReached);
  }
  if (sizes.breakdown.codeBytesNamedBuild && sizes.breakdown.codeBytesShipped) {
    const d = Math.abs(sizes.breakdown.codeBytesNamedBuild - sizes.breakdown.codeBytesShipped);
    if (d > 0.02 * sizes.breakdown.codeBytesShipped) {
      log(`note: the names-retained build's code section (${sizes.breakdown.codeBytesNamedBuild} B) differs from pkg's (${sizes.breakdown.codeBytesShipped} B) by more than 2 %`);
    }
  }
  const bundles = await buildClientBundles({ benchDir, packageDir, www });

  const routes = {};
  const app = await startAppServer({ root: www, routes });
  log(`app server ${app.origin}; starting the stack`);
  const stack = await startStack({ appOrigins: [app.origin], ...STACK });
  log(`stack ready in ${stack.timings.readyMs} ms (authBase ${stack.authBase})`);
  fillRoutes(routes, { backendUrl: stack.backendUrl, idpUrl: stack.idpUrl, providerId: PROVIDER.id, providerTitle: PROVIDER.title, scopes: SCOPES });
  const browser = await launchBrowser({ timeoutMs: 30_000 });
  machine.chromium = browser.browser.version();
  const url = (client, { iso = false, query = '' } = {}) => `${app.origin}${iso ? '/iso' : ''}/${client}.html${query ? `?${query}` : ''}`;
  const refreshes = () => stack.count(PROVIDER.id, 'refresh');

  async function load(page, u) {
    await page.goto(u, { waitUntil: 'load' });
    const r = await page.evaluate(() => window.benchReady).catch(async e => {
      throw new Error(`${u}: ${await page.evaluate(() => window.benchError).catch(() => null) ?? e.message}`);
    });
    return r;
  }

  try {
    // ---- 1b. the Backstage CLI app build, with and without the package (bytes only)
    let cliAppResult = { skipped: quick ? 'not in --quick mode (--cli-app adds it)' : '--no-cli-app' };
    if (cliApp) {
      log('Backstage CLI app build with and without the package (two rspack builds)');
      cliAppResult = await measureCliAppDelta({ root, benchDir, tmp, packageDir, browser, backendUrl: stack.backendUrl, startAppServer, log });
      if (cliAppResult.skipped) log(`cli-app: skipped: ${cliAppResult.skipped}`);
      else {
        const w = cliAppResult.with, wo = cliAppResult.without;
        for (const [metric, pick] of [['cli_app_sign_in_page_bytes', x => x.signInPage.raw], ['cli_app_sign_in_page_gzip_bytes', x => x.signInPage.gzip],
          ['cli_app_dist_bytes', x => x.dist.raw], ['cli_app_dist_gzip_bytes', x => x.dist.gzip]]) {
          sample(metric, 'ours', pick(w));
          sample(metric, 'peer', pick(wo));
        }
        check('cli-app with the package: no base64 copy of a wasm module in dist/', w.base64Copies.length === 0, w.base64Copies.join(', '));
        check('cli-app with the package: the sign-in page fetches the core .wasm only', w.wasmFetched.length === 1 && !/pkce|theme/.test(w.wasmFetched[0]),
          w.wasmFetched.join(', '));
      }
    }
    sizes.cliApp = cliAppResult;

    // ---- 2. cold start: script start -> ready client (fetch + compile + instantiate + construct)
    log(`cold start: ${P.coldLoads} page loads per client, interleaved`);
    {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      for (let i = 0; i < P.coldLoads; i++) {
        for (const c of i % 2 ? ['peer', 'wrapper', 'ours', 'oidcts'] : ['ours', 'peer', 'oidcts', 'wrapper']) {
          const r = await load(page, url(c));
          if (c === 'wrapper') {
            // Through WasmAuthApi: its loader (fetch of the .wasm beside the glue's import) + the client.
            sample('wrapper_cold_start_ms', 'ours', r.readyMs);
            continue;
          }
          sample('cold_start_ms', c, r.readyMs);
          if (c === 'peer') sample('wrapper_cold_start_ms', 'peer', r.readyMs);
          if (c === 'ours') { sample('cold_start_wasm_init_ms', c, r.initMs); }
          if (c === 'ours' || c === 'peer') {
            sample('cold_start_import_ms', c, r.importMs);
            sample('constructor_ms', c, r.constructMs);
          }
        }
      }
      await ctx.close();
    }

    // ---- 5a. popup sign-in round trip (the IdP's login automated)
    const ctxs = {};
    const pages = {};
    async function timedSignIn(c, page) {
      const before = stack.counts();
      const popupP = page.waitForEvent('popup', { timeout: 30_000 });
      const resultP = page.evaluate(() => window.harness.timedSignIn(window.bench));
      popupP.catch(() => {});
      resultP.catch(() => {});
      // signIn() may also resolve without any popup (a session still alive somewhere): that is
      // reported by the check below (no /start), not a crash.
      const first = await Promise.race([
        popupP.then(popup => ({ popup }), error => ({ error })),
        resultP.then(result => ({ result }), error => ({ error })),
      ]);
      if (first.error) {
        throw new Error(`${c}: sign-in: ${first.error.message.split('\n')[0]}; requests: `
          + JSON.stringify(stack.requests().slice(-6).map(q => `${q.method} ${q.path} ${q.status}`)));
      }
      let steps = ['(no popup)'];
      if (first.popup) ({ steps } = await completeIdpLogin(first.popup, EMAIL, { timeoutMs: 30_000 }));
      const r = await resultP;
      // Backstage's frame page closes itself 100 ms after posting; ours also closes the popup at
      // once. Wait until it is gone: a window.open() with the same name while the old popup is
      // still open would reuse that closing window instead of opening a new one.
      if (first.popup && !first.popup.isClosed()) await first.popup.waitForEvent('close', { timeout: 10_000 }).catch(() => {});
      const after = stack.counts();
      const starts = (after[`${PROVIDER.id}/start`] ?? 0) - (before[`${PROVIDER.id}/start`] ?? 0);
      return { ...r, steps, starts };
    }
    log(`popup sign-in: ${P.firstSignIns} first (login + consent typed) and ${P.repeatSignIns} repeat (IdP session) per client`);
    for (let rep = 0; rep < P.firstSignIns; rep++) {
      for (const c of rep % 2 ? [...SIDES].reverse() : SIDES) {
        await ctxs[c]?.close();
        ctxs[c] = await browser.newContext();
        pages[c] = await ctxs[c].newPage();
        await load(pages[c], url(c));
        const r = await timedSignIn(c, pages[c]);
        sample('popup_sign_in_first_ms', c, r.ms);
        check(`${c}: first sign-in resolves ${USER_REF} through one popup`, r.userEntityRef === USER_REF && r.starts === 1 && !!r.token,
          JSON.stringify({ userEntityRef: r.userEntityRef, starts: r.starts, steps: r.steps }));
      }
    }
    for (let rep = 0; rep < P.repeatSignIns; rep++) {
      for (const c of rep % 2 ? [...SIDES].reverse() : SIDES) {
        await pages[c].evaluate(() => window.harness.signOut(window.bench));
        const r = await timedSignIn(c, pages[c]);
        sample('popup_sign_in_ms', c, r.ms);
        check(`${c}: sign-in again after sign-out`, r.userEntityRef === USER_REF && r.starts === 1,
          JSON.stringify({ userEntityRef: r.userEntityRef, starts: r.starts, steps: r.steps }));
      }
    }

    // ---- 5b. session on page load (restore): reload the signed-in page, time to the first token
    log(`session restore: ${P.restoreLoads} reloads of the signed-in page per client`);
    for (let i = 0; i < P.restoreLoads; i++) {
      for (const c of i % 2 ? [...SIDES].reverse() : SIDES) {
        const n0 = refreshes();
        const r = await load(pages[c], url(c, { query: 'restore' }));
        const n = refreshes() - n0;
        sample('session_restore_ms', c, r.restoreMs);
        sample('session_restore_refresh_requests', c, n);
        check(`${c}: signed in again after a page load`, typeof r.restoreToken === 'string' && r.restoreToken.length > 0);
        if (c === 'ours') check('ours: session restored from storage without /refresh', n === 0, `refreshes=${n}`);
      }
    }

    // ---- 4. refresh storm at expiry: N concurrent callers, page clock moved past every expiry
    log(`refresh storm: N = ${P.stormNs.join(', ')}, ${P.stormReps} rep(s) each, per client`);
    const advanceMs = 2 * Math.max(STACK.accessTokenTtl, STACK.backstageTokenTtl) * 1000 + 60_000;
    const stormDetail = {};
    for (const c of SIDES) {
      await load(pages[c], url(c, { query: 'clock' }));
      await pages[c].evaluate(() => window.bench.getToken());
    }
    for (const n of P.stormNs) {
      for (let rep = 0; rep < P.stormReps; rep++) {
        for (const c of rep % 2 ? [...SIDES].reverse() : SIDES) {
          const n0 = refreshes();
          const r = await pages[c].evaluate(([N, adv]) => window.harness.storm(window.bench, N, adv), [n, advanceMs]);
          const count = refreshes() - n0;
          sample(`refresh_requests_at_${n}`, c, count);
          sample(`refresh_storm_${n}_ms`, c, r.ms);
          (stormDetail[c] ??= []).push({ n, rep, ms: r.ms, refreshes: count, distinct: r.distinct, empty: r.empty, changed: r.changed });
          check(`${c}: N=${n} callers at expiry -> exactly 1 /refresh, one new token for all`,
            count === 1 && r.distinct === 1 && r.empty === 0 && r.changed, JSON.stringify({ count, distinct: r.distinct, empty: r.empty, changed: r.changed }));
        }
      }
    }
    for (const c of SIDES) await pages[c].close();

    // ---- 3. cached getAccessToken() on a cross-origin-isolated page (5 µs timer)
    log(`cached getAccessToken(): ${P.cachedRuns} run(s) x ${P.cachedBatches} batches x ${P.batchSize} calls per client (isolated page)`);
    const iso = {};
    ctxs.oidcts = await browser.newContext();
    // The wrapper (WasmAuthApi) runs in ours' context: the refresh cookie of ours' sign-in.
    ctxs.wrapper = ctxs.ours;
    const CACHED = [...SIDES, 'oidcts', 'wrapper'];
    for (const c of CACHED) {
      const page = await ctxs[c].newPage();
      const r = await load(page, url(c, { iso: true }));
      check(`${c}: benchmark page is cross-origin isolated`, r.isolated === true);
      const token = await page.evaluate(() => window.bench.getToken());
      check(`${c}: isolated page gets a session${c === 'oidcts' ? '' : c === 'wrapper' ? ' (/refresh or a sibling tab)' : ' through /refresh'}`,
        typeof token === 'string' && token.length > 0);
      await page.evaluate(([b, s]) => window.harness.cachedRun(window.bench, { batches: b, size: s }), [Math.min(100, P.cachedBatches), P.batchSize]);
      if (machine.fastPath && (c === 'ours' || c === 'wrapper')) {
        // The hot path's JS half: a cached session's token is the same resolved promise each time.
        const same = await page.evaluate(() => window.bench.getToken() === window.bench.getToken());
        check(`${c}: fast path: a cached getAccessToken() returns the same already-resolved promise`, same);
      }
      iso[c] = page;
    }
    const order = run => (run % 2 ? [...CACHED].reverse() : CACHED);
    for (let run = 0; run < P.cachedRuns; run++) {
      for (const c of order(run)) {
        const n0 = refreshes();
        const r = await iso[c].evaluate(([b, s]) => window.harness.cachedRun(window.bench, { batches: b, size: s }), [P.cachedBatches, P.batchSize]);
        if (c === 'wrapper') {
          sample('wrapper_get_access_token_p50_us', 'ours', r.p50Us);
          sample('wrapper_get_access_token_p99_us', 'ours', r.p99Us);
        } else {
          sample('cached_get_access_token_p50_us', c, r.p50Us);
          sample('cached_get_access_token_p99_us', c, r.p99Us);
          sample('cached_get_access_token_mean_us', c, r.meanUs);
          sample('cached_calls_per_sec', c, r.callsPerSec);
        }
        if (c === 'peer') {
          // The peer has no wrapper: its OAuth2 is what a Backstage app's API ref resolves to.
          sample('wrapper_get_access_token_p50_us', 'peer', r.p50Us);
          sample('wrapper_get_access_token_p99_us', 'peer', r.p99Us);
        }
        check(`${c}: cached getAccessToken() is stable and does no I/O`, r.tokenStable && refreshes() === n0);
      }
    }
    for (let rep = 0; rep < P.concurrentReps; rep++) {
      for (const c of rep % 2 ? ['oidcts', 'peer', 'ours'] : ['ours', 'peer', 'oidcts']) {
        const n0 = refreshes();
        const r = await iso[c].evaluate(() => window.harness.concurrent(window.bench, 1000));
        sample('cached_concurrent_1000_ms', c, r.ms);
        if (rep === 0) check(`${c}: 1000 concurrent cached calls, one token, no I/O`, r.distinct === 1 && r.empty === 0 && refreshes() === n0);
      }
    }

    // ---- 6. memory after many calls: JS heap (CDP, after GC) + WASM linear memory
    log(`memory: ${P.memoryReps} x (${P.memoryCalls} calls, then GC) per client`);
    async function heap(page) {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('HeapProfiler.enable');
      for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
      const h = await cdp.send('Runtime.getHeapUsage');
      await cdp.detach();
      return h.usedSize;
    }
    {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await load(page, `${app.origin}/iso/blank.html`);
      machine.blankPageJsHeapBytes = await heap(page);
      await ctx.close();
    }
    for (let rep = 0; rep < P.memoryReps; rep++) {
      for (const c of rep % 2 ? ['oidcts', 'peer', 'ours'] : ['ours', 'peer', 'oidcts']) {
        const before = await heap(iso[c]);
        await iso[c].evaluate(n => window.harness.calls(window.bench, n), P.memoryCalls);
        const after = await heap(iso[c]);
        const wasmBytes = await iso[c].evaluate(() => window.bench.wasmMemoryBytes());
        sample('memory_js_heap_bytes', c, after);
        sample('memory_js_heap_growth_bytes', c, after - before);
        sample('memory_wasm_linear_bytes', c, wasmBytes);
        sample('memory_total_bytes', c, after + wasmBytes);
        sample('memory_bytes', c, after + wasmBytes);
      }
    }

    machine.loadAvgEnd = os.loadavg().map(x => +x.toFixed(2));
    const summary = summarize(raw);
    const results = buildResults({ machine, summary, sizes, params: { ...P, stack: STACK, stormClockAdvanceMs: advanceMs },
      bundles, stormDetail, checks, quick });
    fs.mkdirSync(outDir, { recursive: true });
    const base = quick ? 'results-quick' : 'results';
    fs.writeFileSync(path.join(outDir, `${base}.json`), `${JSON.stringify(results, null, 2)}\n`);
    fs.writeFileSync(path.join(outDir, `${base}.md`), renderMarkdown(results));
    process.stdout.write(`\n${renderTable(results)}\n`);
    log(`wrote ${path.relative(process.cwd(), path.join(outDir, base))}.{md,json}`);
  } finally {
    await browser.close();
    await stack.stop();
    await app.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

let failed = 0;
try {
  await main();
} catch (e) {
  checks.push({ name: 'benchmark ran to the end', ok: false, detail: String(e?.stack ?? e) });
  process.stderr.write(`${e?.stack ?? e}\n`);
}
failed = checks.filter(c => !c.ok).length;
const passed = checks.length - failed;
// Distinct checks (the same check repeats over reps): report each failing name once.
for (const name of new Set(checks.filter(c => !c.ok).map(c => c.name))) process.stdout.write(`FAILED: ${name}\n`);
log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
