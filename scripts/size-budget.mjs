#!/usr/bin/env node
// Size budget of what a browser fetches, computed from the built files (deterministic bytes, no
// timing), as size-limit does for JS packages. Run by scripts/test after scripts/build and
// `node js/build.mjs`; also the source of bench's size figures (bench/lib/sizes.mjs).
//
//   node scripts/size-budget.mjs [--enforce | --report] [--json FILE]
//
// Entries, each bundled by esbuild the way an app's bundler would (--bundle --minify --splitting,
// ESM, browser conditions; React, Backstage and MUI external: the app has them anyway), then only
// the chunks that entry fetches, plus the .wasm its loader fetches, each gzip -9, summed:
//   backstage    the npm wrapper as a Backstage app uses it (dist/index.js + dist/alpha.js: the API
//                ref, factory, extension), its lazy core glue chunk and pkg/backstage_wasm_auth_bg.wasm
//   pkce         the same app with `flow: 'pkce'`: the PKCE glue chunk and its wasm instead
//   theme-frame  an iframe app that only applies the host's theme: dist/theme/frame.js, the theme
//                glue chunk and pkg/backstage_wasm_auth_theme_bg.wasm
//   ui           what the session UI adds to the backstage entry: dist/ui/index.js (the component,
//                idle sign-out) + dist/ui/alpha.js (its new-system extension), with the package's
//                main entry external (the app has it already; ui only imports the API ref from it)
// Also fails (always) when any browser bundle carries a base64 copy of a wasm module.
//
// Exit status 1 when a budget is exceeded and the budget is enforced: the default (below), or
// --enforce / BWA_SIZE_BUDGET=enforce; --report / BWA_SIZE_BUDGET=report prints the same and passes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Whether an exceeded budget fails (`enforce`) or is only reported (`report`). */
const DEFAULT_MODE = 'enforce';

/**
 * The budgets CI enforces: today's sizes plus a little room, so that a change that adds bytes
 * fails here and has to say why (raise the number in the same commit). They are a ratchet, not
 * the goal: TARGETS are the goal (issue 11), printed beside them until they are met.
 */
export const BUDGETS = {
  // 64 KiB -> 65 KiB (issues 12-14, 2026-11-30): 63,556 -> 65,552 B for the refresh token kept
  // in its tab (+278), one transport for both flows (+442), the connectors' session basis
  // (+213), the cross-tab turn policy on the core's clock (+340), Backstage's logoutUrl (+723),
  // no sign-out without an answer + wake-up refreshes relayed by the JS half (+674; as Rust
  // event-listener closures it was +1,091), the popup-blocked redirect fallback (+183), the per-call flow (+65).
  // 65 KiB -> 67 KiB (issue 14, 2026-11-30): 66,552 -> 68,073 B for the lifecycle observable and
  // the background refresh (+1,521: ~370 of it the JS half's timer and observable; flat values
  // instead of the object built in Rust measured +179 more, not taken); sign in again by a click
  // after a refused refresh (+71); the redirect marker names the kind of client that left (+28).
  // 67 KiB -> 68 KiB: a caller offline waits for the network to come back (+813: measured as a
  // retry in the shared refresh; +908 as a wait in get_session, +838 as a loop there; the
  // browser's part, a navigator.onLine poll, is ~130 of it); a refused session ends at its
  // expiry, a timer in the JS half (+79); other tabs are told it expired, not signed out (+37); the
  // expiry timer also with refreshOnWake: false (+61: a bool argument).
  backstage: 69_632,
  // 124 KiB -> 116 KiB: 119,707 -> 113,976 B (gloo-net and a second base64url decoder gone).
  pkce: 118_784,
  'theme-frame': 24_576,
  // 2026-11-30, issue 14: the session notice + idle sign-out (backstage-wasm-auth/ui, ui/alpha), 4,958 B.
  ui: 5_120,
};

/** The lean-core goals: what a Backstage app / an iframe app should fetch. */
export const TARGETS = {
  backstage: 30_720,
  'theme-frame': 10_240,
};

export const ESBUILD_OPTIONS = Object.freeze({
  bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', splitting: true,
  external: ['react', 'react-dom', 'react/*', 'react-dom/*', 'react-router-dom', '@backstage/*', '@material-ui/*', '@mui/*'],
  logLevel: 'error', legalComments: 'none',
});

export function measure(buf) {
  return {
    raw: buf.length,
    gzip: zlib.gzipSync(buf, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(buf, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length,
  };
}
export const sum = ms => ms.reduce((a, m) => ({ raw: a.raw + m.raw, gzip: a.gzip + m.gzip, brotli: a.brotli + m.brotli }),
  { raw: 0, gzip: 0, brotli: 0 });

const ENTRIES = {
  backstage: { source: dist => `export * from ${JSON.stringify(path.join(dist, 'index.js'))};\n`
      + `export * from ${JSON.stringify(path.join(dist, 'alpha.js'))};\n`, glue: 'backstage_wasm_auth',
    what: 'dist/index.js + dist/alpha.js, minified' },
  pkce: { source: dist => ENTRIES.backstage.source(dist), glue: 'backstage_wasm_auth_pkce',
    what: 'the same, with flow: \'pkce\'' },
  'theme-frame': { source: dist => `import ${JSON.stringify(path.join(dist, 'theme', 'frame.js'))};\n`
      + `export * from ${JSON.stringify(path.join(dist, 'theme', 'frame.js'))};\n`, glue: 'backstage_wasm_auth_theme',
    what: 'dist/theme/frame.js, minified' },
  // No glue, no wasm: the UI loads nothing of its own; `../index.js` (the Backstage entry) is external.
  ui: { source: dist => `export * from ${JSON.stringify(path.join(dist, 'ui', 'index.js'))};\n`
      + `export * from ${JSON.stringify(path.join(dist, 'ui', 'alpha.js'))};\n`, external: ['../index.js'],
    what: 'dist/ui/index.js + dist/ui/alpha.js, minified, beside the Backstage entry' },
};

/**
 * Bundles one entry and returns the files a browser fetches for it: the entry chunk and its static
 * imports, the lazy chunk of `glue` (pkg/<glue>.js) and its static imports, and pkg/<glue>_bg.wasm.
 * Chunks no call reaches by default (the other glues, the empty #wasm-bytes* module) do not count.
 */
async function entryFiles(name, packageDir) {
  const spec = ENTRIES[name];
  const distDir = path.join(packageDir, 'dist');
  const pkgDir = path.join(packageDir, 'pkg');
  const entryFile = path.join(distDir, `.size-entry-${process.pid}-${name}.js`);
  fs.writeFileSync(entryFile, spec.source(distDir));
  let result;
  try {
    // The package's own package.json resolves its `#wasm-bytes*` imports (browser: empty module).
    result = await esbuild.build({
      ...ESBUILD_OPTIONS, entryPoints: { [name]: entryFile }, outdir: path.join(distDir, '.size-out'),
      external: [...ESBUILD_OPTIONS.external, ...(spec.external ?? [])],
      write: false, metafile: true, absWorkingDir: packageDir,
    });
  } finally {
    fs.rmSync(entryFile, { force: true });
  }
  const outputs = result.metafile.outputs;
  const contents = Object.fromEntries(result.outputFiles.map(f => [path.relative(packageDir, f.path), Buffer.from(f.contents)]));
  const closure = (start, seen = new Set()) => {
    if (seen.has(start)) return seen;
    seen.add(start);
    for (const i of outputs[start].imports) if (i.kind === 'import-statement' && !i.external) closure(i.path, seen);
    return seen;
  };
  const entryOut = Object.keys(outputs).find(o => outputs[o].entryPoint);
  const base64 = Object.entries(contents).filter(([, buf]) => /['"`]AGFzbQ/.test(buf.toString('latin1'))).map(([f]) => f);
  if (!spec.glue) {
    const files = [...closure(entryOut)].map(o => ({ file: o, ...measure(contents[o]) }));
    return { name, what: spec.what, glue: null, glueReached: null, files, total: sum(files), base64Copies: base64 };
  }
  const gluePath = path.join(pkgDir, `${spec.glue}.js`);
  const glueOut = Object.keys(outputs).find(o => Object.keys(outputs[o].inputs).some(i => path.resolve(packageDir, i) === gluePath));
  const reachable = new Set(closure(entryOut));
  // The glue must be a dynamic import of what the entry loads, or this entry does not use it.
  const glueReached = glueOut && [...reachable].some(o => outputs[o].imports.some(i => i.path === glueOut && i.kind === 'dynamic-import'));
  if (glueOut) for (const o of closure(glueOut)) reachable.add(o);
  const files = [...reachable].map(o => ({ file: o, ...measure(contents[o]) }));
  const wasmFile = path.join(pkgDir, `${spec.glue}_bg.wasm`);
  files.push({ file: path.relative(packageDir, wasmFile), ...measure(fs.readFileSync(wasmFile)) });
  return { name, what: spec.what, glue: spec.glue, glueReached: !!glueReached, files, total: sum(files), base64Copies: base64 };
}

/**
 * Every entry's fetched files and totals (see the header), for the package laid out in packageDir
 * (package.json, dist/ from js/build.mjs, pkg/ from scripts/build): the repository by default.
 */
export async function measureEntries({ packageDir = root } = {}) {
  for (const f of ['package.json', 'dist/index.js', 'dist/alpha.js', 'dist/theme/frame.js', 'dist/ui/index.js', 'dist/ui/alpha.js']) {
    if (!fs.existsSync(path.join(packageDir, f))) {
      throw new Error(`${path.join(packageDir, f)} is missing: run scripts/build, then node js/build.mjs (npm run build does both)`);
    }
  }
  const out = {};
  for (const name of Object.keys(ENTRIES)) out[name] = await entryFiles(name, packageDir);
  return out;
}

// ---------------------------------------------------------------------------------------------
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const mode = args.includes('--enforce') ? 'enforce' : args.includes('--report') ? 'report'
    : process.env.BWA_SIZE_BUDGET || DEFAULT_MODE;
  if (!['enforce', 'report'].includes(mode)) {
    console.error(`[size] BWA_SIZE_BUDGET must be enforce or report, not '${mode}'`);
    process.exit(2);
  }
  const entries = await measureEntries();
  const fmt = n => n.toLocaleString('en-US');
  const problems = [];
  for (const e of Object.values(entries)) {
    const budget = BUDGETS[e.name];
    const verdict = budget === undefined ? '(no budget)'
      : e.total.gzip <= budget ? `within the budget of ${fmt(budget)} B`
        : `OVER the budget of ${fmt(budget)} B by ${fmt(e.total.gzip - budget)} B`;
    const target = TARGETS[e.name];
    const goal = target === undefined ? '' : e.total.gzip <= target ? `; target ${fmt(target)} B met`
      : `; target ${fmt(target)} B missed by ${fmt(e.total.gzip - target)} B`;
    console.log(`[size] ${e.name}: ${fmt(e.total.gzip)} B gzip -9 (${fmt(e.total.raw)} B raw, ${fmt(e.total.brotli)} B brotli) ${verdict}${goal}`);
    for (const f of e.files) console.log(`[size]     ${f.file.padEnd(48)} ${fmt(f.raw).padStart(9)} B raw ${fmt(f.gzip).padStart(8)} B gzip`);
    if (e.glueReached === false) {
      const msg = `${e.name}: ${e.what} does not load pkg/${e.glue}.js (no lazy import() of it in the bundle)`;
      if (mode === 'enforce') problems.push(msg);
      else console.log(`[size] warning: ${msg}`);
    }
    if (e.base64Copies.length) problems.push(`${e.name}: the browser bundle carries a base64 copy of a wasm module (${e.base64Copies.join(', ')})`);
    if (budget !== undefined && e.total.gzip > budget && mode === 'enforce') problems.push(`${e.name}: ${fmt(e.total.gzip)} B gzip > budget ${fmt(budget)} B`);
  }
  const jsonAt = args.indexOf('--json');
  if (jsonAt >= 0) fs.writeFileSync(args[jsonAt + 1], `${JSON.stringify({ mode, budgets: BUDGETS, targets: TARGETS, entries }, null, 2)}\n`);
  if (mode === 'report' && Object.values(entries).some(e => BUDGETS[e.name] !== undefined && e.total.gzip > BUDGETS[e.name])) {
    console.log('[size] budget mode: report (BWA_SIZE_BUDGET=report or --report; enforced by default)');
  }
  for (const p of problems) console.error(`[size] FAIL ${p}`);
  if (problems.some(p => /> budget/.test(p))) console.error('[size] (BWA_SIZE_BUDGET=report reports without failing)');
  process.exit(problems.length ? 1 : 0);
}
