// Shipped size. Ours: what a browser fetches per entry of the npm package (scripts/size-budget.mjs,
// the same figures CI's size budget checks): a Backstage app using the API ref (the wrapper's
// entry, esbuild-minified with React/Backstage/MUI external, + its lazy glue chunk + the core
// .wasm), the same with flow 'pkce', and the theme-frame entry. Also each wasm module and glue on
// its own. Peer: Backstage's OAuth2 and oidc-client-ts, bundled by esbuild (--bundle --minify, ESM,
// React external). Plus our core's code size by crate and by module, from a names-retained copy of
// the core module's own cargo output (pkg/cargo/backstage_wasm_auth.wasm: same wasm-bindgen +
// wasm-opt -Oz, plus -g).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { readWasm, attribute } from './wasm-names.mjs';
import { dependencyCost } from './deps.mjs';
import { MODULES, bindgenAndOpt, cargoWasm, toolEnv, wasmOptVersion } from './ours-build.mjs';
import { measure, measureEntries, sum } from '../../scripts/size-budget.mjs';

export { measure };

/** What bench's client pages are bundled with (one file per client, no splitting). */
export const ESBUILD_OPTIONS = Object.freeze({
  bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022',
  external: ['react', 'react-dom', 'react-router-dom', 'react/jsx-runtime'], logLevel: 'error',
});

/** Bundles several one-line entries in one esbuild pass (core-app-api's index has ~3000 inputs). */
async function bundleAll(entries, benchDir, tmp) {
  const dir = path.join(tmp, 'size-entries');
  fs.mkdirSync(dir, { recursive: true });
  const entryPoints = Object.entries(entries).map(([name, contents]) => {
    const file = path.join(benchDir, `.size-entry-${process.pid}-${name}.js`); // resolved from bench/node_modules
    fs.writeFileSync(file, contents);
    return { in: file, out: name };
  });
  try {
    const r = await esbuild.build({ ...ESBUILD_OPTIONS, entryPoints, outdir: dir, write: false });
    return Object.fromEntries(r.outputFiles.map(f => [path.basename(f.path, '.js'), Buffer.from(f.contents)]));
  } finally {
    for (const e of entryPoints) fs.rmSync(e.in, { force: true });
  }
}

/** A names-retained copy of the core module: wasm-bindgen + wasm-opt -Oz -g on its cargo output. */
function namedWasm(pkgDir, tmp, wasmOpt) {
  const cargoFile = cargoWasm(pkgDir);
  if (!fs.existsSync(cargoFile)) return { error: `${cargoFile} not found (scripts/build keeps each module's cargo output in pkg/cargo/)` };
  try {
    return { file: bindgenAndOpt({ cargoFile, module: MODULES[0], outDir: path.join(tmp, 'named'), wasmOpt, extra: ['-g'] }), env: toolEnv() };
  } catch (e) {
    return { error: String(e.stderr ?? e.message).slice(0, 400) };
  }
}

export async function measureSizes({ root, benchDir, packageDir, tmp, wasmOpt = 'wasm-opt', detail = true }) {
  const pkg = path.join(packageDir, 'pkg');
  const entries = await measureEntries({ packageDir });
  const b = await bundleAll({
    ...Object.fromEntries(MODULES.map(m => [m, `export * from ${JSON.stringify(path.join(pkg, `${m}.js`))};\n`
      + `export { default } from ${JSON.stringify(path.join(pkg, `${m}.js`))};`])),
    oauth2: `export { OAuth2 } from '@backstage/core-app-api';`,
    oauth2rm: `export { OAuth2, OAuthRequestManager } from '@backstage/core-app-api';`,
    oidcts: `export { UserManager } from 'oidc-client-ts';`,
  }, benchDir, tmp);

  const modules = Object.fromEntries(MODULES.map(m => {
    const wasm = measure(fs.readFileSync(path.join(pkg, `${m}_bg.wasm`)));
    const glueMinified = measure(b[m]);
    const glueAsShipped = measure(fs.readFileSync(path.join(pkg, `${m}.js`)));
    return [m, { wasm, glueMinified, glueAsShipped, total: sum([wasm, glueMinified]) }];
  }));
  const ours = {
    // The headline: what a Backstage app using the API ref fetches (wrapper + glue + core wasm).
    total: entries.backstage.total,
    pkce: entries.pkce.total,
    themeFrame: entries['theme-frame'].total,
    entries,
    modules,
    // The core module alone (wasm + glue minified the way an app bundles it), as before.
    wasm: modules.backstage_wasm_auth.wasm,
    glueMinified: modules.backstage_wasm_auth.glueMinified,
    glueAsShipped: modules.backstage_wasm_auth.glueAsShipped,
  };

  // The npm wrapper (dist/, from js/build.mjs): its JS as published, and the Node/Jest-only copies.
  const dist = path.join(packageDir, 'dist');
  if (fs.existsSync(path.join(dist, 'index.js'))) {
    const files = fs.readdirSync(dist).filter(f => f.endsWith('.js'));
    const inline = files.filter(f => /^wasm-bytes/.test(f));
    const js = files.filter(f => !inline.includes(f));
    ours.npmWrapperJs = { files: js, ...sum(js.map(f => measure(fs.readFileSync(path.join(dist, f))))) };
    if (inline.length) ours.npmInlineWasmFallback = { files: inline, ...sum(inline.map(f => measure(fs.readFileSync(path.join(dist, f))))) };
  }

  const peer = { oauth2: measure(b.oauth2), oauth2WithRequestManager: measure(b.oauth2rm) };
  const oidcts = { userManager: measure(b.oidcts) };

  // Where our bytes go: the core module (what the Backstage entry fetches), from its own cargo output.
  const shipped = readWasm(fs.readFileSync(path.join(pkg, `${MODULES[0]}_bg.wasm`)));
  const breakdown = { module: MODULES[0], sections: shipped.sections };
  const named = detail ? namedWasm(pkg, tmp, wasmOpt) : { error: 'skipped in --quick mode (bench/run --quick --size-detail adds it)' };
  breakdown.wasmOpt = wasmOptVersion(wasmOpt);
  if (named.file) {
    const w = readWasm(fs.readFileSync(named.file));
    const a = attribute(w);
    breakdown.codeBytesNamedBuild = w.sections.find(s => s.name === 'code')?.size;
    breakdown.codeBytesShipped = shipped.sections.find(s => s.name === 'code')?.size;
    breakdown.crates = a.crates;
    breakdown.modules = a.modules;
    breakdown.topFunctions = a.top.slice(0, 25);
    breakdown.dependencies = dependencyCost(root, a.crates);
    const tw = spawnSync('twiggy', ['top', '-n', '25', named.file], { env: named.env, encoding: 'utf8' });
    if (tw.status === 0) {
      breakdown.twiggyTop = tw.stdout;
      const v = spawnSync('twiggy', ['--version'], { env: named.env, encoding: 'utf8' });
      breakdown.twiggyVersion = v.stdout.trim();
    } else breakdown.twiggyTop = null;
  } else {
    breakdown.error = named.error;
  }
  return { ours, peer, oidcts, breakdown };
}
