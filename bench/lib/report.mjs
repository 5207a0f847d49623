// Summaries, results.json and the tables (terminal and results.md).

export const METRICS = {
  size_raw_bytes: { unit: 'bytes', better: 'lower', label: 'Shipped size, raw', what: 'ours: what a Backstage app using the API ref fetches: the npm wrapper entry (esbuild-minified, React/Backstage/MUI external) + its lazy glue chunk + the core .wasm (scripts/size-budget.mjs); peer: OAuth2 bundled (esbuild --bundle --minify)' },
  size_gzip_bytes: { unit: 'bytes', better: 'lower', label: 'Shipped size, gzip -9', what: 'the same files, each compressed separately, summed' },
  size_brotli_bytes: { unit: 'bytes', better: 'lower', label: 'Shipped size, brotli 11', what: 'each file compressed separately, summed' },
  size_pkce_gzip_bytes: { unit: 'bytes', better: 'lower', label: 'Shipped size with flow: pkce, gzip -9', what: 'the same app with flow \'pkce\': wrapper entry + the PKCE glue chunk + its .wasm (no peer: OAuth2 has no PKCE mode; oidc-client-ts for reference)' },
  theme_frame_gzip_bytes: { unit: 'bytes', better: 'lower', label: 'Theme-frame entry, gzip -9', what: 'an iframe app that only applies the host\'s theme: dist/theme/frame.js (minified) + the theme glue chunk + its .wasm (no peer)' },
  cli_app_sign_in_page_bytes: { unit: 'bytes', better: 'lower', label: 'Backstage CLI app: sign-in page fetches, raw', what: 'bench/cli-app built by backstage-cli (rspack): bytes Chromium fetches from the app origin until the sign-in page shows; ours = with the package, peer = the same app without it (Backstage\'s own OAuth2)' },
  cli_app_sign_in_page_gzip_bytes: { unit: 'bytes', better: 'lower', label: 'Backstage CLI app: sign-in page fetches, gzip -9', what: 'the same files, each gzip -9, summed' },
  cli_app_dist_bytes: { unit: 'bytes', better: 'lower', label: 'Backstage CLI app: whole dist/, raw', what: 'every file of the build; ours = with the package, peer = without' },
  cli_app_dist_gzip_bytes: { unit: 'bytes', better: 'lower', label: 'Backstage CLI app: whole dist/, gzip -9', what: '' },
  cold_start_ms: { unit: 'ms', better: 'lower', label: 'Cold start', what: 'script start -> ready client: fetch + compile + instantiate + construct (no HTTP cache)' },
  wrapper_cold_start_ms: { unit: 'ms', better: 'lower', label: 'Cold start through WasmAuthApi', what: 'ours: the npm wrapper\'s WasmAuthApi.create() + getClient() (its loader fetches the .wasm while the glue loads); peer: its cold start (same samples as above)' },
  cold_start_wasm_init_ms: { unit: 'ms', better: 'lower', label: 'of which wasm init()', what: 'fetch + compile + instantiate of the .wasm (ours only)' },
  cold_start_import_ms: { unit: 'ms', better: 'lower', label: 'of which the script import()', what: 'import() of the page\'s client bundle (ours: the glue; peer: OAuth2 and its deps)' },
  constructor_ms: { unit: 'ms', better: 'lower', label: 'of which the constructor', what: 'new AuthClient(options) / OAuth2.create(...), after the module is ready' },
  session_restore_ms: { unit: 'ms', better: 'lower', label: 'Session on page load', what: 'reload of a signed-in page: script start -> first getAccessToken() resolved' },
  session_restore_refresh_requests: { unit: 'requests', better: 'lower', label: '/refresh per page load', what: 'ours restores from sessionStorage; OAuth2 keeps no storage and asks /refresh' },
  popup_sign_in_first_ms: { unit: 'ms', better: 'lower', label: 'Popup sign-in, first', what: 'signIn() -> resolved, IdP login + consent typed by Playwright (fresh browser context)' },
  popup_sign_in_ms: { unit: 'ms', better: 'lower', label: 'Popup sign-in, again', what: 'after signOut(): refresh probe + popup round trip, IdP session present (no typing)' },
  cached_get_access_token_p50_us: { unit: 'µs', better: 'lower', label: 'Cached getAccessToken() p50', what: 'per call, from batches of 100 awaited calls, isolated page (5 µs timer)' },
  cached_get_access_token_p99_us: { unit: 'µs', better: 'lower', label: 'Cached getAccessToken() p99', what: 'p99 over the batches' },
  cached_get_access_token_mean_us: { unit: 'µs', better: 'lower', label: 'Cached getAccessToken() mean', what: '' },
  cached_calls_per_sec: { unit: 'calls/s', better: 'higher', label: 'Cached getAccessToken() throughput', what: 'sequential awaited calls' },
  wrapper_get_access_token_p50_us: { unit: 'µs', better: 'lower', label: 'Cached getAccessToken() p50 through WasmAuthApi', what: 'ours: the npm wrapper\'s WasmAuthApi (what an app\'s API ref resolves to) on the same core; peer: its OAuth2 (same samples as above)' },
  wrapper_get_access_token_p99_us: { unit: 'µs', better: 'lower', label: 'Cached getAccessToken() p99 through WasmAuthApi', what: '' },
  cached_concurrent_1000_ms: { unit: 'ms', better: 'lower', label: '1000 concurrent cached calls', what: 'Promise.all of 1000 getAccessToken() with a fresh session' },
};
for (const n of [1, 10, 100, 1000]) {
  METRICS[`refresh_requests_at_${n}`] = { unit: 'requests', better: 'lower', label: `Refresh storm N=${n}: /refresh`, what: `${n} concurrent callers at expiry; requests counted at the stack (must be 1)` };
  METRICS[`refresh_storm_${n}_ms`] = { unit: 'ms', better: 'lower', label: `Refresh storm N=${n}: time`, what: 'until all callers resolve (one backend + IdP round trip)' };
}
Object.assign(METRICS, {
  memory_js_heap_bytes: { unit: 'bytes', better: 'lower', label: 'JS heap after the calls', what: 'CDP Runtime.getHeapUsage usedSize after GC, whole page (harness included)' },
  memory_wasm_linear_bytes: { unit: 'bytes', better: 'lower', label: 'WASM linear memory', what: 'memory.buffer.byteLength (0 for JS clients)' },
  memory_total_bytes: { unit: 'bytes', better: 'lower', label: 'JS heap + WASM memory', what: '' },
  memory_bytes: { unit: 'bytes', better: 'lower', label: 'Memory (JS heap + WASM memory)', what: 'the same figure under the name the issue uses' },
  memory_js_heap_growth_bytes: { unit: 'bytes', better: 'lower', label: 'JS heap growth over the calls', what: 'after GC, after minus before the calls (leak check)' },
});

const CLIENT_KEYS = { ours: 'ours', peer: 'peer', oidcts: 'oidc_client_ts' };

function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { min: v[0], median, max: v[v.length - 1], n: v.length };
}

export function summarize(raw) {
  const out = {};
  for (const [metric, byClient] of Object.entries(raw)) {
    out[metric] = {};
    for (const [c, values] of Object.entries(byClient)) out[metric][c] = stats(values);
  }
  return out;
}

const round = (x, unit) => {
  if (x === null || x === undefined || Number.isNaN(x)) return null;
  if (unit === 'bytes' || unit === 'requests' || unit === 'calls/s') return Math.round(x);
  if (unit === 'µs') return +x.toFixed(4);
  return +x.toFixed(3);
};

export function buildResults({ machine, summary, sizes, params, bundles, stormDetail, checks, quick }) {
  const metrics = {};
  for (const [name, meta] of Object.entries(METRICS)) {
    const s = summary[name];
    if (!s) continue;
    const m = { unit: meta.unit, better: meta.better, description: `${meta.label}: ${meta.what}`.replace(/: $/, '') };
    m.ours = round(s.ours?.median, meta.unit);
    m.peer = round(s.peer?.median, meta.unit);
    m.ratio = s.ours && s.peer && s.peer.median ? +(s.ours.median / s.peer.median).toFixed(3) : null;
    for (const [c, key] of Object.entries(CLIENT_KEYS)) {
      if (!s[c]) continue;
      if (c === 'oidcts') m[key] = round(s[c].median, meta.unit);
      m[`${key}_min`] = round(s[c].min, meta.unit);
      m[`${key}_median`] = round(s[c].median, meta.unit);
      m[`${key}_max`] = round(s[c].max, meta.unit);
      m[`${key}_n`] = s[c].n;
    }
    metrics[name] = m;
  }
  const failed = checks.filter(c => !c.ok);
  return {
    machine,
    metrics,
    sizes,
    stormDetail,
    bundles,
    params,
    checks: { passed: checks.length - failed.length, failed: failed.length,
      failures: [...new Set(failed.map(c => `${c.name} ${c.detail}`.trim()))] },
    quick,
  };
}

// ---------------------------------------------------------------------------------------------
// Formatting

const group = n => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
export function fmt(x, unit) {
  if (x === null || x === undefined) return '—';
  if (unit === 'bytes' || unit === 'calls/s') return group(x);
  if (unit === 'requests') return String(Math.round(x * 100) / 100);
  if (unit === 'µs') return x < 10 ? x.toFixed(3) : x.toFixed(1);
  if (unit === 'ms') return x < 10 ? x.toFixed(2) : x.toFixed(1);
  return String(x);
}
const unitShort = u => (u === 'bytes' ? 'B' : u === 'requests' ? 'req' : u);

function winner(m) {
  if (m.ours === null || m.peer === null) return '';
  if (m.ours === m.peer) return '=';
  const oursBetter = m.better === 'lower' ? m.ours < m.peer : m.ours > m.peer;
  return oursBetter ? 'ours' : 'peer';
}
function ratioText(m) {
  if (m.ratio === null) return '—';
  return `${m.ratio >= 10 ? m.ratio.toFixed(1) : m.ratio.toFixed(2)}×`;
}
const range = (m, key) => (m[`${key}_min`] === undefined ? '—'
  : m[`${key}_min`] === m[`${key}_max`] ? 'fixed' : `${fmt(m[`${key}_min`], m.unit)}–${fmt(m[`${key}_max`], m.unit)}`);

function rows(results) {
  return Object.entries(results.metrics).map(([name, m]) => [
    METRICS[name].label, unitShort(m.unit), fmt(m.ours, m.unit), fmt(m.peer, m.unit), ratioText(m), winner(m),
    range(m, 'ours'), range(m, 'peer'), `${m.ours_n ?? 0}/${m.peer_n ?? 0}`,
    m.oidc_client_ts === undefined ? '' : fmt(m.oidc_client_ts, m.unit),
  ]);
}
const HEAD = ['metric', 'unit', 'ours (median)', 'peer (median)', 'ours/peer', 'better', 'ours min–max', 'peer min–max', 'n', 'oidc-client-ts'];

export function renderTable(results) {
  const all = [HEAD, ...rows(results)];
  const w = HEAD.map((_, i) => Math.max(...all.map(r => String(r[i]).length)));
  const line = r => r.map((c, i) => (i < 2 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  return [line(HEAD), w.map(n => '-'.repeat(n)).join('  '), ...rows(results).map(line)].join('\n');
}

const mdTable = (head, body) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`,
  ...body.map(r => `| ${r.map(c => String(c).replace(/\|/g, '\\|')).join(' | ')} |`)].join('\n');

export function renderMarkdown(r) {
  const m = r.machine;
  // The start: at the end, the 1-minute average includes this run's own browser and stack.
  const shared = (m.loadAvgStart?.[0] ?? 0) > 1;
  const sz = r.sizes;
  const out = [];
  out.push(`# Benchmark: backstage-wasm-auth (ours) vs Backstage \`OAuth2\` (peer)`);
  out.push('');
  out.push(`Written by \`bench/run${r.quick ? ' --quick' : ''}\` on ${m.date} (commit ${m.gitCommit}${m.gitDirty ? ', src/ had uncommitted changes' : ''}). `
    + `Peer: \`OAuth2\` from \`@backstage/core-app-api\` ${m.peer['@backstage/core-app-api']}, with \`OAuthRequestManager\` and a discovery API, `
    + `against the same real Backstage auth backend (plugin-auth-backend ${m.stack['@backstage/plugin-auth-backend']}) + oidc-provider ${m.stack['oidc-provider']} IdP, `
    + `in the same headless Chromium, in the same run. \`oidc-client-ts\` ${m.peer['oidc-client-ts']} \`UserManager\` is shown for reference where it applies.`);
  out.push('');
  if (shared) {
    out.push(`> **The machine was shared with other builds during this run** (load average ${m.loadAvgStart.join(' / ')} at the start, `
      + `${(m.loadAvgEnd ?? []).join(' / ')} at the end, on ${m.cores} cores). Timings are noisy (see the min–max columns); `
      + `sizes and request counts are not affected. Ours and the peer were interleaved rep by rep, so both saw the same load.`);
    out.push('');
  }
  out.push('## Machine');
  out.push('');
  out.push(mdTable(['', ''], [
    ['CPU', `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB`],
    ['OS', `${m.distro ?? ''} (${m.os})`],
    ['Chromium', `${m.chromium} (headless, /usr/bin/chromium)`],
    ['Node', m.node],
    ['Our package', m.oursBuild],
    ['Rust', `${m.rustc}; ${m.wasmBindgen}; ${m.wasmOpt} (for the names-retained copy${m.oursBuild?.startsWith('rebuilt') ? ' and the rebuild' : ''})`],
    ['Peer packages', Object.entries(m.peer).map(([k, v]) => `${k} ${v}`).join(', ')],
    ['Stack', Object.entries(m.stack).map(([k, v]) => `${k} ${v}`).join(', ')],
    ['Load average (1/5/15 min)', `start ${m.loadAvgStart.join(' ')}, end ${(m.loadAvgEnd ?? []).join(' ')}`],
  ]));
  out.push('');
  out.push('## Results');
  out.push('');
  out.push('Median over the repeats (n = ours/peer samples); ratio = ours / peer; "better" names the side that wins on the median.');
  out.push('');
  out.push(mdTable(HEAD, rows(r)));
  out.push('');

  out.push('## Shipped size in detail');
  out.push('');
  const sRow = (name, x, note = '') => [name, fmt(x.raw, 'bytes'), fmt(x.gzip, 'bytes'), fmt(x.brotli, 'bytes'), note];
  const sizeRows = [];
  const entryNote = { backstage: 'the figure in the table (size_*_bytes)', pkce: 'size_pkce_gzip_bytes', 'theme-frame': 'theme_frame_gzip_bytes' };
  for (const e of Object.values(sz.ours.entries ?? {})) {
    sizeRows.push(sRow(`**ours: entry \`${e.name}\`** (${e.what})`, e.total, entryNote[e.name] ?? ''));
    for (const f of e.files) sizeRows.push(sRow(`&nbsp;&nbsp;\`${f.file}\``, f));
  }
  for (const [m, x] of Object.entries(sz.ours.modules ?? {})) {
    sizeRows.push(sRow(`ours: \`${m}_bg.wasm\` (wasm-opt -Oz)`, x.wasm));
    sizeRows.push(sRow(`ours: \`${m}.js\` glue, esbuild-minified / as shipped`, x.glueMinified, `as shipped: ${fmt(x.glueAsShipped.raw, 'bytes')} B raw, ${fmt(x.glueAsShipped.gzip, 'bytes')} B gzip`));
  }
  if (sz.ours.npmWrapperJs) sizeRows.push(sRow('ours: npm wrapper dist/*.js (unminified, no maps)', sz.ours.npmWrapperJs, sz.ours.npmWrapperJs.files.join(', ')));
  if (sz.ours.npmInlineWasmFallback) sizeRows.push(sRow('ours: npm package dist/wasm-bytes*.js (base64 wasm, Node and Jest only)', sz.ours.npmInlineWasmFallback, `${sz.ours.npmInlineWasmFallback.files.join(', ')}: reached only under the node/require export conditions, never in a browser bundle`));
  sizeRows.push(
    sRow('**peer: `OAuth2`** (esbuild --bundle --minify)', sz.peer.oauth2, 'the figure in the table'),
    sRow('peer: `OAuth2` + `OAuthRequestManager`', sz.peer.oauth2WithRequestManager, 'every Backstage app has the request manager anyway'),
    sRow('oidc-client-ts: `UserManager`', sz.oidcts.userManager),
  );
  out.push(mdTable(['artifact', 'raw B', 'gzip -9 B', 'brotli 11 B', 'note'], sizeRows));
  out.push('');
  const ca = sz.cliApp;
  out.push('### The Backstage CLI app build, with and without the package');
  out.push('');
  if (!ca || ca.skipped) {
    out.push(`(not measured: ${ca?.skipped ?? 'no data'})`);
  } else {
    out.push('`bench/cli-app/` (a new-frontend-system app whose sign-in page offers one provider) built by `backstage-cli package build` '
      + '(rspack) with tests/npm/cli-app\'s dependencies, once with backstage-wasm-auth (its frontend module and sign-in provider) and once '
      + 'without (the same page on Backstage\'s own `githubAuthApiRef`, an `OAuth2` every app has). "Sign-in page" = what Chromium fetches '
      + 'from the app\'s origin until the page shows its provider.');
    out.push('');
    const cRow = (name, x) => [name, fmt(x.raw, 'bytes'), fmt(x.gzip, 'bytes'), fmt(x.brotli, 'bytes')];
    out.push(mdTable(['', 'raw B', 'gzip -9 B', 'brotli 11 B'], [
      cRow(`sign-in page, without the package (${ca.without.signInPage.requests} requests)`, ca.without.signInPage),
      cRow(`sign-in page, with it (${ca.with.signInPage.requests} requests; wasm: ${ca.with.wasmFetched.join(', ') || 'none'})`, ca.with.signInPage),
      cRow('**sign-in page: the package adds**', ca.delta.signInPage),
      cRow(`whole dist/, without (${ca.without.dist.files} files)`, ca.without.dist),
      cRow(`whole dist/, with (${ca.with.dist.files} files)`, ca.with.dist),
      cRow('**whole dist/: the package adds**', ca.delta.dist),
    ]));
  }
  out.push('');
  const b = sz.breakdown;
  out.push('### Where our bytes go');
  out.push('');
  out.push(`Of the core module \`${b.module ?? 'backstage_wasm_auth'}_bg.wasm\` (what the Backstage entry fetches). Sections: ${b.sections.map(s => `${s.name} ${fmt(s.size, 'bytes')}`).join(', ')}.`);
  out.push('');
  if (b.crates) {
    out.push(`Function bodies by crate, from a names-retained copy of the same build (its own cargo output, \`pkg/cargo/${b.module ?? 'backstage_wasm_auth'}.wasm\`, through wasm-bindgen + \`wasm-opt -Oz -g\`; code section `
      + `${fmt(b.codeBytesNamedBuild, 'bytes')} B vs ${fmt(b.codeBytesShipped, 'bytes')} B shipped). A function counts for the crate that defines it: `
      + `generic code of serde/alloc/core instantiated for our types counts for serde/alloc/core; wasm-bindgen's wrappers of our exports, `
      + `into which wasm-opt inlines the exported function, count as ours.`);
    out.push('');
    const codeTotal = b.crates.reduce((a, c) => a + c.bytes, 0);
    out.push(mdTable(['crate', 'code bytes', 'share', 'functions'], b.crates.slice(0, 16).map(c =>
      [c.crate, fmt(c.bytes, 'bytes'), `${(100 * c.bytes / codeTotal).toFixed(1)}%`, c.functions])));
    out.push('');
    const deps = b.dependencies;
    if (deps?.rows) {
      out.push('Code bytes per direct dependency of our crate: the crates in the wasm build graph only because of that dependency '
        + '(`cargo metadata`, wasm32 target), summed. Shared crates (serde, http, getrandom, ...) count for nobody here; data segments '
        + '(constant tables) are not attributed.');
      out.push('');
      out.push(mdTable(['direct dependency', 'code bytes', 'crates it alone brings (with code in the wasm)'],
        deps.rows.filter(x => x.bytes > 0).map(x => [x.dependency, fmt(x.bytes, 'bytes'), x.cratesWithCode.join(', ')])));
      out.push('');
    }
    out.push('Our crate by module:');
    out.push('');
    out.push(mdTable(['module', 'code bytes', 'functions'], b.modules.map(x => [x.module, fmt(x.bytes, 'bytes'), x.functions])));
    out.push('');
    out.push('Largest functions:');
    out.push('');
    out.push(mdTable(['bytes', 'crate', 'function'], b.topFunctions.slice(0, 15).map(f => [fmt(f.size, 'bytes'), f.crate, `\`${f.name.slice(0, 140)}\``])));
    out.push('');
    if (b.twiggyTop) {
      out.push(`\`twiggy top -n 25\` (${b.twiggyVersion}) on the names-retained build (its "function names" subsection is not shipped):`);
      out.push('');
      out.push('```');
      out.push(b.twiggyTop.trimEnd());
      out.push('```');
      out.push('');
    }
  } else if (b.error) {
    out.push(`(no per-crate breakdown: ${b.error})`);
    out.push('');
  }

  out.push('## Refresh storm in detail');
  out.push('');
  out.push(`Each rep moves the page clock (\`Date.now\`, which both clients read) ${r.params.stormClockAdvanceMs / 1000} s forward, past the expiry `
    + `of both the provider token (IdP TTL ${r.params.stack.accessTokenTtl} s) and the Backstage token (${r.params.stack.backstageTokenTtl} s), then starts N `
    + '`getAccessToken()` calls in one tick. `/refresh` requests are counted at the stack\'s proxy.');
  out.push('');
  const det = [];
  for (const [c, list] of Object.entries(r.stormDetail ?? {})) {
    for (const n of [...new Set(list.map(x => x.n))]) {
      const xs = list.filter(x => x.n === n);
      det.push([c, n, xs.map(x => x.refreshes).join(', '), xs.map(x => fmt(x.ms, 'ms')).join(', '),
        xs.every(x => x.distinct === 1 && x.empty === 0 && x.changed) ? 'yes' : 'NO']);
    }
  }
  out.push(mdTable(['client', 'N', '/refresh per rep', 'ms per rep', 'all callers got the one new token'], det));
  out.push('');

  out.push('## Method');
  out.push('');
  const p = r.params;
  out.push([
    `- One run: \`scripts/build\` (release), the e2e stack (\`startStack\`: oidc-provider IdP + real Backstage backend behind a counting proxy, `
      + `IdP token TTL ${p.stack.accessTokenTtl} s, Backstage token TTL ${p.stack.backstageTokenTtl} s), a static app origin on 127.0.0.1, headless Chromium `
      + '(playwright-core driving /usr/bin/chromium). Ours and peer alternate rep by rep.',
    '- Both clients are bundled by the same esbuild (`--bundle --minify`, ESM) and configured alike: provider `oidc`, default scopes '
      + '`openid profile email`, auth base URL from a discovery-style async function; every other option at its default (a tuned '
      + 'setting would be a row of its own). The peer gets an '
      + '`OAuthRequestManager` whose pending requests are triggered at once (what the "Log in" button of the app\'s dialog does). '
      + `Ours is the raw \`AuthClient\` of \`pkg/backstage_wasm_auth.js\` (fast path ${m.fastPath ? 'on: `AuthClient extends AuthClientCore`' : 'off: the core\'s own class'}); `
      + '"through WasmAuthApi" is the npm wrapper on the same core, in the same browser context as ours.',
    `- Cold start: ${p.coldLoads} loads per client of a page whose inline module script records \`performance.now()\` and then `
      + '`import()`s the client bundle and constructs the client; pages are served `no-store` (no HTTP or code cache).',
    `- Popup sign-in: ${p.firstSignIns} first sign-ins per client, each in a fresh browser context (Playwright types the IdP login and consent), `
      + `then ${p.repeatSignIns} \`signOut()\` + \`signIn()\` rounds with the IdP session alive. Timed in the page from the call to its resolution.`,
    `- Session on page load: ${p.restoreLoads} reloads of the signed-in page per client; script start -> first token.`,
    `- Cached \`getAccessToken()\`: on a cross-origin-isolated page (COOP same-origin + COEP require-corp: 5 µs timer); the session `
      + `arrives through \`/refresh\` (a popup cannot talk to an isolated opener). ${p.cachedRuns} run(s) of ${p.cachedBatches} batches of `
      + `${p.batchSize} sequential awaited calls after a warm-up; per-call time = batch time / ${p.batchSize}; p50/p99 over the batches `
      + 'of a run, then min/median/max over the runs. oidc-client-ts: `(await userManager.getUser()).access_token` with a synthetic '
      + 'user in its sessionStorage store. On a shared machine p99 mostly measures preemption: a batch during which the renderer '
      + 'is descheduled takes milliseconds, and the longer a client\'s batches, the more of them are hit (p50 is the robust figure).',
    `- Memory: ${p.memoryReps} time(s), after ${p.memoryCalls} more calls on the same isolated page, three CDP \`HeapProfiler.collectGarbage\`, then `
      + '`Runtime.getHeapUsage().usedSize` (the page\'s whole JS heap: the harness is the same for every client) and the wasm '
      + `\`memory.buffer.byteLength\`. An empty isolated page with the harness: ${fmt(m.blankPageJsHeapBytes, 'bytes')} B of JS heap.`,
  ].join('\n'));
  out.push('');
  out.push(`## Checks`);
  out.push('');
  out.push(`${r.checks.passed} passed, ${r.checks.failed} failed${r.checks.failures.length ? `: ${r.checks.failures.join('; ')}` : '.'}`);
  out.push('');
  return `${out.join('\n')}\n`;
}
